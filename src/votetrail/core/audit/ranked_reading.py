"""A ranked-choice contest's reading: the rankings on a paper ballot or its CVR, as text.

An IRV contest is read rank by rank, so a reading must keep the order the
plurality form (a set of choice ids) loses. It is written in the same column
and alphabet as a plurality reading, so the evidence package, the stored
interpretations and the report keep their layout: one entry ``R:choice`` for
the candidate marked at rank R, joined by ``;`` (e.g. ``1:Alice;2:Bob``);
``R:overvote`` for a rank with two or more candidates marked (written so for
the CVR and the board alike, since who was overvoted changes no count and a
board's form has one choice per rank); a rank with no entry was skipped. A
reading with no rank at all is ``blank``, one for a card not found is
``not_found``, as for plurality. Entries are kept in
the plain sorted order ``Reading.__str__`` uses, so equal readings are equal
strings.

The preference list of a reading is the one RAIRE's assertions are about
(``votetrail.core.rcv.irv_votes.preferences``): a skipped rank is passed over,
an overvoted rank ends the list, a candidate ranked again counts once.
"""

from __future__ import annotations

from collections.abc import Sequence

from votetrail.core.audit.evidence import BLANK, NOT_FOUND, OVERVOTE, Reading
from votetrail.core.rcv.ballots import OVERVOTE as RANK_OVERVOTE
from votetrail.core.rcv.irv_votes import Preferences, preferences
from votetrail.errors import InvalidInput

Ranks = tuple[tuple[str, ...], ...]
"""Per rank (rank 1 first), the candidates marked at it, as ``RankedBallot.ranks``."""


def ranked_text(ranks: Sequence[Sequence[str]]) -> str:
    """The reading text of a card's ranks (the CVR's, or what a board entered rank by rank)."""
    entries = [
        f"{rank}:{OVERVOTE if len(set(marks)) > 1 or choice == RANK_OVERVOTE else choice}"
        for rank, marks in enumerate(ranks, start=1)
        for choice in marks
    ]
    if not entries:
        return BLANK
    return ";".join(sorted(set(entries)))


def parse_ranks(
    text: str, choices: Sequence[str] | None, max_rank: int | None, where: str
) -> Ranks:
    """The ranks a reading text names; refused, naming ``where``, if it is not one.

    ``choices`` (None: any name) are the candidates the contest lists;
    ``max_rank`` (None: any) the ranks its ballots have. ``blank`` is no rank.
    """
    text = text.strip()
    if text == BLANK:
        return ()
    if text in (OVERVOTE, NOT_FOUND) or not text:
        raise InvalidInput(
            "a ranked contest is read rank by rank: write rank:choice entries joined by ';' "
            "(e.g. 1:Alice;2:Bob), R:overvote for a rank with two or more marks, or blank",
            where=where,
        )
    by_rank: dict[int, list[str]] = {}
    for entry in text.split(";"):
        number, colon, choice = entry.strip().partition(":")
        if not colon or not number.isdigit() or int(number) < 1 or not choice:
            raise InvalidInput(f"{entry.strip()!r} is not rank:choice (e.g. 1:Alice)", where)
        rank = int(number)
        if max_rank is not None and rank > max_rank:
            raise InvalidInput(f"ranks {choice!r} at {rank}, but the ballot has {max_rank}", where)
        if choice != OVERVOTE and choices is not None and choice not in choices:
            raise InvalidInput(f"{choice!r} is not one of the contest's candidates", where)
        marks = by_rank.setdefault(rank, [])
        if choice in marks:
            raise InvalidInput(f"names {choice!r} twice at rank {rank}", where)
        marks.append(choice)
    last = max(by_rank)
    return tuple(
        tuple(RANK_OVERVOTE if c == OVERVOTE else c for c in sorted(by_rank.get(rank, [])))
        for rank in range(1, last + 1)
    )


def reading_preferences(reading: Reading | None) -> Preferences | None:
    """The preference list a ranked reading shows; None for a card not found (the worst case).

    A whole-contest ``overvote`` or ``blank`` mark is no preference at all.
    """
    if reading is None or reading.mark == NOT_FOUND:
        return None
    if reading.mark is not None:
        return ()
    return preferences(parse_ranks(";".join(reading.choices), None, None, "ranked reading"))
