"""Ballot manifests: the batches of paper ballots a jurisdiction keeps, and how many are in each.

The manifest is what a risk-limiting audit samples from, so a county's file is
read as counties write it (Arlo and Dominion style CSV) and every problem names
the file, line and column a clerk must fix.

Columns, matched without regard to case or surrounding spaces, in one of two
layouts (``docs/cvr.md``, "Manifest layouts read"):

* Arlo's: ``Container`` (optional), ``Tabulator`` (optional), ``Batch Name``,
  ``Number of Ballots``, and ``CVR`` (Arlo's hybrid-audit flag, accepted and
  ignored);
* Colorado's RLA software (ColoradoRLA): ``CountyID``, ``ScannerID`` (the
  tabulator), ``BatchID`` (the batch), ``NumBallots`` and optionally
  ``StorageLocation`` (the container, which may be left empty on a row).
  ``CountyID`` must be the same on every row, since a manifest is one county's;
  it is not compared with the jurisdiction's name, because Colorado's own files
  carry a name or a number there that need not match (its test file
  ``alamosa-manifest.csv`` says ``Adams``): the county is the one uploading.

Any other column is refused rather than guessed at: a Dominion
"Tray # / Tabulator Number / Batch Number" export is a different file. Errors
name a column as the file's header writes it.
A UTF-8 byte-order mark and blank rows (often trailing, from spreadsheets) are
tolerated. Counts are whole numbers, optionally grouped with commas ("1,234").

Ballot ids: ``<jurisdiction>:<container>:<tabulator>:<batch>:<position>``,
always five fields, an absent container or tabulator left empty, the position
1-based in decimal without leading zeros, e.g. ``Acton::Tabulator A:Batch 1:17``.
In names, ``%`` is written ``%25`` and ``:`` is written ``%3A`` (nothing else is
changed), so any name is allowed and every id reads back to exactly one ballot.
The sampler's tickets are hashes of these strings: changing any part of a name
changes the sample, so the format never changes for an audit once published.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from votetrail.errors import InvalidInput

CONTAINER = "Container"
TABULATOR = "Tabulator"
BATCH_NAME = "Batch Name"
NUMBER_OF_BALLOTS = "Number of Ballots"
COUNTY_ID = "CountyID"
_IGNORED = ("CVR",)
_COLUMNS = (CONTAINER, TABULATOR, BATCH_NAME, NUMBER_OF_BALLOTS, *_IGNORED)
_COLORADO = {
    "countyid": COUNTY_ID,
    "scannerid": TABULATOR,
    "batchid": BATCH_NAME,
    "numballots": NUMBER_OF_BALLOTS,
    "storagelocation": CONTAINER,
}
"""Colorado's heading (lower case) -> the column it stands for."""
_MAY_BE_EMPTY = frozenset({"storagelocation"})
"""Headings whose cell may be empty: ColoradoRLA's own manifests leave StorageLocation blank."""
FILE_SUFFIX = " - ballot manifest.csv"
MAX_BATCH_BALLOTS = 10_000_000
"""More ballots than any county casts: a count above it is a typo, not a batch."""

_COUNT = re.compile(r"[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+")
_POSITION = re.compile(r"[1-9][0-9]*")


@dataclass(frozen=True, slots=True)
class Batch:
    """One row of a manifest; ``container`` and ``tabulator`` are None when the column is absent."""

    container: str | None
    tabulator: str | None
    name: str
    ballots: int


@dataclass(frozen=True, slots=True)
class BallotLocation:
    """Where a sampled ballot is: what an audit board needs to pull it from the shelf."""

    jurisdiction: str
    container: str | None
    tabulator: str | None
    batch: str
    position: int


def read_manifest(path: Path) -> Iterator[Batch]:
    """Stream a manifest file's batches; the first problem is refused with its line and column."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read the manifest: {exc.strerror}", where=str(path)) from None
    with handle:
        yield from parse_manifest(_decoded(handle, str(path)), str(path))


def parse_manifest(lines: Iterable[str], source: str) -> Iterator[Batch]:
    """Parse manifest text (e.g. an upload); ``source`` is the name errors give for the file."""
    rows = csv.reader(lines, strict=True)
    header = _next_row(rows, source, 1)
    if header is None:
        raise InvalidInput(
            f"the file is empty; the first line must name the columns {BATCH_NAME!r} and "
            f"{NUMBER_OF_BALLOTS!r}",
            where=f"{source}, line 1",
        )
    layout = _columns(header, source)
    county: list[str] = []
    seen: dict[tuple[str | None, str | None, str], int] = {}
    while True:
        start = rows.line_num + 1
        row = _next_row(rows, source, start)
        if row is None:
            return
        if not any(cell.strip() for cell in row):
            continue
        batch = _batch(row, layout, source, start)
        _same_county(row, layout, county, source, start)
        key = (batch.container, batch.tabulator, batch.name)
        if key in seen:
            raise InvalidInput(
                f"batch {_describe(batch)} is already listed on line {seen[key]}",
                where=f"{source}, line {start}, field {layout.label[BATCH_NAME]!r}",
            )
        seen[key] = start
        yield batch


def ballot_ids(batches: Iterable[Batch], jurisdiction: str) -> Iterator[str]:
    """Every ballot's id, batch by batch in manifest order, positions 1 to the batch's count."""
    if not jurisdiction.strip():
        raise InvalidInput("must not be empty", where="jurisdiction name")
    place = _escape(jurisdiction.strip())
    for batch in batches:
        container = _escape(batch.container or "")
        tabulator = _escape(batch.tabulator or "")
        prefix = f"{place}:{container}:{tabulator}:{_escape(batch.name)}:"
        yield from map(prefix.__add__, map(str, range(1, batch.ballots + 1)))


def locate(ballot_id: str) -> BallotLocation:
    """Read an id made by :func:`ballot_ids` back into the ballot's place; refuse anything else."""
    parts = ballot_id.split(":")
    where = f"ballot id {ballot_id!r}"
    if len(parts) != 5 or not _POSITION.fullmatch(parts[4]):
        raise InvalidInput("is not jurisdiction:container:tabulator:batch:position", where=where)
    jurisdiction, container, tabulator, batch = (_unescape(part, where) for part in parts[:4])
    if not jurisdiction or not batch:
        raise InvalidInput("has an empty jurisdiction or batch name", where=where)
    return BallotLocation(jurisdiction, container or None, tabulator or None, batch, int(parts[4]))


def jurisdiction_from_filename(path: Path) -> str:
    """``Acton - ballot manifest.csv`` is Acton's; any other name is refused, never guessed."""
    name = path.name
    if name.lower().endswith(FILE_SUFFIX) and name[: -len(FILE_SUFFIX)].strip():
        return name[: -len(FILE_SUFFIX)].strip()
    raise InvalidInput(
        f"cannot tell the jurisdiction from the file name; name the file "
        f"'<Jurisdiction>{FILE_SUFFIX}' or give the jurisdiction's name",
        where=str(path),
    )


def _decoded(handle: Iterable[bytes], source: str) -> Iterator[str]:
    """Decode line by line, so a byte that is not UTF-8 is reported on its own line."""
    for number, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(
                "is not UTF-8 text; save the file as CSV UTF-8", where=f"{source}, line {number}"
            ) from None


def _next_row(rows: Iterator[list[str]], source: str, line: int) -> list[str] | None:
    try:
        return next(rows)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise InvalidInput(f"is not valid CSV: {exc}", where=f"{source}, line {line}") from None


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each known column is, and its heading as the file writes it (for messages)."""

    index: dict[str, int]
    label: dict[str, str]


def _columns(header: list[str], source: str) -> _Layout:
    """Map each known column to its index; a missing, unknown or repeated column is refused."""
    known = {column.lower(): column for column in _COLUMNS} | _COLORADO
    header = [header[0].removeprefix("\ufeff"), *header[1:]] if header else header
    layout = _Layout({}, {})
    for index, cell in enumerate(header):
        label = cell.strip()
        if not label and index == len(header) - 1 and index > 0:
            continue  # a trailing comma after the last heading
        column = known.get(label.lower())
        where = f"{source}, line 1, field {label!r}"
        if column is None:
            raise InvalidInput(
                f"is not a manifest column; expected {', '.join(map(repr, _COLUMNS[:4]))} "
                "(Arlo's layout) or 'CountyID', 'ScannerID', 'BatchID', 'NumBallots', "
                "'StorageLocation' (Colorado's)",
                where=where,
            )
        if column in layout.index:
            raise InvalidInput(
                f"appears twice in the header ({layout.label[column]!r} is the same column)",
                where=where,
            )
        layout.index[column] = index
        layout.label[column] = label
    for required in (BATCH_NAME, NUMBER_OF_BALLOTS):
        if required not in layout.index:
            raise InvalidInput(
                "this column is missing from the header",
                where=f"{source}, line 1, field {required!r}",
            )
    return layout


def _batch(row: list[str], layout: _Layout, source: str, line: int) -> Batch:
    width = max(layout.index.values()) + 1
    if any(cell.strip() for cell in row[width:]):
        raise InvalidInput(
            f"has {len(row)} fields but the header names {width}", where=f"{source}, line {line}"
        )

    def value(column: str) -> str:
        index = layout.index[column]
        return row[index].strip() if index < len(row) else ""

    def cell(column: str) -> str:
        found = value(column)
        if not found:
            where = f"{source}, line {line}, field {layout.label[column]!r}"
            raise InvalidInput("is empty", where=where)
        return found

    def optional(column: str) -> str | None:
        if column not in layout.index:
            return None
        if layout.label[column].lower() in _MAY_BE_EMPTY:
            return value(column) or None
        return cell(column)

    container, tabulator, name = optional(CONTAINER), optional(TABULATOR), cell(BATCH_NAME)
    count = _count(cell(NUMBER_OF_BALLOTS), f"{source}, line {line}", layout)
    return Batch(container, tabulator, name, count)


def _count(raw: str, at: str, layout: _Layout) -> int:
    where = f"{at}, field {layout.label[NUMBER_OF_BALLOTS]!r}"
    if not _COUNT.fullmatch(raw):
        raise InvalidInput(f"{raw!r} is not a whole number of ballots (0 or more)", where=where)
    count = int(raw.replace(",", ""))
    if count > MAX_BATCH_BALLOTS:
        raise InvalidInput(
            f"{raw} ballots in one batch is more than any county casts; check for a typo",
            where=where,
        )
    return count


def _same_county(row: list[str], layout: _Layout, first: list[str], source: str, line: int) -> None:
    """Colorado's ``CountyID``: present on every row and the same throughout the file."""
    index = layout.index.get(COUNTY_ID)
    if index is None:
        return
    label = layout.label[COUNTY_ID]
    county = row[index].strip() if index < len(row) else ""
    where = f"{source}, line {line}, field {label!r}"
    if not county:
        raise InvalidInput("is empty", where=where)
    if not first:
        first.extend((county, str(line)))
    elif county != first[0]:
        raise InvalidInput(
            f"is {county!r} but line {first[1]} says {first[0]!r}; a manifest lists one "
            "county's batches, so send each county's in its own file",
            where=where,
        )


def _describe(batch: Batch) -> str:
    parts = [batch.container, batch.tabulator, batch.name]
    return " / ".join(repr(part) for part in parts if part is not None)


def _escape(name: str) -> str:
    return name.replace("%", "%25").replace(":", "%3A")


_ESCAPE = re.compile(r"%(25|3A)")


def _unescape(part: str, where: str) -> str:
    if part.count("%") != len(_ESCAPE.findall(part)):
        raise InvalidInput("has a '%' that is not '%25' or '%3A'", where=where)
    return _ESCAPE.sub(lambda match: "%" if match.group(1) == "25" else ":", part)
