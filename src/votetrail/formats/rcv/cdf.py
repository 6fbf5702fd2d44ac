"""NIST SP 1500-103 cast vote records (JSON or XML), as RCTab's ``cdf`` provider reads them.

The configuration's ``contestId`` is the contest's *name* in the file
(RCTab's rule). A ballot's marks are the current snapshot's selections for
that contest: the selection's ``Rank``, or each ``SelectionPosition``'s
``Rank`` (positions with ``HasIndication`` or ``IsAllocable`` "no" left
out). A write-in selection (``IsWriteIn``, or a ``CVRWriteIn`` on the
position) is an undeclared write-in; a candidate named like the source's
``overvoteLabel`` an overvote. Selections still awaiting adjudication are
left out, and CVRs without the contest are not ballots of it.

JSON and XML carry the same fields, so the XML is first turned into the
JSON shape (``ObjectId`` as ``@id``) and both take one path.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from votetrail.core.rcv.ballots import OVERVOTE, UNDECLARED_WRITE_IN, RankedBallot
from votetrail.errors import InvalidInput
from votetrail.formats.archives import MiB, check_size
from votetrail.formats.rcv.config import CvrSource
from votetrail.formats.rcv.sources import BallotBuilder, Mark, read_json_object

MAX_CDF_BYTES = 1024 * MiB


def read_cdf(source: CvrSource, builder: BallotBuilder) -> Iterator[RankedBallot]:
    """Every CVR of the file that holds the configured contest."""
    where = str(source.path)
    report = _load(source)
    contest = _contest(report, source.contest_id or "", where)
    candidates = {_one(c, "@id"): c for e in _all(report, "Election") for c in _all(e, "Candidate")}
    selections = {_one(s, "@id"): s for s in _all(contest, "ContestSelection")}
    units = {_one(u, "@id"): u for u in _all(report, "GpUnit")}
    contest_object = _one(contest, "@id")
    overvote = source.overvote_label
    for index, cvr in enumerate(_all(report, "CVR"), start=1):
        here = f"{where}, CVR {index}"
        chosen = _cvr_contest(cvr, contest_object)
        if chosen is None:
            continue
        marks: list[Mark] = []
        for selection in _all(chosen, "CVRContestSelection"):
            if _one(selection, "Status") == "needs-adjudication":
                continue
            selection_id = _one(selection, "ContestSelectionId")
            declared = selections.get(selection_id)
            if declared is None:
                raise InvalidInput(
                    f"selection {selection_id!r} is not a selection of contest "
                    f"{source.contest_id!r}",
                    here,
                )
            name = _candidate(declared, candidates, overvote, here)
            marks.extend(_ranks(selection, name, here))
        unit_id = _one(cvr, "BallotStyleUnitId")
        unit = units.get(unit_id) if unit_id else None
        ballot_id = _one(cvr, "BallotPrePrintedId") or _one(cvr, "UniqueId")
        yield builder.ballot(
            ballot_id or f"{source.path.name}({index})",
            marks,
            here,
            precinct=_one(unit, "Name") if unit else None,
            batch=_one(cvr, "BatchSequenceId"),
        )


def _load(source: CvrSource) -> dict[str, Any]:
    if source.path.suffix.lower() != ".xml":
        return read_json_object(source.path, MAX_CDF_BYTES, "a CDF CastVoteRecordReport")
    where = str(source.path)
    try:
        check_size(source.path.stat().st_size, where, MAX_CDF_BYTES)
        root = ET.fromstring(source.path.read_bytes())  # noqa: S314 - expat: no external entities
    except OSError as exc:
        raise InvalidInput(f"cannot be read ({exc.strerror})", where) from None
    except ET.ParseError as exc:
        raise InvalidInput(f"is not well-formed XML ({exc})", where) from None
    converted = _from_xml(root)
    return converted if isinstance(converted, dict) else {}


def _from_xml(element: ET.Element) -> dict[str, Any] | str:
    """An element as the JSON form would hold it: text, or fields as lists."""
    children = list(element)
    object_id = element.get("ObjectId")
    if not children and object_id is None:
        return (element.text or "").strip()
    fields: dict[str, Any] = {}
    if object_id is not None:
        fields["@id"] = object_id
    for child in children:
        if not isinstance(child.tag, str):
            continue
        name = child.tag.rsplit("}", 1)[-1]
        fields.setdefault(name, []).append(_from_xml(child))
    return fields


def _all(item: Any, key: str) -> list[Any]:
    value = item.get(key) if isinstance(item, dict) else None
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _one(item: Any, key: str) -> str | None:
    values = _all(item, key)
    if not values or isinstance(values[0], dict | list):
        return None
    value = values[0]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _contest(report: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    for election in _all(report, "Election"):
        for contest in _all(election, "Contest"):
            if _one(contest, "Name") == name:
                return dict(contest)
    raise InvalidInput(f"has no contest named {name!r} (the source's contestId)", where)


def _cvr_contest(cvr: Any, contest_object: str | None) -> Any:
    current = _one(cvr, "CurrentSnapshotId")
    for snapshot in _all(cvr, "CVRSnapshot"):
        if _one(snapshot, "@id") != current:
            continue
        for contest in _all(snapshot, "CVRContest"):
            if _one(contest, "ContestId") == contest_object:
                return contest
    return None


def _candidate(
    declared: Any, candidates: dict[str | None, Any], overvote: str | None, where: str
) -> str:
    if _one(declared, "IsWriteIn") == "true":
        return UNDECLARED_WRITE_IN
    ids = _all(declared, "CandidateIds")
    if not ids:
        raise InvalidInput(f"selection {_one(declared, '@id')!r} names no candidate", where)
    candidate = candidates.get(str(ids[0]).split()[0] if ids[0] else None)
    if candidate is None:
        raise InvalidInput(
            f"selection {_one(declared, '@id')!r} names candidate {ids[0]!r}, which the "
            "file does not list",
            where,
        )
    name = _one(candidate, "Name") or ""
    return OVERVOTE if overvote and name == overvote else name


def _ranks(selection: Any, name: str, where: str) -> list[Mark]:
    rank = _one(selection, "Rank")
    if rank is not None:
        return [(_rank(rank, where), name)]
    marks: list[Mark] = []
    for position in _all(selection, "SelectionPosition"):
        if _all(position, "CVRWriteIn"):
            name = UNDECLARED_WRITE_IN
        if _one(position, "HasIndication") == "no" or _one(position, "IsAllocable") == "no":
            continue
        position_rank = _one(position, "Rank")
        if position_rank is None:
            raise InvalidInput("a marked selection position has no Rank", where)
        marks.append((_rank(position_rank, where), name))
    return marks


def _rank(text: str, where: str) -> int:
    if not text.strip().isdigit():
        raise InvalidInput(f"Rank {text!r} is not a whole number", where)
    return int(text)
