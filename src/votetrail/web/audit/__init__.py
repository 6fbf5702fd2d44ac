"""The audit workflow's pages: state rounds, counties and boards, public evidence, API."""

from __future__ import annotations

from starlette.routing import BaseRoute

from votetrail.web.audit import api, batch, board, county, public, state

ROUTES: list[BaseRoute] = [
    *api.ROUTES,
    *public.ROUTES,
    *state.ROUTES,
    *county.ROUTES,
    *board.ROUTES,
    *batch.ROUTES,
]

__all__ = ["ROUTES"]
