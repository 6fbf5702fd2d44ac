"""Where request handlers find the services' ``App``."""

from __future__ import annotations

from starlette.requests import Request

from votetrail.services.context import App


def app_of(request: Request) -> App:
    app = request.app.state.votetrail
    assert isinstance(app, App)
    return app
