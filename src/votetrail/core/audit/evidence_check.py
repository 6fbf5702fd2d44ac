"""Recompute an audit from its public evidence and name every way the published record differs.

This is what lets an observer trust the audit without trusting the office:
the sample is re-drawn with the same consistent sampler ``votetrail audit
sample`` uses, from the published frame and seed, and the risk of every
contest in every round is re-measured from the published interpretations with
the same statistics ``votetrail audit risk`` uses (Kaplan–Markov for ballot
comparison, BRAVO for ballot polling). Each difference is one sentence naming
the round, contest or ballot, so a journalist can quote it.

Rules a package could otherwise bend:

* every distinct sampled ballot needs one interpretation per contest; a
  missing one counts as ``not_found`` (the worst case) and is itself a
  difference, so leaving out an awkward ballot never lowers the risk;
* ``not_found`` (a ballot not retrieved, or a phantom drawn from the frame)
  is a two-vote overstatement in comparison and a vote for the loser of every
  pair in polling;
* an interpretation of a ballot that was never drawn is a difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from votetrail.core.audit import comparison, irv_check, polling
from votetrail.core.audit.assertions import Assertion, Contest, ContestKind, assertions
from votetrail.core.audit.batch_evidence import recheck_batches
from votetrail.core.audit.evidence import (
    NOT_FOUND,
    AuditMethod,
    Draw,
    Evidence,
    EvidenceContest,
    EvidenceRound,
    Interpretation,
    Reading,
)
from votetrail.core.audit.sampler import sample
from votetrail.core.audit.types import RiskLimit
from votetrail.errors import InvalidInput

RISK_TOLERANCE = 1e-9
"""Relative difference allowed between a published and a recomputed risk (float printing)."""

_WORST = Reading(mark=NOT_FOUND)


@dataclass(frozen=True)
class CheckResult:
    """The differences found (empty: the evidence holds) and what was recomputed."""

    differences: list[str]
    draws: int
    rounds: int
    final_risk: dict[str, float]
    final_decision: dict[str, str]
    assertion_risk: dict[str, dict[str, float]] = field(default_factory=dict)
    """IRV contest -> each RAIRE assertion's recomputed risk after the last round."""


def check_evidence(evidence: Evidence) -> CheckResult:
    """Every difference between the published audit and its recomputation, in order."""
    if evidence.method is AuditMethod.BATCH_COMPARISON:
        return _check_batches(evidence)
    differences: list[str] = []
    rounds = sorted(evidence.rounds, key=lambda r: r.round)
    differences += _check_round_numbers(evidence)
    differences += sample_differences(evidence)
    lookup, coverage = _index_interpretations(evidence)
    differences += coverage
    contests, contest_problems = contests_of(evidence.contests)
    differences += contest_problems
    for published in evidence.contests:
        if published.irv_assertions is not None:
            differences += irv_check.proof_gaps(published)
    if not evidence.contests:
        differences.append("audit.json lists no contests, so there is no outcome to confirm")
    final_risk: dict[str, float] = {}
    final_decision: dict[str, str] = {}
    for record in rounds:
        measured = round_measures(evidence, contests, lookup, record.round)
        for contest_id, (risk, decision) in measured.items():
            final_risk[contest_id], final_decision[contest_id] = risk, decision
            differences += _compare(record.round, contest_id, risk, decision, record)
        for extra in sorted(set(record.risk) - {c.id for c in evidence.contests}):
            differences.append(
                f"round {record.round}: audit.json gives a risk for contest {extra!r}, "
                "which is not among the audit's contests"
            )
    assertion_risk: dict[str, dict[str, float]] = {}
    if rounds:
        last = rounds[-1].round
        for published in evidence.contests:
            if published.irv_assertions is not None:
                readings = irv_readings(evidence, published.id, lookup, last)
                assertion_risk[published.id] = irv_check.assertion_risks(
                    evidence.method, published, readings
                )
    return CheckResult(
        differences, len(evidence.sample), len(rounds), final_risk, final_decision, assertion_risk
    )


_missing = Interpretation("", "", _WORST, _WORST)


def _check_batches(evidence: Evidence) -> CheckResult:
    """Batch comparison: PPEB re-drawn and MACRO re-measured from ``batches.csv``."""
    recheck = recheck_batches(evidence)
    differences = _check_round_numbers(evidence) + recheck.differences
    if not evidence.contests:
        differences.append("audit.json lists no contests, so there is no outcome to confirm")
    final_risk: dict[str, float] = {}
    final_decision: dict[str, str] = {}
    for record in sorted(evidence.rounds, key=lambda r: r.round):
        for contest, (risk, decision) in recheck.rounds.get(record.round, {}).items():
            final_risk[contest], final_decision[contest] = risk, decision
            differences += _compare(record.round, contest, risk, decision, record)
    return CheckResult(
        differences, len(evidence.sample), len(recheck.rounds), final_risk, final_decision
    )


def round_measures(
    evidence: Evidence,
    contests: Sequence[Contest],
    lookup: dict[tuple[str, str], Interpretation],
    number: int,
) -> dict[str, tuple[float, str]]:
    """Each contest's risk and decision after round ``number`` (every draw through it).

    The one computation both the office (closing a round) and an observer
    (checking evidence.zip) run, so a published risk always recomputes.
    """
    drawn = [d for d in evidence.sample if d.round <= number]
    out: dict[str, tuple[float, str]] = {}
    for contest in contests:
        readings = [lookup.get((d.ballot_id, contest.id), _missing) for d in drawn]
        risk = contest_risk(evidence.method, contest, readings)
        out[contest.id] = (risk, decide(risk, evidence, drawn))
    for record in evidence.contests:
        if record.irv_assertions is not None:
            risk = irv_check.contest_risk(
                evidence.method, record, irv_readings(evidence, record.id, lookup, number)
            )
            out[record.id] = (risk, decide(risk, evidence, drawn))
    return out


def irv_readings(
    evidence: Evidence,
    contest_id: str,
    lookup: dict[tuple[str, str], Interpretation],
    number: int,
) -> list[Interpretation]:
    """An IRV contest's interpretations of every draw through round ``number``, in draw order
    (a missing one is ``not_found``, the worst case)."""
    drawn = [d for d in evidence.sample if d.round <= number]
    return [lookup.get((d.ballot_id, contest_id), _missing) for d in drawn]


def _check_round_numbers(evidence: Evidence) -> list[str]:
    out: list[str] = []
    numbers = [r.round for r in sorted(evidence.rounds, key=lambda r: r.round)]
    if numbers != list(range(1, len(numbers) + 1)):
        out.append(f"audit.json numbers its rounds {numbers}, not 1, 2, 3, ...")
    sizes = [r.sample_size for r in sorted(evidence.rounds, key=lambda r: r.round)]
    for before, after, number in zip(sizes, sizes[1:], numbers[1:], strict=False):
        if after < before:
            out.append(
                f"round {number}: sample_size {after} is smaller than the previous round's "
                f"{before}; sample sizes count every draw so far"
            )
    return out


def sample_differences(evidence: Evidence) -> list[str]:
    """Re-draw the sample round by round and compare it with ``sample.csv`` row by row."""
    rounds = sorted(evidence.rounds, key=lambda r: r.round)
    final = max((r.sample_size for r in rounds), default=0)
    try:
        tickets = sample(
            evidence.frame, evidence.seed, final, with_replacement=evidence.with_replacement
        )
    except InvalidInput as exc:
        return [f"the sample cannot be drawn from frame.csv: {exc}"]
    expected: list[Draw] = []
    previous = 0
    for record in rounds:
        size = max(record.sample_size, previous)
        expected += [Draw(record.round, t.ticket, t.id) for t in tickets[previous:size]]
        previous = size
    out: list[str] = []
    published = list(evidence.sample)
    for index in range(max(len(expected), len(published))):
        want = expected[index] if index < len(expected) else None
        got = published[index] if index < len(published) else None
        if want == got:
            continue
        row = index + 1
        if got is None and want is not None:
            out.append(
                f"round {want.round}, draw {row}: sample.csv ends, but the seed draws ballot "
                f"{want.ballot_id!r} (ticket {want.ticket_number})"
            )
        elif want is None and got is not None:
            out.append(
                f"round {got.round}, draw {row}: sample.csv has ballot {got.ballot_id!r}, but "
                "the rounds' sample sizes end before this draw"
            )
        elif want is not None and got is not None:
            out.append(
                f"round {got.round}, draw {row}: sample.csv has ballot {got.ballot_id!r} "
                f"(ticket {got.ticket_number}, round {got.round}), but the seed draws ballot "
                f"{want.ballot_id!r} (ticket {want.ticket_number}, round {want.round})"
            )
    return out


def _index_interpretations(
    evidence: Evidence,
) -> tuple[dict[tuple[str, str], Interpretation], list[str]]:
    """Interpretations by (ballot, contest); sampled ballots lacking one, and unsampled extras."""
    lookup = {(i.ballot_id, i.contest_id): i for i in evidence.interpretations}
    out: list[str] = []
    first_round: dict[str, int] = {}
    for draw in evidence.sample:
        first_round.setdefault(draw.ballot_id, draw.round)
    for ballot, number in first_round.items():
        for contest in evidence.contests:
            if (ballot, contest.id) not in lookup:
                out.append(
                    f"round {number}, contest {contest.id!r}: ballot {ballot!r} was sampled but "
                    "interpretations.csv has no reading of it (counted as not_found)"
                )
    for ballot, contest_id in lookup:
        if ballot not in first_round:
            out.append(
                f"contest {contest_id!r}: interpretations.csv reads ballot {ballot!r}, "
                "which sample.csv never draws"
            )
    return lookup, out


def contests_of(records: Sequence[EvidenceContest]) -> tuple[list[Contest], list[str]]:
    """The plurality-style contests (IRV ones are measured by ``irv_check``), and problems."""
    contests: list[Contest] = []
    out: list[str] = []
    for record in records:
        if record.irv_assertions is not None:
            continue  # audited by its RAIRE assertions (irv_check), not as plurality
        try:
            contests.append(
                Contest(
                    id=record.id,
                    votes=record.reported,
                    ballots=record.ballots,
                    vote_for=record.vote_for,
                    kind=ContestKind.PLURALITY if record.vote_for == 1 else ContestKind.VOTE_FOR_N,
                    reported_winners=record.winners,
                )
            )
        except InvalidInput as exc:
            out.append(f"contest {record.id!r}: cannot be audited as published: {exc}")
    return contests, out


def _valid(reading: Reading, vote_for: int) -> frozenset[str]:
    """The valid votes a reading shows: none for blank, overvote, not_found or too many marks."""
    if reading.mark is not None or len(reading.choices) > vote_for:
        return frozenset()
    return reading.choices


def card_votes(reading: Reading | None, vote_for: int) -> comparison.CardVotes:
    """A reading as the comparison statistics score it (not_found: absent, the worst case)."""
    if reading is None or reading.mark == NOT_FOUND:
        return comparison.ABSENT
    return comparison.votes_for(*_valid(reading, vote_for))


def valid_choices(reading: Reading, vote_for: int) -> frozenset[str]:
    """The valid votes a reading shows (none for blank, overvote, not_found, too many marks)."""
    return _valid(reading, vote_for)


def contest_risk(method: AuditMethod, contest: Contest, readings: list[Interpretation]) -> float:
    """The largest risk over the contest's assertions, measured as ``votetrail audit risk`` does."""
    measure: Callable[[Assertion], float]
    if method is AuditMethod.BALLOT_COMPARISON:
        cards = [
            (card_votes(i.cvr, contest.vote_for), card_votes(i.audited, contest.vote_for))
            for i in readings
        ]

        def measure(a: Assertion) -> float:
            assert a.loser is not None
            overs = [
                comparison.pair_overstatement(
                    cvr, paper, winner=a.winner, loser=a.loser, card_style=False
                )
                for cvr, paper in cards
            ]
            found = comparison.count_discrepancies(overs)
            margin = round(a.margin.value, 12)
            return comparison.kaplan_markov_p_value(
                len(overs), margin, o1=found.o1, o2=found.o2, u1=found.u1, u2=found.u2
            )

    else:
        shown = [_valid(i.audited, contest.vote_for) for i in readings]
        lost = sum(1 for i in readings if i.audited.mark == NOT_FOUND)

        def measure(a: Assertion) -> float:
            assert a.loser is not None
            return polling.bravo_risk(
                contest.votes[a.winner],
                contest.votes[a.loser],
                sum(1 for marks in shown if a.winner in marks),
                sum(1 for marks in shown if a.loser in marks) + lost,
            )

    return max(measure(a) for a in assertions(contest))


def decide(risk: float, evidence: Evidence, drawn: list[Draw]) -> str:
    """Confirmed at or below the limit; a full hand count once every frame ballot is drawn."""
    cast = len(evidence.frame)
    sampled = min(len({d.ballot_id for d in drawn}), cast)
    try:
        limit = RiskLimit(evidence.risk_limit)
    except InvalidInput:
        return "undecidable (the risk limit is not between 0 and 1)"
    return polling.decide(risk, limit, ballots_sampled=sampled, ballots_cast=max(cast, 1)).value


def _compare(
    number: int, contest: str, risk: float, decision: str, record: EvidenceRound
) -> list[str]:
    out: list[str] = []
    published = record.risk.get(contest)
    where = f"round {number}, contest {contest!r}"
    if published is None:
        out.append(f"{where}: audit.json gives no risk; the recomputed risk is {risk:.6g}")
    elif not math.isclose(published, risk, rel_tol=RISK_TOLERANCE, abs_tol=1e-15):
        out.append(f"{where}: audit.json gives risk {published!r}, the recomputed risk is {risk!r}")
    said = record.decision.get(contest)
    if said != decision:
        out.append(
            f"{where}: audit.json gives decision {said or 'none'!r}, "
            f"the recomputed decision is {decision!r}"
        )
    return out
