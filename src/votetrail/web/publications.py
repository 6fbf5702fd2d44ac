"""Publications: the office's forms to publish, correct and withdraw, and the public pages.

The office's page (``/j/{slug}/publications``, the state's or a county's)
asks :func:`~votetrail.core.access.may_publish` before anything else, after
the CSRF check so a forged post cannot fill the log with refusals; a refusal
is logged as ``access.denied``. The services ask again inside the transaction.

The public pages need no account and no JavaScript: every publication with
its status, its file and proof bundle, and ``/verify-document``, where anyone
sends a file, pastes a statement or a SHA-256 and is told whether and when the
office published it, with the log entry whose proof was checked.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from votetrail.core.access import Principal, may_publish
from votetrail.core.publications import KINDS, TEXT_LIMIT, Digests
from votetrail.errors import InvalidInput, PermissionDenied
from votetrail.services import directory
from votetrail.services.context import App
from votetrail.services.directory import JurisdictionView
from votetrail.services.publications import views
from votetrail.services.publications.publish import STATEMENT_NAME, Document, publish, withdraw
from votetrail.web.auth import check_csrf, require, require_allowed
from votetrail.web.state import app_of, jurisdiction, the_state
from votetrail.web.templating import render
from votetrail.web.uploaded import with_saved_files

FLASH = "publications_flash"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _file(form: FormData, name: str) -> UploadFile | None:
    found = form.get(name)
    return found if isinstance(found, UploadFile) and found.filename else None


def _office(request: Request, app: App) -> JurisdictionView:
    return jurisdiction(request, str(request.path_params["slug"]))


def _require_publisher(request: Request, app: App, office: str) -> Principal:
    state = the_state(request)
    return require_allowed(
        request,
        app,
        lambda principal: may_publish(principal, office, state),
        office,
        "your account may not publish for this office",
    )


def _office_page(
    request: Request,
    app: App,
    office: JurisdictionView,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    context: dict[str, object] = {
        "office": office,
        "publications": views.publications(app, office.id),
        "kinds": KINDS,
        "error": error,
        "values": values or {},
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "publications_office.html", context, 400 if error else 200)


def office_page(request: Request) -> Response:
    """The office's publications and the form that publishes (or corrects) one."""
    app = app_of(request)
    office = _office(request, app)
    _require_publisher(request, app, office.id)
    return _office_page(request, app, office)


def _publish(
    app: App, principal: Principal, office: str, upload: UploadFile | None, values: dict[str, str]
) -> str:
    supersedes = values["supersedes"] or None
    if upload is not None:

        def run(paths: list[Path]) -> str:
            document = Document(paths[0].name, path=paths[0])
            return publish(
                app, principal, office, document, values["title"], values["kind"], supersedes
            )

        return with_saved_files([upload], run)
    text = Document(STATEMENT_NAME, text=values["statement"])
    return publish(app, principal, office, text, values["title"], values["kind"], supersedes)


async def publish_form(request: Request) -> Response:
    app = app_of(request)
    office = await run_in_threadpool(_office, request, app)
    require(request)
    await check_csrf(request)
    principal = await run_in_threadpool(_require_publisher, request, app, office.id)
    form = await request.form()
    values = {n: _text(form, n) for n in ("title", "kind", "supersedes", "statement")}
    upload = _file(form, "document")
    try:
        if (upload is None) == (not values["statement"].strip()):
            raise InvalidInput("choose a file or type the statement, not both")
        publication_id = await run_in_threadpool(
            _publish, app, principal, office.id, upload, values
        )
    except InvalidInput as exc:
        return await run_in_threadpool(_office_page, request, app, office, str(exc), values)
    request.session[FLASH] = f"Published {publication_id}."
    return RedirectResponse(f"/publications/{publication_id}", status_code=303)


async def withdraw_form(request: Request) -> Response:
    app = app_of(request)
    office = await run_in_threadpool(_office, request, app)
    require(request)
    await check_csrf(request)
    principal = await run_in_threadpool(_require_publisher, request, app, office.id)
    publication_id = str(request.path_params["publication_id"])
    view = await run_in_threadpool(views.publication, app, publication_id)
    if view.jurisdiction != office.id:
        raise PermissionDenied("that publication is not this office's")
    form = await request.form()
    try:
        await run_in_threadpool(withdraw, app, principal, publication_id, _text(form, "reason"))
    except InvalidInput as exc:
        return await run_in_threadpool(_office_page, request, app, office, str(exc))
    request.session[FLASH] = f"Withdrew {publication_id}; it stays listed as withdrawn."
    return RedirectResponse(f"/j/{office.id}/publications", status_code=303)


# ---------------------------------------------------------------- public


def public_list(request: Request) -> Response:
    app = app_of(request)
    return render(request, "publications_list.html", {"publications": views.publications(app)})


def public_publication(request: Request) -> Response:
    app = app_of(request)
    view = views.publication(app, str(request.path_params["publication_id"]))
    context = {"publication": view, "flash": request.session.pop(FLASH, None)}
    return render(request, "publication.html", context)


def document(request: Request) -> Response:
    """The published bytes, always as a download so no file runs on this site's pages."""
    app = app_of(request)
    view = views.publication(app, str(request.path_params["publication_id"]))
    path = views.stored_path(app, view)
    return FileResponse(
        path,
        media_type=view.media_type,
        filename=view.file_name,
        content_disposition_type="attachment",
    )


def bundle(request: Request) -> Response:
    app = app_of(request)
    publication_id = str(request.path_params["publication_id"])
    body = json.dumps(views.bundle(app, publication_id), indent=2) + "\n"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{publication_id}.bundle.json"'},
    )


def verify_page(request: Request) -> Response:
    return render(request, "verify_document.html", {"text_limit": TEXT_LIMIT})


def _digests_of(form: FormData) -> tuple[str, Digests]:
    """What was sent (in words) and its digests; exactly one of file, text or SHA-256."""
    upload = _file(form, "document")
    text = _text(form, "statement")
    sha = _text(form, "sha256").strip().lower()
    given = [upload is not None, bool(text.strip()), bool(sha)]
    if sum(given) != 1:
        raise InvalidInput("send one thing: a file, a pasted statement or a SHA-256")
    if upload is not None:
        upload.file.seek(0)
        return f"the file {upload.filename}", views.digests(upload.file)
    if text.strip():
        data = text.encode("utf-8")
        return "the pasted text", Digests(hashlib.sha256(data).hexdigest(), views.text_hash(text))
    if not _SHA256.fullmatch(sha):
        raise InvalidInput("a SHA-256 is 64 hexadecimal digits", where="SHA-256")
    return f"SHA-256 {sha}", Digests(sha)


def _state_name(app: App) -> str:
    return directory.jurisdiction(app, directory.the_state(app)).name


async def verify_document(request: Request) -> Response:
    """Tell anyone whether this office published what they were sent."""
    app = app_of(request)
    await check_csrf(request)
    form = await request.form()
    context: dict[str, object] = {"text_limit": TEXT_LIMIT}
    try:
        sent, digests = await run_in_threadpool(_digests_of, form)
    except InvalidInput as exc:
        context["error"] = str(exc)
        return render(request, "verify_document.html", context, 400)
    context.update(
        sent=sent,
        digests=digests,
        matches=await run_in_threadpool(views.find, app, digests),
        office=await run_in_threadpool(_state_name, app),
    )
    return render(request, "verify_document.html", context)


ROUTES = [
    Route("/publications", public_list, methods=["GET"]),
    Route("/publications/{publication_id}", public_publication, methods=["GET"]),
    Route("/publications/{publication_id}/document", document, methods=["GET"]),
    Route("/publications/{publication_id}/bundle.json", bundle, methods=["GET"]),
    Route("/verify-document", verify_page, methods=["GET"]),
    Route("/verify-document", verify_document, methods=["POST"]),
    Route("/j/{slug}/publications", office_page, methods=["GET"]),
    Route("/j/{slug}/publications", publish_form, methods=["POST"]),
    Route("/j/{slug}/publications/{publication_id}/withdraw", withdraw_form, methods=["POST"]),
]
