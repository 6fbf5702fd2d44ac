"""Per-device paper-record counts and per-precinct poll-book check-ins (CSV).

Paper records: columns ``Tabulator`` and ``Paper Records`` (how many paper
records, e.g. VVPAT entries, the device's printer saved). Check-ins: columns
``Precinct`` and ``Check-ins``. Counts may be grouped with commas. Every problem
names the file, line and column.
"""

from __future__ import annotations

import csv
from pathlib import Path

from votetrail.errors import InvalidInput

PAPER_COLUMNS = ("Tabulator", "Paper Records")
CHECK_IN_COLUMNS = ("Precinct", "Check-ins")


def read_counts(path: Path, columns: tuple[str, str]) -> dict[str, int]:
    """A place -> count mapping from a two-column CSV; a place listed twice is refused."""
    name_column, count_column = columns
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    counts: dict[str, int] = {}
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = [h.strip() for h in reader.fieldnames or []]
        except UnicodeDecodeError:
            raise InvalidInput("is not UTF-8 text", where=f"{path}, line 1") from None
        for column in columns:
            if column not in header:
                raise InvalidInput(f"has no column {column!r}", where=f"{path}, line 1")
        reader.fieldnames = header
        try:
            for row in reader:
                line = reader.line_num
                place = (row.get(name_column) or "").strip()
                raw = (row.get(count_column) or "").strip().replace(",", "")
                if not place and not raw:
                    continue
                where = f"{path}, line {line}"
                if not place:
                    raise InvalidInput("is empty", where=f"{where}, field {name_column!r}")
                if not raw.isdigit():
                    raise InvalidInput(
                        f"{row.get(count_column)!r} is not a whole number of at least 0",
                        where=f"{where}, field {count_column!r}",
                    )
                if place in counts:
                    raise InvalidInput(f"{place!r} is listed twice", where=where)
                counts[place] = int(raw)
        except UnicodeDecodeError:
            raise InvalidInput(
                "is not UTF-8 text", where=f"{path}, line {reader.line_num + 1}"
            ) from None
    if not counts:
        raise InvalidInput("has no rows", where=str(path))
    return counts
