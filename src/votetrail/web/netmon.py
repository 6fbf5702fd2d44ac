"""The security analyst's page: a day's scans, the report, block lists and log uploads.

Only the state's security analysts and its administrator see it; anyone else
is refused and the refusal is logged, as for every page. Log files are
uploaded like a county's records: a multipart form, saved under their own
names in a private temporary folder (the ingest records the name), read in a
worker thread, deleted, and the answer is a redirect with a one-shot message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from votetrail.core.access import Principal, may_monitor
from votetrail.errors import InvalidInput, PermissionDenied
from votetrail.services import directory
from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon
from votetrail.services.netmon import totals
from votetrail.services.netmon.ingest import FileIngest, IngestResult
from votetrail.services.unit_of_work import deny
from votetrail.web.auth import check_csrf, require
from votetrail.web.headers import REPORT_POLICY
from votetrail.web.state import app_of
from votetrail.web.templating import render
from votetrail.web.uploaded import with_saved_files

log = logging.getLogger("votetrail.web.netmon")

FLASH = "netmon_flash"
"""Session key of the one-shot lines shown on the page after an upload."""

BLOCKLIST_FORMATS = ("nftables", "ipset", "pfsense", "cidr")
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
SHOWN_PROBLEMS = 3
"""Problems quoted per file in the message; the page says how many lines were unreadable."""
TOP = 10
"""Sources and networks listed for the day, most attempts first."""
MAX_LIMIT = 1_000_000
"""The most rows ``totals.json`` is asked for (a bounded number in a URL)."""


def _require_monitor(request: Request, app: App) -> Principal:
    """Allow or refuse; a refusal is written to the log and the application log."""
    principal = require(request)
    state = directory.the_state(app)
    if not may_monitor(principal, state):
        what = f"{request.method} {request.url.path}"
        log.warning("denied %s to %s (%s)", what, principal.username, principal.jurisdiction)
        deny(app, principal.username, state, what)
        raise PermissionDenied("network monitoring is for the state's security analysts")
    return principal


FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2999, 12, 31)
"""The days a page or report may ask for: the services add a day to it, which the
last representable date cannot take, and no log reaches outside these."""


def _parse_day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("write the day as YYYY-MM-DD", where=f"day {text[:20]!r}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(
            f"must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}",
            where=f"day {text[:20]!r}",
        )
    return day


def _latest_day(app: App) -> date:
    """The last day any stored incident was active or any probe counted; else today."""
    seen = [datetime.fromisoformat(i["last_seen"]).date() for i in netmon.incidents(app)]
    counted = totals.latest_day(app)
    if counted is not None:
        seen.append(counted)
    return max(seen) if seen else app.clock().date()


def _ranked(found: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """High severity first (those got through), then by when they began."""
    return sorted(found, key=lambda i: (SEVERITY_ORDER.get(i["severity"], 3), i["first_seen"]))


def page(request: Request) -> Response:
    app = app_of(request)
    _require_monitor(request, app)
    asked = request.query_params.get("day")
    day = _parse_day(asked) if asked else _latest_day(app)
    found = _ranked(netmon.incidents(app, day))
    context: dict[str, object] = {
        "day": day.isoformat(),
        "day_words": day_words(day),
        "counted": totals.day_counts(app, day),
        "top_sources": totals.by_source(app, day, TOP),
        "top_networks": totals.by_network(app, day, TOP),
        "incidents": found,
        "got_through": sum(1 for i in found if i["severity"] == "high"),
        "formats": BLOCKLIST_FORMATS,
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "netmon.html", context)


def report(request: Request) -> Response:
    """The day's standalone report: it carries its own inline styles and runs no script."""
    app = app_of(request)
    _require_monitor(request, app)
    day = _parse_day(str(request.path_params["day"]))
    return HTMLResponse(
        netmon.daily_report(app, day), headers={"Content-Security-Policy": REPORT_POLICY}
    )


def blocklist(request: Request) -> Response:
    """Every scanning source as a firewall block list; ``?allow=`` networks are kept out."""
    app = app_of(request)
    _require_monitor(request, app)
    fmt = str(request.path_params["fmt"])
    text = netmon.blocklist_text(app, fmt, allow=request.query_params.getlist("allow"))
    return Response(
        text,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="votetrail-blocklist.{fmt}"'},
    )


def incidents_json(request: Request) -> Response:
    """Stored incidents as JSON, oldest first; ``?day=`` keeps that day's."""
    app = app_of(request)
    _require_monitor(request, app)
    asked = request.query_params.get("day")
    return JSONResponse(netmon.incidents(app, _parse_day(asked) if asked else None))


def totals_json(request: Request) -> Response:
    """A day's counted probes as JSON: ``?by=day`` (default), ``source`` or ``network``;
    ``?day=`` (default the latest day with counts), ``?limit=`` rows, most attempts first."""
    app = app_of(request)
    _require_monitor(request, app)
    asked = request.query_params.get("day")
    day = _parse_day(asked) if asked else totals.latest_day(app)
    by = request.query_params.get("by", "day")
    limit = _parse_limit(request.query_params.get("limit"))
    found = totals.rows(app, day, by, limit) if day is not None else []
    return JSONResponse({"day": day.isoformat() if day else None, "by": by, "rows": found})


def _parse_limit(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidInput(f"must be a whole number from 1 to {MAX_LIMIT:,}", where="limit")
    return int(text)


def _ingest(app: App, actor: str, files: Sequence[UploadFile]) -> IngestResult:
    """Save, read, delete; errors name the file as the analyst knows it, not the temp folder."""
    return with_saved_files(files, lambda paths: netmon.ingest(app, actor, paths))


def _message(result: FileIngest) -> str:
    if not result.created:
        return f"{result.name} was read before as {result.id}; nothing changed."
    noun = "incident" if result.incidents == 1 else "incidents"
    unit = _unit(result.format)
    text = f"Read {result.lines:,} {unit} from {result.name}: {result.incidents:,} {noun}."
    if result.bad:
        quoted = "; ".join(result.problems[:SHOWN_PROBLEMS])
        text += f" {result.bad:,} {unit} could not be read: {quoted}"
    return text


def _unit(fmt: str) -> str:
    """A packet capture holds packets, not lines; the analyst counts what the file holds."""
    return "packets" if fmt == "pcap" else "lines"


def day_words(day: date) -> str:
    """ "Tuesday, Nov 3, 2026": the day a page shows, never "today" (it may be any day)."""
    return day.strftime("%A, %b %-d, %Y")


async def upload(request: Request) -> Response:
    """CSRF before permission, so a forged post cannot fill the log with refusals."""
    app = app_of(request)
    require(request)
    await check_csrf(request)
    principal = await run_in_threadpool(_require_monitor, request, app)
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    result = await run_in_threadpool(_ingest, app, principal.username, files)
    request.session[FLASH] = [_message(f) for f in result.files]
    return RedirectResponse("/netmon", status_code=303)


ROUTES = [
    Route("/netmon", page, methods=["GET"]),
    Route("/netmon/upload", upload, methods=["POST"]),
    Route("/netmon/report/{day}", report, methods=["GET"]),
    Route("/netmon/blocklist.{fmt}", blocklist, methods=["GET"]),
    Route("/netmon/incidents.json", incidents_json, methods=["GET"]),
    Route("/netmon/totals.json", totals_json, methods=["GET"]),
]
