"""Batch-comparison (MACRO) audits from files: the draw, the first round's size, the risk.

This joins ``core/audit/batch.py`` and ``core/audit/ppeb.py`` to the files of
``formats/audit/batches.py``, as ``rounds.py`` does for ballot-level audits.
The contests file says which contests are audited, their reported totals and
how many win; rows of the batch files for other contests are left out, so one
export of every contest serves any audit. Every error found here names the
file and line the batch came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from votetrail.core.audit.assertions import Contest, ContestKind
from votetrail.core.audit.batch import (
    BatchContest,
    BatchElection,
    HandCount,
    macro_p_value,
    macro_sample_size,
)
from votetrail.core.audit.ppeb import ppeb_sample
from votetrail.core.audit.types import Decision, RiskLimit, Seed
from votetrail.errors import InvalidInput
from votetrail.formats.audit.batches import BatchKey, HandTallies, ReportedBatches


def batch_id(key: BatchKey) -> str:
    """``county:batch``, with ``%`` and ``:`` in names escaped so no two batches share an id."""
    return ":".join(part.replace("%", "%25").replace(":", "%3A") for part in key)


@dataclass(frozen=True)
class BatchAudit:
    """The audited contests over the reported batches, and each batch's id back to its key."""

    election: BatchElection
    keys: dict[str, BatchKey]
    reported: ReportedBatches


def batch_audit(contests: Sequence[Contest], reported: ReportedBatches) -> BatchAudit:
    """Check the batches add up to the contests' totals and weigh every batch (u_p)."""
    audited: list[BatchContest] = []
    for contest in contests:
        if contest.kind not in (ContestKind.PLURALITY, ContestKind.VOTE_FOR_N):
            raise InvalidInput(
                f"a {contest.kind.value} contest cannot be audited by batch comparison (MACRO)",
                where=f"contest {contest.id!r}",
            )
        audited.append(BatchContest(contest.id, dict(contest.votes), contest.vote_for))
    names = {contest.id for contest in contests}
    keys = {batch_id(key): key for key in reported.tallies}
    batches = {
        bid: {name: tally for name, tally in reported.tallies[key].items() if name in names}
        for bid, key in keys.items()
    }
    try:
        election = BatchElection(tuple(audited), batches)
    except InvalidInput as exc:
        raise InvalidInput(str(exc), where=str(reported.path)) from None
    return BatchAudit(election, keys, reported)


@dataclass(frozen=True, slots=True)
class SampledBatch:
    """One draw; generation > 1 means the batch was drawn before (sampling with replacement)."""

    draw: int
    ticket_number: str
    county: str
    batch: str
    generation: int
    error_bound: float
    probability: float


def draw_batches(audit: BatchAudit, seed: Seed | str, size: int) -> list[SampledBatch]:
    """PPEB draws over the batches sorted by (county, batch), so file order does not matter."""
    order = sorted(audit.keys, key=lambda bid: audit.keys[bid])
    total = audit.election.total_error_bound
    out = []
    for draw in ppeb_sample(audit.election, order, seed, size):
        county, batch = audit.keys[draw.batch_id]
        bound = audit.election.error_bounds[draw.batch_id]
        out.append(
            SampledBatch(
                draw.draw, draw.ticket, county, batch, draw.generation, bound, bound / total
            )
        )
    return out


@dataclass(frozen=True)
class BatchRoundSize:
    """Draws to confirm every contest if no drawn batch has an error, and what there is to draw."""

    draws: int
    batches: int
    total_error_bound: float
    hand_count_instead: bool


def batch_sample_size(audit: BatchAudit, risk_limit: float) -> BatchRoundSize:
    """The first round's draws; more draws than batches to weigh means count by hand instead."""
    draws = macro_sample_size(audit.election, risk_limit)
    weighed = sum(1 for bound in audit.election.error_bounds.values() if bound > 0)
    return BatchRoundSize(draws, weighed, audit.election.total_error_bound, draws > weighed)


@dataclass(frozen=True)
class ContestRisk:
    contest: str
    winners: str
    risk: float
    decision: Decision


@dataclass(frozen=True)
class BatchRiskReport:
    risks: list[ContestRisk]
    max_risk: float
    decision: Decision
    draws: int
    draws_counted: int
    batches_counted: int


def _counted(audit: BatchAudit, tallies: HandTallies) -> dict[str, HandCount | None]:
    """Hand counts by batch id, checked against the reported batches with the tally's line."""
    totals = {contest.name: contest.totals for contest in audit.election.contests}
    counted: dict[str, HandCount | None] = {}
    for key, count in tallies.counts.items():
        where = f"{tallies.path}, line {tallies.lines[key]}"
        bid = batch_id(key)
        if bid not in audit.keys:
            raise InvalidInput(
                f"batch {key[1]!r} of county {key[0]!r} is not in the reported batch tallies "
                f"{audit.reported.path}",
                where=f"{where}, field 'Batch'",
            )
        if count is None:
            counted[bid] = None
            continue
        carried = audit.election.batches[bid]
        hand: dict[str, dict[str, int]] = {}
        for name in carried:
            if name not in count:
                raise InvalidInput(
                    f"batch {key[1]!r} of county {key[0]!r} carries contest {name!r} but the "
                    "hand tally has no row for it",
                    where=where,
                )
            unknown = sorted(set(count[name]) - set(totals[name]))
            if unknown:
                raise InvalidInput(
                    f"{unknown[0]!r} is not a choice in contest {name!r}",
                    where=f"{where}, field 'Choice'",
                )
            hand[name] = count[name]
        counted[bid] = hand
    return counted


def measure_batch_risk(
    audit: BatchAudit,
    draws: Sequence[tuple[int, BatchKey]],
    draws_path: Path,
    tallies: HandTallies,
    risk_limit: float,
) -> BatchRiskReport:
    """Each contest's MACRO risk over the draws counted so far, and what the audit does next.

    The draws are used in order up to the first whose batch has no hand tally
    yet: which draws count is then fixed by the draw order, never by which
    counts came in, so the test stays valid while counties are still counting.
    """
    alpha = RiskLimit(risk_limit).value
    counted = _counted(audit, tallies)
    ids: list[str] = []
    for line, key in draws:
        bid = batch_id(key)
        where = f"{draws_path}, line {line}"
        if bid not in audit.keys:
            raise InvalidInput(
                f"batch {key[1]!r} of county {key[0]!r} is not in the reported batch tallies "
                f"{audit.reported.path}",
                where=f"{where}, field 'batch'",
            )
        if audit.election.error_bounds[bid] == 0:
            raise InvalidInput(
                "carries no audited contest, so PPEB cannot have drawn it", where=where
            )
        ids.append(bid)
    drawn = set(ids)
    for key, line in tallies.lines.items():
        if batch_id(key) not in drawn:
            raise InvalidInput(
                f"batch {key[1]!r} of county {key[0]!r} was not drawn in {draws_path}",
                where=f"{tallies.path}, line {line}, field 'Batch'",
            )
    prefix = next((i for i, bid in enumerate(ids) if bid not in counted), len(ids))
    weighed = {bid for bid, bound in audit.election.error_bounds.items() if bound > 0}
    every_batch_counted = weighed <= set(counted)
    risks = []
    for contest in audit.election.contests:
        risk = macro_p_value(audit.election, ids[:prefix], counted, contest_name=contest.name)
        if risk <= alpha:
            decision = Decision.CONFIRMED
        elif every_batch_counted:
            decision = Decision.FULL_HAND_COUNT
        else:
            decision = Decision.CONTINUE
        winners = [w for w, _, _ in contest.pairs]
        risks.append(ContestRisk(contest.name, ";".join(dict.fromkeys(winners)), risk, decision))
    decisions = {r.decision for r in risks}
    overall = (
        Decision.CONFIRMED
        if decisions == {Decision.CONFIRMED}
        else Decision.FULL_HAND_COUNT
        if Decision.FULL_HAND_COUNT in decisions
        else Decision.CONTINUE
    )
    return BatchRiskReport(
        risks,
        max(r.risk for r in risks),
        overall,
        draws=len(ids),
        draws_counted=prefix,
        batches_counted=len(counted),
    )
