"""RCTab's generic CSV: a column per candidate, each cell the rank given to them.

The first line names the candidates from ``firstVoteColumnIndex`` on (a
column named the source's ``undeclaredWriteInLabel`` holds undeclared
write-ins); every later line is a ballot whose cells hold rank numbers, blank
where the candidate is not ranked. Two candidates given the same rank are an
overvote at that rank. Survey tools (Qualtrics, Google Forms) and hand-made
test decks come this way. ``firstVoteRowIndex`` is checked but, as in RCTab,
every line after the heading is a ballot.
"""

from __future__ import annotations

from collections.abc import Iterator

from votetrail.core.rcv.ballots import RankedBallot
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.csv_lines import csv_rows
from votetrail.formats.rcv.config import CvrSource
from votetrail.formats.rcv.sources import BallotBuilder, Mark

NO_PRECINCT = "no precinct id"
NO_BATCH = "no batch id"
"""RCTab's words for a ballot whose precinct or batch cell is empty."""


def read_generic_csv(source: CvrSource, builder: BallotBuilder) -> Iterator[RankedBallot]:
    """Every ballot line after the heading line."""
    first = (source.first_vote_column or 1) - 1
    rows = csv_rows(source.path)
    heading = next(rows, None)
    if heading is None:
        raise InvalidInput("is empty: the first line must name the candidates", str(source.path))
    heading_line, names = heading
    candidates = [name.strip() for name in names[first:]]
    for offset, name in enumerate(candidates):
        if not name:
            raise InvalidInput(
                f"column {first + offset + 1} has no candidate name in the heading line",
                f"{source.path}, line {heading_line}",
            )
    for index, (line, row) in enumerate(rows, start=1):
        where = f"{source.path}, line {line}"
        if len(row) > len(names):
            raise InvalidInput(
                f"has {len(row)} columns but the heading line has {len(names)}", where
            )
        marks: list[Mark] = []
        for column in range(first, len(row)):
            text = row[column].strip()
            if not text:
                continue
            if not text.isdigit():
                raise InvalidInput(
                    f"column {column + 1} ({candidates[column - first]}) holds {text!r}; "
                    "expected a rank number",
                    where,
                )
            marks.append((int(text), candidates[column - first]))
        supplied = _cell(row, source.id_column)
        yield builder.ballot(
            supplied or str(index),
            marks,
            where,
            precinct=(_cell(row, source.precinct_column) or NO_PRECINCT)
            if source.precinct_column
            else None,
            batch=(_cell(row, source.batch_column) or NO_BATCH) if source.batch_column else None,
        )


def _cell(row: list[str], column: int | None) -> str | None:
    if column is None or column > len(row):
        return None
    return row[column - 1].strip() or None
