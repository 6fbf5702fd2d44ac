"""Every public page, found from the application's router rather than listed by hand.

Each GET route is asked for signed out, its path parameters filled from
:data:`EXAMPLES` (values that exist in the portal tests' demo-like state). A
route answering 200 with HTML is a public page; 200 with anything else is a
public file; 401 is an officials' page. Anything else fails the test naming
the route, and so does a route with a parameter no example fills: a new route
is classified the first time the tests run, and a new public page is checked
for accessibility without anyone remembering to add it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.lat import records as lat_records
from votetrail.services.publications import views as publications


def _signed_lat_session(app: App) -> str:
    return next(s.id for s in lat_records.sessions(app) if s.signed_at is not None)


def _publication(app: App) -> str:
    return publications.publications(app)[-1].id


EXAMPLES: dict[str, Callable[[App], str]] = {
    "slug": lambda app: "adams",
    "county": lambda app: "adams",
    "audit_id": lambda app: "audit-1",
    "session_id": _signed_lat_session,
    "kind": lambda app: "json",
    "index": lambda app: "0",
    "old": lambda app: "1",
    "new": lambda app: "2",
    "size": lambda app: str(log_view.size(app)),
    "name": lambda app: "results.csv",
    "token": lambda app: "not-a-link",
    "board_id": lambda app: "audit-1/adams/1",
    "ref": lambda app: "x",
    "voter_id": lambda app: "ADAMS000000",
    "day": lambda app: "2026-11-03",
    "fmt": lambda app: "cidr",
    "serial": lambda app: "ICP-1",
    "publication_id": _publication,
}
"""A value for each path parameter name the routes use."""

_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass(frozen=True)
class Classified:
    pages: list[str]
    """Public HTML pages, as paths."""
    files: list[str]
    """Public downloads (checkpoint, proofs, results files, evidence)."""
    private: list[str]
    """Paths that answer 401 signed out."""
    problems: list[str]
    """Routes the tests could not classify, each with the reason."""


def classify(web: Starlette, app: App, client: httpx.Client) -> Classified:
    """Ask for every GET route signed out and sort the answers."""
    found = Classified([], [], [], [])
    for route in web.routes:
        if not isinstance(route, Route) or "GET" not in (route.methods or ()):
            continue
        names = _PARAMETER.findall(route.path)
        unknown = [n for n in names if n not in EXAMPLES]
        if unknown:
            found.problems.append(f"{route.path}: add an example for {', '.join(unknown)}")
            continue
        path = _PARAMETER.sub(lambda m: EXAMPLES[m.group(1)](app), route.path)
        answer = client.get(path)
        kind = answer.headers.get("content-type", "")
        if answer.status_code == 200:
            (found.pages if kind.startswith("text/html") else found.files).append(path)
        elif answer.status_code == 401:
            found.private.append(path)
        else:
            found.problems.append(f"{route.path}: {path} answered {answer.status_code} signed out")
    return found
