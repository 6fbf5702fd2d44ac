"""The JSON API's OpenAPI 3.1 document, built from the same table that makes its routes.

Each :class:`Operation` is one route of ``web/audit/api.py``: the table gives
Starlette its routes and this module the document served at
``/api/openapi.json``, so a route cannot exist without being described. The
schemas are written by hand here, next to the words that explain them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

Endpoint = Callable[[Request], Awaitable[Response]]
Schema = dict[str, Any]

TEXT: Schema = {"type": "string"}
TEXTS: Schema = {"type": "array", "items": TEXT}
INT: Schema = {"type": "integer"}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: Sequence[str] = (), /, **properties: Schema) -> Schema:
    """An object schema with these properties, the named ones required."""
    schema: Schema = {"type": "object", "properties": dict(properties)}
    if required:
        schema["required"] = list(required)
    return schema


def nullable(schema: Schema) -> Schema:
    return {"oneOf": [schema, {"type": "null"}]}


@dataclass(frozen=True)
class Query:
    name: str
    schema: Schema
    description: str
    required: bool = False


@dataclass(frozen=True)
class Operation:
    """One API route: what Starlette serves and what the document says about it.

    ``path`` is Starlette's template (``{board_id:path}`` lets a board id keep
    its slashes); the document shows it without the convertor. ``body`` is the
    JSON request schema, ``form`` a multipart one; ``response`` the success
    schema, or None for a file of type ``media``.
    """

    method: str
    path: str
    endpoint: Endpoint
    operation_id: str
    summary: str
    tag: str
    description: str = ""
    body: Schema | None = None
    form: Schema | None = None
    query: tuple[Query, ...] = ()
    ok: int = 200
    response: Schema | None = field(default_factory=lambda: obj())
    media: str = "application/json"
    signed_in: bool = True


_PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")

PATH_PARAMETERS = {
    "audit_id": "The audit's id, e.g. `audit-1`.",
    "county": "The county's id, e.g. `adams`.",
    "board_id": (
        "The board's id, e.g. `audit-1/adams/board-1`; its slashes may be sent as they are "
        "or percent-encoded."
    ),
    "kind": (
        "What the file is: `cvrs`, `manifest`, `paper_counts`, `check_ins` or "
        "`reported_results` (the totals the county published: `contest,choice,votes`)."
    ),
}


def document_path(path: str) -> str:
    """The path as the document writes it: ``{board_id:path}`` becomes ``{board_id}``."""
    return _PARAMETER.sub(lambda m: "{" + m.group(1) + "}", path)


ERRORS = {
    400: "The request is not acceptable; `where` names the field at fault.",
    401: "No valid token: sign in with POST /api/session and send `Authorization: Bearer`.",
    403: "The account may not do this; the refusal is logged as `access.denied`.",
    404: "No such audit, county, board or ballot.",
}

PLACE: dict[str, Schema] = {
    "container": nullable(TEXT),
    "tabulator": nullable(TEXT),
    "batch": TEXT,
    "position": INT,
    "ticket_numbers": TEXTS,
    "phantom": {"type": "boolean", "description": "No paper: enter it as not_found."},
}
"""Where a sampled ballot is kept, as a retrieval list and a board's list give it."""

SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        ["error", "status"],
        error={"type": "string", "description": "What went wrong, in words."},
        where=nullable({"type": "string", "description": "The field, file or line at fault."}),
        status=INT,
    ),
    "Token": obj(
        ["token"],
        token={"type": "string", "description": "Send as `Authorization: Bearer <token>`."},
        expires_in={"type": "integer", "description": "Seconds until the session ends."},
    ),
    "AuditSummary": obj(
        ["id", "election", "method", "status"],
        id=TEXT,
        election=TEXT,
        method=ref("Method"),
        status=ref("Status"),
    ),
    "Method": {
        "type": "string",
        "enum": ["ballot_comparison", "ballot_polling", "batch_comparison"],
    },
    "Status": {
        "type": "string",
        "enum": ["set_up", "seed_set", "sampling", "confirmed", "full_hand_count"],
    },
    "NewAudit": obj(
        ["election", "method", "risk_limit", "targeted", "counties"],
        election=TEXT,
        method=ref("Method"),
        risk_limit={"type": "string", "description": "A decimal in (0, 1), e.g. `0.05`."},
        targeted={**TEXTS, "description": "Contest names as the counties' results name them."},
        opportunistic=TEXTS,
        counties={**TEXTS, "description": "County ids."},
        with_replacement={"type": "boolean", "default": False},
    ),
    "CountyStatus": obj(
        county=TEXT,
        name=TEXT,
        manifest={"type": "boolean"},
        cvrs={"type": "boolean"},
        paper_counts={"type": "boolean"},
        ballots_in_manifest=INT,
        phantoms=INT,
        accounting_findings=INT,
        boards=INT,
        drawn_this_round=INT,
        interpreted_this_round=INT,
        boards_signed_off=INT,
        rounds_done=INT,
        reported_results={
            "type": "string",
            "enum": ["missing", "in", "match", "differ"],
            "description": "The county's reported results: missing, in (no CVRs to compare "
            "yet), match (its CVRs count exactly them in every targeted contest) or differ.",
        },
    ),
    "Round": obj(
        number=INT,
        sample_size=INT,
        drawn_at=TEXT,
        risk={"type": "object", "additionalProperties": {"type": "number"}},
        decision={
            "type": "object",
            "additionalProperties": {
                "type": "string",
                "enum": ["confirmed", "continue", "full_hand_count"],
            },
        },
        closed={"type": "boolean"},
    ),
    "Audit": obj(
        id=TEXT,
        election=TEXT,
        method=ref("Method"),
        risk_limit=TEXT,
        with_replacement={"type": "boolean"},
        status=ref("Status"),
        targeted=TEXTS,
        opportunistic=TEXTS,
        counties={"type": "array", "items": ref("CountyStatus")},
        seed=nullable(TEXT),
        witnesses=TEXTS,
        rounds={"type": "array", "items": ref("Round")},
        launch_problems=TEXTS,
        round_complete={"type": "boolean"},
    ),
    "SizeOffer": obj(
        size=INT,
        chance=nullable({"type": "number", "description": "Chance of finishing in this round."}),
        basis=TEXT,
    ),
    "DrawnRound": obj(
        round_id=TEXT,
        number=INT,
        sample_size=INT,
        per_county={"type": "object", "additionalProperties": INT},
        frame_size=INT,
    ),
    "RetrievalRow": obj(round=INT, ballot_id=TEXT, **PLACE),
    "Member": obj(["name", "party"], name=TEXT, party=TEXT),
    "Board": obj(
        id=TEXT,
        audit_id=TEXT,
        county=TEXT,
        name=TEXT,
        members={"type": "array", "items": ref("Member")},
        username=TEXT,
        ballots=INT,
        interpreted=INT,
        signed_off_rounds={"type": "array", "items": INT},
    ),
    "ContestToEnter": obj(
        contest_id=TEXT,
        name=TEXT,
        vote_for=INT,
        choices=TEXTS,
        entered=nullable(TEXT),
        ranks=nullable(INT),  # a ranked-choice contest: its ranks, entered rank by rank
    ),
    "BoardBallot": obj(
        ballot_id=TEXT,
        round=INT,
        **PLACE,
        contests={"type": "array", "items": ref("ContestToEnter")},
        comment=TEXT,
        done={"type": "boolean"},
    ),
    "Upload": obj(
        id=TEXT,
        kind=TEXT,
        records=INT,
        created={"type": "boolean", "description": "False: the same files were already in."},
        replaced=nullable(TEXT),
    ),
}


def _parameters(operation: Operation) -> list[Schema]:
    found = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": PATH_PARAMETERS[name],
            "schema": TEXT,
        }
        for name in _PARAMETER.findall(operation.path)
    ]
    found += [
        {
            "name": q.name,
            "in": "query",
            "required": q.required,
            "description": q.description,
            "schema": q.schema,
        }
        for q in operation.query
    ]
    return found


def _responses(operation: Operation) -> Schema:
    if operation.response is None:
        content: Schema = {
            operation.media: {"schema": {"type": "string", "contentMediaType": operation.media}}
        }
    else:
        content = {"application/json": {"schema": operation.response}}
    responses: Schema = {str(operation.ok): {"description": "Done.", "content": content}}
    errors = dict(ERRORS)
    if not operation.signed_in:
        errors.pop(403)
    for status, words in errors.items():
        responses[str(status)] = {
            "description": words,
            "content": {"application/json": {"schema": ref("Error")}},
        }
    return responses


def _operation(operation: Operation) -> Schema:
    spec: Schema = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "responses": _responses(operation),
    }
    if operation.description:
        spec["description"] = operation.description
    parameters = _parameters(operation)
    if parameters:
        spec["parameters"] = parameters
    if operation.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": operation.body}},
        }
    if operation.form is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": operation.form}},
        }
    spec["security"] = [{"bearer": []}] if operation.signed_in else []
    return spec


def document(operations: Sequence[Operation], version: str) -> Schema:
    """The OpenAPI 3.1 document of every operation."""
    paths: dict[str, Schema] = {}
    for operation in operations:
        item = paths.setdefault(document_path(operation.path), {})
        item[operation.method.lower()] = _operation(operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "votetrail audit API",
            "version": version,
            "description": (
                "The audit workflow for scripts: set-up, seed, draws, retrieval lists, audit "
                "boards and their readings, sign-off, closing rounds, the evidence package, "
                "and the counties' uploads. Sign in with POST /api/session (or a board's "
                "one-time link with POST /api/board-session) and send the token as "
                "`Authorization: Bearer <token>`. Cookies are not read, so no CSRF token is "
                'needed. Errors are `{"error", "where", "status"}`.'
            ),
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
