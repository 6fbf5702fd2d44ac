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
of them above 1, are one ranked-choice contest (named by the heading without
the rank, or its first heading when nothing else is left), read into the
records' ``ranks``: each rank column's cell is the choice ranked there,
``undervote`` or empty a skipped rank, ``overvote`` the file's overvote
(:data:`~votetrail.core.rcv.ballots.OVERVOTE`). Its number of ranks is the
``of M`` of its headings, else its highest heading rank; every cell empty is a
contest not on the ballot. A lone ``... Choice 1`` column, with no second
rank, is read as the plurality contest it is. A rank with several columns,
or two headings with one rank, is a layout votetrail cannot read: refused,
naming the contest.

The same layout comes as an Excel workbook (``.xlsx``, the export RCTab reads
for Minneapolis); :mod:`votetrail.formats.cvr.ess_xlsx` hands its rows to
:func:`open_ess_rows`, so both files are read by the rules above.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from votetrail.core.rcv.ballots import OVERVOTE as RANKED_OVERVOTE
from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.csv_lines import csv_rows
from votetrail.formats.cvr.ranked_contests import ranking, refuse_ranked

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
    r"\b(?:choice\s+(?P<n>[0-9]+)(?:\s+of\s+(?P<of>[0-9]+))?|(?P<m>[0-9]+)(?:st|nd|rd|th)\s+choice)\b",
    re.IGNORECASE,
)
_WRITE_IN = re.compile(r"write[- ]?in|uwi$", re.IGNORECASE)
"""A write-in choice: ``Write-in``..., or ``UWI`` (ES&S's undeclared write-in, Minneapolis)."""

Rows = Callable[[], Iterator[tuple[int, list[str]]]]
"""Reads the export from the start: (line or row number, cells) pairs, heading first."""


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
    _ranked: dict[str, tuple[tuple[int, int], ...]]
    """Ranked contest -> its (rank, column) pairs."""
    _rows: Rows
    _place: str = "line"
    """What errors call a row: ``line`` in a CSV, ``row`` in a workbook."""

    def records(self) -> Iterator[CastVoteRecord]:
        """Every ballot in file order; a bad row stops the stream naming its line and field."""
        choices = {c.name: c.choices for c in self.contests}
        seen: dict[str, int] = {}
        heading, ballots = True, 0
        for line, row in self._rows():
            if heading or not any(row):
                heading = False
                continue
            ballots += 1
            where = f"{self.path}, {self._place} {line}"
            if len(row) != self._width:
                raise InvalidInput(f"has {len(row)} cells but the heading has {self._width}", where)

            def detail(column: str, row: list[str] = row) -> str | None:
                index = self._details.get(column)
                return row[index].strip() or None if index is not None else None

            number = detail(CVR_NUMBER)
            if number is None and CVR_NUMBER not in self._details:
                number = f"{self.path.name}-{ballots}"  # no ids in the workbook: RCTab's name
            if number is None:
                raise InvalidInput("is empty", f"{where}, field {CVR_NUMBER!r}")
            first = seen.setdefault(number, line)
            if first != line:
                raise InvalidInput(
                    f"cast vote record {number!r} is already on {self._place} {first}",
                    f"{where}, field {CVR_NUMBER!r}",
                )
            marks: dict[str, tuple[str, ...]] = {}
            for span in self._spans:
                cells = [cell.strip() for cell in row[span.start : span.stop]]
                if any(cells):
                    marks[span.contest] = _marks(cells, choices[span.contest])
            ranks: dict[str, tuple[tuple[str, ...], ...]] = {}
            for contest, columns in self._ranked.items():
                found = _ranking([(rank, row[index].strip()) for rank, index in columns])
                if found is not None:
                    ranks[contest] = found
            tabulator_cvr = _TEN_DIGITS.fullmatch(detail("Tabulator CVR") or "")
            yield CastVoteRecord(
                id=number,
                tabulator=tabulator_cvr["tabulator"] if tabulator_cvr else None,
                batch=detail("Batch"),
                record=number,
                precinct=detail("Precinct"),
                ballot_type=detail("Ballot Style"),
                marks=marks,
                ranks=ranks,
            )


def open_ess_cvr(path: Path) -> EssCvrExport:
    """Read the heading and collect every contest's choices; ballots come from ``records()``."""
    return open_ess_rows(path, lambda: csv_rows(path), "line", numbered=True)


def open_ess_rows(path: Path, read: Rows, place: str, *, numbered: bool) -> EssCvrExport:
    """An ES&S export read as rows by ``read``; ``numbered``: ``Cast Vote Record`` is required.

    Without that column (a workbook may lack it), the n-th ballot row is named
    ``<file name>-<n>``, as RCTab names it.
    """
    rows = read()
    first = next(rows, None)
    if first is None:
        raise InvalidInput("is empty; expected an ES&S CVR export", where=str(path))
    heading_line, heading = first
    heading = [cell.strip() for cell in heading]
    head = f"{path}, {place} {heading_line}"
    details = {name: i for i, name in enumerate(heading) if name in KNOWN_DETAILS}
    if numbered and CVR_NUMBER not in details:
        raise InvalidInput(f"the heading has no {CVR_NUMBER!r} column", where=head)
    start = max(details.values(), default=-1) + 1
    spans, ranked = _without_ranked(_spans(heading, start, head), head)
    seen: dict[str, set[str]] = {span.contest: set() for span in spans}
    seen.update({name: set() for name in ranked})
    overvoted: dict[str, int] = {}
    for line, row in rows:
        for span in spans:
            for cell in row[span.start : span.stop]:
                name = cell.strip()
                if name.lower() == OVERVOTE:
                    overvoted.setdefault(span.contest, line)
                elif name and name.lower() != UNDERVOTE:
                    seen[span.contest].add(name)
        for contest, (_, rank_columns) in ranked.items():
            for _, index in rank_columns:
                name = row[index].strip() if index < len(row) else ""
                if name and name.lower() not in (OVERVOTE, UNDERVOTE):
                    seen[contest].add(name)
    for span in spans:
        line = overvoted.get(span.contest, 0)
        if line and len(seen[span.contest]) <= span.stop - span.start:
            raise InvalidInput(
                f"is an overvote, but the export names only {len(seen[span.contest])} choices "
                f"for this vote-for-{span.stop - span.start} contest, so it cannot be one",
                where=f"{path}, {place} {line}, field {span.contest!r}",
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
    contests += [
        ContestDefinition(
            name=name,
            votes_allowed=1,
            choices=tuple(sorted(seen[name])),
            write_ins=frozenset(c for c in seen[name] if _WRITE_IN.match(c)),
            ranks=ranks,
        )
        for name, (ranks, _) in ranked.items()
    ]
    columns = {name: found for name, (_, found) in ranked.items()}
    return EssCvrExport(path, contests, details, tuple(spans), len(heading), columns, read, place)


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


def _spans(heading: list[str], start: int, head: str) -> list[_Span]:
    """Group the contest columns; a contest's repeated columns must be side by side."""
    spans: list[_Span] = []
    index = start
    while index < len(heading):
        name = heading[index]
        where = f"{head}, field {index + 1}"
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
        raise InvalidInput("the heading has no contest columns", where=head)
    return spans


def _without_ranked(
    spans: list[_Span], head: str
) -> tuple[list[_Span], dict[str, tuple[int, tuple[tuple[int, int], ...]]]]:
    """The plurality contests, and each ranked contest: (its ranks, its (rank, column) pairs)."""
    found_ranks: dict[str, list[tuple[int, _Span, int | None]]] = {}
    for span in spans:
        match = _RANK.search(span.contest)
        if match is not None:
            base = " ".join(_RANK.sub(" ", span.contest, count=1).split())
            of = int(match["of"]) if match["of"] else None
            found_ranks.setdefault(base, []).append((int(match["n"] or match["m"]), span, of))
    ranked_columns: set[str] = set()
    ranked: dict[str, tuple[int, tuple[tuple[int, int], ...]]] = {}
    for base, found in found_ranks.items():
        if len(found) < 2 or max(rank for rank, _, _ in found) < 2:
            continue
        headings = [span.contest for _, span, _ in found]
        name = base or headings[0]
        evidence = f"its columns {', '.join(map(repr, headings))} rank it"
        where = f"{head}, field {headings[0]!r}"
        ranks = [rank for rank, _, _ in found]
        if len(set(ranks)) != len(ranks) or min(ranks) < 1:
            raise refuse_ranked(name, evidence, "two of its columns give one rank", where)
        wide = next((span for _, span, _ in found if span.stop - span.start > 1), None)
        if wide is not None:
            raise refuse_ranked(
                name, evidence, f"rank column {wide.contest!r} appears more than once", where
            )
        stated = {of for _, _, of in found if of is not None}
        if len(stated) > 1:
            raise refuse_ranked(
                name, evidence, "its headings give different numbers of ranks", where
            )
        ranked_columns.update(headings)
        count = stated.pop() if stated else max(ranks)
        if count < max(ranks):
            raise refuse_ranked(name, evidence, f"a heading ranks past its {count} ranks", where)
        ranked[name] = (count, tuple((rank, span.start) for rank, span, _ in found))
    return [span for span in spans if span.contest not in ranked_columns], ranked


def _ranking(cells: list[tuple[int, str]]) -> tuple[tuple[str, ...], ...] | None:
    """One ranked contest's rank cells as rankings; None when every cell is empty."""
    if not any(cell for _, cell in cells):
        return None
    marked = [
        (rank, RANKED_OVERVOTE if cell.lower() == OVERVOTE else cell)
        for rank, cell in cells
        if cell and cell.lower() != UNDERVOTE
    ]
    return ranking(sorted(marked))


def _marks(cells: list[str], choices: tuple[str, ...]) -> tuple[str, ...]:
    """One contest's cells as marks; see the module docstring for ``overvote``."""
    if any(cell.lower() == OVERVOTE for cell in cells):
        return choices
    chosen: list[str] = []
    for cell in cells:
        if cell and cell.lower() != UNDERVOTE:
            chosen.append(cell)
    return tuple(chosen)
