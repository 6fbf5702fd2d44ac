"""Contests for the audit's statistics, read straight from ``votetrail results`` output.

An official should not have to copy totals by hand from one votetrail file
into another (a typing slip there changes the sample size), so
``votetrail audit sample-size --contests`` and ``audit risk`` take the results
file as ``votetrail results`` writes it:

* CSV (``--format csv``): ``contest, choice, votes, votes_allowed, ballots``;
  the ``overvotes`` and ``undervotes`` rows are not choices and are skipped,
  and names votetrail defused against spreadsheet formulas (``'-Yes``) are
  read back as written in the CVRs;
* JSON (``--format json``): ``{"contests": [{"name", "votes_allowed",
  "ballots", "tally": {choice: votes}, ...}]}``.

``votes_allowed`` becomes the contest's vote-for (plurality when 1, else
vote-for-N) and ``ballots`` (the cards that carry the contest) the audited
population. The NIST results report (``--format nist``) carries no ballot
count per contest, so it cannot be used and is refused saying so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from votetrail.core.audit.assertions import Contest, ContestKind
from votetrail.errors import InvalidInput
from votetrail.formats.csv_out import restore_cell
from votetrail.formats.tally.results import CONTEST_COLUMNS, CSV_COLUMNS, OVERVOTES, UNDERVOTES

RESULTS_CSV_COLUMNS = (*CSV_COLUMNS, *CONTEST_COLUMNS)
NIST_REFUSAL = (
    "is a NIST election results report, which gives no ballot count per contest; "
    "give the file `votetrail results --format csv` or `--format json` writes instead"
)


def contest_from_counts(
    name: str, votes: Mapping[str, int], ballots: int, vote_for: int, where: str
) -> Contest:
    """A plurality (vote for 1) or vote-for-N contest; its problems point at ``where``."""
    kind = ContestKind.PLURALITY if vote_for == 1 else ContestKind.VOTE_FOR_N
    try:
        return Contest(id=name, votes=votes, ballots=ballots, vote_for=vote_for, kind=kind)
    except InvalidInput as exc:
        raise InvalidInput(str(exc), where=where) from None


def contests_from_results_csv(
    path: Path, rows: Iterable[tuple[int, dict[str, str]]]
) -> list[Contest]:
    """Contests from the results CSV's rows (header folded to lower case), in file order."""
    shapes: dict[str, tuple[int, int, int]] = {}
    votes: dict[str, dict[str, int]] = {}
    for line, row in rows:
        where = f"{path}, line {line}"
        name, choice = restore_cell(row["contest"]), restore_cell(row["choice"])
        if not name or not choice:
            raise InvalidInput(
                "is empty", where=f"{where}, field {'contest' if not name else 'choice'!r}"
            )
        shape = (
            whole_number(row["votes_allowed"], f"{where}, field 'votes_allowed'"),
            whole_number(row["ballots"], f"{where}, field 'ballots'"),
        )
        first = shapes.setdefault(name, (*shape, line))
        if first[:2] != shape:
            raise InvalidInput(
                f"disagrees with line {first[2]} on votes_allowed or ballots",
                where=f"{where}, contest {name!r}",
            )
        count = whole_number(row["votes"], f"{where}, field 'votes'")
        if choice in (OVERVOTES, UNDERVOTES):
            continue
        tally = votes.setdefault(name, {})
        if choice in tally:
            raise InvalidInput(f"choice {choice!r} appears twice", where=f"{where}, field 'choice'")
        tally[choice] = count
    if not votes:
        raise InvalidInput("has no contests", where=str(path))
    return [
        contest_from_counts(
            name, votes[name], shapes[name][1], shapes[name][0], f"{path}, line {shapes[name][2]}"
        )
        for name in votes
    ]


def contests_from_results_json(path: Path, items: list[Any]) -> list[Contest]:
    """Contests from the ``contests`` list of a ``votetrail results --format json`` file."""
    out = []
    for index, item in enumerate(items):
        where = f"{path}, contests[{index}]"
        tally = item.get("tally")
        if not isinstance(tally, dict) or not all(_is_count(v) for v in tally.values()):
            raise InvalidInput("field 'tally' must map choices to whole numbers", where=where)
        ballots, vote_for = item.get("ballots"), item.get("votes_allowed")
        if not _is_count(ballots) or not _is_count(vote_for):
            raise InvalidInput(
                "fields 'ballots' and 'votes_allowed' must be whole numbers", where=where
            )
        name = str(item.get("name") or "")
        out.append(contest_from_counts(name, tally, ballots, vote_for, where))
    return out


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def whole_number(raw: str, where: str) -> int:
    """A count as typed: digits, grouping commas allowed ("1,204"); anything else refused."""
    text = raw.replace(",", "")
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(f"{raw!r} is not a whole number of at least 0", where=where)
    return int(text)
