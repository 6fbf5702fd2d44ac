"""Witness cosignatures over HTTP: a witness posts one, anyone reads them beside the checkpoint.

``POST /checkpoint/cosignatures`` takes the checkpoint note a witness verified
with its C2SP cosignature line added (plain text); no sign-in, because a
cosignature authenticates itself against a witness key the office configured
with ``votetrail witness add``. ``GET /checkpoints/{size}`` serves any signed
checkpoint with the cosignatures kept for it; ``/checkpoint`` does the same
for the latest; ``GET /checkpoint/witnesses`` lists the witness keys.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from votetrail.errors import InvalidInput
from votetrail.services import witnesses
from votetrail.web.state import app_of

MAX_COSIGNATURE = 16 * 1024
"""A checkpoint with a few dozen signature lines is under 8 KiB."""


async def post_cosignature(request: Request) -> Response:
    raw = await request.body()
    if len(raw) > MAX_COSIGNATURE:
        raise InvalidInput(f"longer than {MAX_COSIGNATURE} bytes", where="cosignature")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("not UTF-8 text", where="cosignature") from None
    names = await run_in_threadpool(witnesses.accept_cosignature, app_of(request), text)
    return JSONResponse({"accepted": names})


def checkpoint_at(request: Request) -> Response:
    raw = request.path_params["size"]
    if not raw.isdigit() or len(raw) > 16:
        raise InvalidInput("must be a whole number", where="size")
    return PlainTextResponse(witnesses.cosigned_checkpoint(app_of(request), int(raw)))


def witness_keys(request: Request) -> Response:
    keys = [w.encode() for w in witnesses.witnesses(app_of(request))]
    return PlainTextResponse("".join(f"{k}\n" for k in keys))


ROUTES = [
    Route("/checkpoint/cosignatures", post_cosignature, methods=["POST"]),
    Route("/checkpoint/witnesses", witness_keys),
    Route("/checkpoints/{size}", checkpoint_at),
]
