"""Rumor control: the office's answers to false claims, each one a signed, logged publication.

An entry here is nothing but a publication of kind ``rumor_response``
(``services/publications``): it has a log entry and a proof bundle like any
other, and a reader can check a copy they were forwarded on
``/verify-document``. A corrected answer stays listed, marked as corrected
with a link to the correction; a withdrawn one stays listed with the reason.
Statements are shown in full on the page, as the plain text that was
published (escaped, never as HTML); a file answer (a PDF, an image) is linked.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from votetrail.errors import NotFound
from votetrail.services.context import App
from votetrail.services.publications import views
from votetrail.services.publications.views import PublicationView
from votetrail.web.state import app_of
from votetrail.web.templating import render

KIND = "rumor_response"


@dataclass(frozen=True)
class Answer:
    publication: PublicationView
    text: str | None
    """The statement as published; None for a file (or one missing from the store)."""


def _text(app: App, view: PublicationView) -> str | None:
    if not view.statement:
        return None
    try:
        return views.stored_path(app, view).read_text(encoding="utf-8")
    except (NotFound, OSError, UnicodeDecodeError):
        return None  # the page links the publication, whose page says what is wrong


def answers(app: App) -> list[Answer]:
    """Every rumor response, newest first, corrected and withdrawn ones included."""
    return [Answer(v, _text(app, v)) for v in views.publications(app) if v.kind == KIND]


def page(request: Request) -> Response:
    return render(request, "rumor_control.html", {"answers": answers(app_of(request))})


ROUTES: list[BaseRoute] = [Route("/rumor-control", page, methods=["GET"])]
