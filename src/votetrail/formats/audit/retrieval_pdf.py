"""A county's retrieval list on paper: the pull sheet a clerk carries through the warehouse.

Rows are in shelf order (round, then paper before phantoms, container,
tabulator, batch, position), so the clerk walks the shelves once; each row
has its ticket number(s), which tie the ballot to the public draw, and an
empty box to tick when the ballot is found. Phantoms have no paper: they are
listed last, marked to be entered as "not found". The page ends with lines
for the retrievers' names, since the list is itself a chain-of-custody record.

It takes plain rows (anything with the attributes of
``services/audit/retrieval.RetrievalRow``), because formats never import
services. The same rows always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from fpdf.enums import XPos, YPos

from votetrail.formats.printed import FONT, Document, clip, latin1

FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
"""A pull sheet has no date of its own; a fixed one keeps the bytes the same."""

_COLUMNS = ("Round", "Container", "Tabulator", "Batch", "Position", "Ticket number(s)", "Found")
_WIDTHS = (16.0, 40.0, 36.0, 40.0, 20.0, 80.0, 29.0)
_ROW = 7.0
_BOX = 4.5


class RetrievalRowLike(Protocol):
    """What the pull sheet needs of a retrieval-list row."""

    @property
    def round(self) -> int: ...
    @property
    def container(self) -> str | None: ...
    @property
    def tabulator(self) -> str | None: ...
    @property
    def batch(self) -> str: ...
    @property
    def position(self) -> int: ...
    @property
    def ticket_numbers(self) -> tuple[str, ...]: ...
    @property
    def ballot_id(self) -> str: ...
    @property
    def phantom(self) -> bool: ...


def shelf_order(row: RetrievalRowLike) -> tuple[int, bool, str, str, str, int]:
    """The warehouse walk: round, paper before phantoms, container, tabulator, batch, position."""
    return (
        row.round,
        row.phantom,
        row.container or "",
        row.tabulator or "",
        row.batch,
        row.position,
    )


def retrieval_pdf(title: str, rows: Sequence[RetrievalRowLike]) -> bytes:
    """The printable pull sheet for ``rows`` (sorted here into shelf order)."""
    pdf = Document(title, FIXED_DATE, landscape=True)
    pdf.set_title(latin1(title))
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.heading(title, 16)
    ordered = sorted(rows, key=shelf_order)
    phantoms = sum(1 for r in ordered if r.phantom)
    pdf.para(
        f"{len(ordered)} ballots to retrieve"
        + (f", of which {phantoms} phantoms (no paper: enter as not found)" if phantoms else "")
        + ". Pull each ballot, keep it in this order, and tick Found. A ballot that cannot be "
        "found is entered as not found (it counts as the worst case)."
    )
    pdf.ln(3)
    _header(pdf)
    for row in ordered:
        if pdf.get_y() + _ROW > pdf.page_break_trigger:
            pdf.add_page()
            _header(pdf)
        _row(pdf, row)
    pdf.ln(8)
    pdf.room(30)
    for label in ("Retrieved by (name, signature)", "Checked by (name, signature)", "Date"):
        pdf.cell(70, 9, latin1(label))
        pdf.cell(120, 9, "", border="B", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    return bytes(pdf.output())


def _header(pdf: Document) -> None:
    pdf.set_font(FONT, "B", 10)
    pdf.set_fill_color(230, 230, 230)
    for title, width in zip(_COLUMNS, _WIDTHS, strict=True):
        pdf.cell(width, _ROW, title, border=1, fill=True)
    pdf.ln(_ROW)
    pdf.set_font(FONT, size=10)


def _row(pdf: Document, row: RetrievalRowLike) -> None:
    cells = (
        str(row.round),
        row.container or "",
        row.tabulator or "",
        "phantom: no paper" if row.phantom else row.batch,
        str(row.position),
        " ".join(row.ticket_numbers),
    )
    for text, width in zip(cells, _WIDTHS, strict=False):
        pdf.cell(width, _ROW, clip(pdf, text, width - 2), border=1)
    x, y = pdf.get_x(), pdf.get_y()
    pdf.cell(_WIDTHS[-1], _ROW, "", border=1)
    pdf.rect(x + (_WIDTHS[-1] - _BOX) / 2, y + (_ROW - _BOX) / 2, _BOX, _BOX)
    pdf.ln(_ROW)
