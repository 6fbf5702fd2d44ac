"""Drawing a round's sample: the frame, the sizes offered, and the logged draw.

The frame is every audit county's ballots from its *current* uploads
(``services/counting/results.sampling_frame``): counties in order of their
id, each county's manifest ballots in manifest order, then its phantoms (one
per CVR without a paper record, named ``<county>:phantom:<tabulator>:<k>``
so two counties' phantoms never share an id). The sampler's result does not
depend on that order (each ballot's ticket comes from the seed and its id),
but the order is fixed so the frame's SHA-256 (ids joined by newlines) is one
number anyone can recompute.

Rounds are consistent: round N's tickets are the next ones of the same
sequence Rivest's ``consistent_sampler`` yields for the frame and seed, so
the first k tickets over all rounds are exactly ``votetrail audit sample
--size k``. A round is refused if the frame changed since round 1 (an upload
was replaced), since its tickets would no longer continue the same sequence.
Every draw is its own ledgered record, logged with the round in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from votetrail.core.access import Principal
from votetrail.core.audit.assertions import Contest, ContestKind
from votetrail.core.audit.comparison import ABSENT, CardVotes, votes_for
from votetrail.core.audit.evidence import NOT_FOUND, Interpretation, Reading
from votetrail.core.audit.evidence_check import card_votes, valid_choices
from votetrail.core.audit.ranked_reading import reading_preferences
from votetrail.core.audit.sampler import Ticket, sample
from votetrail.core.audit.types import Decision
from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.rcv.raire_assertions import IrvAssertion
from votetrail.core.tally.tabulate import merge
from votetrail.errors import InvalidInput
from votetrail.formats.audit.inputs import ComparedCard, PolledBallot
from votetrail.formats.cvr.manifest import locate
from votetrail.services.audit.access import Refused, audit_row, guarded, require_state_admin
from votetrail.services.audit.irv import irv_assertions, irv_contest, ranked_definitions
from votetrail.services.audit.launch import launch_problems
from votetrail.services.audit.reads import current_round, round_closed
from votetrail.services.audit.rounds import Method, sample_sizes
from votetrail.services.audit.seed import required_seed
from votetrail.services.audit.setup import AuditMethod, Status, audit_contests, audit_counties
from votetrail.services.context import App
from votetrail.services.counting.results import results, sampling_frame
from votetrail.services.unit_of_work import UnitOfWork, unit_of_work
from votetrail.store.models import AUDIT_DRAWS, AUDIT_ROUNDS, AUDITS

PHANTOM = "phantom"
QUANTILES = (0.7, 0.8, 0.9)
"""Chances of finishing in the round for which sizes are offered (as Arlo offers them)."""


@dataclass(frozen=True)
class Frame:
    ballot_ids: list[str]

    @property
    def sha256(self) -> str:
        return hashlib.sha256("\n".join(self.ballot_ids).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SizeOffer:
    """A round size the engine offers and its chance of finishing the audit in that round.

    ``chance`` None: the size finishes the audit if the sample finds no
    discrepancy (the comparison formula), as ``basis`` says.
    """

    size: int
    chance: float | None
    basis: str


@dataclass(frozen=True)
class DrawnRound:
    round_id: str
    number: int
    tickets: list[Ticket]
    per_county: dict[str, int]
    frame_size: int


def frame_of(app: App, counties: list[str]) -> Frame:
    """Every county's current ballots then its phantoms, counties in id order."""
    ids: list[str] = []
    for county in sorted(counties):
        frame = sampling_frame(app, county)
        ids.extend(frame.ballot_ids)
        ids.extend(f"{county}:{phantom}" for phantom in frame.phantom_ids)
    return Frame(ids)


def audit_frame(app: App, audit_id: str) -> Frame:
    with app.engine.connect() as conn:
        audit_row(conn, audit_id)
        counties = audit_counties(conn, audit_id)
    return frame_of(app, counties)


def offered_sizes(app: App, audit_id: str) -> list[SizeOffer]:
    """The engine's sizes for the next round, from the targeted contests' reported totals.

    Before any round is closed the sizes are those of a first round; from
    round 2 on they take in what the boards found in the closed rounds (the
    formulas' ``compared``/``polled`` samples), so a discrepancy raises them.
    Every targeted contest is audited with the one sample, so a size is the
    largest any assertion needs.
    """
    from votetrail.services.audit import batch_rounds  # it imports this module

    if batch_rounds.is_batch_audit(app, audit_id):
        return batch_rounds.offered_sizes(app, audit_id)
    with app.engine.connect() as conn:
        audit = audit_row(conn, audit_id)
        targeted = audit_contests(conn, audit_id, "targeted")
        counties = audit_counties(conn, audit_id)
        closed = conn.execute(
            select(AUDIT_ROUNDS.c.id).where(AUDIT_ROUNDS.c.audit_id == audit_id)
        ).scalars()
        any_closed = any(round_closed(conn, str(r)) for r in closed)
    frame = frame_of(app, counties)
    ranked = ranked_definitions(app, counties)
    irv = [name for name in targeted if name in ranked]
    targeted = [name for name in targeted if name not in ranked]
    totals = {r.name: r for r in merge({c: results(app, c) for c in counties})}
    contests = [
        Contest(
            id=name,
            votes=dict(totals[name].tally),
            ballots=len(frame.ballot_ids),
            vote_for=totals[name].votes_allowed,
            kind=ContestKind.PLURALITY
            if totals[name].votes_allowed == 1
            else ContestKind.VOTE_FOR_N,
        )
        for name in targeted
    ]
    assertions = _irv_assertions(app, counties, irv, len(frame.ballot_ids))
    contests += [assertion_contest(a) for a in assertions]
    limit = float(audit.risk_limit)
    seen = _seen_so_far(app, audit_id, contests, assertions) if any_closed else _Seen((), ())
    if audit.method == AuditMethod.BALLOT_POLLING:
        return [
            SizeOffer(
                _largest(contests, Method.BRAVO, limit, q, seen=seen), q, "BRAVO, exact binomial"
            )
            for q in QUANTILES
        ]
    if audit.method == AuditMethod.BALLOT_COMPARISON:
        offers = [
            SizeOffer(
                _largest(contests, Method.COMPARISON, limit, 0.9, seen=seen),
                None,
                "Kaplan-Markov",
            )
        ]
        rates = (0.001, 0.0, 0.001, 0.0)
        offers += [
            SizeOffer(
                _largest(contests, Method.ALPHA_COMPARISON, limit, q, rates, seen),
                q,
                "ALPHA simulation, 1 in 1,000 one-vote discrepancies",
            )
            for q in QUANTILES
        ]
        return offers
    raise InvalidInput(
        "sizes are not offered for batch comparison yet; choose a size", where=audit_id
    )


@dataclass(frozen=True)
class _Seen:
    """The closed rounds' sample as the size formulas take it (every ticket, draw order)."""

    compared: tuple[ComparedCard, ...]
    polled: tuple[PolledBallot, ...]


def _irv_assertions(
    app: App, counties: list[str], contests: list[str], frame_size: int
) -> list[IrvAssertion]:
    with app.engine.connect() as conn:
        found = [irv_contest(app, conn, counties, name) for name in contests]
    return [a for c in found for a in irv_assertions(c, frame_size).assertions]


def assertion_contest(assertion: IrvAssertion) -> Contest:
    """A RAIRE assertion sized as the two-candidate plurality contest with its tallies.

    Its diluted margin is the assertion's, and a card's pair overstatement
    (winner, loser) equals the assertion's overstatement when the card counts
    for the winner, the loser or neither as the assorter scores it (1, 0, 1/2),
    so the plurality size formulas size the assertion unchanged.
    """
    return Contest(
        id=assertion.id,
        votes={assertion.winner: assertion.winner_tally, assertion.loser: assertion.loser_tally},
        ballots=assertion.ballots,
        vote_for=1,
        kind=ContestKind.PLURALITY,
    )


def _assorted(assertion: IrvAssertion, prefs: Sequence[str] | None) -> CardVotes:
    if prefs is None:
        return ABSENT
    value = assertion.assort(prefs)
    if value == 1.0:
        return votes_for(assertion.winner)
    return votes_for(assertion.loser) if value == 0.0 else votes_for()


def _seen_so_far(
    app: App, audit_id: str, contests: list[Contest], assertions: Sequence[IrvAssertion] = ()
) -> _Seen:
    """Round 2 onwards: what the boards found in the closed rounds, read from the evidence.

    The evidence is the published package (``public.evidence_of``), so the
    sizes offered continue from exactly the readings observers can check.
    """
    from votetrail.services.audit.public import evidence_of  # public imports this module

    evidence = evidence_of(app, audit_id)
    lookup = {(i.ballot_id, i.contest_id): i for i in evidence.interpretations}
    sized = {a.id for a in assertions}
    compared: list[ComparedCard] = []
    polled: list[PolledBallot] = []
    for draw in evidence.sample:
        votes: dict[str, frozenset[str]] = {}
        for contest in contests:
            if contest.id in sized:
                continue  # an assertion's stand-in: its cards follow
            cvr, paper = _pair(lookup.get((draw.ballot_id, contest.id)))
            compared.append(
                ComparedCard(
                    draw.ballot_id,
                    contest.id,
                    card_votes(cvr, contest.vote_for),
                    card_votes(paper, contest.vote_for),
                )
            )
            votes[contest.id] = valid_choices(paper, contest.vote_for)
        for assertion in assertions:
            cvr, paper = _pair(lookup.get((draw.ballot_id, assertion.contest_id)))
            compared.append(
                ComparedCard(
                    draw.ballot_id,
                    assertion.id,
                    _assorted(assertion, reading_preferences(cvr)),
                    _assorted(assertion, reading_preferences(paper)),
                )
            )
        polled.append(PolledBallot(draw.ballot_id, votes))
    return _Seen(tuple(compared), tuple(polled))


def _pair(found: Interpretation | None) -> tuple[Reading, Reading]:
    """A card's CVR and paper readings; ``not_found`` (the worst case) where there is none."""
    worst = Reading(mark=NOT_FOUND)
    cvr = worst if found is None or found.cvr is None else found.cvr
    return cvr, worst if found is None else found.audited


def _largest(
    contests: list[Contest],
    method: Method,
    limit: float,
    quantile: float,
    rates: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
    seen: _Seen = _Seen((), ()),
) -> int:
    sizes = sample_sizes(
        contests,
        method,
        limit,
        quantile=quantile,
        error_rates=rates,
        compared=seen.compared,
        polled=seen.polled,
    )
    return max(1, max(s.size for s in sizes))


def _place(ticket: Ticket, counties: list[str]) -> dict[str, object]:
    """Where the ballot of a ticket is kept; a phantom has no paper, only its device."""
    county, _, rest = ticket.id.partition(":")
    if county in counties and rest.startswith(PHANTOM + ":"):
        tabulator, _, k = rest.removeprefix(PHANTOM + ":").rpartition(":")
        return {
            "jurisdiction_id": county,
            "container": None,
            "tabulator": tabulator or None,
            "batch": PHANTOM,
            "position": int(k),
            "phantom": True,
        }
    place = locate(ticket.id)
    return {
        "jurisdiction_id": place.jurisdiction,
        "container": place.container,
        "tabulator": place.tabulator,
        "batch": place.batch,
        "position": place.position,
        "phantom": False,
    }


def record_round(
    uow: UnitOfWork,
    state: str,
    round_id: str,
    size: int,
    per_county: dict[str, int],
    frame: Sequence[str],
    frame_sha256: str,
) -> None:
    """Store and log a round's row (``audit.round_drawn``); its draws are logged by the caller."""
    audit_id, _, number = round_id.rpartition("-round-")
    uow.conn.execute(
        insert(AUDIT_ROUNDS).values(
            id=round_id,
            audit_id=audit_id,
            number=int(number),
            sample_size=size,
            per_county=json.dumps(per_county, sort_keys=True),
            frame_size=len(frame),
            frame_sha256=frame_sha256,
            drawn_at=iso_utc(uow.app.clock()),
            drawn_by=uow.actor,
        )
    )
    uow.record("audit.round_drawn", round_id, state)


def draw_round(app: App, principal: Principal, audit_id: str, size: int) -> DrawnRound:
    """Draw the next round's ``size`` tickets and log the round and every draw together."""
    from votetrail.services.audit import batch_rounds  # it imports this module

    if batch_rounds.is_batch_audit(app, audit_id):
        return batch_rounds.draw_round(app, principal, audit_id, size)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidInput("must be a whole number of at least 1", where=f"sample size {size!r}")
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        conn = uow.conn
        state = require_state_admin(conn, principal, f"draw a sample of {audit_id}")
        audit = audit_row(conn, audit_id)
        seed = required_seed(conn, state, audit_id)
        problems = launch_problems(app, audit_id)
        if problems:
            raise Refused(
                state,
                f"draw a sample of {audit_id} while it cannot be launched",
                f"{audit_id} cannot be launched: " + "; ".join(problems),
            )
        if audit.status in (Decision.CONFIRMED.value, Decision.FULL_HAND_COUNT.value):
            raise Refused(
                state,
                f"draw a sample of {audit_id} after it ended",
                f"{audit_id} is over ({audit.status}); no more rounds are drawn",
            )
        latest = current_round(conn, audit_id)
        if latest is not None and not round_closed(conn, str(latest.id)):
            raise Refused(
                state,
                f"draw a round of {audit_id} while round {latest.number} is open",
                f"{audit_id}: round {latest.number} is still open; close it before drawing another",
            )
        counties = audit_counties(conn, audit_id)
        rounds = conn.execute(
            select(AUDIT_ROUNDS.c.number, AUDIT_ROUNDS.c.sample_size, AUDIT_ROUNDS.c.frame_sha256)
            .where(AUDIT_ROUNDS.c.audit_id == audit_id)
            .order_by(AUDIT_ROUNDS.c.number)
        ).all()
        frame = frame_of(app, counties)
        if rounds and rounds[0].frame_sha256 != frame.sha256:
            raise InvalidInput(
                "the sampling frame changed since round 1 (a county's manifest, CVRs or paper "
                "counts were replaced), so a new round would not continue round 1's sample",
                where=audit_id,
            )
        before = sum(int(r.sample_size) for r in rounds)
        tickets = sample(
            frame.ballot_ids, str(seed.seed), before + size, with_replacement=audit.with_replacement
        )[before:]
        number = len(rounds) + 1
        round_id = f"{audit_id}-round-{number}"
        per_county = dict.fromkeys(counties, 0)
        places = [_place(t, counties) for t in tickets]
        for place in places:
            per_county[str(place["jurisdiction_id"])] += 1
        record_round(uow, state, round_id, size, per_county, frame.ballot_ids, frame.sha256)
        for offset, (ticket, place) in enumerate(zip(tickets, places, strict=True), start=1):
            draw_id = f"{audit_id}-draw-{before + offset}"
            conn.execute(
                insert(AUDIT_DRAWS).values(
                    id=draw_id,
                    round_id=round_id,
                    draw_number=before + offset,
                    ticket_number=ticket.ticket,
                    generation=ticket.generation,
                    ballot_id=ticket.id,
                    **place,
                )
            )
            uow.record("audit.ballot_drawn", draw_id, str(place["jurisdiction_id"]))
        if audit.status != Status.SAMPLING:
            conn.execute(
                update(AUDITS).where(AUDITS.c.id == audit_id).values(status=Status.SAMPLING.value)
            )
            uow.record("audit.status_changed", audit_id, state)
    return DrawnRound(round_id, number, tickets, per_county, len(frame.ballot_ids))
