"""The comparison sample of a ranked-choice (IRV) contest, as ``votetrail audit irv-risk`` reads it.

The same CSV as every comparison sample (``Ballot``, ``Contest``, ``CVR``,
``Audit``; one row per card, in draw order; see ``formats/audit/inputs.py``),
but for the IRV contest each reading is the ballot's rankings, rank by rank:

* ranks are separated by ``>``: ``Loftus > Boudin > Tung``;
* an empty rank is a skipped rank: ``Loftus > > Tung``;
* two or more candidates at one rank, separated by ``;``, are an overvote
  there: ``Loftus;Boudin > Tung``;
* an empty cell is a card with the contest and no rankings, and ``NOT ON
  BALLOT`` a card without the contest: both count for no one;
* ``MISSING`` is a phantom CVR or a paper card not found (the worst case).

The rankings become a preference list by the rules RAIRE's assertions are
about (``core.rcv.irv_votes.preferences``). Rows of other contests are
skipped, so one sample file serves every contest of the audit. Every problem
names the file, line and column.
"""

from __future__ import annotations

from pathlib import Path

from votetrail.core.rcv.irv_votes import Preferences, preferences
from votetrail.core.rcv.raire_audit import Card
from votetrail.errors import InvalidInput
from votetrail.formats.audit.inputs import MISSING, NOT_ON_BALLOT, _rows


def _reading(raw: str, where: str) -> Preferences | None:
    if raw.upper() == MISSING:
        return None
    if raw.upper() == NOT_ON_BALLOT or not raw:
        return ()
    ranks = []
    for rank in raw.split(">"):
        names = [name.strip() for name in rank.split(";") if name.strip()]
        if len(set(names)) != len(names):
            raise InvalidInput("names a candidate twice at one rank", where=where)
        ranks.append(tuple(names))
    return preferences(ranks)


def read_ranked_comparison_sample(path: Path, contest: str) -> list[Card]:
    """The contest's cards in draw order: (CVR preferences, paper preferences), None if missing."""
    cards: list[Card] = []
    for line, row in _rows(path, ("Ballot", "Contest", "CVR", "Audit")):
        where = f"{path}, line {line}"
        if not row["Ballot"] or not row["Contest"]:
            field_name = "Ballot" if not row["Ballot"] else "Contest"
            raise InvalidInput("is empty", where=f"{where}, field {field_name!r}")
        if row["Contest"] != contest:
            continue
        cards.append(
            (
                _reading(row["CVR"], f"{where}, field 'CVR'"),
                _reading(row["Audit"], f"{where}, field 'Audit'"),
            )
        )
    if not cards:
        raise InvalidInput(f"has no row for contest {contest!r}", where=str(path))
    return cards
