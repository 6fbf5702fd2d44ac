"""A free loopback port for a server a test starts (PostgreSQL, uvicorn)."""

from __future__ import annotations

import socket
import subprocess
import time


def free_port() -> int:
    """A port the kernel just handed out on 127.0.0.1, so parallel runs do not collide."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_server(server: subprocess.Popen[bytes], base: str, seconds: float) -> str | None:
    """Poll ``base``/checkpoint until it answers: None, or why not (the process's stderr).

    A started ``votetrail serve`` takes a moment to listen; a process that exits
    or never answers is killed and its error returned for the caller to report
    in its own way (a test fails, a bench stops).
    """
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(base + "/checkpoint", timeout=2)
            return None
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                _, err = server.communicate()
                return (err or b"").decode(errors="replace")
            time.sleep(0.1)
