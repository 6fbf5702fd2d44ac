"""Printable PDF pages shared by every paper votetrail hands out (L&A decks, audit reports).

Printed records are public and must be reproducible: the same input always
gives the same bytes (a creation date the caller fixes, no clock, no random
file id; zlib compresses the same input to the same bytes, so compression
keeps that). The standard PDF fonts cover Latin-1 only; :func:`latin1` is the
one place other characters are replaced.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT = "Helvetica"
_TYPOGRAPHY = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "–": "-",
        "—": "-",
        "‒": "-",
        "―": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "…": "...",
        "•": "*",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
    }
)


def latin1(text: str) -> str:
    """Text the core fonts can show: typographic punctuation made plain, anything else "?"."""
    return text.translate(_TYPOGRAPHY).encode("latin-1", "replace").decode("latin-1")


class Document(FPDF):
    """A page with a running footer, so a loose page still says what it belongs to."""

    def __init__(self, footer: str, created: datetime, *, landscape: bool = False) -> None:
        super().__init__(
            orientation="landscape" if landscape else "portrait", unit="mm", format="A4"
        )
        self._footer_text = latin1(footer)
        self.set_compression(True)  # zlib is deterministic, so the bytes still repeat
        self.set_creation_date(created)
        self.set_creator("votetrail")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.set_font(FONT, size=10)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=8)
        self.cell(0, 5, self._footer_text, align="L")
        self.cell(0, 5, f"Page {self.page_no()}/{{nb}}", align="R")

    def heading(self, text: str, size: float = 16) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.set_font(FONT, size=10)

    def para(self, text: str, *, bold: bool = False, size: float = 10) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, 5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_font(FONT, size=10)

    def facts(self, rows: Iterable[tuple[str, str]]) -> None:
        """Label and value pairs, labels in bold, for the top of a cover or certificate."""
        for label, value in rows:
            self.set_font(FONT, "B", 10)
            self.cell(48, 6, latin1(label))
            self.set_font(FONT, size=10)
            self.multi_cell(0, 6, latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[str]],
        widths: Sequence[float],
        numeric: Collection[int] = (),
    ) -> None:
        """A bordered table whose header repeats on a new page."""
        aligns = tuple("RIGHT" if i in numeric else "LEFT" for i in range(len(header)))
        self.set_font(FONT, size=9)
        with self.table(
            col_widths=tuple(widths),
            text_align=aligns,
            line_height=5,
            first_row_as_headings=True,
            repeat_headings=1,
            width=self.epw,
        ) as table:
            heading = table.row()
            for title in header:
                heading.cell(latin1(title))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(latin1(value))
        self.set_font(FONT, size=10)
        self.ln(3)

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` fits: what belongs together stays on one page."""
        if self.get_y() + height > self.h - self.b_margin:
            self.add_page()


def clip(pdf: FPDF, text: str, width: float) -> str:
    """Text cut to a column ``width`` mm wide, with "..." when cut (in the current font)."""
    plain = latin1(text)
    if pdf.get_string_width(plain) <= width:
        return plain
    while plain and pdf.get_string_width(plain + "...") > width:
        plain = plain[:-1]
    return plain.rstrip() + "..."
