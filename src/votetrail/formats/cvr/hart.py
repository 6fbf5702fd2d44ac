"""Hart Verity cast vote records: one XML file per ballot sheet, handed over in a ZIP.

Counties on Hart export a ZIP of ``Cvr`` documents (namespace
``http://tempuri.org/CVRDesign.xsd``), sometimes one inner ZIP per tabulator
inside an outer ZIP; the inner ZIP's name is then the tabulator. A lone
document (``.xml``) is read too. Each document
carries ``CvrGuid``, ``BatchNumber``, ``BatchSequence``, ``SheetNumber``,
``PrecinctSplit``/``Name`` and ``Contests``/``Contest`` with a ``Name``, an
optional ``Undervotes`` count and ``Options``/``Option`` (``Name``, ``Value``;
a write-in has ``WriteInData`` and is the choice ``Write-In``).

Only the options voted are listed, and the vote limit is not in the export, so
opening reads every document once to learn each contest's choices (sorted)
and its limit: on a sheet that records undervotes, marks + ``Undervotes`` is
the limit; a contest never undervoted is taken as vote-for-1, as Arlo does.
:meth:`HartCvrExport.records` reads the ZIP again, one small document at a
time (files other than ``.xml``, such as write-in images, are skipped). A
document over :data:`DOCUMENT_LIMIT`, or one that expands like a compression
bomb, is refused naming the ZIP and the member (``formats.archives``).

A ranked-choice contest writes each option's ``Value`` as one digit per rank
(``010``: ranked second, as RCTab's Hart reader reads it). A ``Value`` of two
or more 0/1 digits anywhere in the export therefore makes the contest ranked:
its number of ranks is its longest ``Value``, and each ``1`` digit ranks the
option's choice (the records' ``ranks``). A one-digit ``Value`` cannot be told
from a plurality mark and is read as one, unless the caller knows from another
file that the contest is ranked (an RCTab contest configuration naming it,
``open_hart_cvr(path, ranked=...)``): then it is rank 1. In a ranked contest a
``Value`` that is not 0/1 digits is refused naming the contest.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats import UNKNOWN_ENCODING, XML_ENCODING_ERRORS
from votetrail.formats.archives import NOT_A_ZIP, MiB, check_size, extracted, read_member
from votetrail.formats.cvr.ranked_contests import ranking, refuse_ranked

NAMESPACE = "http://tempuri.org/CVRDesign.xsd"
WRITE_IN = "Write-In"
_MARKER = NAMESPACE.encode()
DOCUMENT_LIMIT = 16 * MiB
"""One document is one ballot sheet, a few kilobytes; each is parsed whole."""
INNER_ZIP_LIMIT = 4096 * MiB
"""A tabulator's ZIP inside the export, unpacked to a temporary file (not memory)."""
_RANK_DIGITS = frozenset("01")


@dataclass(frozen=True, slots=True)
class _Sheet:
    """One parsed document: its details and, per contest, (marks, undervotes)."""

    guid: str
    batch: str | None
    sequence: str | None
    precinct: str | None
    contests: dict[str, tuple[tuple[str, ...], int]]
    ranked: dict[str, str]
    """Contest -> a rank-string ``Value`` found in it (the contest is ranked-choice)."""
    options: dict[str, tuple[tuple[str, str], ...]]
    """Contest -> its options' (choice, ``Value``), for reading a ranked contest."""


@dataclass(frozen=True)
class HartCvrExport:
    """The contests learnt from every document; :meth:`records` streams the sheets."""

    path: Path
    contests: list[ContestDefinition]
    _ranked: frozenset[str] = frozenset()

    def records(self) -> Iterator[CastVoteRecord]:
        """Every sheet in ZIP order; a bad document stops the stream naming it and the field."""
        seen: dict[str, str] = {}
        for where, tabulator, data in _documents(self.path):
            sheet = _sheet(data, where)
            first = seen.setdefault(sheet.guid, where)
            if first != where:
                raise InvalidInput(
                    f"CvrGuid {sheet.guid!r} is already used by {first}",
                    f"{where}, field 'CvrGuid'",
                )
            yield CastVoteRecord(
                id=sheet.guid,
                tabulator=tabulator,
                batch=sheet.batch,
                record=sheet.sequence,
                precinct=sheet.precinct,
                marks={
                    name: marks
                    for name, (marks, _) in sheet.contests.items()
                    if name not in self._ranked
                },
                ranks={
                    name: _ranking(name, sheet.options[name], where)
                    for name in sheet.contests
                    if name in self._ranked
                },
            )


def open_hart_cvr(path: Path, ranked_contests: Collection[str] = ()) -> HartCvrExport:
    """Read every document once for the contests; see the module docstring for the limits.

    ``ranked_contests`` names contests known to be ranked from another file
    (an RCTab configuration), for exports whose ``Value`` has one digit per rank.
    """
    choices: dict[str, set[str]] = {}
    limits: dict[str, tuple[int, str]] = {}
    ranked: dict[str, str] = dict.fromkeys(ranked_contests, "named ranked by the caller")
    ranks: dict[str, int] = {}
    ranked_choices: dict[str, set[str]] = {}
    clashes: dict[str, InvalidInput] = {}  # raised after the pass: a ranked contest has none
    count = 0
    for where, _, data in _documents(path):
        count += 1
        sheet = _sheet(data, where)
        for name, value in sheet.ranked.items():
            ranked.setdefault(name, f"an option's Value is {value!r}, one digit per rank")
        for name, options in sheet.options.items():
            for choice, value in options:
                ranks[name] = max(ranks.get(name, 1), len(value))
                if "1" in value:
                    ranked_choices.setdefault(name, set()).add(choice)
        for name, (marks, undervotes) in sheet.contests.items():
            choices.setdefault(name, set()).update(marks)
            if undervotes:
                limit = len(marks) + undervotes
                known = limits.setdefault(name, (limit, where))
                if known[0] != limit:
                    clashes.setdefault(
                        name,
                        InvalidInput(
                            f"contest {name!r} allows {limit} votes here "
                            f"but {known[0]} in {known[1]}",
                            f"{where}, field 'Undervotes'",
                        ),
                    )
    if count == 0:
        raise InvalidInput("holds no Hart CVR XML files", where=str(path))
    for name, clash in clashes.items():
        if name not in ranked:
            raise clash
    contests = []
    for name, names in choices.items():
        if name in ranked:
            marked = ranked_choices.get(name, set())
            contests.append(
                ContestDefinition(
                    name=name,
                    votes_allowed=1,
                    choices=tuple(sorted(marked)),
                    write_ins=frozenset(marked & {WRITE_IN}),
                    ranks=ranks.get(name, 1),
                )
            )
            continue
        contests.append(
            ContestDefinition(
                name=name,
                votes_allowed=limits.get(name, (1, ""))[0],
                choices=tuple(sorted(names)),
                write_ins=frozenset(names & {WRITE_IN}),
            )
        )
    return HartCvrExport(path, contests, frozenset(ranked))


def detect(path: Path) -> bool:
    """Whether the file (or a ZIP's first XML document) is a Hart CVR, without raising."""
    try:
        for _, _, data in _documents(path):
            return _MARKER in data[:4096]
    except (InvalidInput, *NOT_A_ZIP):
        return False
    return False


def _documents(path: Path) -> Iterator[tuple[str, str | None, bytes]]:
    """(where, tabulator, bytes) of each XML document, inner ZIPs included; or a lone XML."""
    if path.suffix.lower() == ".xml":
        try:
            check_size(path.stat().st_size, str(path), DOCUMENT_LIMIT)
            yield str(path), None, path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
        return
    try:
        with zipfile.ZipFile(path) as outer:
            for name in outer.namelist():
                lowered = name.lower()
                if lowered.endswith(".xml"):
                    yield f"{path}, {name}", None, _read(outer, name, f"{path}, {name}")
                elif lowered.endswith(".zip"):
                    tabulator = PurePosixPath(name).stem
                    where = f"{path}, {name}"
                    with (
                        extracted(outer, name, where, INNER_ZIP_LIMIT) as handle,
                        zipfile.ZipFile(handle) as inner,
                    ):
                        for member in inner.namelist():
                            if member.lower().endswith(".xml"):
                                where = f"{path}, {name}, {member}"
                                yield where, tabulator, _read(inner, member, where)
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    except zipfile.BadZipFile as exc:
        raise InvalidInput(f"is not a readable ZIP: {exc}", where=str(path)) from None


def _read(archive: zipfile.ZipFile, name: str, where: str) -> bytes:
    """One document, refused past its size cap or a bomb's ratio (``formats.archives``)."""
    return read_member(archive, name, where, DOCUMENT_LIMIT)


def _sheet(data: bytes, where: str) -> _Sheet:
    try:
        root = ET.fromstring(data)  # noqa: S314 - expat does not fetch external entities
    except ET.ParseError as exc:
        line = exc.position[0]
        raise InvalidInput(f"is not well-formed XML: {exc}", f"{where}, line {line}") from None
    except XML_ENCODING_ERRORS as exc:
        if isinstance(exc, ValueError) and "encoding" not in str(exc):
            raise
        raise InvalidInput(UNKNOWN_ENCODING, where) from None
    if root.tag != f"{{{NAMESPACE}}}Cvr":
        raise InvalidInput(f"is not a Hart CVR (root element {root.tag!r})", where)
    guid = _text(root, "CvrGuid")
    if guid is None:
        raise InvalidInput("is missing or empty", f"{where}, field 'CvrGuid'")
    contests: dict[str, tuple[tuple[str, ...], int]] = {}
    ranked: dict[str, str] = {}
    options: dict[str, tuple[tuple[str, str], ...]] = {}
    for contest in root.iterfind(f"{{{NAMESPACE}}}Contests/{{{NAMESPACE}}}Contest"):
        name = _text(contest, "Name")
        if name is None:
            raise InvalidInput("a contest has no Name", f"{where}, field 'Contest/Name'")
        here = f"{where}, contest {name!r}"
        if name in contests:
            raise InvalidInput("appears twice on the sheet", here)
        marks: list[str] = []
        values: list[tuple[str, str]] = []
        for option in contest.iterfind(f"{{{NAMESPACE}}}Options/{{{NAMESPACE}}}Option"):
            written = option.find(f"{{{NAMESPACE}}}WriteInData") is not None
            choice = WRITE_IN if written else _text(option, "Name")
            if choice is None:
                raise InvalidInput("an option has no Name", f"{here}, field 'Option/Name'")
            value = _text(option, "Value") or ""
            values.append((choice, value))
            if len(value) > 1 and set(value) <= _RANK_DIGITS:
                ranked.setdefault(name, value)
            if _number(option, "Value", here, default=1) > 0 and choice not in marks:
                marks.append(choice)
        contests[name] = (tuple(marks), _number(contest, "Undervotes", here, default=0))
        options[name] = tuple(values)
    precinct = root.find(f"{{{NAMESPACE}}}PrecinctSplit")
    return _Sheet(
        guid=guid,
        batch=_text(root, "BatchNumber"),
        sequence=_text(root, "BatchSequence"),
        precinct=_text(precinct, "Name") if precinct is not None else None,
        contests=contests,
        ranked=ranked,
        options=options,
    )


def _ranking(
    contest: str, options: tuple[tuple[str, str], ...], where: str
) -> tuple[tuple[str, ...], ...]:
    """A ranked contest's options as rankings: digit ``r`` of a ``Value`` set ranks it ``r``."""
    marked: list[tuple[int, str]] = []
    for choice, value in options:
        if not value or not set(value) <= _RANK_DIGITS:
            raise refuse_ranked(
                contest,
                "its options' Values give one digit per rank",
                f"option {choice!r} has Value {value!r}, not one 0 or 1 per rank",
                f"{where}, contest {contest!r}, field 'Value'",
            )
        marked += [(rank, choice) for rank, digit in enumerate(value, start=1) if digit == "1"]
    return ranking(marked)


def _text(element: ET.Element, tag: str) -> str | None:
    found = element.find(f"{{{NAMESPACE}}}{tag}")
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def _number(element: ET.Element, tag: str, where: str, default: int) -> int:
    text = _text(element, tag)
    if text is None:
        return default
    if not text.isdigit():
        raise InvalidInput(f"{text!r} is not a whole number", f"{where}, field {tag!r}")
    return int(text)
