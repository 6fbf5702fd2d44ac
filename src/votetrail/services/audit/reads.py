"""Reads the audit-board workflow shares: the current round, the contests, a board's row.

Kept apart from the use cases so boards, progress and the round's measurement
read the same facts the same way (e.g. what "the current round" is).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Integer, Pool, bindparam, literal_column, select, union_all

from votetrail.errors import NotFound
from votetrail.store.models import (
    AUDIT_BOARDS,
    AUDIT_CONTESTS,
    AUDIT_COUNTIES,
    AUDIT_INTERPRETATIONS,
    AUDIT_ROUND_RESULTS,
    AUDIT_ROUNDS,
    UPLOAD_REPLACEMENTS,
    UPLOADS,
)


@dataclass(frozen=True)
class ContestShape:
    """A contest as boards enter it: its id (the name), vote-for and choice ids.

    ``ranks`` is None for a plurality contest; for a ranked-choice one, the
    ranks its ballots have (a board enters it rank by rank).
    """

    id: str
    vote_for: int
    choices: tuple[str, ...]
    role: str
    ranks: int | None = None


def current_round(conn: Connection, audit_id: str) -> Any:
    """The audit's newest round row (id, number, ...), or None before the first draw."""
    return conn.execute(
        select(AUDIT_ROUNDS)
        .where(AUDIT_ROUNDS.c.audit_id == audit_id)
        .order_by(AUDIT_ROUNDS.c.number.desc())
        .limit(1)
    ).first()


def round_closed(conn: Connection, round_id: str) -> bool:
    found = conn.execute(
        select(AUDIT_ROUND_RESULTS.c.id).where(AUDIT_ROUND_RESULTS.c.round_id == round_id).limit(1)
    ).first()
    return found is not None


def board_row(conn: Connection, board_id: str, *, lock: bool = False) -> Any:
    """The board's row; ``lock`` holds it for the transaction (PostgreSQL), so a board's
    entries, its sign-off and new assignments to it happen one after another."""
    query = select(AUDIT_BOARDS).where(AUDIT_BOARDS.c.id == board_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no audit board {board_id!r}")
    return row


def contest_shapes(conn: Connection, audit_id: str) -> list[ContestShape]:
    """The audit's contests (targeted first, in set-up order) with every choice counties defined.

    Choices come from the contest definitions of the counties' current CVR
    uploads; a choice defined by any county is offered. Every entry a board
    makes checks its readings against these, so they are computed once per
    (audit contests, current uploads) and kept (see :func:`_shapes_of`): each
    call costs one small query, whatever the number of counties.
    """
    rows = conn.execute(_SHAPES_KEY, {"audit_id": audit_id}).all()
    roles = tuple((str(r.a), str(r.b)) for r in rows if r.part == 0)
    uploads = tuple((str(r.a), str(r.b)) for r in rows if r.part == 1)
    return list(_shapes_of(conn, roles, uploads))


_SHAPES_KEY = union_all(
    # part 0: the audit's contests and roles, in set-up order
    select(
        literal_column("0", Integer).label("part"),
        AUDIT_CONTESTS.c.id.label("k1"),
        literal_column("0", Integer).label("k2"),
        AUDIT_CONTESTS.c.contest.label("a"),
        AUDIT_CONTESTS.c.role.label("b"),
    ).where(AUDIT_CONTESTS.c.audit_id == bindparam("audit_id")),
    # part 1: the current CVR uploads of its counties (as ``current_uploads`` reads them)
    select(
        literal_column("1", Integer),
        UPLOADS.c.jurisdiction_id,
        UPLOADS.c.sequence,
        UPLOADS.c.id,
        UPLOADS.c.merkle_root,
    )
    .join(AUDIT_COUNTIES, AUDIT_COUNTIES.c.jurisdiction_id == UPLOADS.c.jurisdiction_id)
    .where(
        AUDIT_COUNTIES.c.audit_id == bindparam("audit_id"),
        UPLOADS.c.kind == "cvrs",
        UPLOADS.c.id.not_in(select(UPLOAD_REPLACEMENTS.c.replaced_id)),
    ),
).order_by("part", "k1", "k2")
"""What :func:`contest_shapes` depends on, in one round trip: the contests with their
roles, and the id and Merkle root of each current CVR upload, county by county."""

_SHAPES: WeakKeyDictionary[Pool, dict[Any, tuple[ContestShape, ...]]] = WeakKeyDictionary()
"""Per database (its connection pool, shared by every engine ``execution_options``
derives), (audit contests and roles, current CVR uploads) -> the shapes."""
_SHAPES_LOCK = threading.Lock()


def _shapes_of(
    conn: Connection, roles: tuple[tuple[str, str], ...], uploads: tuple[tuple[str, str], ...]
) -> tuple[ContestShape, ...]:
    """The shapes for these contests and uploads, read from the uploads the first time.

    Why the kept value cannot go stale: it is a function of the key alone. The
    key holds the audit's contests and roles as read now, and the id and
    Merkle root of every current CVR upload of its counties, in order. An
    upload row is written once, by its import, and never changed (``verify``
    names an edited one); a new or replacing upload changes the set of current
    ids, hence the key. The cache is per database (per connection pool), so
    another database's "upload-1" is another key; and an id reused after a
    rolled-back import would come with its own files' Merkle root.
    """
    key = (roles, uploads)
    with _SHAPES_LOCK:
        found = _SHAPES.get(conn.engine.pool, {}).get(key)
    if found is not None:
        return found
    vote_for: dict[str, int] = {}
    ranks: dict[str, int] = {}
    choices: dict[str, dict[str, None]] = {}
    ids = [u[0] for u in uploads]
    texts = dict(
        conn.execute(select(UPLOADS.c.id, UPLOADS.c.contests).where(UPLOADS.c.id.in_(ids))).all()
        if ids
        else []
    )
    for upload in ids:
        for contest in json.loads(texts[upload]):
            name = str(contest["name"])
            vote_for.setdefault(name, int(contest["votes_allowed"]))
            if contest.get("ranks") is not None:
                ranks[name] = max(ranks.get(name, 0), int(contest["ranks"]))
            known = choices.setdefault(name, {})
            known.update(dict.fromkeys(str(c) for c in contest["choices"]))
    shapes = tuple(
        ContestShape(
            name, vote_for.get(name, 1), tuple(choices.get(name, {})), role, ranks.get(name)
        )
        for name, role in roles
    )
    with _SHAPES_LOCK:
        kept = _SHAPES.setdefault(conn.engine.pool, {})
        if len(kept) >= _SHAPES_KEPT:
            kept.clear()  # old upload sets are not asked for again; keep memory bounded
        kept[key] = shapes
    return shapes


_SHAPES_KEPT = 64


def examined(conn: Connection, audit_id: str) -> dict[str, str]:
    """Ballot id -> round id it was first examined in, for ballots with any interpretation."""
    rows = conn.execute(
        select(AUDIT_INTERPRETATIONS.c.ballot_id, AUDIT_INTERPRETATIONS.c.round_id).where(
            AUDIT_INTERPRETATIONS.c.audit_id == audit_id
        )
    )
    return {str(r.ballot_id): str(r.round_id) for r in rows}
