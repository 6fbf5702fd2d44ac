"""How many bytes a request may send, decided per route before any of it is read.

Starlette parses a form only when a handler asks, and spools file parts to
disk as it goes, so without a cap an anonymous 1 GiB post to ``/login`` is
written to disk before the handler gets to refuse it. :class:`BodyLimit`
looks at the method, path and signed-in user before the application sees the
request: a declared ``Content-Length`` over the cap is answered 413 at once,
without reading a byte, and a body without one (chunked) is counted as it is
read and cut off at the cap.

Only the upload routes (county files, network logs, L&A definitions and
device reports) get the large caps, and only for a signed-in official who may
upload there (``core/access.py``): an anonymous request, or an official of
another county posting to this county's route, is never allowed more than a
small form, because the form (and its files) is read before the handler
refuses. The large caps
are configurable (``VOTETRAIL_MAX_UPLOAD_MB``, ``VOTETRAIL_MAX_LAT_UPLOAD_MB``,
``VOTETRAIL_MAX_PUBLISH_MB`` for an office's publications). The caps go by
kind of file: a county's CVRs may be a gigabyte, but its manifest, paper
counts, check-ins and reported results are small tables, capped at
``VOTETRAIL_MAX_TABLE_MB`` (default 32, never above the upload cap). The 413
answer names the kind, the cap and the setting that raises it.

One route takes a file from anyone: ``/verify-document``, where the public
checks a document it was sent. It gets its own, smaller cap
(``VOTETRAIL_MAX_VERIFY_MB``, default 64) whoever sends it; the file is
hashed as it streams and deleted with the request.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from votetrail.core.access import (
    Principal,
    may_monitor,
    may_publish,
    may_test_equipment,
    may_upload,
)
from votetrail.errors import ConfigurationError, NotFound
from votetrail.services import directory
from votetrail.services.context import App

log = logging.getLogger("votetrail.web.limits")

KiB = 1024
MiB = 1024 * KiB

FORM_LIMIT = 64 * KiB
"""Every form without a file (sign-in, registration check, voter changes) fits easily."""

UPLOAD_LIMIT = 1024 * MiB
"""County record files and network logs: a large county's CVR export or a day of logs."""

LAT_UPLOAD_LIMIT = 64 * MiB
"""An election definition or one device's results report."""

PUBLISH_LIMIT = 256 * MiB
"""A publication: a results PDF or file, a scanned notice, an image."""

VERIFY_LIMIT = 64 * MiB

TABLE_LIMIT = 32 * MiB
"""A county's small tables (manifest, paper counts, check-ins, reported results)."""

LARGE_KINDS = frozenset({"cvrs"})
"""County upload kinds that get the whole upload cap; every other kind is a small table."""

SETTINGS = {
    "form": None,
    "upload": "VOTETRAIL_MAX_UPLOAD_MB",
    "table": "VOTETRAIL_MAX_TABLE_MB",
    "lat_upload": "VOTETRAIL_MAX_LAT_UPLOAD_MB",
    "publish": "VOTETRAIL_MAX_PUBLISH_MB",
    "verify": "VOTETRAIL_MAX_VERIFY_MB",
}
"""The environment variable that sets each cap (the form cap is fixed)."""
"""A document anyone may send to /verify-document, signed in or not (hashed, then deleted)."""


@dataclass(frozen=True)
class BodyLimits:
    """The caps in bytes: ``form`` for everything and everyone, the others for upload routes."""

    form: int = FORM_LIMIT
    upload: int = UPLOAD_LIMIT
    lat_upload: int = LAT_UPLOAD_LIMIT
    publish: int = PUBLISH_LIMIT
    verify: int = VERIFY_LIMIT
    table: int = TABLE_LIMIT

    @classmethod
    def from_env(cls) -> BodyLimits:
        """The defaults, with the upload caps taken from the environment when set."""
        return cls(
            upload=_megabytes("VOTETRAIL_MAX_UPLOAD_MB", UPLOAD_LIMIT),
            lat_upload=_megabytes("VOTETRAIL_MAX_LAT_UPLOAD_MB", LAT_UPLOAD_LIMIT),
            publish=_megabytes("VOTETRAIL_MAX_PUBLISH_MB", PUBLISH_LIMIT),
            verify=_megabytes("VOTETRAIL_MAX_VERIFY_MB", VERIFY_LIMIT),
            table=_megabytes("VOTETRAIL_MAX_TABLE_MB", TABLE_LIMIT),
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


Allowed = Callable[[Principal, dict[str, str], str], bool]
"""Whether a principal may post to the route (path parameters, state id)."""


def _uploads(p: Principal, params: dict[str, str], state: str) -> bool:
    return may_upload(p, params["slug"], state)


def _api_uploads(p: Principal, params: dict[str, str], state: str) -> bool:
    return may_upload(p, params["county"], state)


def _monitors(p: Principal, params: dict[str, str], state: str) -> bool:
    return may_monitor(p, state)


def _tests(p: Principal, params: dict[str, str], state: str) -> bool:
    return may_test_equipment(p, params["slug"], state)


def _publishes(p: Principal, params: dict[str, str], state: str) -> bool:
    return may_publish(p, params["slug"], state)


UPLOAD_ROUTES: tuple[tuple[re.Pattern[str], str, Allowed], ...] = (
    (_route("/j/{slug}/upload/{kind}"), "upload", _uploads),
    (_route("/api/counties/{county}/uploads/{kind}"), "upload", _api_uploads),
    (_route("/netmon/upload"), "upload", _monitors),
    (_route("/j/{slug}/lat"), "lat_upload", _tests),
    (_route("/j/{slug}/lat/{session_id}/devices/{serial:path}/results"), "lat_upload", _tests),
    (_route("/j/{slug}/publications"), "publish", _publishes),
)
"""POST routes that take files, which cap applies to them and who may post there
(the same rule the handler applies: ``web/county.py``, ``web/audit/api.py``,
``web/netmon.py``, ``web/lat/workspace.py``). Under /api/ the principal comes from the
bearer token (``web/auth.py``), so a script gets the same cap as the county's form."""


PUBLIC_UPLOAD = _route("/verify-document")
"""The one route anyone may send a file to: the document they want checked."""


@dataclass(frozen=True)
class Cap:
    """A request's cap in bytes, which kind of cap it is (a ``SETTINGS`` key) and what is sent."""

    limit: int
    name: str = "form"
    what: str = "this page"


def limit_for(limits: BodyLimits, scope: Scope, votetrail: App | None = None) -> int:
    return cap_for(limits, scope, votetrail).limit


def cap_for(limits: BodyLimits, scope: Scope, votetrail: App | None = None) -> Cap:
    """The cap of this request: an upload route's cap only for a POST by someone who may upload.

    Handlers check the CSRF token, which reads the whole form, before they
    check permission; so a signed-in official refused on this route (another
    county's administrator, an audit board) gets the small cap, not the large.
    """
    principal = _principal(scope)
    path = str(scope.get("path", ""))
    if scope.get("method") == "POST" and PUBLIC_UPLOAD.match(path):
        return Cap(limits.verify, "verify", "a document to verify")
    if scope.get("method") != "POST" or principal is None:
        return Cap(limits.form)
    for pattern, cap, allowed in UPLOAD_ROUTES:
        found = pattern.match(path)
        if found is None:
            continue
        params = found.groupdict()
        if votetrail is not None and not allowed(principal, params, _state(votetrail)):
            return Cap(limits.form)
        kind = params.get("kind")
        if cap == "upload" and kind is not None:
            what = f"a {kind.replace('_', ' ')} file"[:80]
            if kind not in LARGE_KINDS:
                return Cap(min(limits.table, limits.upload), "table", what)
            return Cap(limits.upload, cap, what)
        return Cap(int(getattr(limits, cap)), cap, "this upload")
    return Cap(limits.form)


def _principal(scope: Scope) -> Principal | None:
    """The account ``load_principal`` found for this request's session, if any."""
    state = scope.get("state")
    found = state.get("principal") if isinstance(state, dict) else None
    return found if isinstance(found, Principal) else None


def _state(votetrail: App) -> str:
    try:
        return directory.the_state(votetrail)
    except NotFound:
        return ""


class BodyTooLarge(Exception):
    """Raised from ``receive`` when a streamed body passes its cap."""


def too_large(limit: int, cap: Cap | None = None) -> PlainTextResponse:
    """413, saying what was sent, its cap and (for an upload) the setting that raises it."""
    text = f"The request is larger than this page accepts ({_size(limit)})."
    setting = SETTINGS.get(cap.name) if cap is not None else None
    if cap is not None and setting is not None:
        text = (
            f"The request is larger than this page accepts ({_size(limit)}): that is the "
            f"limit for {cap.what}. The site's administrator can raise it with {setting}."
        )
    return PlainTextResponse(
        text,
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

    def __init__(self, app: ASGIApp, limits: BodyLimits, votetrail: App | None = None) -> None:
        self.app = app
        self.limits = limits
        self.votetrail = votetrail

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("method") == "POST" and _principal(scope) is not None:
            # An official's upload cap depends on the state's id, a query: off the event loop.
            cap = await run_in_threadpool(cap_for, self.limits, scope, self.votetrail)
        else:
            cap = cap_for(self.limits, scope, self.votetrail)
        limit = cap.limit
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            _note(scope, limit)
            await too_large(limit, cap)(scope, receive, send)
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
            _note(scope, limit)
            if started:
                raise
            await too_large(limit, cap)(scope, receive, send)


def _note(scope: Scope, limit: int) -> None:
    """The application log keeps who was refused (e.g. an official on another county's route)."""
    principal = _principal(scope)
    who = principal.username if principal is not None else "anonymous"
    log.warning(
        "refused a body over %s: %s %r by %s",
        _size(limit),
        scope.get("method"),
        scope.get("path"),
        who,
    )


def _declared_length(scope: Scope) -> int | None:
    """The ``Content-Length`` header; a malformed one counts as too large."""
    raw = Headers(scope=scope).get("content-length")
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 18:
        return 1 << 62
    return int(raw)
