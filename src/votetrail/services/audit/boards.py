"""Audit boards: who examines the paper, what they saw, and their sign-off.

A board is two (or more) citizens of different parties, so no one party's
member examines a ballot unwatched. Each board has its own account (role
``audit_board``, the county's jurisdiction) with a random password nobody is
shown: it signs in with a one-time link whose token is kept only as its
SHA-256, used once, expiring after :data:`LINK_LIFETIME_HOURS`; issuing a new
link revokes the older unused ones. A board reads and enters only the ballots
assigned to it; whole batches go to one board, so a container is opened once.
Once its members sign off a round, its entries for that round are final.
Every refusal is logged as ``access.denied`` (``services/refused.py``).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from votetrail.core.access import Principal, Role, may_manage_audit_boards
from votetrail.core.audit.evidence import MARKS, NOT_FOUND, OVERVOTE
from votetrail.core.audit.ranked_reading import parse_ranks, ranked_text
from votetrail.core.ledger.canonical import iso_utc
from votetrail.errors import AuthenticationFailed, InvalidInput, NotFound
from votetrail.services.audit.access import Refused, audit_row, guarded
from votetrail.services.audit.reads import (
    ContestShape,
    board_row,
    contest_shapes,
    current_round,
    examined,
    round_closed,
)
from votetrail.services.audit.setup import audit_counties
from votetrail.services.context import App
from votetrail.services.directory import add_user, state_id
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store import ledger
from votetrail.store.models import (
    AUDIT_ASSIGNMENTS,
    AUDIT_BOARD_LINKS,
    AUDIT_BOARDS,
    AUDIT_DRAWS,
    AUDIT_INTERPRETATIONS,
    AUDIT_ROUND_RESULTS,
    AUDIT_ROUNDS,
    AUDIT_SIGNOFFS,
    USERS,
)

LINK_LIFETIME_HOURS = 24
"""A one-time sign-in link expires this long after it was issued (or at first use)."""


@dataclass(frozen=True)
class Member:
    name: str
    party: str


@dataclass(frozen=True)
class BoardView:
    id: str  # e.g. "audit-1/adams/board-1"
    audit_id: str
    county: str
    name: str  # e.g. "Audit Board 1"
    members: tuple[Member, ...]
    username: str  # the board's own account (role audit_board, jurisdiction = county)
    ballots: int  # ballots assigned to it in the current round
    interpreted: int  # of those, how many have every contest entered
    signed_off_rounds: tuple[int, ...]


@dataclass(frozen=True)
class BoardCreated:
    board: BoardView
    link_token: str  # shown once to the county, never stored in clear


@dataclass(frozen=True)
class ContestToEnter:
    """One contest on a ballot: the choices a board may tick (ids), and what it entered so far."""

    contest_id: str
    name: str
    vote_for: int
    choices: tuple[str, ...]
    entered: (
        str | None
    )  # None: not yet; else a reading text: "a;b", "blank", "overvote", "not_found"
    ranks: int | None = None  # a ranked-choice contest: entered rank by rank ("1:a;2:b")


@dataclass(frozen=True)
class BoardBallot:
    ballot_id: str
    round: int
    container: str | None
    tabulator: str | None
    batch: str
    position: int
    ticket_numbers: tuple[str, ...]
    phantom: bool
    contests: tuple[ContestToEnter, ...]
    comment: str

    @property
    def done(self) -> bool:
        return all(c.entered is not None for c in self.contests)


MAX_NAME = 100
MAX_MEMBER = 200
MAX_COMMENT = 2000
MAX_TOKEN = 200


def _now(app: App) -> str:
    return iso_utc(app.clock())


def _members(members: Sequence[Member]) -> list[Member]:
    cleaned = [Member(" ".join(m.name.split()), " ".join(m.party.split())) for m in members]
    if len(cleaned) < 2:
        raise InvalidInput("a board needs two members, of different parties", where="members")
    for index, member in enumerate(cleaned, start=1):
        if not member.name:
            raise InvalidInput("the name must not be blank", where=f"member {index}")
        if not member.party:
            raise InvalidInput("the party must not be blank", where=f"member {index}")
        if len(member.name) > MAX_MEMBER or len(member.party) > MAX_MEMBER:
            raise InvalidInput(f"is longer than {MAX_MEMBER} characters", where=f"member {index}")
    parties = [m.party.casefold() for m in cleaned]
    if len(set(parties)) != len(parties):
        raise InvalidInput(
            "two members are of the same party; a board's members must be of different parties",
            where="members",
        )
    return cleaned


def _require_manager(conn: Connection, principal: Principal, county: str, what: str) -> None:
    if not may_manage_audit_boards(principal, county, state_id(conn) or ""):
        raise Refused(
            county,
            what,
            f"{principal.username} may not {what}: only {county}'s administrator or the state "
            "administrator manages its audit boards",
        )


def _require_county(conn: Connection, audit_id: str, county: str) -> Any:
    audit = audit_row(conn, audit_id)
    if county not in audit_counties(conn, audit_id):
        raise NotFound(f"{county!r} is not in {audit_id}")
    return audit


def _username(audit_id: str, county: str, number: int) -> str:
    """``audit-1-adams-board-1``; a very long county id is shortened by a hash to fit 64."""
    name = f"{audit_id}-{county}-board-{number}"
    if len(name) <= 64:
        return name
    short = hashlib.sha256(county.encode()).hexdigest()[:16]
    return f"{audit_id}-{short}-board-{number}"[:64]


def _issue(conn: Connection, app: App, principal: Principal, board: Any) -> tuple[str, str]:
    """Revoke the board's unused links, add a new one; (token, its SHA-256)."""
    now = app.clock()
    stale = conn.execute(
        select(AUDIT_BOARD_LINKS.c.token_sha256).where(
            AUDIT_BOARD_LINKS.c.board_id == board.id,
            AUDIT_BOARD_LINKS.c.used_at.is_(None),
            AUDIT_BOARD_LINKS.c.revoked_at.is_(None),
        )
    ).scalars()
    revoked = [str(s) for s in stale]
    token = secrets.token_urlsafe(32)
    digest = _sha256(token)
    conn.execute(
        insert(AUDIT_BOARD_LINKS).values(
            token_sha256=digest,
            board_id=board.id,
            issued_at=iso_utc(now),
            expires_at=iso_utc(now + timedelta(hours=LINK_LIFETIME_HOURS)),
            used_at=None,
            revoked_at=None,
            issued_by=principal.username,
        )
    )
    if revoked:
        conn.execute(
            update(AUDIT_BOARD_LINKS)
            .where(AUDIT_BOARD_LINKS.c.token_sha256.in_(revoked))
            .values(revoked_at=iso_utc(now))
        )
    return token, digest


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_board(
    app: App, principal: Principal, audit_id: str, county: str, name: str, members: Sequence[Member]
) -> BoardCreated:
    """County administrator (or state) adds a board of two members of different parties."""
    cleaned = _members(members)
    label = " ".join(name.split())
    if len(label) > MAX_NAME:
        raise InvalidInput(f"is longer than {MAX_NAME} characters", where="board name")
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        _require_manager(conn, principal, county, f"set up audit boards of {county}")
        _require_county(conn, audit_id, county)
        ledger.head(conn, lock=True)  # one writer numbers a county's boards at a time
        number = (
            conn.execute(
                select(func.count())
                .select_from(AUDIT_BOARDS)
                .where(
                    AUDIT_BOARDS.c.audit_id == audit_id, AUDIT_BOARDS.c.jurisdiction_id == county
                )
            ).scalar_one()
            + 1
        )
        board_id = f"{audit_id}/{county}/board-{number}"
        label = label or f"Audit Board {number}"
        username = _username(audit_id, county, number)
        # Nobody is shown this password: the board signs in with one-time links.
        add_user(
            uow,
            username,
            f"{label} ({county})",
            Role.AUDIT_BOARD.value,
            county,
            secrets.token_urlsafe(32),
        )
        conn.execute(
            insert(AUDIT_BOARDS).values(
                id=board_id,
                audit_id=audit_id,
                jurisdiction_id=county,
                name=label,
                members=json.dumps(
                    [{"name": m.name, "party": m.party} for m in cleaned],
                    ensure_ascii=False,
                    separators=(",", ":"),
                ),
                username=username,
                created_at=_now(app),
                created_by=principal.username,
            )
        )
        uow.record("audit.board_created", board_id, county)
        board = board_row(conn, board_id)
        token, digest = _issue(conn, app, principal, board)
        uow.record("audit.board_link_issued", digest, county)
        view = _view(conn, board)
    return BoardCreated(view, token)


def issue_link(app: App, principal: Principal, board_id: str) -> str:
    """A new one-time sign-in link token for the board; earlier unused ones stop working."""
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        board = board_row(conn, board_id)
        county = str(board.jurisdiction_id)
        _require_manager(
            conn, principal, county, f"issue sign-in links to audit boards of {county}"
        )
        before = _open_links(conn, board_id)
        token, digest = _issue(conn, app, principal, board)
        for revoked in before:
            uow.record("audit.board_link_revoked", revoked, county)
        uow.record("audit.board_link_issued", digest, county)
    return token


def _open_links(conn: Connection, board_id: str) -> list[str]:
    return [
        str(s)
        for s in conn.execute(
            select(AUDIT_BOARD_LINKS.c.token_sha256).where(
                AUDIT_BOARD_LINKS.c.board_id == board_id,
                AUDIT_BOARD_LINKS.c.used_at.is_(None),
                AUDIT_BOARD_LINKS.c.revoked_at.is_(None),
            )
        ).scalars()
    ]


def _expired(expires_at: str, now: datetime) -> bool:
    return datetime.fromisoformat(expires_at.replace("Z", "+00:00")) <= now


def sign_in_with_link(app: App, token: str) -> Principal:
    """The board's principal for an unused, unexpired token (then used up).

    Anything else (unknown, used, revoked, expired) is AuthenticationFailed
    with one message, so a guesser learns nothing about which it was.
    """
    refused = AuthenticationFailed(
        "this sign-in link is not valid: it was used, replaced or expired"
    )
    if not token or len(token) > MAX_TOKEN:
        raise refused
    digest = _sha256(token)
    with unit_of_work(app, "audit-board-link") as uow:
        conn = uow.conn
        link = conn.execute(
            select(AUDIT_BOARD_LINKS).where(AUDIT_BOARD_LINKS.c.token_sha256 == digest)
        ).first()
        now = app.clock()
        if link is None or link.used_at is not None or link.revoked_at is not None:
            raise refused
        if _expired(str(link.expires_at), now):
            raise refused
        board = board_row(conn, str(link.board_id))
        user = conn.execute(select(USERS).where(USERS.c.username == board.username)).first()
        if user is None or not user.active:
            raise refused
        used = conn.execute(
            update(AUDIT_BOARD_LINKS)
            .where(
                AUDIT_BOARD_LINKS.c.token_sha256 == digest,
                AUDIT_BOARD_LINKS.c.used_at.is_(None),
                AUDIT_BOARD_LINKS.c.revoked_at.is_(None),
            )
            .values(used_at=iso_utc(now))
        )
        if used.rowcount != 1:  # another request used it a moment ago
            raise refused
        uow.actor = str(board.username)
        uow.record("audit.board_signed_in", digest, str(board.jurisdiction_id))
    return Principal(
        str(user.username), str(user.display_name), Role(user.role), str(user.jurisdiction_id)
    )


def _members_of(board: Any) -> tuple[Member, ...]:
    return tuple(Member(str(m["name"]), str(m["party"])) for m in json.loads(board.members))


def _assigned(conn: Connection, round_id: str, board_id: str) -> list[str]:
    return [
        str(b)
        for b in conn.execute(
            select(AUDIT_ASSIGNMENTS.c.ballot_id)
            .where(
                AUDIT_ASSIGNMENTS.c.round_id == round_id, AUDIT_ASSIGNMENTS.c.board_id == board_id
            )
            .order_by(AUDIT_ASSIGNMENTS.c.id)
        ).scalars()
    ]


def _entered(conn: Connection, audit_id: str, ballots: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Ballot -> contest -> interpretation row, for the given ballots."""
    out: dict[str, dict[str, Any]] = {}
    if not ballots:
        return out
    wanted = set(ballots)
    rows = conn.execute(
        select(AUDIT_INTERPRETATIONS).where(
            AUDIT_INTERPRETATIONS.c.audit_id == audit_id,
            AUDIT_INTERPRETATIONS.c.ballot_id.in_(list(wanted)),
        )
    )
    for row in rows:
        out.setdefault(str(row.ballot_id), {})[str(row.contest)] = row
    return out


def _signed_rounds(conn: Connection, board_id: str) -> tuple[int, ...]:
    rows = conn.execute(
        select(AUDIT_ROUNDS.c.number)
        .join(AUDIT_SIGNOFFS, AUDIT_SIGNOFFS.c.round_id == AUDIT_ROUNDS.c.id)
        .where(AUDIT_SIGNOFFS.c.board_id == board_id)
        .order_by(AUDIT_ROUNDS.c.number)
    )
    return tuple(int(n) for n in rows.scalars())


def _view(conn: Connection, board: Any) -> BoardView:
    current = current_round(conn, str(board.audit_id))
    ballots: list[str] = [] if current is None else _assigned(conn, current.id, board.id)
    contests = [c.id for c in contest_shapes(conn, str(board.audit_id))]
    entered = _entered(conn, str(board.audit_id), ballots)
    done = sum(1 for b in ballots if all(c in entered.get(b, {}) for c in contests))
    return BoardView(
        id=str(board.id),
        audit_id=str(board.audit_id),
        county=str(board.jurisdiction_id),
        name=str(board.name),
        members=_members_of(board),
        username=str(board.username),
        ballots=len(ballots),
        interpreted=done,
        signed_off_rounds=_signed_rounds(conn, str(board.id)),
    )


def boards_of(app: App, principal: Principal, audit_id: str, county: str) -> list[BoardView]:
    """The county's boards in the audit; its administrator or the state administrator."""
    with guarded(app, principal), app.engine.connect() as conn:
        _require_manager(conn, principal, county, f"see the audit boards of {county}")
        _require_county(conn, audit_id, county)
        rows = conn.execute(
            select(AUDIT_BOARDS)
            .where(AUDIT_BOARDS.c.audit_id == audit_id, AUDIT_BOARDS.c.jurisdiction_id == county)
            .order_by(AUDIT_BOARDS.c.created_at, AUDIT_BOARDS.c.id)
        ).all()
        return [_view(conn, r) for r in rows]


def board_of_user(app: App, principal: Principal, audit_id: str | None = None) -> BoardView:
    """The board whose account is signed in (the newest audit's if audit_id is None)."""
    with app.engine.connect() as conn:
        return _view(conn, _board_of(conn, principal, audit_id))


def _board_of(conn: Connection, principal: Principal, audit_id: str | None) -> Any:
    query = select(AUDIT_BOARDS).where(AUDIT_BOARDS.c.username == principal.username)
    if audit_id is not None:
        query = query.where(AUDIT_BOARDS.c.audit_id == audit_id)
    row = conn.execute(query.order_by(AUDIT_BOARDS.c.created_at.desc())).first()
    if row is None:
        raise NotFound(f"{principal.username} is not an audit board's account")
    return row


def _open_round(conn: Connection, audit_id: str) -> Any:
    current = current_round(conn, audit_id)
    if current is None:
        raise InvalidInput("no sample has been drawn yet", where=audit_id)
    if round_closed(conn, str(current.id)):
        raise InvalidInput(f"round {current.number} is closed", where=audit_id)
    return current


def _signed_off(conn: Connection, round_id: str, board_id: str) -> bool:
    return (
        conn.execute(
            select(AUDIT_SIGNOFFS.c.id).where(AUDIT_SIGNOFFS.c.id == f"{round_id}/{board_id}")
        ).first()
        is not None
    )


def assign_ballots(app: App, principal: Principal, audit_id: str, county: str) -> int:
    """Share the county's not-yet-examined ballots of the current round among its boards.

    Whole batches stay with one board (a container is opened once). Returns
    how many ballots were assigned. Refused if the county has no boards.
    """
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        _require_manager(conn, principal, county, f"assign ballots to audit boards of {county}")
        _require_county(conn, audit_id, county)
        current = _open_round(conn, audit_id)
        boards = [
            str(b)
            for b in conn.execute(
                select(AUDIT_BOARDS.c.id)
                .where(
                    AUDIT_BOARDS.c.audit_id == audit_id, AUDIT_BOARDS.c.jurisdiction_id == county
                )
                .order_by(AUDIT_BOARDS.c.id)
                .with_for_update()  # no board signs off while it is given ballots
            ).scalars()
        ]
        open_boards = [b for b in boards if not _signed_off(conn, current.id, b)]
        if not open_boards:
            raise Refused(
                county,
                f"assign ballots in {audit_id} without an audit board",
                f"{county} has no audit board that can take ballots in round {current.number}; "
                "set up a board first",
            )
        done = examined(conn, audit_id)
        existing = conn.execute(
            select(AUDIT_ASSIGNMENTS.c.ballot_id, AUDIT_ASSIGNMENTS.c.board_id).where(
                AUDIT_ASSIGNMENTS.c.round_id == current.id,
                AUDIT_ASSIGNMENTS.c.board_id.in_(boards),
            )
        ).all()
        holder = {str(r.ballot_id): str(r.board_id) for r in existing}
        load = dict.fromkeys(open_boards, 0)
        for board in holder.values():
            if board in load:
                load[board] += 1
        batches: dict[tuple[str, str, str], list[str]] = {}
        batch_board: dict[tuple[str, str, str], str] = {}
        draws = conn.execute(
            select(AUDIT_DRAWS)
            .where(AUDIT_DRAWS.c.round_id == current.id, AUDIT_DRAWS.c.jurisdiction_id == county)
            .order_by(AUDIT_DRAWS.c.draw_number)
        )
        for draw in draws:
            key = (draw.container or "", draw.tabulator or "", str(draw.batch))
            ballot = str(draw.ballot_id)
            if ballot in holder:
                batch_board.setdefault(key, holder[ballot])
                continue
            if ballot in done:
                continue
            members = batches.setdefault(key, [])
            if ballot not in members:
                members.append(ballot)
        count = len(existing)
        new = 0
        for key in sorted(batches, key=lambda k: (-len(batches[k]), k)):
            held_by = batch_board.get(key)
            board = (
                held_by
                if held_by is not None and held_by in load
                else min(open_boards, key=lambda b: (load[b], open_boards.index(b)))
            )
            for ballot in batches[key]:
                count += 1
                assignment = f"{current.id}/{county}/assign-{count}"
                conn.execute(
                    insert(AUDIT_ASSIGNMENTS).values(
                        id=assignment, round_id=current.id, board_id=board, ballot_id=ballot
                    )
                )
                uow.record("audit.ballots_assigned", assignment, county)
                load[board] += 1
                new += 1
    return new


def _require_board_or_manager(
    conn: Connection, principal: Principal, board: Any, what: str
) -> None:
    if principal.username == board.username:
        return
    _require_manager(conn, principal, str(board.jurisdiction_id), what)


def _require_board(principal: Principal, board: Any, what: str) -> None:
    if principal.username != board.username:
        raise Refused(
            str(board.jurisdiction_id),
            what,
            f"{principal.username} may not {what}: only that board enters its ballots",
        )


def board_ballots(app: App, principal: Principal, board_id: str) -> list[BoardBallot]:
    """The board's ballots for the current round in retrieval order; only that board,
    its county's administrator or the state administrator may read them."""
    with guarded(app, principal), app.engine.connect() as conn:
        board = board_row(conn, board_id)
        _require_board_or_manager(conn, principal, board, f"read the ballots of {board_id}")
        current = current_round(conn, str(board.audit_id))
        if current is None:
            return []
        assigned = _assigned(conn, current.id, board_id)
        if not assigned:
            return []
        shapes = contest_shapes(conn, str(board.audit_id))
        entered = _entered(conn, str(board.audit_id), assigned)
        draws = _draws(conn, current.id, assigned)
    ballots = []
    for ballot in _in_retrieval_order(assigned, draws):
        rows = draws[ballot]
        first = rows[0]
        readings = entered.get(ballot, {})
        comment = next((str(r.comment) for r in readings.values() if r.comment), "")
        ballots.append(
            BoardBallot(
                ballot_id=ballot,
                round=int(current.number),
                container=first.container,
                tabulator=first.tabulator,
                batch=str(first.batch),
                position=int(first.position),
                ticket_numbers=tuple(str(r.ticket_number) for r in rows),
                phantom=bool(first.phantom),
                contests=tuple(
                    ContestToEnter(
                        s.id,
                        s.id,
                        s.vote_for,
                        s.choices,
                        None if s.id not in readings else str(readings[s.id].reading),
                        s.ranks,
                    )
                    for s in shapes
                ),
                comment=comment,
            )
        )
    return ballots


def _draws(conn: Connection, round_id: str, assigned: Sequence[str]) -> dict[str, list[Any]]:
    """Ballot -> its draws in the round (a ballot drawn twice has two tickets), by draw number."""
    draws: dict[str, list[Any]] = {}
    for draw in conn.execute(
        select(AUDIT_DRAWS)
        .where(AUDIT_DRAWS.c.round_id == round_id, AUDIT_DRAWS.c.ballot_id.in_(assigned))
        .order_by(AUDIT_DRAWS.c.draw_number)
    ):
        draws.setdefault(str(draw.ballot_id), []).append(draw)
    return draws


def _in_retrieval_order(assigned: Sequence[str], draws: Mapping[str, list[Any]]) -> list[str]:
    """The board's ballots as it fetches them: container, tabulator, batch, place; phantoms last.

    The one ordering both the board's list and its entry form number ballots by
    (``/audit-board/ballots/3`` is the third of this list).
    """

    def place(ballot: str) -> tuple[bool, str, str, str, int]:
        first = draws[ballot][0]
        return (
            bool(first.phantom),
            first.container or "",
            first.tabulator or "",
            str(first.batch),
            int(first.position),
        )

    return sorted(assigned, key=place)


@dataclass(frozen=True)
class EntryForm:
    """What saving one ballot's form needs: the list's order and the contests, no entries.

    ``board_ballots`` builds every ballot with what was entered on it; a board
    saving one ballot needs only which ballot its number names, whether the
    round is still open for it, and the contests to read the boxes against.
    """

    board_id: str
    round: int | None
    signed_off: bool  # the board signed off the current round
    ballot_ids: tuple[str, ...]  # this round's ballots, in board_ballots' order
    contests: tuple[ContestToEnter, ...]  # entered is None: the form's boxes say what is new


def entry_form(app: App, principal: Principal, audit_id: str | None = None) -> EntryForm:
    """The signed-in board's :class:`EntryForm` (the newest audit's if audit_id is None).

    Five queries: the board, the round with its sign-off, the ballots, their
    draws, the contests.
    """
    with app.engine.connect() as conn:
        board = _board_of(conn, principal, audit_id)
        board_id = str(board.id)
        current = _entry_facts(conn, str(board.audit_id), board_id, "", [])
        if current is None:
            return EntryForm(board_id, None, False, (), ())
        # Two plain reads, not a join: PostgreSQL, with no statistics yet on freshly filled
        # tables, planned the join as a loop over the round's draws (bench/README.md).
        assigned = _assigned(conn, current.id, board_id)
        draws = _draws(conn, current.id, assigned)
        shapes = contest_shapes(conn, str(board.audit_id)) if assigned else []
    return EntryForm(
        board_id=board_id,
        round=int(current.number),
        signed_off=bool(current.signed_off),
        ballot_ids=tuple(_in_retrieval_order(assigned, draws)),
        contests=tuple(
            ContestToEnter(s.id, s.id, s.vote_for, s.choices, None, s.ranks) for s in shapes
        ),
    )


def reading_text(raw: str, contest: ContestShape, phantom: bool = False) -> str:
    """A board's reading in its one stored form; a bad one is refused naming the contest.

    Choice ids must be the contest's; more marks than it allows must be
    entered as ``overvote``; a phantom (no paper exists) can only be ``not_found``.
    A ranked-choice contest is entered rank by rank (``rank:choice`` entries,
    ``R:overvote``, or ``blank``; ``core/audit/ranked_reading``).
    """
    where = f"contest {contest.id!r}"
    text = raw.strip()
    if not text:
        raise InvalidInput("enter the choices marked, or blank, overvote or not_found", where=where)
    if phantom and text != NOT_FOUND:
        raise InvalidInput(
            "this ballot is a phantom (no paper exists): enter not_found", where=where
        )
    if contest.ranks is not None and text != NOT_FOUND:
        return ranked_text(parse_ranks(text, contest.choices, contest.ranks, where))
    if text in MARKS:
        return text
    picked = [p.strip() for p in text.split(";")]
    if any(not p for p in picked) or len(set(picked)) != len(picked):
        raise InvalidInput(f"{raw!r} is not a list of choices joined by ';'", where=where)
    unknown = [p for p in picked if p not in contest.choices]
    if unknown:
        raise InvalidInput(f"{unknown[0]!r} is not one of its choices", where=where)
    if len(picked) > contest.vote_for:
        raise InvalidInput(
            f"{len(picked)} choices marked where {contest.vote_for} may be: enter {OVERVOTE}",
            where=where,
        )
    return ";".join(sorted(picked))


def interpretation_id(audit_id: str, ballot_id: str, contest: str) -> str:
    """One row per (audit, ballot, contest): a ballot examined once keeps its reading."""
    digest = hashlib.sha256(f"{ballot_id}\n{contest}".encode()).hexdigest()[:40]
    return f"{audit_id}/reading-{digest}"


def record_interpretation(
    app: App,
    principal: Principal,
    board_id: str,
    ballot_id: str,
    readings: Mapping[str, str],
    comment: str = "",
) -> None:
    """What the board saw on one ballot, contest id -> reading text; only the board itself.

    A reading is choice ids joined by ";" or "blank", "overvote", "not_found".
    Refused once the board signed off the round.
    """
    note = comment.strip()
    if len(note) > MAX_COMMENT:
        raise InvalidInput(f"is longer than {MAX_COMMENT} characters", where="comment")
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        board = board_row(conn, board_id, lock=True)
        county = str(board.jurisdiction_id)
        audit_id = str(board.audit_id)
        _require_board(principal, board, f"enter ballots of {board_id}")
        keys = {contest: interpretation_id(audit_id, ballot_id, contest) for contest in readings}
        current = _entry_facts(conn, audit_id, board_id, ballot_id, list(keys.values()))
        if current is None or not current.assigned:
            raise Refused(
                county,
                f"enter a ballot not assigned to {board_id}",
                f"ballot {ballot_id!r} is not among {board.name}'s ballots this round",
            )
        if current.signed_off or current.closed:
            raise Refused(
                county,
                f"change entries of {board_id} after its sign-off",
                f"{board.name} signed off round {current.number}; its entries can no longer change",
            )
        shapes = {s.id: s for s in contest_shapes(conn, audit_id)}
        phantom = bool(current.phantom)
        cleaned: dict[str, str] = {}
        for contest, raw in readings.items():
            if contest not in shapes:
                raise InvalidInput("is not a contest of this audit", where=f"contest {contest!r}")
            cleaned[contest] = reading_text(raw, shapes[contest], phantom)
        stamp = _now(app)
        held_rows = _held(conn, list(keys.values())) if current.held else {}
        new_rows: list[dict[str, str]] = []
        changed: list[str] = []
        for contest, text in cleaned.items():
            key = keys[contest]
            held = held_rows.get(key)
            if held is not None and held.reading == text and held.comment == note:
                continue
            values = {"reading": text, "comment": note, "entered_at": stamp}
            if held is None:
                new_rows.append(
                    {
                        "id": key,
                        "audit_id": audit_id,
                        "round_id": str(current.id),
                        "board_id": board_id,
                        "ballot_id": ballot_id,
                        "contest": contest,
                        "entered_by": principal.username,
                        **values,
                    }
                )
            else:
                conn.execute(
                    update(AUDIT_INTERPRETATIONS)
                    .where(AUDIT_INTERPRETATIONS.c.id == key)
                    .values(entered_by=principal.username, **values)
                )
            changed.append(key)
        if new_rows:  # one round trip for the ballot's first readings ("insertmanyvalues")
            conn.execute(insert(AUDIT_INTERPRETATIONS), new_rows)
        for key in changed:
            uow.record("audit.interpretation_recorded", key, county)


def _held(conn: Connection, keys: Sequence[str]) -> dict[str, Any]:
    """Interpretation id -> (reading, comment) of those among ``keys`` already stored."""
    rows = conn.execute(
        select(
            AUDIT_INTERPRETATIONS.c.id,
            AUDIT_INTERPRETATIONS.c.reading,
            AUDIT_INTERPRETATIONS.c.comment,
        ).where(AUDIT_INTERPRETATIONS.c.id.in_(keys))
    )
    return {str(r.id): r for r in rows}


def _entry_facts(
    conn: Connection, audit_id: str, board_id: str, ballot_id: str, keys: Sequence[str]
) -> Any:
    """The current round (id, number) with what an entry on ``ballot_id`` depends on, or None.

    One query instead of seven (round, assignment, sign-off, closure, phantom,
    earlier readings): an entry is the busiest write of an audit, and its time
    is mostly round trips. ``assigned``: the ballot is the board's this round;
    ``signed_off``: the board signed the round off; ``closed``: the round was
    measured; ``phantom``: no paper exists for the draw; ``held``: one of the
    interpretation ids ``keys`` is stored already. Run after the board's row is
    locked, so a sign-off cannot slip in between.
    """
    values = {
        "audit_id": audit_id,
        "board_id": board_id,
        "ballot_id": ballot_id,
        "signoff_suffix": f"/{board_id}",
        "keys": list(keys),
    }
    return conn.execute(_ENTRY_FACTS, values).first()


_ROUNDS = AUDIT_ROUNDS.c
_ENTRY_FACTS = (
    select(
        _ROUNDS.id,
        _ROUNDS.number,
        select(AUDIT_ASSIGNMENTS.c.id)
        .where(
            AUDIT_ASSIGNMENTS.c.round_id == _ROUNDS.id,
            AUDIT_ASSIGNMENTS.c.board_id == bindparam("board_id"),
            AUDIT_ASSIGNMENTS.c.ballot_id == bindparam("ballot_id"),
        )
        .exists()
        .label("assigned"),
        select(AUDIT_SIGNOFFS.c.id)
        .where(AUDIT_SIGNOFFS.c.id == _ROUNDS.id.concat(bindparam("signoff_suffix")))
        .exists()
        .label("signed_off"),
        select(AUDIT_ROUND_RESULTS.c.id)
        .where(AUDIT_ROUND_RESULTS.c.round_id == _ROUNDS.id)
        .exists()
        .label("closed"),
        select(AUDIT_DRAWS.c.phantom)
        .where(
            AUDIT_DRAWS.c.round_id == _ROUNDS.id,
            AUDIT_DRAWS.c.ballot_id == bindparam("ballot_id"),
        )
        .limit(1)
        .scalar_subquery()
        .label("phantom"),
        select(AUDIT_INTERPRETATIONS.c.id)
        .where(AUDIT_INTERPRETATIONS.c.id.in_(bindparam("keys", expanding=True)))
        .exists()
        .label("held"),
    )
    .where(_ROUNDS.audit_id == bindparam("audit_id"))
    .order_by(_ROUNDS.number.desc())
    .limit(1)
)


def sign_off(app: App, principal: Principal, board_id: str, member_names: Sequence[str]) -> None:
    """The board's members sign off the current round; every ballot must be entered."""
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        board = board_row(conn, board_id, lock=True)
        county = str(board.jurisdiction_id)
        audit_id = str(board.audit_id)
        _require_board(principal, board, f"sign off for {board_id}")
        current = _open_round(conn, audit_id)
        if _signed_off(conn, current.id, board_id):
            raise Refused(
                county,
                f"sign off {board_id} twice",
                f"{board.name} already signed off round {current.number}",
            )
        members = [m.name for m in _members_of(board)]
        given = {" ".join(n.split()).casefold() for n in member_names if n.strip()}
        missing = [m for m in members if m.casefold() not in given]
        if missing:
            raise InvalidInput(
                f"every member signs: {', '.join(missing)} has not signed", where="sign-off"
            )
        extra = sorted(given - {m.casefold() for m in members})
        if extra:
            raise InvalidInput(f"{extra[0]!r} is not a member of {board.name}", where="sign-off")
        assigned = _assigned(conn, current.id, board_id)
        contests = [c.id for c in contest_shapes(conn, audit_id)]
        entered = _entered(conn, audit_id, assigned)
        left = [b for b in assigned if not all(c in entered.get(b, {}) for c in contests)]
        if left:
            raise InvalidInput(
                f"{len(left)} ballot(s) not fully entered yet, e.g. {left[0]!r}", where="sign-off"
            )
        signoff = f"{current.id}/{board_id}"
        conn.execute(
            insert(AUDIT_SIGNOFFS).values(
                id=signoff,
                round_id=current.id,
                board_id=board_id,
                members=json.dumps(members, ensure_ascii=False, separators=(",", ":")),
                signed_at=_now(app),
                signed_by=principal.username,
            )
        )
        uow.record("audit.board_signed_off", signoff, county)
