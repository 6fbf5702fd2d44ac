"""A county's reported results: the totals it published, as a ``contest,choice,votes`` CSV.

The audit confirms the outcome a county *reported* (on election night or in
its canvass), so the county uploads those totals as it published them and the
launch check compares them with what its CVRs count. The shape is the one
``votetrail results --format csv`` writes (``formats/tally/results.py``), so a
county may upload that file as it is: its ``overvotes`` and ``undervotes``
rows are not votes for a choice and are skipped, and a cell votetrail defused
against spreadsheet formulas (``'-Yes``) is read back as the name it stands
for. A county may equally type its own file with just the three columns.

Votes are whole numbers of at least 0 (grouping commas allowed, as in
``1,204``); a contest and choice listed twice is refused, since two numbers
for one choice leave no reported total. Every problem names the file, line
and field.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from votetrail.errors import InvalidInput
from votetrail.formats.csv_out import restore_cell
from votetrail.formats.tally.results import CSV_COLUMNS, OVERVOTES, UNDERVOTES

ReportedResults = dict[str, dict[str, int]]
"""Contest -> choice -> votes, in the order the file lists them."""


def read_reported_results(path: Path) -> ReportedResults:
    """The file's totals per contest and choice; refused whole on the first bad row.

    The file is one row per contest and choice, small, so it is decoded at
    once and a byte that is not UTF-8 is named by its line.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput("is not UTF-8 text", where=f"{path}, line {line}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    for column in CSV_COLUMNS:
        if column not in header:
            raise InvalidInput(
                f"has no column {column!r} (the columns are contest, choice, votes)",
                where=f"{path}, line 1",
            )
    reader.fieldnames = header
    reported: ReportedResults = {}
    try:
        for row in reader:
            _add_row(reported, row, f"{path}, line {reader.line_num}")
    except csv.Error as exc:
        raise InvalidInput(
            f"is not valid CSV: {exc}", where=f"{path}, line {reader.line_num}"
        ) from None
    if not reported:
        raise InvalidInput("lists no votes for any choice", where=str(path))
    return reported


def _add_row(reported: ReportedResults, row: dict[str, str | None], where: str) -> None:
    contest, choice, raw = (restore_cell((row.get(c) or "").strip()) for c in CSV_COLUMNS)
    if not contest and not choice and not raw:
        return  # a blank line
    if not contest:
        raise InvalidInput("is empty", where=f"{where}, field 'contest'")
    if not choice:
        raise InvalidInput("is empty", where=f"{where}, field 'choice'")
    if choice in (OVERVOTES, UNDERVOTES):
        return  # votetrail's own results CSV: not votes for a choice
    digits = raw.replace(",", "")
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidInput(
            f"{raw!r} is not a whole number of votes of at least 0", where=f"{where}, field 'votes'"
        )
    choices = reported.setdefault(contest, {})
    if choice in choices:
        raise InvalidInput(
            f"{choice!r} in {contest!r} is listed twice; each choice has one reported total",
            where=where,
        )
    choices[choice] = int(digits)
