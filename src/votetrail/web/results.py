"""Public results: statewide and per county, from the counties' current CVR uploads, no sign-in.

The numbers are the ones the county page and ``votetrail results`` show: the
same service counts the same stored records the log's Merkle roots commit to.
Each page offers the files a newsroom or a results site loads: CSV, the
contract JSON and NIST SP 1500-100 JSON, byte for byte what ``votetrail results
--format csv|json|nist`` writes (``services/counting/published.py``).

Ranked-choice contests (issue 17) are not in the plurality tables: their
rounds come under the ``ranked`` context key (``web/ranked.py``, counted from
the same stored CVRs with default IRV rules) and print below them.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from votetrail.core.tally.tabulate import ContestResult
from votetrail.errors import InvalidInput, NotFound
from votetrail.services import directory
from votetrail.services.context import App
from votetrail.services.counting.published import MEDIA_TYPES, ResultsFormat, results_text
from votetrail.services.counting.results import results
from votetrail.services.directory import JurisdictionView
from votetrail.web.lat.common import download
from votetrail.web.page_cache import cached
from votetrail.web.ranked import ranked_section
from votetrail.web.state import app_of, the_state
from votetrail.web.templating import render

FILES = {
    "results.csv": ResultsFormat.CSV,
    "results.json": ResultsFormat.JSON,
    "results-nist.json": ResultsFormat.NIST,
}
"""The download names under ``/results/{jurisdiction}/`` and what each holds."""


NOTHING_YET = "No cast vote records have been uploaded yet."


def _scope(app: App, slug: str) -> tuple[JurisdictionView, str | None]:
    """The jurisdiction named, and the county to count (None for the state: every county)."""
    target = directory.jurisdiction(app, slug)
    return target, (target.id if target.kind == "county" else None)


def _count(app: App, county: str | None) -> tuple[Sequence[ContestResult], str | None]:
    """The results, or none and the sentence saying why (nothing uploaded, or uncountable)."""
    try:
        found = results(app, county)
    except NotFound:
        return (), NOTHING_YET
    except InvalidInput as exc:
        return (), f"These uploads cannot be counted yet: {exc}"
    return found, None


def _page(request: Request, slug: str) -> Response:
    app = app_of(request)
    # Counting every county's CVRs takes most of a request: done once per state of the log.
    context = cached(request, ("results", slug), lambda: _context(app, slug))
    return render(request, "results_public.html", context)


def _context(app: App, slug: str) -> dict[str, object]:
    target, county = _scope(app, slug)
    found, problem = _count(app, county)
    ranked = ranked_section(app, county)
    if not (problem or found or ranked.contests or ranked.problems):
        problem = NOTHING_YET  # statewide with no county's CVRs: the service's empty list
    counties = [j for j in directory.jurisdictions(app) if j.kind == "county"]
    return {
        "jurisdiction": target,
        "statewide": county is None,
        "results": found,
        "problem": problem,
        "counties": counties,
        "ranked": ranked,
    }


def statewide_page(request: Request) -> Response:
    return _page(request, the_state(request))


def jurisdiction_page(request: Request) -> Response:
    return _page(request, str(request.path_params["slug"]))


def results_file(request: Request) -> Response:
    app = app_of(request)
    name = str(request.path_params["name"])
    fmt = FILES.get(name)
    if fmt is None:
        raise NotFound(f"no results file {name!r}; there are {', '.join(FILES)}")
    slug = str(request.path_params["slug"])

    def counted() -> tuple[str, str | None, Sequence[ContestResult]]:
        target, county = _scope(app, slug)
        return target.id, county, results(app, county)

    # The counts are kept; the file is written each time (the NIST report dates itself).
    target_id, county, found = cached(request, ("results file", slug), counted)
    text = results_text(app, found, fmt, jurisdiction=county)
    return download(text, MEDIA_TYPES[fmt], f"{target_id}-{name}")


ROUTES: list[BaseRoute] = [
    Route("/results", statewide_page, methods=["GET"]),
    Route("/results/{slug}", jurisdiction_page, methods=["GET"]),
    Route("/results/{slug}/{name}", results_file, methods=["GET"]),
]
