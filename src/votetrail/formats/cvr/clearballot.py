"""Clear Ballot ClearCount cast vote record exports (CSV).

Counties on Clear Ballot hand over one CSV: a heading row, then one row per
ballot. The first columns describe the ballot (``RowNumber``, ``BoxID``,
``BoxPosition``, ``BallotID``, ``PrecinctID``, ``BallotStyleID``,
``PrecinctStyleName``, ``ScanComputerName``, ``Status``, ``Remade``); then one
column per choice whose heading carries everything about it:
``Choice_<id>_<n>:<contest>:Vote For <N>:<choice>:<party>``. A cell is ``1``
marked or ``0`` not marked, and every cell of a contest is empty when the
contest is not on the ballot.

A ranked-choice contest has one column per choice *and rank*, its heading
carrying the rank before the rule (Clear Ballot's RCV layout, as in RCTab's
sample): ``Choice_<id>_<n>:<contest>:<rank>:Number of Winners <N>:<choice>:<party>``.

The rule is either ``Vote For <N>`` or ``Number of Winners <N>``, with or
without a rank before it: RCTab's reader takes that field as an opaque "vote
rule", and ClearCount writes ``Number of Winners`` where a contest elects
several. Either way N is the vote limit. The rank is read first, so
``Mayor:2:Vote For 1`` is rank 2 of ``Mayor``, never a contest named
``Mayor:2`` counted as plurality.
A contest whose headings give a rank above 1 is ranked-choice: its number of
ranks is its highest heading rank, and a ``1`` in a choice's rank-``r`` column
ranks that choice ``r`` (the record's ``ranks``). Headings in the ranked layout
with rank 1 only are a single choice per voter, read as plurality with
``Number of Winners`` as the limit.

A ballot's id is its ``BallotID`` (the id ClearCount prints on the ballot) when
exported, otherwise ``ScanComputerName-BoxID-BoxPosition``. Rows are streamed:
only the ids seen are kept, to refuse duplicates.
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
from votetrail.formats.cvr.ranked_contests import ranking

BALLOT_ID = "BallotID"
TABULATOR = "ScanComputerName"
BATCH = "BoxID"
POSITION = "BoxPosition"
_CHOICE = re.compile(
    r"Choice_[0-9]+_[0-9]+:(?P<contest>.+?)(?::(?P<rank>[0-9]+))?"
    r":(?:Vote For|Number of Winners) (?P<votes>[0-9]+):(?P<choice>.+):[^:]*"
)
_WRITE_IN = re.compile(r"write[- ]?in", re.IGNORECASE)


@dataclass(frozen=True)
class ClearBallotExport:
    """The contests of one export; :meth:`records` streams its ballots."""

    path: Path
    contests: list[ContestDefinition]
    _details: dict[str, int]
    _columns: dict[str, tuple[int, ...]]
    """Contest name -> its choice columns, in the order of ``ContestDefinition.choices``."""
    _width: int
    _ranked: dict[str, tuple[tuple[int, str, int], ...]]
    """Ranked contest -> its (column, choice, rank) cells, in file order."""

    def records(self) -> Iterator[CastVoteRecord]:
        """Every ballot in file order; a bad row stops the stream naming its line and field."""
        seen: dict[str, int] = {}
        for line, row in csv_rows(self.path):
            if line == 1 or not any(row):
                continue
            where = f"{self.path}, line {line}"
            if len(row) != self._width:
                raise InvalidInput(f"has {len(row)} cells but the heading has {self._width}", where)
            record = self._record(row, where)
            first = seen.setdefault(record.id, line)
            if first != line:
                raise InvalidInput(
                    f"ballot id {record.id!r} is already on line {first}",
                    f"{where}, field {self._id_field()!r}",
                )
            yield record

    def _id_field(self) -> str:
        return BALLOT_ID if BALLOT_ID in self._details else POSITION

    def _record(self, row: list[str], where: str) -> CastVoteRecord:
        def detail(column: str) -> str | None:
            index = self._details.get(column)
            return row[index].strip() or None if index is not None else None

        tabulator, batch, position = detail(TABULATOR), detail(BATCH), detail(POSITION)
        ballot_id = detail(BALLOT_ID)
        if ballot_id is None:
            if tabulator is None or batch is None or position is None:
                raise InvalidInput(
                    f"has no {BALLOT_ID} and no complete {TABULATOR}, {BATCH}, {POSITION}",
                    f"{where}, field {self._id_field()!r}",
                )
            ballot_id = f"{tabulator}-{batch}-{position}"
        marks: dict[str, tuple[str, ...]] = {}
        ranks: dict[str, tuple[tuple[str, ...], ...]] = {}
        for contest in self.contests:
            if contest.ranked:
                found = self._ranking(contest.name, row, where)
                if found is not None:
                    ranks[contest.name] = found
                continue
            columns = self._columns[contest.name]
            cells = [row[index].strip() for index in columns]
            if not any(cells):
                continue  # the contest is not on this ballot
            chosen = []
            for choice, cell in zip(contest.choices, cells, strict=True):
                if cell == "1":
                    chosen.append(choice)
                elif cell != "0":
                    described = repr(cell) if cell else "an empty cell"
                    raise InvalidInput(
                        f"{described} is not a mark; expected 1 (marked) or 0 (not marked), "
                        f"or every cell of the contest empty when it is not on the ballot",
                        f"{where}, field {contest.name!r} / {choice!r}",
                    )
            marks[contest.name] = tuple(chosen)
        return CastVoteRecord(
            id=ballot_id,
            tabulator=tabulator,
            batch=batch,
            record=position,
            precinct=detail("PrecinctID"),
            ballot_type=detail("BallotStyleID"),
            marks=marks,
            ranks=ranks,
        )

    def _ranking(
        self, contest: str, row: list[str], where: str
    ) -> tuple[tuple[str, ...], ...] | None:
        """A ranked contest's rankings on this ballot; None when it is not on the ballot."""
        cells = self._ranked[contest]
        if not any(row[index].strip() for index, _, _ in cells):
            return None
        marked: list[tuple[int, str]] = []
        for index, choice, rank in cells:
            cell = row[index].strip()
            if cell == "1":
                marked.append((rank, choice))
            elif cell != "0":
                described = repr(cell) if cell else "an empty cell"
                raise InvalidInput(
                    f"{described} is not a mark; expected 1 (marked) or 0 (not marked), "
                    f"or every cell of the contest empty when it is not on the ballot",
                    f"{where}, field {contest!r} / {choice!r} / rank {rank}",
                )
        return ranking(marked)


def open_clearballot_cvr(path: Path) -> ClearBallotExport:
    """Read and check the heading; the ballots are read later by ``records()``."""
    first = next(csv_rows(path), None)
    if first is None:
        raise InvalidInput("is empty; expected a Clear Ballot CVR export", where=str(path))
    heading = [cell.strip() for cell in first[1]]
    start = next((i for i, name in enumerate(heading) if name.startswith("Choice_")), None)
    if start is None:
        raise InvalidInput("the heading has no 'Choice_' column", where=f"{path}, line 1")
    details = {name: i for i, name in enumerate(heading[:start]) if name}
    if BALLOT_ID not in details and not {TABULATOR, BATCH, POSITION} <= details.keys():
        raise InvalidInput(
            f"the heading needs {BALLOT_ID}, or {TABULATOR}, {BATCH} and {POSITION}, "
            "to give each ballot an id",
            where=f"{path}, line 1",
        )
    parsed: list[tuple[int, str, int, int, str]] = []  # column, contest, rank, votes, choice
    ranks: dict[str, int] = {}
    for index in range(start, len(heading)):
        where = f"{path}, line 1, field {index + 1}"
        match = _CHOICE.fullmatch(heading[index])
        rank = int(match["rank"] or 1) if match is not None else 1
        if match is None or int(match["votes"]) < 1 or rank < 1:
            raise InvalidInput(
                "a choice heading must read "
                "'Choice_<id>_<n>:<contest>:Vote For <N>:<choice>:<party>' ('Number of Winners "
                "<N>' in place of 'Vote For <N>' too; ranked, with '<rank>:' before it); "
                f"it reads {heading[index]!r}",
                where,
            )
        contest, choice = match["contest"].strip(), match["choice"].strip()
        ranks[contest] = max(ranks.get(contest, 1), rank)
        parsed.append((index, contest, rank, int(match["votes"]), choice))
    votes: dict[str, int] = {}
    choices: dict[str, dict[str, int]] = {}
    ranked: dict[str, dict[tuple[str, int], int]] = {}
    for index, contest, rank, limit, choice in parsed:
        where = f"{path}, line 1, field {index + 1}"
        if votes.setdefault(contest, limit) != limit:
            raise InvalidInput(
                f"contest {contest!r} has two different vote limits ('Vote For' or "
                f"'Number of Winners')",
                where,
            )
        if ranks[contest] > 1:
            slots = ranked.setdefault(contest, {})
            if (choice, rank) in slots:
                raise InvalidInput(
                    f"choice {choice!r} appears twice at rank {rank} in contest {contest!r}", where
                )
            slots[choice, rank] = index
            choices.setdefault(contest, {}).setdefault(choice, index)
            continue
        if choice in choices.setdefault(contest, {}):
            raise InvalidInput(f"choice {choice!r} appears twice in contest {contest!r}", where)
        choices[contest][choice] = index
    contests = [
        ContestDefinition(
            name=name,
            votes_allowed=votes[name],
            choices=tuple(columns),
            write_ins=frozenset(c for c in columns if _WRITE_IN.match(c)),
            ranks=ranks[name] if ranks[name] > 1 else None,
        )
        for name, columns in choices.items()
    ]
    columns = {
        name: tuple(by_choice.values()) for name, by_choice in choices.items() if ranks[name] == 1
    }
    cells = {
        name: tuple((index, choice, rank) for (choice, rank), index in by_cell.items())
        for name, by_cell in ranked.items()
    }
    return ClearBallotExport(path, contests, details, columns, len(heading), cells)


def detect(path: Path) -> bool:
    """Whether the file's heading looks like a Clear Ballot CVR export, without raising."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            heading = next(csv.reader([handle.readline(1_000_000)]))
    except (OSError, UnicodeDecodeError, csv.Error, StopIteration):
        return False
    names = [cell.strip() for cell in heading]
    return BATCH in names and any(_CHOICE.fullmatch(name) for name in names)
