"""A county's side of a batch-comparison round: its sampled batches, their hand tallies, sign-off.

Who: the county's administrator or the county's audit boards enter tallies;
the administrator signs the round off; the state administrator may read.
Another county's official is refused and the refusal is logged
(``access.denied``), as is any change to a tally after its round was signed
off. A batch is tallied once per audit, in the round it was first drawn: a
batch drawn again later counts again with the same tally (PPEB draws with
replacement), as a ballot's reading stands in a ballot-level audit. A tally
is one whole number per choice of every audited contest the batch carries,
or "batch not found", which MACRO counts as the worst case (taint 1).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from votetrail.core.access import Principal, Role, may_run_audits
from votetrail.core.ledger.canonical import iso_utc
from votetrail.errors import InvalidInput, NotFound
from votetrail.services.audit.access import Refused, audit_row, guarded
from votetrail.services.audit.batch_frame import BatchFrame, batch_frame
from votetrail.services.audit.batch_rounds import BatchRoundView, read_rounds
from votetrail.services.audit.setup import AuditMethod, audit_counties
from votetrail.services.context import App
from votetrail.services.directory import state_id
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store import ledger
from votetrail.store.models import AUDIT_BATCH_SIGNOFFS, AUDIT_BATCH_TALLIES

MAX_VOTES = 10_000_000
"""More votes than this for one choice in one batch is a typo, not a batch."""


def may_tally(principal: Principal, county: str) -> bool:
    """The county's own administrator or audit boards count its batches; nobody else."""
    return principal.jurisdiction == county and principal.role in (
        Role.COUNTY_ADMIN,
        Role.AUDIT_BOARD,
    )


@dataclass(frozen=True)
class ContestTally:
    contest: str
    cards: int
    reported: dict[str, int]
    audited: dict[str, int] | None


@dataclass(frozen=True)
class SampledBatch:
    """One sampled batch of the county: where it is, its tickets, reported and counted votes."""

    batch_id: str
    round_number: int
    tabulator: str | None
    batch: str
    tickets: list[str]
    contests: list[ContestTally]
    tallied: bool
    found: bool
    entered_by: str | None
    editable: bool


@dataclass(frozen=True)
class CountyBatches:
    audit_id: str
    county: str
    round_number: int
    batches: list[SampledBatch]
    in_round: bool  # the county has a batch drawn in the latest round
    signed_off: bool  # ... and signed that round off
    measured: bool


def _refuse_unless(ok: bool, principal: Principal, county: str, what: str) -> None:
    if not ok:
        raise Refused(county, what, f"{principal.username} may not {what}")


def _audit_county(conn: Connection, audit_id: str, county: str) -> Any:
    audit = audit_row(conn, audit_id)
    if audit.method != AuditMethod.BATCH_COMPARISON:
        raise NotFound(f"{audit_id} is not a batch-comparison audit")
    if county not in audit_counties(conn, audit_id):
        raise NotFound(f"{county!r} is not in {audit_id}")
    return audit


def _signed(conn: Connection, round_id: str, county: str) -> bool:
    found = conn.execute(
        select(AUDIT_BATCH_SIGNOFFS.c.id).where(AUDIT_BATCH_SIGNOFFS.c.id == f"{round_id}/{county}")
    ).first()
    return found is not None


def _tallies(conn: Connection, audit_id: str) -> dict[str, Any]:
    return {
        str(row.batch_id): row
        for row in conn.execute(
            select(AUDIT_BATCH_TALLIES).where(AUDIT_BATCH_TALLIES.c.audit_id == audit_id)
        )
    }


def _first_draws(
    rounds: list[BatchRoundView], county: str
) -> dict[str, tuple[BatchRoundView, list[str]]]:
    """The county's drawn batches: the round each was first drawn in and every ticket."""
    out: dict[str, tuple[BatchRoundView, list[str]]] = {}
    for view in rounds:
        for draw in view.draws:
            if draw.county == county:
                out.setdefault(draw.batch_id, (view, []))[1].append(draw.ticket_number)
    return out


def county_batches(app: App, principal: Principal, audit_id: str, county: str) -> CountyBatches:
    """The county's sampled batches in draw order, each with its tally form's facts."""
    with guarded(app, principal), app.engine.connect() as conn:
        state = state_id(conn) or ""
        what = f"read the sampled batches of {county} in {audit_id}"
        _refuse_unless(
            may_tally(principal, county) or may_run_audits(principal, state),
            principal,
            county,
            what,
        )
        _audit_county(conn, audit_id, county)
        rounds = read_rounds(conn, audit_id)
        tallies = _tallies(conn, audit_id)
        signed = {view.round_id for view in rounds if _signed(conn, view.round_id, county)}
    frame = batch_frame(app, audit_id) if rounds else None
    batches: list[SampledBatch] = []
    for bid, (first, tickets) in _first_draws(rounds, county).items():
        assert frame is not None
        row = tallies.get(bid)
        hand = json.loads(row.votes) if row is not None and row.found else None
        place = frame.places[bid]
        batches.append(
            SampledBatch(
                bid,
                first.number,
                place.tabulator,
                place.batch,
                tickets,
                [
                    ContestTally(
                        name,
                        tally.cards,
                        dict(tally.votes),
                        None if hand is None else dict(hand.get(name, {})),
                    )
                    for name, tally in frame.election.batches[bid].items()
                ],
                row is not None,
                row is None or bool(row.found),
                None if row is None else str(row.entered_by),
                first.round_id not in signed and may_tally(principal, county),
            )
        )
    latest = rounds[-1] if rounds else None
    return CountyBatches(
        audit_id,
        county,
        latest.number if latest else 0,
        batches,
        latest is not None and county in latest.counties,
        latest is not None and latest.round_id in signed,
        latest is not None and latest.measured,
    )


def _checked_votes(
    frame: BatchFrame, bid: str, votes: Mapping[str, Mapping[str, int]]
) -> dict[str, dict[str, int]]:
    carried = frame.election.batches[bid]
    unknown = sorted(set(votes) - set(carried))
    if unknown:
        raise InvalidInput(
            "is not an audited contest on this batch", where=f"contest {unknown[0]!r}"
        )
    out: dict[str, dict[str, int]] = {}
    for contest in carried:
        given = votes.get(contest, {})
        choices = list(frame.totals[contest].tally)
        extra = sorted(set(given) - set(choices))
        if extra:
            raise InvalidInput(
                f"is not a choice in contest {contest!r}", where=f"choice {extra[0]!r}"
            )
        out[contest] = {}
        for choice in choices:
            value = given.get(choice)
            where = f"batch {bid!r}, contest {contest!r}, choice {choice!r}"
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInput("enter the number of votes counted (0 if none)", where=where)
            if not 0 <= value <= MAX_VOTES:
                raise InvalidInput(f"must be a whole number from 0 to {MAX_VOTES:,}", where=where)
            out[contest][choice] = value
    return out


def enter_tally(
    app: App,
    principal: Principal,
    audit_id: str,
    county: str,
    batch_id: str,
    votes: Mapping[str, Mapping[str, int]] | None,
) -> str:
    """Record (or correct, before sign-off) a sampled batch's hand tally; None: not found."""
    with guarded(app, principal):
        with app.engine.connect() as conn:
            _refuse_unless(
                may_tally(principal, county),
                principal,
                county,
                f"enter hand tallies of {county} in {audit_id}",
            )
            _audit_county(conn, audit_id, county)
        frame = batch_frame(app, audit_id)
        with unit_of_work(app, principal.username) as uow:
            conn = uow.conn
            ledger.head(conn, lock=True)  # two boards saving one batch: one after the other
            first = _first_draws(read_rounds(conn, audit_id), county).get(batch_id)
            if first is None:
                raise NotFound(f"batch {batch_id!r} of {county} is not sampled in {audit_id}")
            view = first[0]
            if _signed(conn, view.round_id, county):
                raise Refused(
                    county,
                    f"change a hand tally of {county} in {audit_id} after sign-off",
                    f"round {view.number} of {audit_id} is signed off by {county}: its hand "
                    "tallies can no longer change",
                )
            checked = {} if votes is None else _checked_votes(frame, batch_id, votes)
            tally_id = f"{audit_id}/batch-{frame.order.index(batch_id) + 1:05d}"
            values = {
                "found": votes is not None,
                "votes": json.dumps(checked, sort_keys=True, ensure_ascii=False),
                "entered_at": iso_utc(app.clock()),
                "entered_by": principal.username,
            }
            held = conn.execute(
                select(AUDIT_BATCH_TALLIES.c.id).where(AUDIT_BATCH_TALLIES.c.id == tally_id)
            ).first()
            if held is None:
                conn.execute(
                    insert(AUDIT_BATCH_TALLIES).values(
                        id=tally_id,
                        audit_id=audit_id,
                        round_id=view.round_id,
                        jurisdiction_id=county,
                        batch_id=batch_id,
                        **values,
                    )
                )
            else:
                conn.execute(
                    update(AUDIT_BATCH_TALLIES)
                    .where(AUDIT_BATCH_TALLIES.c.id == tally_id)
                    .values(**values)
                )
            uow.record("audit.batch_tallied", tally_id, county)
    return tally_id


def sign_off(app: App, principal: Principal, audit_id: str, county: str) -> str:
    """The county administrator closes the county's tallies of the latest round."""
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        ok = principal.role is Role.COUNTY_ADMIN and principal.jurisdiction == county
        _refuse_unless(ok, principal, county, f"sign off {county}'s hand tallies in {audit_id}")
        ledger.head(conn, lock=True)  # no tally is saved while the round is being signed
        _audit_county(conn, audit_id, county)
        rounds = read_rounds(conn, audit_id)
        if not rounds or county not in rounds[-1].counties:
            raise InvalidInput(f"no batch of {county} is drawn in the latest round", audit_id)
        latest = rounds[-1]
        if _signed(conn, latest.round_id, county):
            raise InvalidInput(f"{county} signed off round {latest.number} already", audit_id)
        tallies = _tallies(conn, audit_id)
        for bid in _first_draws(rounds, county):
            if bid not in tallies:
                raise InvalidInput(
                    "has no hand tally yet; enter it (or mark the batch not found) first",
                    where=f"batch {bid!r}",
                )
        signoff_id = f"{latest.round_id}/{county}"
        conn.execute(
            insert(AUDIT_BATCH_SIGNOFFS).values(
                id=signoff_id,
                round_id=latest.round_id,
                jurisdiction_id=county,
                signed_at=iso_utc(app.clock()),
                signed_by=principal.username,
            )
        )
        uow.record("audit.batches_signed_off", signoff_id, county)
    return signoff_id
