"""How many bytes a request may send, decided per route before any of it is read.

Starlette parses a form only when a handler asks, and spools file parts to
disk as it goes, so without a cap an anonymous 1 GiB post to ``/login`` is
written to disk before the handler gets to refuse it. :class:`BodyLimit`
looks at the method, path and signed-in user before the application sees the
request: a declared ``Content-Length`` over the cap is answered 413 at once,
without reading a byte, and a body without one (chunked) is counted as it is
read and cut off at the cap.

Only the upload routes (county files, network logs, L&A definitions and
device reports) get the large caps, and only for a signed-in official: an
anonymous request is never allowed more than a small form. The large caps
are configurable (``VOTETRAIL_MAX_UPLOAD_MB``, ``VOTETRAIL_MAX_LAT_UPLOAD_MB``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from votetrail.errors import ConfigurationError

KiB = 1024
MiB = 1024 * KiB

FORM_LIMIT = 64 * KiB
"""Every form without a file (sign-in, registration check, voter changes) fits easily."""

UPLOAD_LIMIT = 1024 * MiB
"""County record files and network logs: a large county's CVR export or a day of logs."""

LAT_UPLOAD_LIMIT = 64 * MiB
"""An election definition or one device's results report."""


@dataclass(frozen=True)
class BodyLimits:
    """The caps in bytes: ``form`` for everything and everyone, the others for upload routes."""

    form: int = FORM_LIMIT
    upload: int = UPLOAD_LIMIT
    lat_upload: int = LAT_UPLOAD_LIMIT

    @classmethod
    def from_env(cls) -> BodyLimits:
        """The defaults, with the upload caps taken from the environment when set."""
        return cls(
            upload=_megabytes("VOTETRAIL_MAX_UPLOAD_MB", UPLOAD_LIMIT),
            lat_upload=_megabytes("VOTETRAIL_MAX_LAT_UPLOAD_MB", LAT_UPLOAD_LIMIT),
        )


def _megabytes(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number of megabytes") from None
    if value < 1:
        raise ConfigurationError(f"{name} must be at least 1")
    return value * MiB


def _route(path: str) -> re.Pattern[str]:
    """The same pattern Starlette's router matches ``path`` with."""
    return compile_path(path)[0]


UPLOAD_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_route("/j/{slug}/upload/{kind}"), "upload"),
    (_route("/netmon/upload"), "upload"),
    (_route("/j/{slug}/lat"), "lat_upload"),
    (_route("/j/{slug}/lat/{session_id}/devices/{serial:path}/results"), "lat_upload"),
)
"""POST routes that take files, and which cap applies to them (see ``web/county.py``,
``web/netmon.py``, ``web/lat/workspace.py``)."""


def limit_for(limits: BodyLimits, scope: Scope) -> int:
    """The cap of this request: an upload route's cap only for a signed-in user's POST."""
    if scope.get("method") == "POST" and _signed_in(scope):
        path = str(scope.get("path", ""))
        for pattern, cap in UPLOAD_ROUTES:
            if pattern.match(path):
                return int(getattr(limits, cap))
    return limits.form


def _signed_in(scope: Scope) -> bool:
    """Whether ``load_principal`` found an account for this request's session."""
    state = scope.get("state")
    return isinstance(state, dict) and state.get("principal") is not None


class BodyTooLarge(Exception):
    """Raised from ``receive`` when a streamed body passes its cap."""


def too_large(limit: int) -> PlainTextResponse:
    return PlainTextResponse(
        f"The request is larger than this page accepts ({_size(limit)}).",
        status_code=413,
        headers={"Connection": "close"},
    )


def _size(limit: int) -> str:
    return f"{limit // MiB} MB" if limit >= MiB else f"{limit // KiB} KB"


class BodyLimit:
    """ASGI middleware: refuse a body over its route's cap with 413, before reading it.

    It must sit inside the middleware that loads the signed-in user (it reads
    ``scope["state"]["principal"]``) and inside the one that adds the security
    headers, so a 413 carries them like any page.
    """

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(self.limits, scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await too_large(limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await too_large(limit)(scope, receive, send)


def _declared_length(scope: Scope) -> int | None:
    """The ``Content-Length`` header; a malformed one counts as too large."""
    raw = Headers(scope=scope).get("content-length")
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 18:
        return 1 << 62
    return int(raw)
