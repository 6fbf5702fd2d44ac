"""Reading a vendor's CVR CSV line by line, so every problem names its line.

Shared by the Dominion, ES&S and Clear Ballot readers: bytes are decoded one
line at a time (a byte that is not UTF-8 is reported on its own line, a
leading byte-order mark is tolerated), and broken quoting is reported with the
line where the bad row starts.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from votetrail.errors import InvalidInput


def open_export(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read the CVR export: {exc.strerror}", where=str(path)) from None


def decoded(handle: Iterable[bytes], source: str) -> Iterator[str]:
    for number, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(
                "is not UTF-8 text; export the CVRs again as UTF-8",
                where=f"{source}, line {number}",
            ) from None


def csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line, row) pairs of the whole file."""
    source = str(path)
    with open_export(path) as handle:
        reader = csv.reader(decoded(handle, source), strict=True)
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InvalidInput(f"is not valid CSV: {exc}", f"{source}, line {line}") from None
            yield line, row
