"""Web tests talk to a real server over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.web.server import serving
from votetrail.services.context import App


@pytest.fixture
def base_url(demo_app: App) -> Iterator[str]:
    with serving(demo_app) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, follow_redirects=True, timeout=10) as http:
        yield http
