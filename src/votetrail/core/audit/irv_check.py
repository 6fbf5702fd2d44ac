"""An IRV contest in the audit workflow: its assertions' risks, and whether they prove the winner.

The office closing a round and an observer checking ``evidence.zip`` run the
same two functions. The risks come from
``votetrail.core.rcv.raire_audit.comparison_risks`` with the Kaplan–Markov
P-value, the test the workflow uses for plurality contests, so a plurality
and an IRV contest in one audit are measured alike; the contest's risk is the
largest of its assertions'. The proof check is what makes the published
assertions worth auditing: together they must rule out every elimination
order in which a candidate other than the reported winner wins, or
confirming them proves nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from votetrail.core.audit.evidence import AuditMethod, EvidenceContest, Interpretation
from votetrail.core.audit.ranked_reading import reading_preferences
from votetrail.core.rcv.raire_assertions import Effect, IrvAssertion
from votetrail.core.rcv.raire_audit import Card, comparison_risks

MAX_CANDIDATES_CHECKED = 12
"""Beyond this many candidates the proof check could take too long and is refused."""


def assertion_risks(
    method: AuditMethod, contest: EvidenceContest, readings: Sequence[Interpretation]
) -> dict[str, float]:
    """Each assertion's risk from the sampled cards' CVR and paper rankings, in draw order.

    Only ballot comparison audits IRV contests; for any other method every
    assertion keeps risk 1 (nothing is confirmed).
    """
    assertions = contest.irv_assertions or ()
    if method is not AuditMethod.BALLOT_COMPARISON:
        return {a.id: 1.0 for a in assertions}
    cards: list[Card] = [
        (reading_preferences(i.cvr), reading_preferences(i.audited)) for i in readings
    ]
    return comparison_risks(assertions, cards, method="kaplan_markov")


def contest_risk(
    method: AuditMethod, contest: EvidenceContest, readings: Sequence[Interpretation]
) -> float:
    """The contest's risk: its largest assertion risk (0 when no assertion is needed)."""
    return max(assertion_risks(method, contest, readings).values(), default=0.0)


def proof_gaps(contest: EvidenceContest) -> list[str]:
    """Sentences naming what the published assertions fail to prove; empty when they hold."""
    assertions = contest.irv_assertions or ()
    where = f"contest {contest.id!r}"
    if len(contest.winners) != 1:
        return [f"{where}: an IRV contest names exactly one reported winner"]
    winner = contest.winners[0]
    candidates = list(contest.reported)
    out: list[str] = []
    for assertion in assertions:
        if assertion.contest_id != contest.id:
            out.append(f"{where}: assertion {assertion.id!r} is about another contest")
        for name in (assertion.winner, assertion.loser, *assertion.continuing):
            if name not in candidates:
                out.append(f"{where}: assertion {assertion.id!r} names {name!r}, not a candidate")
        if assertion.ballots != contest.ballots:
            out.append(
                f"{where}: assertion {assertion.id!r} is measured over {assertion.ballots} "
                f"cards, but the contest's frame has {contest.ballots}"
            )
    if out:
        return out
    if len(candidates) > MAX_CANDIDATES_CHECKED:
        return [
            f"{where}: {len(candidates)} candidates are more than the {MAX_CANDIDATES_CHECKED} "
            "whose elimination orders are checked"
        ]
    for name in candidates:
        if name != winner and not _ruled_out((name,), assertions, candidates):
            out.append(
                f"{where}: the assertions do not rule out {name!r} winning, so confirming "
                f"them would not prove {winner!r} won"
            )
    return out


def _ruled_out(
    suffix: tuple[str, ...], assertions: Sequence[IrvAssertion], names: list[str]
) -> bool:
    """Whether every elimination order ending in ``suffix`` is ruled out by some assertion."""
    if any(a.effect(suffix) is Effect.RULED_OUT for a in assertions):
        return True
    if len(suffix) == len(names):
        return False
    return all(
        _ruled_out((name, *suffix), assertions, names) for name in names if name not in suffix
    )
