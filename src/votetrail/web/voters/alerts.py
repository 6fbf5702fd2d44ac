"""The state's page of unusual changes to the voter list."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from votetrail.services.voters import alerts as voter_alerts
from votetrail.web.auth import require
from votetrail.web.state import app_of
from votetrail.web.templating import render
from votetrail.web.voters.common import private

# ---------------------------------------------------------------- alerts


def alerts_page(request: Request) -> Response:
    app = app_of(request)
    context: dict[str, object] = {"alerts": voter_alerts.alerts(app, require(request))}
    return private(render(request, "voters_alerts.html", context))
