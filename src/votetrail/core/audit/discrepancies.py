"""Where the paper and the count disagree: the discrepancies of a comparison audit.

A discrepancy is a sampled ballot and contest whose audited reading differs
from its CVR. Its size is scored exactly as the risk is (``evidence_check``):
the overstatement of the winner's margin in votes, the largest over the
contest's winner-loser pairs (an IRV contest's: over its RAIRE assertions),
so the number printed in the report is the one that moved the risk. A
reading that differs but moves no margin (say a blank read as an overvote) is
still listed, with overstatement 0: the report names every disagreement, not
only the ones that count.
"""

from __future__ import annotations

from dataclasses import dataclass

from votetrail.core.audit import comparison
from votetrail.core.audit.assertions import assertions
from votetrail.core.audit.evidence import Evidence
from votetrail.core.audit.evidence_check import card_votes, contests_of
from votetrail.core.audit.ranked_reading import reading_preferences


@dataclass(frozen=True)
class Discrepancy:
    round: int
    ballot_id: str
    contest_id: str
    cvr: str
    audited: str
    overstatement: int  # votes the CVR overstated the winner's margin (max over pairs)


def find_discrepancies(evidence: Evidence) -> list[Discrepancy]:
    """Every (ballot, contest) whose reading differs from its CVR, in draw order.

    Empty for ballot polling (no CVRs) and for contests that cannot be audited
    as published (the checker names those).
    """
    contests, _ = contests_of(evidence.contests)
    pairs = {c.id: assertions(c) for c in contests}
    vote_for = {c.id: c.vote_for for c in contests}
    readings = {(i.ballot_id, i.contest_id): i for i in evidence.interpretations}
    first_round: dict[str, int] = {}
    for draw in evidence.sample:
        first_round.setdefault(draw.ballot_id, draw.round)
    out: list[Discrepancy] = []
    for ballot, number in first_round.items():
        for contest in contests:
            found = readings.get((ballot, contest.id))
            if found is None or found.cvr is None or str(found.cvr) == str(found.audited):
                continue
            cvr = card_votes(found.cvr, vote_for[contest.id])
            paper = card_votes(found.audited, vote_for[contest.id])
            overstatement = max(
                (
                    comparison.pair_overstatement(
                        cvr, paper, winner=a.winner, loser=a.loser, card_style=False
                    )
                    for a in pairs[contest.id]
                    if a.loser is not None
                ),
                default=0,
            )
            out.append(
                Discrepancy(
                    number, ballot, contest.id, str(found.cvr), str(found.audited), overstatement
                )
            )
        for record in evidence.contests:
            found = readings.get((ballot, record.id))
            if record.irv_assertions is None or found is None or found.cvr is None:
                continue
            if str(found.cvr) == str(found.audited):
                continue
            cvr_prefs = reading_preferences(found.cvr)
            paper_prefs = reading_preferences(found.audited)
            overstatement = max(
                (a.overstatement(cvr_prefs, paper_prefs) for a in record.irv_assertions),
                default=0,
            )
            out.append(
                Discrepancy(
                    number, ballot, record.id, str(found.cvr), str(found.audited), overstatement
                )
            )
    return out
