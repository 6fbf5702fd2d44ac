"""Cutting a real Dominion CVR export into one file per tabulator, as a county may send it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

HEADER_ROWS = 4  # election and version, contests, choices, headings
TABULATOR_COLUMN = 1  # TabulatorNum


def split_by_tabulator(export: Path, folder: Path, *groups: tuple[str, ...]) -> list[Path]:
    """One file per group of tabulators, each with the export's four header rows.

    Files are named after their tabulators (``Tabulator A.csv``), as a clerk's
    per-device exports would be.
    """
    rows = list(csv.reader(io.StringIO(export.read_text(encoding="utf-8"), newline="")))
    header, cards = rows[:HEADER_ROWS], rows[HEADER_ROWS:]
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for group in groups:
        path = folder / f"{' and '.join(group)}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerows(header)
            writer.writerows(card for card in cards if card[TABULATOR_COLUMN] in group)
        out.append(path)
    return out
