"""Jinja2 templates with the context every page needs (user, CSRF token)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from votetrail.web.words import FILTERS

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
TEMPLATES.env.filters.update(FILTERS)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    values = {
        "user": getattr(request.state, "principal", None),
        "csrf_token": csrf_token(request),
        **(context or {}),
    }
    return TEMPLATES.TemplateResponse(request, name, values, status_code=status)
