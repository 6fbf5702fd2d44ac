"""A real uvicorn server on a free loopback port, serving a real demo state."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.routing import BaseRoute

from tests.ports import free_port
from votetrail.services.context import App
from votetrail.web.app import create_app
from votetrail.web.limits import BodyLimits


@contextmanager
def serving(
    app: App, *, limits: BodyLimits | None = None, extra_routes: Sequence[BaseRoute] = ()
) -> Iterator[str]:
    """Serve ``app``; ``limits`` replaces the body caps, ``extra_routes`` adds test-only routes."""
    port = free_port()
    web = create_app(app, limits=limits)
    web.router.routes.extend(extra_routes)
    config = uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    page = client.get("/login")
    token = csrf(page.text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def csrf(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
