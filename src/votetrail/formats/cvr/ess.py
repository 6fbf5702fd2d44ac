"""ES&S cast vote record exports (the CVR CSV that Electionware writes).

Counties on ES&S hand over one CSV: a heading row, then one row per ballot.
The first columns describe the ballot (``Cast Vote Record``, ``Precinct``,
``Ballot Style``, and in some exports ``Election ID``, ``Audit Number``,
``Tabulator CVR``, ``Batch``, ``Ballot Status``); every later column is a
contest, and its cell holds the *name* of the choice voted, ``undervote``,
``overvote``, or nothing when the contest is not on the ballot. A vote-for-N
contest has N columns with the same heading, one per vote.

The export never lists the choices, so they are the names seen in any row
(sorted, so every jurisdiction of a contest lists them alike): opening the file
reads it once for them, and :meth:`EssCvrExport.records` reads it again, one
row at a time. ``overvote`` does not say which choices were marked, so an
overvoted contest is handed on with *every* choice marked: tabulation then
counts it as one overvote for no one, which is what the tabulator did.

A ranked-choice contest is exported as one column per rank, its heading naming
the rank: ``Choice 1``, ``Choice 2`` (RCTab's ES&S samples), ``Mayor 1st
Choice``, ``Mayor Choice 2 of 5``. Headings that differ only in that rank, one
of them above 1, are one ranked-choice contest, which votetrail does not count
yet: it is left out with a notice, or the file refused when it has no other
contest (:mod:`votetrail.formats.cvr.ranked_contests`). A lone ``... Choice 1``
column, with no second rank, is read as the plurality contest it is.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.csv_lines import csv_rows
from votetrail.formats.cvr.ranked_contests import check_ranked

CVR_NUMBER = "Cast Vote Record"
KNOWN_DETAILS = (
    "Election ID",
    "Audit Number",
    "Tabulator CVR",
    CVR_NUMBER,
    "Batch",
    "Ballot Status",
    "Precinct",
    "Ballot Style",
)
OVERVOTE = "overvote"
UNDERVOTE = "undervote"
_TEN_DIGITS = re.compile(r"(?P<tabulator>[0-9]{4})[0-9]{6}")
_RANK = re.compile(
    r"\b(?:choice\s+(?P<n>[0-9]+)(?:\s+of\s+[0-9]+)?|(?P<m>[0-9]+)(?:st|nd|rd|th)\s+choice)\b",
    re.IGNORECASE,
)
_WRITE_IN = re.compile(r"write[- ]?in", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Span:
    """Columns ``start`` to ``stop`` (exclusive) are one contest's votes."""

    contest: str
    start: int
    stop: int


@dataclass(frozen=True)
class EssCvrExport:
    """The contests of one export; :meth:`records` streams its ballots."""

    path: Path
    contests: list[ContestDefinition]
    _details: dict[str, int]
    _spans: tuple[_Span, ...]
    _width: int
    left_out: tuple[str, ...] = ()
    """One notice per ranked-choice contest left out (see ``ranked_contests``)."""

    def records(self) -> Iterator[CastVoteRecord]:
        """Every ballot in file order; a bad row stops the stream naming its line and field."""
        choices = {c.name: c.choices for c in self.contests}
        seen: dict[str, int] = {}
        for line, row in csv_rows(self.path):
            if line == 1 or not any(row):
                continue
            where = f"{self.path}, line {line}"
            if len(row) != self._width:
                raise InvalidInput(f"has {len(row)} cells but the heading has {self._width}", where)

            def detail(column: str, row: list[str] = row) -> str | None:
                index = self._details.get(column)
                return row[index].strip() or None if index is not None else None

            number = detail(CVR_NUMBER)
            if number is None:
                raise InvalidInput("is empty", f"{where}, field {CVR_NUMBER!r}")
            first = seen.setdefault(number, line)
            if first != line:
                raise InvalidInput(
                    f"cast vote record {number!r} is already on line {first}",
                    f"{where}, field {CVR_NUMBER!r}",
                )
            marks: dict[str, tuple[str, ...]] = {}
            for span in self._spans:
                cells = [cell.strip() for cell in row[span.start : span.stop]]
                if any(cells):
                    marks[span.contest] = _marks(cells, choices[span.contest])
            tabulator_cvr = _TEN_DIGITS.fullmatch(detail("Tabulator CVR") or "")
            yield CastVoteRecord(
                id=number,
                tabulator=tabulator_cvr["tabulator"] if tabulator_cvr else None,
                batch=detail("Batch"),
                record=number,
                precinct=detail("Precinct"),
                ballot_type=detail("Ballot Style"),
                marks=marks,
            )


def open_ess_cvr(path: Path) -> EssCvrExport:
    """Read the heading and collect every contest's choices; ballots come from ``records()``."""
    rows = csv_rows(path)
    first = next(rows, None)
    if first is None:
        raise InvalidInput("is empty; expected an ES&S CVR export", where=str(path))
    _, heading = first
    heading = [cell.strip() for cell in heading]
    details = {name: i for i, name in enumerate(heading) if name in KNOWN_DETAILS}
    if CVR_NUMBER not in details:
        raise InvalidInput(f"the heading has no {CVR_NUMBER!r} column", where=f"{path}, line 1")
    spans, ranked = _without_ranked(_spans(heading, max(details.values()) + 1, str(path)))
    seen: dict[str, set[str]] = {span.contest: set() for span in spans}
    overvoted: dict[str, int] = {}
    for line, row in rows:
        for span in spans:
            for cell in row[span.start : span.stop]:
                name = cell.strip()
                if name.lower() == OVERVOTE:
                    overvoted.setdefault(span.contest, line)
                elif name and name.lower() != UNDERVOTE:
                    seen[span.contest].add(name)
    for span in spans:
        line = overvoted.get(span.contest, 0)
        if line and len(seen[span.contest]) <= span.stop - span.start:
            raise InvalidInput(
                f"is an overvote, but the export names only {len(seen[span.contest])} choices "
                f"for this vote-for-{span.stop - span.start} contest, so it cannot be one",
                where=f"{path}, line {line}, field {span.contest!r}",
            )
    contests = [
        ContestDefinition(
            name=span.contest,
            votes_allowed=span.stop - span.start,
            choices=tuple(sorted(seen[span.contest])),
            write_ins=frozenset(c for c in seen[span.contest] if _WRITE_IN.match(c)),
        )
        for span in spans
    ]
    left_out = check_ranked(path, contests, ranked)
    return EssCvrExport(path, contests, details, tuple(spans), len(heading), left_out)


def detect(path: Path) -> bool:
    """Whether the file's heading looks like an ES&S CVR export, without raising."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            heading = next(csv.reader([handle.readline(1_000_000)]))
    except (OSError, UnicodeDecodeError, csv.Error, StopIteration):
        return False
    names = [cell.strip() for cell in heading]
    if CVR_NUMBER not in names:
        return False
    last = max(i for i, name in enumerate(names) if name in KNOWN_DETAILS)
    return last + 1 < len(names)


def _spans(heading: list[str], start: int, source: str) -> list[_Span]:
    """Group the contest columns; a contest's repeated columns must be side by side."""
    spans: list[_Span] = []
    index = start
    while index < len(heading):
        name = heading[index]
        where = f"{source}, line 1, field {index + 1}"
        if not name:
            raise InvalidInput("a contest column has no heading", where)
        if any(span.contest == name for span in spans):
            raise InvalidInput(f"the columns of contest {name!r} are not side by side", where)
        stop = index
        while stop < len(heading) and heading[stop] == name:
            stop += 1
        spans.append(_Span(name, index, stop))
        index = stop
    if not spans:
        raise InvalidInput("the heading has no contest columns", where=f"{source}, line 1")
    return spans


def _without_ranked(spans: list[_Span]) -> tuple[list[_Span], dict[str, str]]:
    """The plurality contests, and each ranked-choice contest (its rank columns) with why."""
    ranks: dict[str, list[tuple[int, str]]] = {}
    for span in spans:
        match = _RANK.search(span.contest)
        if match is not None:
            base = " ".join(_RANK.sub(" ", span.contest, count=1).split())
            ranks.setdefault(base, []).append((int(match["n"] or match["m"]), span.contest))
    ranked_columns: set[str] = set()
    ranked: dict[str, str] = {}
    for base, found in ranks.items():
        if len(found) > 1 and max(rank for rank, _ in found) > 1:
            headings = [heading for _, heading in found]
            ranked_columns.update(headings)
            ranked[base or headings[0]] = f"its columns {', '.join(map(repr, headings))} rank it"
    return [span for span in spans if span.contest not in ranked_columns], ranked


def _marks(cells: list[str], choices: tuple[str, ...]) -> tuple[str, ...]:
    """One contest's cells as marks; see the module docstring for ``overvote``."""
    if any(cell.lower() == OVERVOTE for cell in cells):
        return choices
    chosen: list[str] = []
    for cell in cells:
        if cell and cell.lower() != UNDERVOTE:
            chosen.append(cell)
    return tuple(chosen)
