"""Dominion Democracy Suite cast vote record exports in JSON (``CvrExport*.json``).

Larger Dominion counties export JSON rather than CSV: a ZIP holding many
``CvrExport_N.json`` files and the manifests that turn ids into names
(``ContestManifest.json``: ``List`` of ``Id``, ``Description``, ``VoteFor``;
``CandidateManifest.json``: ``List`` of ``Id``, ``Description``, ``ContestId``,
``Type``). A lone ``CvrExport.json`` is read with the manifests beside it.

Each export holds ``Sessions``: one scanned ballot with ``TabulatorId``,
``BatchId``, ``RecordId``, ``CountingGroupId`` and an ``Original`` and
optionally a ``Modified`` (adjudicated) reading. The adjudicated reading is
what counted, so ``Modified`` is preferred. Its ``Cards`` hold ``Contests``
with ``Marks``; a mark with ``IsVote`` true is a vote. Dominion sets
``IsVote`` false on every mark of an overvoted contest, so in a contest with
``Overvotes`` > 0 the unambiguous marks are kept: tabulation must see the
overvote, not a blank contest.

A contest the contest manifest gives more than one rank (``NumOfRanks`` > 1)
is ranked-choice: its marks become the record's ``ranks`` (each mark's
``Rank``, 1 to ``NumOfRanks``), as RCTab's Dominion reader reads them. Every
mark not ``IsAmbiguous`` is a ranking whatever its ``IsVote``: Dominion sets
``IsVote`` false on every rank after the first (Alaska's 2020 export), so
``IsVote`` cannot say whether a ranking was marked. Plurality marks carry
``Rank`` 1; a mark ranked above 1 in a contest the manifest does not rank is
refused naming the contest, as its number of ranks is then unknown.

Streaming is per export file: the standard library has no streaming JSON
reader, so one ``CvrExport_N.json`` at a time is held in memory (a lone
``CvrExport.json`` is therefore loaded whole), never the whole ZIP. A file
over :data:`JSON_LIMIT`, or a ZIP member that expands like a compression
bomb, is refused naming the ZIP and the member (``formats.archives``).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.archives import NOT_A_ZIP, MiB, check_size, read_member
from votetrail.formats.cvr.ranked_contests import check_rank, ranking

CONTEST_MANIFEST = "ContestManifest.json"
CANDIDATE_MANIFEST = "CandidateManifest.json"
_EXPORT = re.compile(r"CvrExport(?:_(?P<n>[0-9]+))?\.json", re.IGNORECASE)
_WRITE_IN = re.compile(r"write[- ]?in", re.IGNORECASE)
_WRITE_IN_TYPES = frozenset({"WriteIn", "QualifiedWriteIn"})
Obj = dict[str, Any]
JSON_LIMIT = 128 * MiB
"""The largest export or manifest file read (each is parsed whole); Dominion splits an
export into files of a few thousand ballots, a few megabytes each."""


@dataclass(frozen=True)
class _Contest:
    name: str
    choices: dict[int, str]
    """Candidate id -> choice name."""
    ranks: int = 0
    """``NumOfRanks``: above 1 the contest is ranked-choice, read into the records' ``ranks``."""


@dataclass(frozen=True)
class DominionJsonExport:
    """The manifests of one export; :meth:`records` streams its cards file by file."""

    path: Path
    version: str
    contests: list[ContestDefinition]
    _exports: tuple[str, ...]
    _by_id: dict[int, _Contest]

    def records(self) -> Iterator[CastVoteRecord]:
        """Every card, export file by export file; a bad session stops the stream naming it."""
        seen: dict[str, str] = {}
        for name in self._exports:
            document = _load(self.path, name)
            source = _where(self.path, name)
            sessions = document.get("Sessions") if isinstance(document, dict) else None
            if not isinstance(sessions, list):
                raise InvalidInput("has no list of Sessions", where=f"{source}, field 'Sessions'")
            for index, session in enumerate(sessions, start=1):
                where = f"{source}, session {index}"
                for record in self._session(session, where):
                    first = seen.setdefault(record.id, where)
                    if first != where:
                        raise InvalidInput(
                            f"record id {record.id!r} is already used by {first}",
                            where=f"{where}, field 'RecordId'",
                        )
                    yield record

    def _session(self, session: object, where: str) -> Iterator[CastVoteRecord]:
        if not isinstance(session, dict):
            raise InvalidInput("is not a JSON object", where)
        tabulator = _text(session, "TabulatorId", where)
        batch = _text(session, "BatchId", where)
        record = _text(session, "RecordId", where)
        where = f"{where} ({tabulator}-{batch}-{record})"
        group = session.get("CountingGroupId")
        reading = session.get("Modified") or session.get("Original")
        if not isinstance(reading, dict):
            raise InvalidInput("has neither a Modified nor an Original reading", where)
        cards = reading.get("Cards")
        if cards is None and "Contests" in reading:
            cards = [reading]  # some versions put the contests straight in the reading
        if not isinstance(cards, list) or not cards:
            raise InvalidInput("has no cards", where=f"{where}, field 'Cards'")
        base = f"{tabulator}-{batch}-{record}"
        for number, card in enumerate(cards, start=1):
            card_where = f"{where}, card {number}"
            if not isinstance(card, dict):
                raise InvalidInput("is not a JSON object", card_where)
            marks, ranks = self._marks(card, card_where)
            yield CastVoteRecord(
                id=base if len(cards) == 1 else f"{base}/{number}",
                tabulator=tabulator,
                batch=batch,
                record=record,
                precinct=_optional(reading.get("PrecinctPortionId")),
                ballot_type=_optional(reading.get("BallotTypeId")),
                counting_group=_optional(group),
                marks=marks,
                ranks=ranks,
            )

    def _marks(
        self, card: Obj, where: str
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[tuple[str, ...], ...]]]:
        """The card's plurality marks and its ranked contests' rankings."""
        contests = card.get("Contests", [])
        if not isinstance(contests, list):
            raise InvalidInput("is not a list", where=f"{where}, field 'Contests'")
        marks: dict[str, tuple[str, ...]] = {}
        ranks: dict[str, tuple[tuple[str, ...], ...]] = {}
        for entry in contests:
            if not isinstance(entry, dict):
                raise InvalidInput("a contest is not a JSON object", f"{where}, field 'Contests'")
            contest_id = _integer(entry, "Id", f"{where}, contest")
            contest = self._by_id.get(contest_id)
            if contest is None:
                raise InvalidInput(
                    f"contest {contest_id} is not in {CONTEST_MANIFEST}", f"{where}, field 'Id'"
                )
            here = f"{where}, contest {contest.name!r}"
            overvoted = isinstance(entry.get("Overvotes"), int) and entry["Overvotes"] > 0
            raw = entry.get("Marks", [])
            if not isinstance(raw, list):
                raise InvalidInput("is not a list", f"{here}, field 'Marks'")
            chosen: list[str] = []
            ranked: list[tuple[int, str]] = []
            for mark in raw:
                if not isinstance(mark, dict):
                    raise InvalidInput("a mark is not a JSON object", f"{here}, field 'Marks'")
                candidate = _integer(mark, "CandidateId", f"{here}, mark")
                choice = contest.choices.get(candidate)
                if choice is None:
                    raise InvalidInput(
                        f"candidate {candidate} is not this contest's in {CANDIDATE_MANIFEST}",
                        f"{here}, field 'CandidateId'",
                    )
                # A Rank that is not a whole number ("2", 2.0) could hide a ranking: refused.
                rank = None if mark.get("Rank") is None else _integer(mark, "Rank", here)
                if contest.ranks > 1:
                    if rank is None:
                        raise InvalidInput(
                            "is missing in a ranked contest", f"{here}, field 'Rank'"
                        )
                    check_rank(rank, contest.ranks, contest.name, here, "Rank")
                    if mark.get("IsAmbiguous") is not True:  # as RCTab: ambiguous is no ranking
                        ranked.append((rank, choice))
                    continue
                if rank is not None and rank > 1:
                    raise InvalidInput(
                        f"a mark has Rank {rank}, so contest {contest.name!r} is ranked-choice "
                        f"though {CONTEST_MANIFEST} gives it no NumOfRanks, so its number of "
                        "ranks is unknown",
                        f"{here}, field 'Rank'",
                    )
                is_vote = mark.get("IsVote")
                if not isinstance(is_vote, bool):
                    raise InvalidInput("must be true or false", f"{here}, field 'IsVote'")
                counted = is_vote or (overvoted and mark.get("IsAmbiguous") is not True)
                if counted and choice not in chosen:
                    chosen.append(choice)
            if contest.ranks > 1:
                ranks[contest.name] = ranking(ranked)
            else:
                marks[contest.name] = tuple(chosen)
        return marks, ranks


def open_dominion_json(path: Path) -> DominionJsonExport:
    """Read the manifests and list the export files; the cards are read by ``records()``."""
    exports = _export_names(path)
    if not exports:
        raise InvalidInput("holds no CvrExport*.json file", where=str(path))
    version = _load(path, CONTEST_MANIFEST).get("Version", "")
    by_id = _contests(path)
    contests = [
        ContestDefinition(
            name=contest.name,
            votes_allowed=votes,
            choices=tuple(contest.choices.values()),
            write_ins=frozenset(writes),
            ranks=contest.ranks if contest.ranks > 1 else None,
        )
        for contest, votes, writes in by_id.values()
    ]
    plain = {key: contest for key, (contest, _, _) in by_id.items()}
    return DominionJsonExport(path, str(version), contests, tuple(exports), plain)


def detect(path: Path) -> bool:
    """Whether the file is a Dominion JSON export or a ZIP of them, without raising."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return any(_EXPORT.fullmatch(PurePosixPath(n).name) for n in archive.namelist())
        if path.suffix.lower() != ".json":
            return False
        with path.open("rb") as handle:
            head = handle.read(65_536)
    except NOT_A_ZIP:
        return False
    return bool(_EXPORT.fullmatch(path.name)) or (b'"Sessions"' in head and b'"ElectionId"' in head)


def _contests(path: Path) -> dict[int, tuple[_Contest, int, set[str]]]:
    """Contest id -> (contest with its choices in manifest order, vote limit, write-ins)."""
    contests: dict[int, tuple[_Contest, int, set[str]]] = {}
    names: set[str] = set()
    for index, item in enumerate(_manifest(path, CONTEST_MANIFEST), start=1):
        where = f"{_where(path, CONTEST_MANIFEST)}, entry {index}"
        name = _text(item, "Description", where)
        if name in names:
            raise InvalidInput(f"contest {name!r} is named twice", f"{where}, field 'Description'")
        names.add(name)
        votes = _integer(item, "VoteFor", where)
        if votes < 1:
            raise InvalidInput("must be at least 1", f"{where}, field 'VoteFor'")
        # Absent (null) is unranked; "3" or 3.0 must not read as unranked: refused.
        ranks = 0 if item.get("NumOfRanks") is None else _integer(item, "NumOfRanks", where)
        contests[_integer(item, "Id", where)] = (_Contest(name, {}, ranks), votes, set())
    for index, item in enumerate(_manifest(path, CANDIDATE_MANIFEST), start=1):
        where = f"{_where(path, CANDIDATE_MANIFEST)}, entry {index}"
        name = _text(item, "Description", where)
        entry = contests.get(_integer(item, "ContestId", where))
        if entry is None:
            raise InvalidInput(f"is not in {CONTEST_MANIFEST}", f"{where}, field 'ContestId'")
        contest, _, write_ins = entry
        if name in contest.choices.values():
            raise InvalidInput(
                f"candidate {name!r} appears twice in contest {contest.name!r}",
                f"{where}, field 'Description'",
            )
        contest.choices[_integer(item, "Id", where)] = name
        if item.get("Type") in _WRITE_IN_TYPES or _WRITE_IN.match(name):
            write_ins.add(name)
    return contests


def _manifest(path: Path, name: str) -> list[Obj]:
    document = _load(path, name)
    items = document.get("List")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidInput(
            "must hold a List of objects", where=f"{_where(path, name)}, field 'List'"
        )
    return items


def _export_names(path: Path) -> list[str]:
    """The export files in Dominion's numbering order (CvrExport_2 before CvrExport_10)."""
    if not _is_zip(path):
        return [path.name]
    with _archive(path) as archive:
        names = [n for n in archive.namelist() if _EXPORT.fullmatch(PurePosixPath(n).name)]

    def order(name: str) -> tuple[int, str]:
        match = _EXPORT.fullmatch(PurePosixPath(name).name)
        return (int(match["n"]) if match and match["n"] else -1, name)

    return sorted(names, key=order)


def _load(path: Path, name: str) -> Obj:
    """One JSON file, from the ZIP or beside the export; errors name the file and line."""
    where = _where(path, name)
    try:
        if _is_zip(path):
            with _archive(path) as archive:
                member = _member(archive, name)
                if member is None:
                    raise InvalidInput(f"the ZIP has no {name}", where=str(path))
                data = read_member(archive, member, where, JSON_LIMIT)
        else:
            file = path if name == path.name else path.parent / name
            check_size(file.stat().st_size, where, JSON_LIMIT)
            data = file.read_bytes()
        document = json.loads(data.decode("utf-8-sig"))
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where) from None
    except (zipfile.BadZipFile, EOFError) as exc:
        raise InvalidInput(f"is damaged in the ZIP: {exc}", where) from None
    except UnicodeDecodeError:
        raise InvalidInput("is not UTF-8 text", where) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"is not valid JSON: {exc.msg}", f"{where}, line {exc.lineno}") from None
    if not isinstance(document, dict):
        raise InvalidInput("is not a JSON object", where)
    return document


def _archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except NOT_A_ZIP as exc:
        raise InvalidInput(f"is not a readable ZIP: {exc}", where=str(path)) from None


def _member(archive: zipfile.ZipFile, name: str) -> str | None:
    """The member called ``name`` in any folder of the ZIP; manifests need not sit at the top."""
    for member in archive.namelist():
        if member == name or PurePosixPath(member).name.lower() == name.lower():
            return member
    return None


def _where(path: Path, name: str) -> str:
    return f"{path}, {name}" if _is_zip(path) else str(path.parent / name)


def _is_zip(path: Path) -> bool:
    """A ``.zip`` too damaged to open is still reported as a ZIP, not read as JSON."""
    return path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)


def _text(item: Obj, key: str, where: str) -> str:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise InvalidInput("is missing or not a name or number", f"{where}, field {key!r}")
    return str(value).strip()


def _integer(item: Obj, key: str, where: str) -> int:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("is missing or not a whole number", f"{where}, field {key!r}")
    return value


def _optional(value: object) -> str | None:
    return None if value is None or isinstance(value, bool) else str(value)
