"""The first worksheet of an Excel workbook (.xlsx), read row by row.

ES&S hands RCTab its ranked-choice CVRs as a workbook, one row per ballot
(RCTab's own suite has dozens of them). Only cell values are needed, so the
sheet is streamed with the standard XML parser instead of taking on a
spreadsheet library: the workbook is a ZIP of XML parts (ECMA-376), its
members read through :mod:`votetrail.formats.archives` so a small file cannot
expand without limit. Formulas give their cached value; styles, dates and
comments are not interpreted, since a CVR holds names and numbers.

Like RCTab (which reads through Apache POI's streaming handler), a row is a
``<row>`` element of the sheet, and a cell without a value is not a cell.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path, PurePosixPath

from votetrail.errors import InvalidInput
from votetrail.formats.archives import (
    DAMAGE,
    NOT_A_ZIP,
    ExpansionGuard,
    MiB,
    open_member,
    read_member,
)

MAX_PART = 2048 * MiB
"""Cap on one decompressed part (the 1,000,000-ballot Minneapolis sheet is about 150 MB)."""

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_LETTERS = re.compile(r"[A-Z]{1,3}")

Row = tuple[int, dict[int, str]]
"""A row's number (1 = the first row) and its cells by column (0 = column A)."""


@lru_cache(maxsize=4096)
def column_number(letters: str) -> int:
    """Column ``A`` is 0, ``Z`` 25, ``AA`` 26."""
    number = 0
    for letter in letters:
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number - 1


def sheet_rows(path: Path) -> Iterator[Row]:
    """Every row of the workbook's first sheet, in file order."""
    where = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except NOT_A_ZIP:
        raise InvalidInput(
            "is not an Excel workbook (.xlsx); save the CVR export as an Excel Workbook", where
        ) from None
    with archive:
        names = set(archive.namelist())
        strings = _shared_strings(archive, names, where)
        sheet = _first_sheet(archive, names, where)
        stream = open_member(archive, sheet, f"{where} ({sheet})", MAX_PART)
        try:
            yield from _rows(stream, strings, f"{where} ({sheet})")
        except ET.ParseError as exc:
            raise InvalidInput(f"the worksheet is not well-formed XML ({exc})", where) from None
        except DAMAGE:
            raise InvalidInput("the worksheet is damaged in the ZIP", where) from None
        finally:
            stream.close()


def _parse(archive: zipfile.ZipFile, name: str, where: str) -> ET.Element:
    try:
        data = read_member(archive, name, f"{where} ({name})", MAX_PART)
        return ET.fromstring(data)  # noqa: S314 - expat fetches no external entities
    except ET.ParseError as exc:
        raise InvalidInput(f"part {name} is not well-formed XML ({exc})", where) from None


def _shared_strings(archive: zipfile.ZipFile, names: set[str], where: str) -> list[str]:
    if "xl/sharedStrings.xml" not in names:
        return []
    root = _parse(archive, "xl/sharedStrings.xml", where)
    return [_string_item(item) for item in root.iter(f"{_MAIN}si")]


def _string_item(item: ET.Element) -> str:
    """A shared string: its text, or its runs' text; phonetic guides (``rPh``) left out."""
    parts: list[str] = []
    for child in item:
        if child.tag == f"{_MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{_MAIN}r":
            parts.extend(t.text or "" for t in child.iter(f"{_MAIN}t"))
    return "".join(parts)


def _first_sheet(archive: zipfile.ZipFile, names: set[str], where: str) -> str:
    """The part of the first sheet the workbook lists (RCTab reads that one)."""
    if "xl/workbook.xml" not in names:
        raise InvalidInput("is not an Excel workbook: it has no xl/workbook.xml", where)
    book = _parse(archive, "xl/workbook.xml", where)
    first = next(book.iter(f"{_MAIN}sheet"), None)
    if first is None:
        raise InvalidInput("the workbook has no worksheet", where)
    rel_id = first.get(f"{_REL}id")
    if "xl/_rels/workbook.xml.rels" in names and rel_id:
        rels = _parse(archive, "xl/_rels/workbook.xml.rels", where)
        for rel in rels.iter(f"{_PKG_REL}Relationship"):
            if rel.get("Id") == rel_id:
                target = rel.get("Target", "")
                part = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else str(PurePosixPath("xl") / target)
                )
                if part in names:
                    return part
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise InvalidInput("the workbook's first worksheet is missing", where)


def _rows(stream: ExpansionGuard, strings: list[str], where: str) -> Iterator[Row]:
    cell_tag, row_tag = f"{_MAIN}c", f"{_MAIN}row"
    cells: dict[int, str] = {}
    row_number = 0
    parts = ET.iterparse(stream, events=("end",))  # noqa: S314 - expat fetches no external entities
    for _, element in parts:
        tag = element.tag
        if tag == cell_tag:
            value = _value(element, strings, where)
            if value is not None:
                cells[_column(element.get("r"), len(cells), where)] = value
            element.clear()
        elif tag == row_tag:
            row_number = _row_number(element.get("r"), row_number, where)
            yield row_number, cells
            cells = {}
            element.clear()


def _row_number(reference: str | None, previous: int, where: str) -> int:
    if reference is None:
        return previous + 1
    if not reference.isdigit():
        raise InvalidInput(f"a row has the number {reference!r}, which is not a number", where)
    return int(reference)


def _column(reference: str | None, position: int, where: str) -> int:
    if reference is None:
        return position
    letters = reference.rstrip("0123456789")
    if not 0 < len(letters) < len(reference) or not _LETTERS.fullmatch(letters):
        raise InvalidInput(f"cell reference {reference!r} is not a cell address", where)
    return column_number(letters)


def _value(cell: ET.Element, strings: list[str], where: str) -> str | None:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{_MAIN}is")
        return None if inline is None else "".join(t.text or "" for t in inline.iter(f"{_MAIN}t"))
    raw = cell.findtext(f"{_MAIN}v")
    if raw is None:
        return None
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            raise InvalidInput(
                f"cell {cell.get('r')} points at shared string {raw!r}, which the workbook "
                f"does not have",
                where,
            ) from None
    if kind == "n":
        return _number(raw)
    if kind == "b":
        return "TRUE" if raw == "1" else "FALSE"
    return raw


def _number(raw: str) -> str:
    """Numbers as a spreadsheet shows them in General format: ``1``, not ``1.0``."""
    try:
        number = float(raw)
    except ValueError:
        return raw
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return raw
