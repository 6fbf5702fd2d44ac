"""Where request handlers find the services' ``App``."""

from __future__ import annotations

from starlette.requests import Request

from votetrail.errors import NotFound
from votetrail.services import directory
from votetrail.services.context import App
from votetrail.services.directory import JurisdictionView
from votetrail.web.page_cache import cached


def app_of(request: Request) -> App:
    app = request.app.state.votetrail
    assert isinstance(app, App)
    return app


def county_in_url(app: App, request: Request, work: str) -> JurisdictionView:
    """The county the URL's ``slug`` names; a state or city has no ``work`` of its own.

    ``work`` completes "<name> runs no …", e.g. "L&A tests", so the 404 says
    why the address is wrong rather than only that it is.
    """
    target = jurisdiction(request, str(request.path_params["slug"]))
    if target.kind != "county":
        raise NotFound(f"{target.name} runs no {work}; each of its counties does")
    return target


def jurisdiction(request: Request, slug: str) -> JurisdictionView:
    """``directory.jurisdiction``, looked up once per state of the log (most pages ask)."""
    return cached(
        request, ("jurisdiction", slug), lambda: directory.jurisdiction(app_of(request), slug)
    )


def the_state(request: Request) -> str:
    """``directory.the_state``, looked up once per state of the log (most pages ask)."""
    return cached(request, ("the state",), lambda: directory.the_state(app_of(request)))
