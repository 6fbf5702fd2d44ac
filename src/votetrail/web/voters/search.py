"""Searching a county's voter list: the first page an official opens."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from votetrail.core.access import Role
from votetrail.core.voters.record import (
    Status,
)
from votetrail.services.voters import records as voters
from votetrail.web.auth import require
from votetrail.web.state import app_of
from votetrail.web.templating import render
from votetrail.web.voters.common import check_lengths, county_of, private

SEARCH_LIMIT = 100
STATUSES = tuple(s.value for s in Status)


# ---------------------------------------------------------------- search


def search_page(request: Request) -> Response:
    """Counts by status and a search; the service decides who may read the county's list."""
    app = app_of(request)
    principal = require(request)
    target = county_of(app, request)
    terms = {
        name: request.query_params.get(name, "").strip()
        for name in ("last_name", "first_name", "voter_id")
    }
    check_lengths(terms)
    found = voters.search(app, principal, target.id, **terms, limit=SEARCH_LIMIT)
    counts = voters.counts(app, target.id)
    context: dict[str, object] = {
        "jurisdiction": target,
        "counts": [(s, counts.get(s, 0)) for s in STATUSES],
        "total": sum(counts.values()),
        "terms": terms,
        "searched": any(terms.values()),
        "results": [voters.public_view(r) for r in found],
        "limit": SEARCH_LIMIT,
        "is_state_admin": principal.role is Role.STATE_ADMIN,
    }
    return private(render(request, "voters_search.html", context))
