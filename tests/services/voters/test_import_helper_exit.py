"""A large voter import's helper process ends when the command is killed (issue 19, crash safety).

Found by ``bench/bench_crash_trials.py``: SIGKILL of ``votetrail voters import``
of a large file left its preparing process (and multiprocessing's resource
tracker) running for good, waiting for work that would never come and
holding the PII keys in memory.
"""

from __future__ import annotations

import os
import signal
import time

from votetrail.services.voters import imports


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_helper_process_ends_when_the_import_is_killed() -> None:
    reader, writer = os.pipe()
    command = os.fork()
    if command == 0:  # stands for the command: starts the helper, then is killed mid-import
        code = 1
        try:
            os.close(reader)
            executor = imports._executor(None)
            assert executor is not None
            helper = executor.submit(os.getpid).result(timeout=60)
            executor.submit(time.sleep, 60)
            os.write(writer, f"{helper}\n".encode())
            time.sleep(60)
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, encoding="ascii") as pipe:
        helper = int(pipe.readline())
    assert _alive(helper)
    os.kill(command, signal.SIGKILL)
    os.waitpid(command, 0)
    deadline = time.monotonic() + 5
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not _alive(helper), "the helper outlived the killed import"
    finally:
        if _alive(helper):
            os.kill(helper, signal.SIGKILL)
