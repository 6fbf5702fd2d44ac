"""`votetrail serve --workers N`: several server processes that act as one site.

A session cookie signed by one worker must open pages in every other (they
share the session secret and the database), so a visitor signed in once stays
signed in whichever process the kernel hands the next connection to. The
server is the real command in its own process, on both backends; each
request goes over a new connection so the workers share the requests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.cli.helpers import url_of, votetrail
from tests.ports import free_port, wait_for_server
from tests.web.server import login
from votetrail.cli import main as cli_main
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD


@contextmanager
def served(app: App, *options: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``votetrail serve`` with ``options`` in its own process; its base URL and process."""
    port = free_port()
    command = [sys.executable, "-c", "from votetrail.cli.main import main; main()", "serve"]
    command += ["--data-dir", str(app.data_dir), "--port", str(port), *options]
    url = url_of(app)
    if url is not None:
        command += ["--database-url", url]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        failed = wait_for_server(server, base, 90)
        if failed is not None:
            pytest.fail(f"serve did not start: {failed}")
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux's /proc), the workers uvicorn started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts worker processes in /proc")
def test_two_workers_share_sign_in_and_pages(demo_app: App) -> None:
    demo_app.engine.dispose()
    with served(demo_app, "--workers", "2") as (base, server):
        # uvicorn's supervisor, then its two workers (and perhaps its resource tracker).
        workers = children(server.pid)
        assert len(workers) >= 2, workers
        with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as client:
            signed = login(client, "adams-admin", DEMO_PASSWORD)
            assert signed.status_code == 200
            assert not signed.url.path.startswith("/login")
            cookies = dict(client.cookies)
        # A fresh connection each time: the kernel hands them to either worker.
        answers = []
        for _ in range(24):
            with httpx.Client(base_url=base, cookies=cookies, timeout=30) as fresh:
                answers.append(fresh.get("/j/adams/uploads"))  # 401 signed out
                public = fresh.get("/")
                assert public.status_code == 200
        assert [a.status_code for a in answers] == [200] * 24, [a.status_code for a in answers]
        with httpx.Client(base_url=base, timeout=30) as stranger:
            assert stranger.get("/j/adams/uploads").status_code == 401


def test_serve_defaults_to_one_worker_per_core(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, demo_app: App
) -> None:
    chosen: list[int] = []
    monkeypatch.setattr(cli_main, "_serve", lambda app, host, port, url, n: chosen.append(n))
    monkeypatch.setattr(os, "cpu_count", lambda: 3)

    default = votetrail(capsys, "serve", data_dir=demo_app.data_dir, database_url=url_of(demo_app))
    given = votetrail(
        capsys, "serve", "--workers", "5", data_dir=demo_app.data_dir, database_url=url_of(demo_app)
    )
    refused = votetrail(capsys, "serve", "--workers", "0", data_dir=demo_app.data_dir)

    assert (default.code, given.code) == (0, 0)
    assert chosen == [3, 5]
    assert refused.code == 2
    assert "--workers" in refused.err
