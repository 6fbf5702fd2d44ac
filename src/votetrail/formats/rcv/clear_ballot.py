"""Clear Ballot ClearVote CVR CSVs, as RCTab's ``clearBallot`` provider reads them.

Ten ballot columns (``RowNumber`` ... ``Remade``), then one column per
choice per rank, its heading ``Choice_ID_1:CONTEST:RANK:VOTE RULE:CHOICE:PARTY``;
a cell of 1 marks the choice at that rank. The configuration's ``contestId``
is the contest's name as the headings write it (commas and all); ranks past
``maxRankingsAllowed`` are not read. The choice named like the source's
``undeclaredWriteInLabel`` is an undeclared write-in.
"""

from __future__ import annotations

from collections.abc import Iterator

from votetrail.core.rcv.ballots import RankedBallot
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.csv_lines import csv_rows
from votetrail.formats.rcv.config import CvrSource
from votetrail.formats.rcv.sources import BallotBuilder, Mark

BALLOT_COLUMNS = (
    "RowNumber",
    "BoxID",
    "BoxPosition",
    "BallotID",
    "PrecinctID",
    "BallotStyleID",
    "PrecinctStyleName",
    "ScanComputerName",
    "Status",
    "Remade",
)
HEADING_FIELDS = 6


def read_clear_ballot(source: CvrSource, builder: BallotBuilder) -> Iterator[RankedBallot]:
    """Every ballot line, with the configured contest's marked ranks."""
    rows = csv_rows(source.path)
    first = next(rows, None)
    if first is None or len(first[1]) <= len(BALLOT_COLUMNS):
        raise InvalidInput("has no choice columns after the ten ballot columns", str(source.path))
    heading_line, heading = first
    limit = builder.rules.max_rankings_allowed
    columns: dict[int, Mark] = {}
    for column in range(len(BALLOT_COLUMNS), len(heading)):
        fields = heading[column].split(":")
        if len(fields) != HEADING_FIELDS:
            raise InvalidInput(
                f"column {column + 1} heading {heading[column]!r} is not "
                "Choice_ID:CONTEST:RANK:VOTE RULE:CHOICE:PARTY",
                f"{source.path}, line {heading_line}",
            )
        if fields[1] != source.contest_id:
            continue
        if not fields[2].isdigit():
            raise InvalidInput(
                f"column {column + 1} heading gives rank {fields[2]!r}",
                f"{source.path}, line {heading_line}",
            )
        rank = int(fields[2])
        if limit is None or rank <= limit:
            columns[column] = (rank, fields[4])
    ballot_id = BALLOT_COLUMNS.index("BallotID")
    precinct = BALLOT_COLUMNS.index("PrecinctID")
    for line, row in rows:
        where = f"{source.path}, line {line}"
        if len(row) != len(heading):
            raise InvalidInput(f"has {len(row)} columns; the heading has {len(heading)}", where)
        marks = [mark for column, mark in columns.items() if row[column].strip() == "1"]
        yield builder.ballot(row[ballot_id], marks, where, precinct=row[precinct] or None)
