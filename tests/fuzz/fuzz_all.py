"""``make fuzz``: build the corpus, run every target for ``FUZZ_SECONDS``, print executions.

Each target runs in its own process (libFuzzer is set up once per process);
the table at the end is the measure docs/reliability.md records: executions,
seconds and crashes per target. ``FUZZ_TARGETS`` (comma-separated) runs a few.
Exit status 1 when any target crashed; crashing inputs are under
``.fuzz/crashes/<target>/``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.fuzz.corpus import build
from tests.fuzz.targets import TARGETS

ROOT = Path(os.environ.get("FUZZ_DIR", ".fuzz"))
DONE = re.compile(r"Done (\d+) runs in (\d+) second")
PLAIN = re.compile(r"FUZZ \S+ executions=(\d+) seconds=(\d+) crashes=(\d+)")


def run(name: str, seconds: int) -> tuple[int, int, int]:
    artifacts = ROOT / "crashes" / name
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tests.fuzz.run", name, f"--seconds={seconds}",
         f"--corpus={ROOT / 'corpus' / name}", f"--artifacts={artifacts}",
         *(["--plain"] if os.environ.get("FUZZ_PLAIN") else [])],
        capture_output=True, text=True, check=False, timeout=seconds + 120,
    )  # fmt: skip
    output = done.stdout + done.stderr
    (ROOT / "logs").mkdir(parents=True, exist_ok=True)
    (ROOT / "logs" / f"{name}.log").write_text(output)
    if found := PLAIN.search(output):
        return int(found[1]), int(found[2]), int(found[3])
    runs = DONE.search(output)
    stats = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
    executions = int(runs[1]) if runs else int(stats[1]) if stats else 0
    crashes = len(list(artifacts.glob("*"))) if artifacts.exists() else 0
    if done.returncode != 0 and not crashes:
        crashes = 1
    return executions, round(time.monotonic() - started), crashes


def main() -> None:
    seconds = int(os.environ.get("FUZZ_SECONDS", "60"))
    chosen = [n for n in os.environ.get("FUZZ_TARGETS", "").split(",") if n] or list(TARGETS)
    build(ROOT / "corpus")
    failed = False
    print(f"{'target':28} {'executions':>10} {'seconds':>7} {'crashes':>7}")
    for name in chosen:
        executions, took, crashes = run(name, seconds)
        failed |= crashes > 0
        print(f"{name:28} {executions:>10} {took:>7} {crashes:>7}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
