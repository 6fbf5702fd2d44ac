"""The security headers every response carries, the error pages included.

They live apart from ``app.py`` because two places add them: the middleware,
for every response a route or handler makes, and the handler of unexpected
errors, whose response Starlette sends from outside every middleware.
"""

from __future__ import annotations

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
"""Standalone reports (ballot accounting, the daily network report) carry their own inline
styles so they print alone; they run no script."""
