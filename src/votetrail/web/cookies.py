"""Cookies that never travel over plain HTTP once the site is reached over HTTPS, and HSTS."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from votetrail.services.context import App

HSTS = "max-age=31536000"
"""A year: once a browser has reached the site over HTTPS it never tries plain HTTP again.
No ``includeSubDomains``: other hosts of the office's domain may not serve HTTPS."""


class SecureCookiesOverHttps:
    """Mark every cookie ``Secure`` when the site is reached over HTTPS.

    HTTPS is known in either of two ways: the configured public URL
    (``--public-url`` / ``VOTETRAIL_PUBLIC_URL``) starts with ``https://``, so
    the office means the site to be reached only that way; or the request's
    scheme, as uvicorn sets it, is ``https``: when it terminates TLS itself,
    or when a proxy it trusts (uvicorn's ``FORWARDED_ALLOW_IPS`` environment
    variable, by default only 127.0.0.1) sends ``X-Forwarded-Proto: https``. A cookie set
    so is never sent back over plain HTTP; a plain-HTTP deployment without a
    public URL (a laptop on localhost) still works. Such responses also carry
    ``Strict-Transport-Security`` (:data:`HSTS`).
    """

    def __init__(self, app: ASGIApp, votetrail: App) -> None:
        self.app = app
        self.votetrail = votetrail

    def _https(self, scope: Scope) -> bool:
        configured = self.votetrail.public_url or ""
        return scope.get("scheme") == "https" or configured.lower().startswith("https://")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._https(scope):
            await self.app(scope, receive, send)
            return

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Strict-Transport-Security", HSTS)
                cookies = headers.getlist("set-cookie")
                if cookies:
                    del headers["set-cookie"]
                    for cookie in cookies:
                        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
                        headers.append(
                            "set-cookie", cookie if "secure" in flags else cookie + "; secure"
                        )
            await send(message)

        await self.app(scope, receive, send_secure)
