"""The one way votetrail writes CSV: text cells defused against formula injection.

Precincts, tabulators, batches, contest and choice names, ballot styles, voter
names and netmon labels come from uploaded files and typed-in configuration,
and the CSVs carrying them are opened by officials and the public in
spreadsheets. A cell such as ``=HYPERLINK("http://evil.example", "Click")``
would run there as a formula. So every CSV the application writes goes through
:class:`CsvWriter` (a test fails on any other ``csv.writer`` in ``src/``), which
does what OWASP advises for CSV injection: a text cell starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is written with a single quote
(``'``) in front, which spreadsheets show as text and do not evaluate.

Only text (``str``, and anything else written through ``str()``, such as a
date) is defused. Numbers the application computed are passed as numbers
(``int``, ``float``, ``Decimal``, ``Fraction``) and written as they are, so a
negative margin stays ``-3``, a number. Writers therefore pass counts as
``int``, never pre-formatted as text. ``None`` is an empty cell.

A program of ours reading such a file back (``formats/lat/totals_csv.py`` reads the
totals CSV that ``votetrail results`` and ``lat deck --format expected-csv``
write) takes the quote off again with :func:`restore_cell`, so the names match
the definition's; a spreadsheet never does.
"""

from __future__ import annotations

import csv
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Cell openings a spreadsheet would evaluate as a formula (OWASP, CSV injection)."""


def safe_cell(value: object) -> object:
    """A cell as written: numbers as they are, text with ``'`` before a formula opening."""
    if value is None:
        return ""
    if isinstance(value, numbers.Number):  # computed by votetrail; bool is written True/False
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore_cell(text: str) -> str:
    """The text a defused cell stood for: the quote dropped before a formula opening."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class CsvWriter:
    """``csv.writer`` with every cell passed through :func:`safe_cell`."""

    def __init__(self, out: TextIO, *, lineterminator: str = "\n") -> None:
        self._writer = csv.writer(out, lineterminator=lineterminator)
        # The csv module quotes a cell only for the characters of *its* line ending, so a
        # carriage return inside a cell would break the row under "\n" endings: such rows
        # are written with every text cell quoted.
        self._quoting = (
            csv.writer(out, lineterminator=lineterminator, quoting=csv.QUOTE_NONNUMERIC)
            if "\r" not in lineterminator
            else self._writer
        )

    def writerow(self, row: Iterable[object]) -> None:
        cells = [safe_cell(value) for value in row]
        if any(isinstance(cell, str) and "\r" in cell for cell in cells):
            self._quoting.writerow(cells)
        else:
            self._writer.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def write_dicts(
    out: TextIO,
    rows: Iterable[Mapping[str, object]],
    columns: Sequence[str],
    *,
    lineterminator: str = "\n",
) -> None:
    """A heading row of ``columns``, then each row's values in that order (missing: empty)."""
    writer = CsvWriter(out, lineterminator=lineterminator)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row.get(column) for column in columns)
