"""Ranked-choice contests in CVR files: read as ranks, never counted as plurality.

API (issue 17); every reader in ``formats/cvr`` reads ranked contests:

* :class:`~votetrail.core.tally.records.ContestDefinition` has ``ranks: int | None``:
  ``None`` for a plurality contest; for a ranked-choice contest the number of
  ranks the file gives a voter (``NumOfRanks``, ``Number of ranks=N``, Hart's
  digits per ``Value``, Clear Ballot's highest heading rank, NIST's highest
  ``Rank``), and ``.ranked`` says which. ``votes_allowed`` stays the seats
  (``VoteFor`` / ``Number of positions`` / ``Number of Winners``).
* :class:`~votetrail.core.tally.records.CastVoteRecord` has ``ranks``: ranked
  contest on the card -> ``RankedBallot.ranks`` shape (a tuple per rank of the
  candidates marked at it, ``()`` for a skipped rank, trailing empty ranks
  dropped, :data:`~votetrail.core.rcv.ballots.OVERVOTE` for a file's own
  overvote word). ``marks`` holds plurality contests only.
* ``open_cvr_file(path)`` (``formats/cvr/read.py``) gives ``.contests`` with both
  kinds; ``records()`` fill both ``marks`` and ``ranks``. :func:`ranked_ballot`
  turns one record's contest into a ``RankedBallot``. Hart exports whose ranked
  contest has one digit per ``Value`` need ``open_hart_cvr(path,
  ranked_contests=[name])`` (the export alone cannot say it is ranked).
* Stored CVRs: ``services/rcv/ballots.py`` ``ranked_contests(app, county)`` and
  ``ranked_ballots(app, county, contest)`` (county None: statewide).

A reader that meets a ranked layout it cannot read still refuses the file with
a sentence naming the contest (:func:`refuse_ranked`): nothing is ever counted
wrong in silence.
"""

from __future__ import annotations

from collections.abc import Iterable

from votetrail.core.rcv.ballots import RankedBallot
from votetrail.core.tally.records import CastVoteRecord
from votetrail.errors import InvalidInput

CANNOT_READ = "votetrail cannot read this file's rankings"


def ranking(marked: Iterable[tuple[int, str]]) -> tuple[tuple[str, ...], ...]:
    """``(rank, choice)`` pairs as ``RankedBallot.ranks``: per rank in file order, no trailing gap.

    A choice marked twice at one rank is one mark (a file may list a position
    twice); at two ranks it stays a duplicate for the rules to judge.
    """
    by_rank: dict[int, list[str]] = {}
    for rank, choice in marked:
        at = by_rank.setdefault(rank, [])
        if choice not in at:
            at.append(choice)
    last = max(by_rank, default=0)
    return tuple(tuple(by_rank.get(rank, ())) for rank in range(1, last + 1))


def check_rank(rank: int, ranks: int, contest: str, where: str, field: str) -> int:
    """``rank`` if it is one of the contest's ranks, else a refusal naming contest and field."""
    if not 1 <= rank <= ranks:
        raise InvalidInput(
            f"rank {rank} is not one of the ranks of contest {contest!r} (1 to {ranks})",
            where=f"{where}, field {field!r}",
        )
    return rank


def refuse_ranked(contest: str, evidence: str, why: str, where: str) -> InvalidInput:
    """The refusal of a ranked contest laid out in a way the reader cannot read: never guessed."""
    return InvalidInput(
        f"contest {contest!r} is ranked-choice ({evidence}), but {why}; {CANNOT_READ}, "
        "and counting it any other way would be wrong",
        where=where,
    )


def ranked_ballot(
    record: CastVoteRecord, contest: str, source: str | None = None
) -> RankedBallot | None:
    """One record's ballot in a ranked contest, or None when the contest is not on its card."""
    ranks = record.ranks.get(contest)
    if ranks is None:
        return None
    return RankedBallot(record.id, ranks, record.precinct, record.batch, source)
