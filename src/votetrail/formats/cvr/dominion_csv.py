"""Dominion Democracy Suite cast vote record exports (the "CVR export" CSV).

Counties using Dominion hand over this file, so it is read as Democracy Suite
writes it and every problem names the file, line and field a clerk can check:

1. election name, Democracy Suite version (e.g. ``5.2.16.1``);
2. over each choice column, its contest: ``Minister of Farming (Vote For=1)``;
3. over each choice column, the choice's name;
4. column headings for the card's details (``CvrNumber``, ``TabulatorNum``,
   ``BatchId``, ``RecordId``, ``ImprintedId``, ``CountingGroup``,
   ``PrecinctPortion``, ``BallotType``; exports may lack some);
5. then one row per card: ``1`` marked, ``0`` not marked, and *empty* cells
   for every choice of a contest that is not on the card.

Row 2's last contest column ends the table. Rows saved through a spreadsheet
often carry empty cells past it (Arlo's own comparison-audit test CVR has one
on row 4); empty trailing cells are not data and are dropped, a filled one is
refused naming its line and cell.

A file laid out like this export (card-detail headings on row 4, and a
version on row 1 or a Dominion contest heading on row 2) is read by this
module even when something else is wrong with it, so the clerk is told what
row 1 or row 2 should hold and what they hold instead, not that the file is
of no known format.

The record id is ``ImprintedId`` when the export has it, otherwise
``TabulatorNum-BatchId-RecordId`` (Dominion's own imprinted form), so the same
card gets the same id whichever columns a county exported.

A ranked-choice contest is headed ``Mayor (Number of positions=1, Number of
ranks=4)`` (Boulder's 2023 export, as rlauxe reads it), one column per choice
and rank, each choice heading carrying its rank: ``Ada(1)``, ``Ada(2)``. A
``1`` there ranks the choice (the records' ``ranks``); N is the number of
ranks and the number of positions the seats. A choice heading without a rank,
or a rank outside 1 to N, is a layout votetrail cannot read: refused, naming
the contest. The same heading with ``Number of ranks=1`` is one choice per
voter, read as vote-for-N with N the number of positions.

Rows are streamed: :meth:`DominionCsvExport.records` reopens the file and keeps
only the ids seen (to refuse duplicates), so a later import can consume it
inside one database transaction without holding the cards in memory.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from pathlib import Path

from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.csv_lines import decoded, open_export
from votetrail.formats.cvr.ranked_contests import ranking, refuse_ranked

HEADER_ROWS = 4
IMPRINTED_ID = "ImprintedId"
TABULATOR = "TabulatorNum"
BATCH = "BatchId"
RECORD = "RecordId"
_DETAIL_COLUMNS = (
    "CvrNumber",
    TABULATOR,
    BATCH,
    RECORD,
    IMPRINTED_ID,
    "CountingGroup",
    "PrecinctPortion",
    "BallotType",
)
_SLOT_COLUMNS = (
    TABULATOR,
    BATCH,
    RECORD,
    IMPRINTED_ID,
    "PrecinctPortion",
    "BallotType",
    "CountingGroup",
)
_VERSION = re.compile(r"[0-9]+(?:\.[0-9]+)+")
_CONTEST = re.compile(r"(?P<name>.*?)\s*\(Vote For=(?P<n>[0-9]+)\)")
_RANKED = re.compile(
    r"(?P<name>.*?)\s*\(Number of positions=(?P<n>[0-9]+), Number of ranks=(?P<ranks>[0-9]+)\)"
)
_HEADING_HINT = re.compile(r"\((?:Vote For|Number of positions)\s*=")
"""A row-2 cell that only a Dominion contest heading carries, even a malformed one."""
_WRITE_IN = re.compile(r"write[- ]?in", re.IGNORECASE)
_RANKED_CHOICE = re.compile(r"(?P<choice>.*?)\s*\((?P<rank>[0-9]+)\)")
"""A ranked contest's choice heading: the choice and, in brackets, the rank of its column."""


@dataclass(frozen=True, slots=True)
class _Span:
    """The columns ``start`` to ``stop`` (exclusive) hold one contest's choices."""

    contest: str
    start: int
    stop: int
    choices: tuple[str, ...]
    ranks: tuple[int, ...] = ()
    """A ranked contest's rank of each column (empty for a plurality contest)."""


@dataclass(frozen=True)
class DominionCsvExport:
    """The header of one export; :meth:`records` streams its cards."""

    path: Path
    election_name: str
    version: str
    contests: list[ContestDefinition]
    _details: dict[str, int]
    _spans: tuple[_Span, ...]
    _width: int

    def records(self) -> Iterator[CastVoteRecord]:
        """Every card in file order; a bad row stops the stream with its line and field."""
        source = str(self.path)
        with open_export(self.path) as handle:
            rows = csv.reader(decoded(handle, source), strict=True)
            for _ in range(HEADER_ROWS):
                _next_row(rows, source, rows.line_num + 1)
            seen: dict[str, int] = {}
            line = rows.line_num + 1
            try:
                for row in rows:
                    if any(row):
                        record = self._record(row, source, line)
                        first = seen.setdefault(record.id, line)
                        if first != line:
                            raise InvalidInput(
                                f"record id {record.id!r} is already used on line {first}",
                                where=f"{source}, line {line}, field {self._id_field()!r}",
                            )
                        yield record
                    line = rows.line_num + 1
            except csv.Error as exc:
                raise InvalidInput(
                    f"is not valid CSV: {exc}", where=f"{source}, line {line}"
                ) from None

    @cached_property
    def _slots(self) -> tuple[int | None, ...]:
        """The columns of the details ``_record`` reads, in its order (None: not exported)."""
        return tuple(self._details.get(column) for column in _SLOT_COLUMNS)

    @cached_property
    def _every_slot(self) -> Callable[[list[str]], tuple[str, ...]] | None:
        slots = self._slots
        return itemgetter(*slots) if None not in slots else None

    def _id_field(self) -> str:
        return IMPRINTED_ID if IMPRINTED_ID in self._details else RECORD

    def _record(self, row: list[str], source: str, line: int) -> CastVoteRecord:
        if len(row) != self._width:
            if len(row) < self._width:
                raise InvalidInput(
                    f"has {len(row)} cells but the header rows have {self._width}",
                    f"{source}, line {line}",
                )
            row = _without_empty_tail(row, self._width, f"{source}, line {line}")
        every = self._every_slot
        if every is not None:  # all seven columns exported: one C call picks them out
            values: list[str | None] = [cell.strip() or None for cell in every(row)]
        else:
            values = [
                None if index is None else row[index].strip() or None for index in self._slots
            ]
        tabulator, batch, record, card_id, precinct, ballot_type, group = values
        if card_id is None:
            if tabulator is None or batch is None or record is None:
                raise InvalidInput(
                    f"has no {IMPRINTED_ID} and no complete {TABULATOR}, {BATCH}, {RECORD}",
                    where=f"{source}, line {line}, field {self._id_field()!r}",
                )
            card_id = f"{tabulator}-{batch}-{record}"
        marks: dict[str, tuple[str, ...]] = {}
        ranks: dict[str, tuple[tuple[str, ...], ...]] = {}
        for span in self._spans:
            cells = row[span.start : span.stop]
            if not any(cells):
                continue  # the contest is not on this card
            if span.ranks:
                _chosen(span, cells, f"{source}, line {line}")  # refuses a cell not 1 or 0
                ranks[span.contest] = ranking(
                    (rank, choice)
                    for rank, choice, cell in zip(span.ranks, span.choices, cells, strict=True)
                    if cell == "1"
                )
                continue
            if cells.count("1") + cells.count("0") == len(cells):  # the usual case: all valid
                marks[span.contest] = tuple(
                    [
                        choice
                        for choice, cell in zip(span.choices, cells, strict=True)
                        if cell == "1"
                    ]
                )
            else:
                marks[span.contest] = _chosen(span, cells, f"{source}, line {line}")
        return CastVoteRecord(
            id=card_id,
            tabulator=tabulator,
            batch=batch,
            record=record,
            precinct=precinct,
            ballot_type=ballot_type,
            counting_group=group,
            marks=marks,
            ranks=ranks,
        )


def _chosen(span: _Span, cells: list[str], where: str) -> tuple[str, ...]:
    """The marked choices of one contest, refusing a cell that is neither 1 nor 0."""
    chosen = []
    for choice, cell in zip(span.choices, cells, strict=True):
        if cell == "1":
            chosen.append(choice)
        elif cell != "0":
            described = repr(cell) if cell else "an empty cell"
            raise InvalidInput(
                f"{described} is not a mark; expected 1 (marked) or 0 (not marked), "
                f"or every cell of the contest empty when it is not on the card",
                where=f"{where}, field {span.contest!r} / {choice!r}",
            )
    return tuple(chosen)


def open_dominion_csv(path: Path) -> DominionCsvExport:
    """Read and check the four header rows; the cards are read later by ``records()``."""
    source = str(path)
    with open_export(path) as handle:
        rows = csv.reader(decoded(handle, source), strict=True)
        header: list[list[str]] = []
        for line in range(1, HEADER_ROWS + 1):
            row = _next_row(rows, source, line)
            if row is None:
                raise InvalidInput(
                    f"the file ends after {line - 1} of the {HEADER_ROWS} header rows of a "
                    f"Dominion CVR export (election, contests, choices, column headings)",
                    where=f"{source}, line {line}",
                )
            header.append(row)
    first, contest_row, choice_row, columns = header
    first = [first[0].removeprefix("\ufeff"), *first[1:]] if first else [""]
    if len(first) < 2 or not _VERSION.fullmatch(first[1].strip()):
        raise InvalidInput(
            "the first row should start with the election name and the Democracy Suite "
            f"export version, e.g. 5.10.50.85; it starts with {_found(first)}",
            where=f"{source}, line 1, field 2",
        )
    width = _table_width(contest_row)
    contest_row = contest_row[:width]
    for number, row in ((3, choice_row), (4, columns)):
        if len(row) < width:
            raise InvalidInput(
                f"has {len(row)} cells but line 2 has {width}", where=f"{source}, line {number}"
            )
    choice_row = _without_empty_tail(choice_row, width, f"{source}, line 3")
    columns = _without_empty_tail(columns, width, f"{source}, line 4")
    spans, contests = _contests(contest_row, choice_row, source)
    first_choice = next((i for i, label in enumerate(contest_row) if label.strip()), width)
    details = _details(columns[:first_choice], source)
    return DominionCsvExport(
        path, first[0].strip(), first[1].strip(), contests, details, tuple(spans), width
    )


def detect(path: Path) -> bool:
    """Whether the file is laid out as a Dominion CVR export, without raising on anything.

    Deliberately looser than what :func:`open_dominion_csv` accepts: card-detail
    headings on row 4 and either a version on row 1 or a Dominion contest
    heading on row 2 are enough, so a file with a missing version or an odd
    heading is refused by the Dominion reader with what it expected and found.
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            lines = [handle.readline(1_000_000) for _ in range(HEADER_ROWS)]
        first, contests, _, columns = csv.reader(lines)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError):
        return False
    versioned = len(first) >= 2 and _VERSION.fullmatch(first[1].strip()) is not None
    return any(cell.strip() in _DETAIL_COLUMNS for cell in columns) and (
        versioned or any(_HEADING_HINT.search(cell) for cell in contests)
    )


def _found(first: list[str]) -> str:
    """Row 1's first two cells in words, for the refusal of a row without a version."""
    if not any(cell.strip() for cell in first[:2]):
        return "two empty cells" if len(first) >= 2 else "nothing (the row is empty)"
    cells = [repr(cell.strip()) if cell.strip() else "an empty cell" for cell in first[:2]]
    return " and ".join(cells) if len(cells) == 2 else f"{cells[0]} and no second cell"


def _table_width(contest_row: list[str]) -> int:
    """Row 2 up to its last contest heading: empty cells after it are spreadsheet padding."""
    filled = [index for index, label in enumerate(contest_row) if label.strip()]
    return filled[-1] + 1 if filled else len(contest_row)


def _without_empty_tail(row: list[str], width: int, where: str) -> list[str]:
    """``row`` cut to ``width`` cells; a filled cell past the last contest column is refused."""
    for index in range(width, len(row)):
        if row[index].strip():
            raise InvalidInput(
                f"cell {index + 1} holds {row[index].strip()!r}, but the contest columns of "
                f"line 2 end at cell {width}; only empty cells may follow them",
                where=f"{where}, cell {index + 1}",
            )
    return row[:width]


def _ranked(label: str) -> re.Match[str] | None:
    """A ranked-choice contest's heading (more than one rank), else None."""
    match = _RANKED.fullmatch(label.strip())
    return match if match is not None and int(match["ranks"]) > 1 else None


def _ranked_span(
    heading: re.Match[str], start: int, stop: int, choice_row: list[str], source: str
) -> tuple[_Span, ContestDefinition]:
    """A ranked contest's columns: each choice heading names its choice and rank."""
    name, count = heading["name"], int(heading["ranks"])
    evidence = f"its heading gives Number of ranks={count}"
    choices: list[str] = []
    ranks: list[int] = []
    for index in range(start, stop):
        where = f"{source}, line 3, field {index + 1}"
        found = _RANKED_CHOICE.fullmatch(choice_row[index].strip())
        if found is None or not found["choice"]:
            raise refuse_ranked(
                name,
                evidence,
                f"choice heading {choice_row[index].strip()!r} does not end with its rank, "
                "e.g. 'Ada(2)'",
                where,
            )
        rank = int(found["rank"])
        if not 1 <= rank <= count:
            raise refuse_ranked(name, evidence, f"a choice heading gives rank {rank}", where)
        if (found["choice"], rank) in zip(choices, ranks, strict=True):
            raise InvalidInput(
                f"choice {found['choice']!r} appears twice at rank {rank} in contest {name!r}",
                where,
            )
        choices.append(found["choice"])
        ranks.append(rank)
    unique = tuple(dict.fromkeys(choices))
    definition = ContestDefinition(
        name=name,
        votes_allowed=int(heading["n"]),
        choices=unique,
        write_ins=frozenset(c for c in unique if _WRITE_IN.match(c)),
        ranks=count,
    )
    return _Span(name, start, stop, tuple(choices), tuple(ranks)), definition


def _contests(
    contest_row: list[str], choice_row: list[str], source: str
) -> tuple[list[_Span], list[ContestDefinition]]:
    """Group the choice columns by contest; each contest's columns must be side by side."""
    spans: list[_Span] = []
    contests: list[ContestDefinition] = []
    index = 0
    while index < len(contest_row):
        label = contest_row[index].strip()
        if not label:
            if spans:
                raise InvalidInput(
                    "a choice column has no contest above it",
                    where=f"{source}, line 2, field {index + 1}",
                )
            index += 1
            continue
        stop = index
        while stop < len(contest_row) and contest_row[stop].strip() == label:
            stop += 1
        ranks = _ranked(label)
        if ranks is not None:
            span, definition = _ranked_span(ranks, index, stop, choice_row, source)
            if any(other.contest == span.contest for other in spans):
                raise InvalidInput(
                    "the contest's columns are not side by side",
                    f"{source}, line 2, field {label!r}",
                )
            spans.append(span)
            contests.append(definition)
            index = stop
            continue
        match = _CONTEST.fullmatch(label) or _RANKED.fullmatch(label)
        where = f"{source}, line 2, field {label!r}"
        if match is None or int(match["n"]) < 1:
            raise InvalidInput(
                "a contest heading must end with its vote limit, e.g. 'Mayor (Vote For=1)', "
                "or, ranked, 'Mayor (Number of positions=1, Number of ranks=4)'; "
                f"it reads {label!r}",
                where,
            )
        name = match["name"]
        if any(span.contest == name for span in spans):
            raise InvalidInput("the contest's columns are not side by side", where)
        choices = tuple(cell.strip() for cell in choice_row[index:stop])
        _check_choices(choices, name, source)
        spans.append(_Span(name, index, stop, choices))
        contests.append(
            ContestDefinition(
                name=name,
                votes_allowed=int(match["n"]),
                choices=choices,
                write_ins=frozenset(c for c in choices if _WRITE_IN.match(c)),
            )
        )
        index = stop
    return spans, contests


def _check_choices(choices: tuple[str, ...], contest: str, source: str) -> None:
    for position, choice in enumerate(choices):
        where = f"{source}, line 3, field {contest!r}"
        if not choice:
            raise InvalidInput(f"choice {position + 1} of the contest has no name", where)
        if choice in choices[:position]:
            raise InvalidInput(f"choice {choice!r} appears twice in the contest", where)


def _details(headings: list[str], source: str) -> dict[str, int]:
    """Map the card-detail headings to columns; unknown headings are kept out, not guessed at."""
    details: dict[str, int] = {}
    for index, heading in enumerate(headings):
        label = heading.strip()
        if label in details:
            raise InvalidInput("appears twice", where=f"{source}, line 4, field {label!r}")
        if label:
            details[label] = index
    if IMPRINTED_ID not in details and not {TABULATOR, BATCH, RECORD} <= details.keys():
        raise InvalidInput(
            f"the headings need {IMPRINTED_ID}, or {TABULATOR}, {BATCH} and {RECORD}, "
            f"to give each card an id",
            where=f"{source}, line 4",
        )
    return details


def _next_row(rows: Iterator[list[str]], source: str, line: int) -> list[str] | None:
    try:
        return next(rows)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise InvalidInput(f"is not valid CSV: {exc}", where=f"{source}, line {line}") from None
