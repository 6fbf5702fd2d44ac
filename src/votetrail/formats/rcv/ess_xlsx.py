"""ES&S ranked-choice CVR workbooks, as RCTab's ``ess`` provider reads them.

ES&S exports one row per ballot with one column per rank ("1ST CHOICE
MAYOR", "Choice 2 of 6"...). The configuration says where the ranks start
(``firstVoteColumnIndex``, ``firstVoteRowIndex``) and which columns hold the
ballot id, precinct and batch; rank *n* is the *n*-th column from the first
vote column, up to ``maxRankingsAllowed`` columns (all of them for ``max``).

A cell holds a candidate, the source's ``skippedRankLabel`` (a skipped rank),
its ``overvoteLabel``, its ``undeclaredWriteInLabel``, or, with an
``overvoteDelimiter``, several names split by it (an overvote whose names are
known). An empty cell is a skipped rank, or an undeclared write-in when
``treatBlankAsUndeclaredWriteIn`` is set, up to the last allowed rank.
"""

from __future__ import annotations

from collections.abc import Iterator

from votetrail.core.rcv.ballots import UNDECLARED_WRITE_IN, RankedBallot
from votetrail.errors import InvalidInput
from votetrail.formats.rcv.config import CvrSource
from votetrail.formats.rcv.sources import BallotBuilder, Mark
from votetrail.formats.rcv.xlsx import sheet_rows

MISSING_PRECINCT = "missing_precinct_id"
MISSING_BATCH = "missing_batch_id"
"""RCTab's words for a ballot whose precinct or batch cell is empty."""


def read_ess(source: CvrSource, builder: BallotBuilder) -> Iterator[RankedBallot]:
    """Every ballot row of the workbook's first sheet."""
    first_column = (source.first_vote_column or 1) - 1
    first_row = source.first_vote_row or 1
    limit = builder.rules.max_rankings_allowed
    end_column = None if limit is None else first_column + limit
    index = 0
    for row_number, cells in sheet_rows(source.path):
        if row_number < first_row:
            continue
        index += 1
        where = f"{source.path}, row {row_number}"
        supplied_id = _cell(cells, source.id_column)
        if source.id_column is not None and supplied_id is None:
            raise InvalidInput(
                f"the ballot id (column {source.id_column}, idColumnIndex) is empty; if the "
                "cell looks filled, copy the CVRs into a new workbook and save it again",
                where,
            )
        precinct = _cell(cells, source.precinct_column)
        batch = _cell(cells, source.batch_column)
        marks = _marks(source, cells, first_column, end_column, limit, where)
        yield builder.ballot(
            supplied_id or f"{source.path.name}-{index}",
            marks,
            where,
            precinct=precinct or (MISSING_PRECINCT if source.precinct_column else None),
            batch=batch or (MISSING_BATCH if source.batch_column else None),
        )


def _cell(cells: dict[int, str], column: int | None) -> str | None:
    if column is None:
        return None
    return cells.get(column - 1) or None


def _marks(
    source: CvrSource,
    cells: dict[int, str],
    first_column: int,
    end_column: int | None,
    limit: int | None,
    where: str,
) -> list[Mark]:
    skip = source.skipped_rank_label
    delimiter = source.overvote_delimiter
    blank_is_write_in = source.treat_blank_as_undeclared_write_in
    configured = {
        c - 1 for c in (source.id_column, source.precinct_column, source.batch_column) if c
    }
    marks: list[Mark] = []
    last_rank = 0
    for column in sorted(cells):
        if column < first_column or column in configured:
            continue
        if end_column is not None and column >= end_column:
            break
        rank = column - first_column + 1
        text = cells[column].strip()
        if not text:
            continue
        if blank_is_write_in:
            marks.extend((blank, UNDECLARED_WRITE_IN) for blank in range(last_rank + 1, rank))
        last_rank = rank
        parts = [part.strip() for part in text.split(delimiter)] if delimiter else [text]
        if len(parts) > 1 and any(not part or part == skip for part in parts):
            raise InvalidInput(
                f"rank {rank} (column {column + 1}) holds {text!r}: names split by the overvote "
                f"delimiter {delimiter!r} may not be blank or the skipped-rank label",
                where,
            )
        marks.extend((rank, part) for part in parts if part != skip)
    if blank_is_write_in and limit is not None:
        marks.extend((blank, UNDECLARED_WRITE_IN) for blank in range(last_rank + 1, limit + 1))
    return marks
