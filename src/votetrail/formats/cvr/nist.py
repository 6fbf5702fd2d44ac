"""NIST SP 1500-103 Cast Vote Record common data format, XML and JSON forms.

The CDF is what vendors and states exchange when they do not want a vendor's
own export, so it is read into the same :class:`CastVoteRecord` values as
Dominion's CSV. The mapping, and what is not mapped, is in ``docs/cvr.md``:

* the snapshot read is the ``modified`` one, else ``interpreted``, else
  ``original`` (several of one type: the ``CurrentSnapshotId`` one);
* each ``SelectionPosition`` with ``HasIndication`` yes that is allocable
  (``IsAllocable`` not ``no``) is one mark for its selection's choice; in an
  overvoted contest the non-allocable indications are kept too, so tabulation
  sees the overvote (even one recorded as two positions of one selection);
* a record's id is its ``UniqueId``, else its ``CurrentSnapshotId``;
* a contest whose ``VoteVariation`` is ``rcv``, or with a ``SelectionPosition``
  of ``Rank`` above 1 in any CVR, is ranked-choice, read into the records'
  ``ranks``: each position not ``HasIndication`` no and not ``IsAllocable``
  no ranks its selection's choice at its ``Rank`` (or its
  ``CVRContestSelection``'s, as older writers put it), as RCTab's CDF reader
  does. The CDF has no number of ranks, so it is the highest ``Rank`` the
  report uses for the contest. ``Rank`` 1 alone, as some writers put on every
  plurality position, changes nothing.

In XML the election's definitions come *after* the CVRs (the schema orders
elements by name), so :func:`open_nist_cvr` reads the file once for the
definitions and :meth:`NistCvrReport.records` reads it again, each with
``iterparse`` and each CVR dropped once handled: memory stays flat. The JSON
form has no streaming reader in the standard library and is loaded whole.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats import UNKNOWN_ENCODING, XML_ENCODING_ERRORS
from votetrail.formats.cvr.ranked_contests import ranking

NAMESPACE = "http://itl.nist.gov/ns/voting/1500-103/v1"
DRAFT_NAMESPACE = "NIST_V0_cast_vote_records.xsd"
"""The draft schema's namespace, which Unisyn's RCV exports still carry (RCTab reads them)."""
ROOT = "CastVoteRecordReport"
WRITE_IN = "Write-In"
_SNAPSHOT_PREFERENCE = ("modified", "interpreted", "original")
Obj = dict[str, Any]


@dataclass(frozen=True)
class NistCvrReport:
    """A report's definitions; :meth:`records` streams its CVRs."""

    path: Path
    format: str
    """``xml`` or ``json``: the form detected from the file's first character."""
    version: str
    election_name: str
    contests: list[ContestDefinition]
    _contest_names: dict[str, str]
    _choices: dict[str, dict[str, str]]
    """Contest id -> ContestSelection id -> choice name; ``""`` keys the write-in slot."""
    _ranked_ids: frozenset[str] = frozenset()

    def records(self) -> Iterator[CastVoteRecord]:
        """Every CVR in file order; an unmappable one stops the stream naming it and the field."""
        seen: dict[str, int] = {}
        for index, cvr in enumerate(_cvrs(self.path, self.format), start=1):
            record = self._record(cvr, f"{self.path}, CVR {index}")
            first = seen.setdefault(record.id, index)
            if first != index:
                raise InvalidInput(
                    f"record id {record.id!r} is already used by CVR {first}",
                    where=f"{self.path}, CVR {index}, field 'UniqueId'",
                )
            yield record

    def _record(self, cvr: Obj, where: str) -> CastVoteRecord:
        card_id = _one(cvr, "UniqueId") or _one(cvr, "CurrentSnapshotId")
        if not card_id:
            raise InvalidInput("has neither UniqueId nor CurrentSnapshotId", where=where)
        where = f"{where} ({card_id})"
        marks: dict[str, tuple[str, ...]] = {}
        ranks: dict[str, tuple[tuple[str, ...], ...]] = {}
        for contest in _many(_snapshot(cvr, where), "CVRContest"):
            contest_id = str(_one(contest, "ContestId") or "")
            name = self._contest_names.get(contest_id)
            if name is None:
                raise InvalidInput(
                    f"names contest {contest_id!r}, which no Election defines",
                    where=f"{where}, field 'ContestId'",
                )
            if name in marks or name in ranks:
                raise InvalidInput(f"lists contest {contest_id!r} twice", where=where)
            if contest_id in self._ranked_ids:
                ranks[name] = self._ranking(contest_id, contest, where)
                continue
            overvoted = int(_one(contest, "Overvotes") or 0) > 0 or "overvoted" in _many(
                contest, "Status"
            )
            chosen: list[str] = []
            for selection in _many(contest, "CVRContestSelection"):
                for position in _many(selection, "SelectionPosition"):
                    if _marked(position, overvoted, f"{where}, contest {contest_id!r}"):
                        chosen.append(self._choice(contest_id, selection, position, where))
            marks[name] = tuple(chosen)
        batch_position = _one(cvr, "BatchSequenceId")
        return CastVoteRecord(
            id=str(card_id),
            tabulator=_one(cvr, "CreatingDeviceId"),
            batch=_one(cvr, "BatchId"),
            record=None if batch_position is None else str(batch_position),
            precinct=_one(cvr, "BallotStyleUnitId"),
            ballot_type=_one(cvr, "BallotStyleId"),
            marks=marks,
            ranks=ranks,
        )

    def _ranking(self, contest_id: str, contest: Obj, where: str) -> tuple[tuple[str, ...], ...]:
        """One ranked contest's rankings: every indicated, allocable position at its Rank."""
        here = f"{where}, contest {contest_id!r}"
        marked: list[tuple[int, str]] = []
        for selection in _many(contest, "CVRContestSelection"):
            for position in _many(selection, "SelectionPosition"):
                if "no" in (_one(position, "HasIndication"), _one(position, "IsAllocable")):
                    continue
                rank = _one(position, "Rank")
                rank = _one(selection, "Rank") if rank is None else rank
                number = _whole(rank, here)
                if number is None or number < 1:
                    raise InvalidInput(
                        "a position of a ranked contest has no Rank of 1 or more",
                        where=f"{here}, field 'Rank'",
                    )
                marked.append((number, self._choice(contest_id, selection, position, where)))
        return ranking(marked)

    def _choice(self, contest_id: str, selection: Obj, position: Obj, where: str) -> str:
        selection_id = _one(selection, "ContestSelectionId")
        if selection_id is None and _one(position, "CVRWriteIn") is not None:
            selection_id = ""
        choice = self._choices[contest_id].get(selection_id) if selection_id is not None else None
        if choice is None:
            raise InvalidInput(
                f"selection {selection_id!r} is not a ContestSelection of contest {contest_id!r}",
                where=f"{where}, field 'ContestSelectionId'",
            )
        return choice


def open_nist_cvr(path: Path) -> NistCvrReport:
    """Detect XML or JSON, read the Election definitions and check the report's root."""
    form = _form(path)
    report: Obj = {"Election": [], "Party": []}
    write_in_contests: set[str] = set()
    ranked_ids: dict[str, str] = {}
    highest: dict[str, int] = {}
    number = 0
    for tag, value in _top_level(path, form):
        if tag == "CVR":
            for cvr in _listed(value):
                number += 1
                for contest in (
                    c for s in _many(cvr, "CVRSnapshot") for c in _many(s, "CVRContest")
                ):
                    contest_id = str(_one(contest, "ContestId"))
                    selections = _many(contest, "CVRContestSelection")
                    if any(_one(s, "ContestSelectionId") is None for s in selections):
                        write_in_contests.add(contest_id)
                    rank = _highest_rank(selections, f"{path}, CVR {number}")
                    highest[contest_id] = max(highest.get(contest_id, 1), rank)
                    if rank > 1:
                        ranked_ids.setdefault(contest_id, f"a SelectionPosition has Rank {rank}")
        elif tag in ("Election", "Party"):
            report[tag].extend(_listed(value))
        else:
            report[tag] = value
    if not report["Election"]:
        raise InvalidInput("has no Election to define its contests", where=str(path))
    parties = {p.get("@id"): _name(_one(p, "Name"), p.get("@id")) for p in report["Party"]}
    names: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    contests = []
    for election in report["Election"]:
        candidates = {
            c.get("@id"): _name(_one(c, "Name"), c.get("@id")) for c in _many(election, "Candidate")
        }
        for contest in _many(election, "Contest"):
            definition, slots = _definition(contest, candidates, parties, write_in_contests, names)
            contest_id = str(contest.get("@id"))
            names[contest_id] = definition.name
            choices[contest_id] = slots
            if str(_one(contest, "VoteVariation") or "").lower() == "rcv":
                ranked_ids.setdefault(contest_id, "its VoteVariation is rcv")
            if contest_id in ranked_ids:
                definition = replace(definition, ranks=highest.get(contest_id, 1))
            contests.append(definition)
    first = report["Election"][0]
    return NistCvrReport(
        path,
        form,
        str(_one(report, "Version") or ""),
        _name(_one(first, "Name"), first.get("@id")),
        contests,
        names,
        choices,
        frozenset(i for i in ranked_ids if i in names),
    )


def _highest_rank(selections: list[Any], where: str) -> int:
    """The highest ``Rank`` of a CVR contest's selections and positions (0 when none is given)."""
    highest = 0
    for selection in selections:
        ranks = [_one(selection, "Rank")]
        ranks += [_one(position, "Rank") for position in _many(selection, "SelectionPosition")]
        for rank in ranks:
            highest = max(highest, _whole(rank, where) or 0)
    return highest


def _whole(rank: Any, where: str) -> int | None:
    """A ``Rank`` as a number (None when absent); anything else is refused, never read as 1."""
    if rank is None:
        return None
    try:
        return int(str(rank))
    except ValueError:
        raise InvalidInput(
            f"{rank!r} is not a whole number", where=f"{where}, field 'Rank'"
        ) from None


def _definition(
    contest: Obj,
    candidates: dict[Any, Any],
    parties: dict[Any, Any],
    write_in_contests: set[str],
    taken: dict[str, str],
) -> tuple[ContestDefinition, dict[str, str]]:
    contest_id = str(contest.get("@id"))
    name = _name(_one(contest, "Name"), contest_id)
    if name in taken.values():
        name = f"{name} ({contest_id})"
    slots: dict[str, str] = {}
    write_ins: set[str] = set()
    for selection in _many(contest, "ContestSelection"):
        people = [candidates.get(i, i) for i in _ids(selection, "CandidateIds")]
        people += [parties.get(i, i) for i in _ids(selection, "PartyIds")]
        label = _one(selection, "Selection") or " and ".join(map(str, people))
        choice = _name(label, selection.get("@id"))
        if choice in slots.values():
            choice = f"{choice} ({selection.get('@id')})"
        slots[str(selection.get("@id"))] = choice
        if str(_one(selection, "IsWriteIn")).lower() == "true":
            write_ins.add(choice)
            slots.setdefault("", choice)
    if contest_id in write_in_contests and "" not in slots:
        slots[""] = WRITE_IN
        write_ins.add(WRITE_IN)
    ordered = tuple(dict.fromkeys(slots.values()))
    allowed = int(_one(contest, "VotesAllowed") or 1)
    return ContestDefinition(name, allowed, ordered, frozenset(write_ins)), slots


def _marked(position: Obj, overvoted: bool, where: str) -> bool:
    indication = _one(position, "HasIndication")
    allocable = _one(position, "IsAllocable") or "yes"
    if indication not in ("yes", "no", "unknown"):
        raise InvalidInput(
            f"{indication!r} is not yes, no or unknown", where=f"{where}, field 'HasIndication'"
        )
    if allocable not in ("yes", "no", "unknown"):
        raise InvalidInput(
            f"{allocable!r} is not yes, no or unknown", where=f"{where}, field 'IsAllocable'"
        )
    return indication == "yes" and (allocable != "no" or overvoted)


def _snapshot(cvr: Obj, where: str) -> Obj:
    """The snapshot that counts: modified, else interpreted, else original."""
    snapshots: list[Obj] = _many(cvr, "CVRSnapshot")
    current = _one(cvr, "CurrentSnapshotId")
    for kind in _SNAPSHOT_PREFERENCE:
        found = [s for s in snapshots if _one(s, "Type") == kind]
        if len(found) > 1:
            found = [s for s in found if s.get("@id") == current]
            if len(found) != 1:
                raise InvalidInput(
                    f"has several {kind} snapshots and CurrentSnapshotId names none of them",
                    where=f"{where}, field 'CVRSnapshot'",
                )
        if found:
            return found[0]
    raise InvalidInput(
        "has no CVRSnapshot of type modified, interpreted or original",
        where=f"{where}, field 'CVRSnapshot'",
    )


def _name(value: Any, fallback: Any) -> str:
    """Names with XML's layout white space (new lines, tabs, runs of spaces) made single spaces."""
    return " ".join(str(value or "").split()) or str(fallback or "")


def _ids(obj: Obj, key: str) -> list[str]:
    """An IDREFS field: a list in JSON, white-space separated ids in XML."""
    return [part for value in _many(obj, key) for part in str(value).split()]


def _listed(value: Any) -> list[Any]:
    """JSON gives arrays, the XML reader one element at a time: either way, a list."""
    return [] if value is None else value if isinstance(value, list) else [value]


def _many(obj: Obj, key: str) -> list[Any]:
    return _listed(obj.get(key))


def _one(obj: Obj, key: str) -> Any:
    values = _many(obj, key)
    return values[0] if values else None


def _form(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            start = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise InvalidInput(f"cannot read the CVR report: {exc.strerror}", where=str(path)) from None
    if start.startswith(b"<"):
        return "xml"
    if start.startswith(b"{"):
        return "json"
    raise InvalidInput("is neither XML nor JSON", where=f"{path}, line 1")


def _cvrs(path: Path, form: str) -> Iterator[Obj]:
    for tag, value in _top_level(path, form):
        if tag == "CVR":
            yield from _listed(value)


def _top_level(path: Path, form: str) -> Iterator[tuple[str, Any]]:
    """The report's children as (name, JSON-shaped value), one at a time."""
    if form == "json":
        yield from _json_top_level(path)
        return
    root: ET.Element | None = None
    depth = 0
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):  # noqa: S314
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                    if element.tag not in (
                        f"{{{NAMESPACE}}}{ROOT}",
                        f"{{{DRAFT_NAMESPACE}}}{ROOT}",
                    ):
                        raise InvalidInput(
                            f"the root element is not a 1500-103 {ROOT}", where=f"{path}, line 1"
                        )
                continue
            depth -= 1
            if depth == 1 and root is not None:
                yield _local(element.tag), _as_json(element)
                root.remove(element)  # a handled CVR is dropped: memory stays flat
    except ET.ParseError as exc:
        line = exc.position[0]
        raise InvalidInput(f"is not well-formed XML: {exc}", where=f"{path}, line {line}") from None
    except XML_ENCODING_ERRORS as exc:
        if isinstance(exc, ValueError) and "encoding" not in str(exc):
            raise
        raise InvalidInput(UNKNOWN_ENCODING, where=str(path)) from None


def _json_top_level(path: Path) -> Iterator[tuple[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        raise InvalidInput(f"is not valid JSON: {exc}", where=f"{path}, line {line}") from None
    if not isinstance(data, dict) or not str(data.get("@type", "")).endswith(ROOT):
        raise InvalidInput(f"is not a CVR.{ROOT} object", where=f"{path}, field '@type'")
    yield from data.items()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _as_json(element: ET.Element) -> Any:
    """An element as the JSON form has it: ObjectId as @id, xsi:type as @type, children by name."""
    children = list(element)
    if not children and not element.attrib:
        return (element.text or "").strip()
    obj: Obj = {}
    for key, value in element.attrib.items():
        name = _local(key)
        if name == "ObjectId":
            obj["@id"] = value
        elif name == "type":
            obj["@type"] = value.rsplit(":", 1)[-1]
    for child in children:
        obj.setdefault(_local(child.tag), []).append(_as_json(child))
    return obj
