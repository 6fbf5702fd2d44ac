"""ES&S cast vote record exports saved as an Excel workbook (``.xlsx``).

ES&S hands ranked-choice CVRs over as a workbook as often as a CSV
(Minneapolis publishes its ballots so, and RCTab reads them): the first sheet
holds the same layout as the CSV, a heading row, then one row per ballot, so
the rows go to :func:`votetrail.formats.cvr.ess.open_ess_rows` and the CSV's
heading rules (detail columns, ``Choice N of M`` rank columns, ``undervote``
and ``overvote`` cells) apply unchanged. The sheet is streamed by
:mod:`votetrail.formats.rcv.xlsx`, which caps how far its parts may expand.

What a workbook adds, and how it is read:

* It may have no ``Cast Vote Record`` column (Minneapolis 2013 has only
  ``Precinct``): the n-th ballot row is then named ``<file name>-<n>``, as
  RCTab names it, so both paths name a ballot alike.
* A last ``COUNT`` column says how many ballots a row stands for. Every
  published workbook has 1 on every row; any other number is refused, since
  one row must be one ballot for an audit to retrieve it.
* A cell past the heading's last column, or a heading with a gap, is refused
  naming the file, row and column, instead of being dropped.
* The rows before the first non-empty one are skipped (a workbook may start
  lower); errors call rows by the number Excel shows.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from votetrail.errors import InvalidInput
from votetrail.formats.archives import NOT_A_ZIP
from votetrail.formats.cvr.ess import EssCvrExport, open_ess_rows
from votetrail.formats.rcv.xlsx import sheet_rows

COUNT = "COUNT"
SUFFIX = ".xlsx"


def open_ess_xlsx(path: Path) -> EssCvrExport:
    """The workbook's contests; ballots come from ``records()``, one sheet row at a time."""
    return open_ess_rows(path, lambda: _rows(path), "row", numbered=False)


def detect(path: Path) -> bool:
    """An ``.xlsx`` name, or a ZIP holding a workbook: anything else is not read here.

    A file named ``.xlsx`` that is no workbook is still claimed, so the clerk is
    told it is a broken workbook rather than an unknown format.
    """
    if path.suffix.lower() == SUFFIX:
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except NOT_A_ZIP:
        return False


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """The heading (``COUNT`` left off) and every later row, as lists as wide as the heading."""
    width = 0
    count: int | None = None
    for number, cells in sheet_rows(path):
        if not width:
            if not any(value.strip() for value in cells.values()):
                continue
            width = max(cells) + 1
            if cells[width - 1].strip().upper() == COUNT:
                count = width - 1
            heading = [cells.get(column, "") for column in range(width)]
            yield number, heading[:count] if count is not None else heading
            continue
        where = f"{path}, row {number}"
        past = [column for column in cells if column >= width and cells[column].strip()]
        if past:
            raise InvalidInput(
                f"has a value in column {_letters(min(past))}, right of the heading's last "
                f"column {_letters(width - 1)}",
                where,
            )
        row = [cells.get(column, "") for column in range(width)]
        if count is not None:
            stands_for = row.pop().strip()
            if stands_for not in ("", "1"):
                raise InvalidInput(
                    f"stands for {stands_for!r} ballots; votetrail reads one ballot per row, "
                    "so an audit can retrieve each one",
                    f"{where}, column {_letters(count)} ({COUNT!r})",
                )
        yield number, row


def _letters(column: int) -> str:
    """Column 0 is ``A``, 25 ``Z``, 26 ``AA``: the name Excel shows."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
