"""The public record of L&A tests: every test, one test in full, its deck files and certificate.

Nothing here needs a sign-in: a test the law requires to be public is
checked by people who have no account.
"""

from __future__ import annotations

import io

from starlette.requests import Request
from starlette.responses import Response

from votetrail.core.lat.deck import Deck
from votetrail.errors import NotFound
from votetrail.formats.lat.deck_files import write_deck_csv, write_deck_json
from votetrail.services.lat import definitions as lat_definitions
from votetrail.services.lat import records as lat_records
from votetrail.services.lat.records import SessionView
from votetrail.web.lat.common import download
from votetrail.web.page_cache import cached
from votetrail.web.state import app_of
from votetrail.web.templating import render

# ---------------------------------------------------------------- public


def public_list(request: Request) -> Response:
    """Every county's tests, newest first, with their outcomes and who signed."""
    sessions = cached(request, ("lat", None), lambda: lat_records.sessions(app_of(request)))
    return render(request, "lat_public.html", {"sessions": sessions})


def public_session(request: Request) -> Response:
    """One test as the public record shows it: everything but the forms."""
    app = app_of(request)
    view = lat_records.session(app, str(request.path_params["session_id"]))
    definition = lat_definitions.definition_of(app, view.definition_id)
    context: dict[str, object] = {
        "session": view,
        "untested": definition.untested_contests(),
        "round_tables": lat_definitions.round_tables(app, view.definition_id),
    }
    return render(request, "lat_public_session.html", context)


def certificate(request: Request) -> Response:
    """The printable certificate of a signed test; it names the public page to check it at.

    A test still open has no certificate: the address answers with a page
    marked "Not signed: in progress" (404, as no certificate exists yet) that
    points to the record so far, so nothing printed from it can pass for one.
    """
    app = app_of(request)
    session_id = str(request.path_params["session_id"])
    view = lat_records.session(app, session_id)
    if view.status != "signed":
        return render(request, "lat_not_signed.html", {"session": view}, 404)
    body = lat_records.certificate_bytes(app, session_id, lat_records.record_url(app, session_id))
    return download(body, "application/pdf", f"{session_id}-certificate.pdf", inline=True)


def _deck_of(request: Request) -> tuple[SessionView, Deck]:
    app = app_of(request)
    view = lat_records.session(app, str(request.path_params["session_id"]))
    return view, lat_definitions.deck_of(app, view.definition_id)


def deck_file(request: Request) -> Response:
    """The deck the test ran, regenerated from the definition: observers check the totals."""
    kind = str(request.path_params["kind"])
    if kind == "pdf":
        app = app_of(request)
        view = lat_records.session(app, str(request.path_params["session_id"]))
        body = lat_records.deck_pdf_bytes(app, view)
        return download(body, "application/pdf", f"{view.id}-deck.pdf", inline=True)
    view, deck = _deck_of(request)
    out = io.StringIO()
    if kind == "json":
        write_deck_json(deck, out)
        return download(out.getvalue(), "application/json", f"{view.id}-deck.json")
    if kind == "csv":
        write_deck_csv(deck, out)
        return download(out.getvalue(), "text/csv; charset=utf-8", f"{view.id}-deck.csv")
    raise NotFound(f"no deck file of kind {kind!r}")
