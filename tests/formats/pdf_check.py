"""Is it a PDF a reader can open? The structure fpdf2 writes, checked without a PDF library.

A reader finds every object through the cross-reference table that
``startxref`` points at; if an offset is wrong the file is damaged. This
checks that chain, and that each object the table lists starts where it says.
"""

from __future__ import annotations

import re


def assert_valid_pdf(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-1."), pdf[:16]
    assert pdf.rstrip().endswith(b"%%EOF")
    found = re.findall(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf)
    assert found, "no startxref at the end"
    xref = int(found[-1])
    assert pdf[xref : xref + 4] == b"xref", "startxref does not point at the xref table"
    header = re.match(rb"xref\s+(\d+) (\d+)\s+", pdf[xref:])
    assert header is not None
    first, count = int(header.group(1)), int(header.group(2))
    entries = pdf[xref + header.end() :].split(b"\n")[:count]
    assert len(entries) == count
    for number, entry in enumerate(entries, start=first):
        offset, _, kind = entry.strip().split(b" ")
        if kind == b"n":
            at = int(offset)
            assert pdf[at:].startswith(f"{number} 0 obj".encode()), f"object {number} misplaced"
    assert b"/Root" in pdf[xref:], "no document catalogue in the trailer"
