"""The demo's accounts as principals, for the loaders that act in their names."""

from __future__ import annotations

from votetrail.core.access import Principal
from votetrail.errors import NotFound
from votetrail.services.context import App
from votetrail.services.directory import principal


def officer(app: App, username: str) -> Principal:
    """The demo account ``username``; a demo state without it is broken, so it raises."""
    found = principal(app, username)
    if found is None:
        raise NotFound(f"demo account {username!r} is missing")
    return found
