"""Dominion CVR export folders (``CvrExport.json`` + manifests), as RCTab's ``dominion`` reads them.

The folder holds ``CvrExport.json`` (or ``CvrExport_1.json``, ``_2``...) and
the manifests. The configuration's ``contestId`` is the contest's ``Id`` in
``ContestManifest.json``; candidates are named by their manifest ``Id``
(configured as aliases), and the ``undeclaredWriteInLabel`` is the write-in
candidate's ``Id``. A session counts its ``Original`` marks, or its
``Modified`` ones once adjudicated (``Original.IsCurrent`` false); a session
adjudicated to nothing is not a ballot. Ambiguous marks are left out, as is a
contest the tabulator set aside (outstack condition 7, "exclude contest").
A rank above the contest's ``NumOfRanks``, a precinct missing from the
manifests or a candidate of another contest refuses the folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from votetrail.core.rcv.ballots import RankedBallot
from votetrail.errors import InvalidInput
from votetrail.formats.archives import MiB
from votetrail.formats.rcv.config import CvrSource
from votetrail.formats.rcv.sources import BallotBuilder, Mark, read_json_object

MAX_EXPORT_BYTES = 2048 * MiB
EXCLUDE_CONTEST = 7
"""Outstack condition: the tabulator set the contest aside on this ballot."""
_NUMBERED_EXPORT = re.compile(r"CvrExport_[0-9]+\.json")


def read_dominion(source: CvrSource, builder: BallotBuilder) -> Iterator[RankedBallot]:
    """Every session of the export that voted the configured contest."""
    folder = source.path
    contest_id = source.contest_id or ""
    contests = {str(item.get("Id")): item for item in _manifest(folder, "ContestManifest.json")}
    if contest_id not in contests:
        raise InvalidInput(
            f"ContestManifest.json has no contest with Id {contest_id!r} (the source's contestId)",
            str(folder),
        )
    ranks_allowed = _whole(contests[contest_id].get("NumOfRanks"))
    codes = {
        str(item.get("Id"))
        for item in _manifest(folder, "CandidateManifest.json")
        if str(item.get("ContestId")) == contest_id
    }
    precincts = (
        _names(_manifest(folder, "PrecinctManifest.json"))
        if (folder / "PrecinctManifest.json").exists()
        else None
    )
    portions = _names(_manifest(folder, "PrecinctPortionManifest.json"))
    for export in _exports(folder):
        for index, session in enumerate(_load(export).get("Sessions") or [], start=1):
            where = f"{export}, session {index}"
            yield from _session(
                session, contest_id, codes, ranks_allowed, precincts, portions, builder, where
            )


def _session(
    session: dict[str, Any],
    contest_id: str,
    codes: set[str],
    ranks_allowed: int | None,
    precincts: dict[int, str] | None,
    portions: dict[int, str],
    builder: BallotBuilder,
    where: str,
) -> Iterator[RankedBallot]:
    data = session.get("Original") or {}
    if not data.get("IsCurrent", True):
        data = session.get("Modified")
        if not data:
            return
    precinct_id = data.get("PrecinctId")
    if precinct_id is not None and (precincts is None or precinct_id not in precincts):
        raise InvalidInput(f"PrecinctId {precinct_id} is not in PrecinctManifest.json", where)
    portion_id = data.get("PrecinctPortionId")
    if portion_id is not None and portion_id not in portions:
        raise InvalidInput(
            f"PrecinctPortionId {portion_id} is not in PrecinctPortionManifest.json", where
        )
    precinct = (precincts or {}).get(precinct_id) if precinct_id is not None else None
    record = "-".join(
        str(session.get(key))
        for key in ("TabulatorId", "BatchId", "RecordId")
        if str(session.get(key, "")).strip()
    )
    for card in data.get("Cards") or [data]:
        for contest in card.get("Contests") or []:
            if str(contest.get("Id")) != contest_id:
                continue
            if EXCLUDE_CONTEST in (contest.get("OutstackConditionIds") or []):
                continue
            marks: list[Mark] = []
            for mark in contest.get("Marks") or []:
                if mark.get("IsAmbiguous"):
                    continue
                code = str(mark.get("CandidateId"))
                rank = _whole(mark.get("Rank"))
                if rank is None:
                    raise InvalidInput(f"a mark for candidate {code} has no Rank", where)
                if ranks_allowed is not None and rank > ranks_allowed:
                    raise InvalidInput(
                        f"a mark has rank {rank}, but the contest has {ranks_allowed} ranks "
                        "(NumOfRanks in ContestManifest.json)",
                        where,
                    )
                if code not in codes and code != builder.source.undeclared_write_in_label:
                    raise InvalidInput(
                        f"candidate Id {code} is not a candidate of contest {contest_id} in "
                        "CandidateManifest.json",
                        where,
                    )
                marks.append((rank, code))
            yield builder.ballot(
                record,
                marks,
                where,
                precinct=precinct or portions.get(portion_id)
                if portion_id is not None
                else precinct,
                batch=str(session.get("BatchId")) if session.get("BatchId") is not None else None,
            )


def _exports(folder: Path) -> list[Path]:
    single = folder / "CvrExport.json"
    if single.exists():
        return [single]
    numbered = sorted(
        (p for p in folder.iterdir() if _NUMBERED_EXPORT.fullmatch(p.name)),
        key=lambda p: str(p.resolve()),
    )
    if not numbered:
        raise InvalidInput("has no CvrExport.json (nor CvrExport_N.json)", str(folder))
    return numbered


def _load(path: Path) -> dict[str, Any]:
    return read_json_object(path, MAX_EXPORT_BYTES, "a Dominion JSON document")


def _manifest(folder: Path, name: str) -> list[dict[str, Any]]:
    entries = _load(folder / name).get("List")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InvalidInput("has no List of entries", str(folder / name))
    return entries


def _names(entries: list[dict[str, Any]]) -> dict[int, str]:
    return {
        int(entry["Id"]): str(entry.get("Description") or "")
        for entry in entries
        if isinstance(entry.get("Id"), int)
    }


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
