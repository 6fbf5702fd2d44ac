"""A jurisdiction's workspace page, and for a county its uploads, results and accounting.

A county's page is a summary with tabs (uploads, results, ballot accounting,
officials, log), each its own server-rendered page under ``/j/{slug}/``, so
a clerk on a phone opens the part they need rather than one very long page;
``county_tabs.py`` builds the summary, the tab bar and the state's page.

Uploads are plain multipart forms, so a clerk on a locked-down county
computer needs no JavaScript. Each upload is saved under its original file
name in a private temporary folder (the import records the name, so the log
says which file the clerk sent), imported in one transaction by the service,
and deleted. The import runs in a worker thread: a county's files can take a
while, and the server keeps answering everyone else meanwhile.

CVR files add up; replacing an upload is never implied by sending a file. The
form's "Replaces" choice names the upload, and a separate confirmation box
must be ticked, or nothing is imported; the replacement is logged with the
new upload and shown in the upload list.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from votetrail.core.access import Principal, may_upload
from votetrail.core.accounting.groups import group_findings
from votetrail.errors import InvalidInput, NotFound, PermissionDenied
from votetrail.formats.accounting.report import render_html, write_csv
from votetrail.services import directory, log_view
from votetrail.services.context import App
from votetrail.services.counting import results as counting
from votetrail.services.counting.county_view import uploads_of
from votetrail.services.counting.uploads import (
    UploadResult,
    import_counts,
    import_cvrs,
    import_manifest,
    import_reported_results,
)
from votetrail.services.dashboard import county_numbers
from votetrail.services.directory import JurisdictionView
from votetrail.services.unit_of_work import deny
from votetrail.web.auth import check_csrf, require, require_view
from votetrail.web.county_tabs import county_render, county_summary, format_words, state_page
from votetrail.web.headers import REPORT_POLICY
from votetrail.web.page_cache import cached
from votetrail.web.ranked import ranked_section
from votetrail.web.state import app_of, jurisdiction, the_state
from votetrail.web.uploaded import with_saved_files

log = logging.getLogger("votetrail.web.county")

FLASH = "flash"
"""Session key of the one-shot message shown on the county page after an upload."""


@dataclass(frozen=True)
class UploadForm:
    """One upload form on the county page; ``kind`` is also the last part of its URL."""

    kind: str
    title: str
    help: str
    accept: str
    multiple: bool = False


FORMS = (
    UploadForm(
        "cvrs",
        "Cast vote records",
        "Dominion Democracy Suite CSV or JSON (ZIP), Hart, Clear Ballot, ES&S CSV or Excel "
        "workbook (.xlsx), or NIST SP 1500-103 XML or JSON. "
        "Files add up: send one tabulator's export at a time if you like; a ballot "
        "already uploaded is refused.",
        ".csv,.xml,.json,.zip,.xlsx",
        multiple=True,
    ),
    UploadForm(
        "manifest",
        "Ballot manifest",
        "CSV with columns Tabulator, Batch Name, Number of Ballots. The whole county's: "
        "a new one must replace the current one.",
        ".csv",
    ),
    UploadForm(
        "paper_counts",
        "Paper-record counts",
        "CSV with columns Tabulator, Paper Records: what each device's tape or printer kept. "
        "The whole county's: a new one must replace the current one.",
        ".csv",
    ),
    UploadForm(
        "check_ins",
        "Poll-book check-ins",
        "CSV with columns Precinct, Check-ins. The whole county's: a new one must replace "
        "the current one.",
        ".csv",
    ),
    UploadForm(
        "reported_results",
        "Reported results",
        "The totals the county published (election night or canvass): CSV with columns "
        "contest, choice, votes, such as the results CSV votetrail writes. An audit is "
        "launched only when the CVRs count exactly these. The whole county's: a new one must "
        "replace the current one.",
        ".csv",
    ),
)
_BY_KIND = {form.kind: form for form in FORMS}


def _page_target(request: Request) -> tuple[App, JurisdictionView, str]:
    """The app, the jurisdiction named in the URL (which must exist) and the state's id."""
    app = app_of(request)
    target = jurisdiction(request, str(request.path_params["slug"]))
    return app, target, the_state(request)


def jurisdiction_page(request: Request) -> Response:
    """A county's summary (its other parts are tabs), or the state's dashboard page."""
    app, target, state = _page_target(request)
    principal = require_view(request, app, target.id, state)
    if target.kind != "county":
        return state_page(request, app, principal, target, state)
    return county_summary(request, app, principal, target, state)


def _county_part(request: Request) -> tuple[App, Principal, JurisdictionView, str]:
    """A county tab's target, refused (and logged) as ``/j/{slug}`` itself would be."""
    app, target, state = _page_target(request)
    principal = require_view(request, app, target.id, state)
    if target.kind != "county":
        raise NotFound(f"{target.name} keeps no uploads of its own; each of its counties does")
    return app, principal, target, state


def uploads_page(request: Request) -> Response:
    """What the county sent, with the forms to send more (for those who may)."""
    app, principal, target, state = _county_part(request)
    slug = target.id
    uploads = cached(request, ("uploads", slug), lambda: uploads_of(app, slug))
    [numbers] = cached(
        request, ("county numbers", slug), lambda: county_numbers(app, [(slug, target.name)])
    )
    context = {
        "uploads": uploads,
        "current_of": lambda kind: [u for u in uploads if u.kind == kind and u.current],
        "has_cvrs": any(u.kind == "cvrs" and u.current for u in uploads),
        "problem": numbers.accounting_problem,
        "forms": FORMS if may_upload(principal, slug, state) else (),
        "flash": request.session.pop(FLASH, None),
        "format_words": format_words,
    }
    return county_render(request, principal, target, state, "uploads", context)


def results_page(request: Request) -> Response:
    """The county's totals from its current CVRs, ranked contests round by round."""
    app, principal, target, state = _county_part(request)
    context = cached(request, ("county results", target.id), lambda: _results(app, target.id))
    return county_render(request, principal, target, state, "results", context)


def _results(app: App, county: str) -> dict[str, object]:
    counted: list[object] = []
    problem = None
    has_cvrs = True
    try:
        counted = list(counting.results(app, county))
    except NotFound:
        has_cvrs = False
    except InvalidInput as exc:
        problem = str(exc)
    return {
        "results": counted,
        "has_cvrs": has_cvrs,
        "problem": problem,
        "ranked": ranked_section(app, county) if has_cvrs else None,
    }


def accounting_page(request: Request) -> Response:
    """The accounting findings, grouped by what they say, each group's list behind a fold."""
    app, principal, target, state = _county_part(request)
    report = None
    problem = None
    try:
        report = counting.accounting(app, target.id)
    except NotFound:
        pass
    except InvalidInput as exc:
        problem = str(exc)
    groups = [] if report is None else group_findings(report.reconciliation.findings)
    context = {"report": report, "groups": groups, "problem": problem}
    return county_render(request, principal, target, state, "accounting", context)


def officials_page(request: Request) -> Response:
    app, principal, target, state = _county_part(request)
    context = {"users": directory.users_of(app, target.id)}
    return county_render(request, principal, target, state, "officials", context)


def log_page(request: Request) -> Response:
    app, principal, target, state = _county_part(request)
    context = {"recent": log_view.recent_for_jurisdiction(app, target.id, 50)}
    return county_render(request, principal, target, state, "log", context)


def _require_upload(request: Request, app: App, slug: str, state: str) -> Principal:
    """Like ``require_view``: a refusal is written to the log and the application log."""
    principal = require(request)
    if not may_upload(principal, slug, state):
        what = f"POST {request.url.path}"
        log.warning("denied %s to %s (%s)", what, principal.username, principal.jurisdiction)
        deny(app, principal.username, slug, what)
        raise PermissionDenied("your account may not upload files for this jurisdiction")
    return principal


def import_upload(
    app: App,
    actor: str,
    slug: str,
    kind: str,
    files: Sequence[UploadFile],
    replace: str | None = None,
) -> UploadResult:
    """Save, import, delete; errors name the file as the clerk knows it, not the temp folder."""

    def run(paths: list[Path]) -> UploadResult:
        if kind == "cvrs":
            return import_cvrs(app, actor, slug, paths, replace)
        if len(paths) != 1:
            raise InvalidInput("choose exactly one file", where=_BY_KIND[kind].title)
        if kind == "manifest":
            return import_manifest(app, actor, slug, paths[0], replace)
        if kind == "reported_results":
            return import_reported_results(app, actor, slug, paths[0], replace)
        return import_counts(app, actor, slug, kind, paths[0], replace)

    return with_saved_files(files, run)


def _message(result: UploadResult) -> str:
    """What happened: every contest of the files is imported, ranked ones too, or none is."""
    if not result.created:
        return f"Already imported as {result.id}; nothing changed."
    if result.replaced is not None:
        return (
            f"Imported {result.records:,} records as {result.id}, "
            f"replacing {result.replaced} (which no longer counts)."
        )
    return f"Imported {result.records:,} records as {result.id}."


CONFIRM = "confirm_replace"
"""The form's confirmation box: a replacement is imported only when it is ticked."""


def replacement_of(form: FormData, kind: str) -> str | None:
    """The upload the form says to replace, once the clerk has confirmed it; else None."""
    replace = str(form.get("replace") or "").strip() or None
    if replace is not None and form.get(CONFIRM) != "yes":
        raise InvalidInput(
            f"tick the box to confirm that the new file replaces upload {replace}; "
            "nothing was imported",
            where=_BY_KIND[kind].title,
        )
    return replace


async def upload(request: Request) -> Response:
    """CSRF before permission, so a forged post cannot fill the log with refusals.

    The form is parsed once (``check_csrf`` reads it; Starlette keeps it), and
    the answer is a redirect so reloading the page never sends the files again.
    """
    app, target, state = await run_in_threadpool(_page_target, request)
    slug = target.id
    kind = str(request.path_params["kind"])
    if kind not in _BY_KIND:
        raise NotFound(f"no upload of kind {kind!r}")
    require(request)
    await check_csrf(request)
    principal = await run_in_threadpool(_require_upload, request, app, slug, state)
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    replace = replacement_of(form, kind)
    result = await run_in_threadpool(
        import_upload, app, principal.username, slug, kind, files, replace
    )
    request.session[FLASH] = _message(result)
    return RedirectResponse(f"/j/{slug}/uploads", status_code=303)


def accounting_csv(request: Request) -> Response:
    """The findings as a spreadsheet, for the canvass board's own working papers."""
    app, target, state = _page_target(request)
    slug = target.id
    require_view(request, app, slug, state)
    out = io.StringIO()
    write_csv(counting.accounting(app, slug).reconciliation, out)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-accounting.csv"'},
    )


def accounting_html(request: Request) -> Response:
    """The standalone report a county posts or prints; the same words as the page."""
    app, target, state = _page_target(request)
    require_view(request, app, target.id, state)
    report = counting.accounting(app, target.id)
    return HTMLResponse(
        render_html(target.name, report.reconciliation, report.phantoms),
        headers={"Content-Security-Policy": REPORT_POLICY},
    )


ROUTES = [
    Route("/j/{slug}", jurisdiction_page, methods=["GET"]),
    Route("/j/{slug}/uploads", uploads_page, methods=["GET"]),
    Route("/j/{slug}/results", results_page, methods=["GET"]),
    Route("/j/{slug}/accounting", accounting_page, methods=["GET"]),
    Route("/j/{slug}/officials", officials_page, methods=["GET"]),
    Route("/j/{slug}/log", log_page, methods=["GET"]),
    Route("/j/{slug}/upload/{kind}", upload, methods=["POST"]),
    Route("/j/{slug}/accounting.csv", accounting_csv, methods=["GET"]),
    Route("/j/{slug}/accounting.html", accounting_html, methods=["GET"]),
]
