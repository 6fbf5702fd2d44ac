"""Reading a NIST SP 1500-100 election results report (v1 or v2 JSON) of an L&A test.

Results reports repeat a count at several levels and by several count types,
and place over- and undervotes differently between versions; the reader picks
one figure per selection so nothing is counted twice, and takes the names a
selection may be matched by from its candidates and parties, since the report
rarely uses the definition's ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from votetrail.core.lat.definition import ElectionDefinition
from votetrail.core.lat.report_identity import SelfDescription
from votetrail.errors import InvalidInput
from votetrail.formats.lat.names import Resolver
from votetrail.formats.lat.report_parts import (
    WHOLE,
    ContestSum,
    TabulatorReport,
    Unmatched,
    ordered_totals,
)

NIST_RESULTS = "NIST SP 1500-100 v2 results JSON"
Obj = dict[str, Any]


def is_results_report(data: Obj) -> bool:
    if str(data.get("@type", "")).endswith("ElectionReport"):
        return True
    return any(
        "VoteCounts" in selection
        for election in _listed(data.get("Election"))
        for contest in _listed(_get(election, "Contest"))
        for selection in _listed(_get(contest, "ContestSelection"))
        if isinstance(selection, dict)
    )


def read_nist_results(path: Path, data: Obj, definition: ElectionDefinition) -> TabulatorReport:
    """Selections' VoteCounts summed to one figure each; contests' OtherCounts give over/under.

    A report may repeat a count at several levels (the county and each of its
    precincts) or by several count types (early, election day, and their
    ``total``). Adding all of them would double the figures, so for each
    selection only the election scope's counts are used when it has any, and
    within one place only the ``total`` count when there is one.
    """
    resolver = Resolver(definition)
    unmatched = Unmatched()
    elections = [e for e in _listed(data.get("Election")) if isinstance(e, dict)]
    if not elections:
        raise InvalidInput("has no Election", where=f"{path}, field 'Election'")
    if len(elections) > 1:
        raise InvalidInput(
            "has several Elections; an L&A report covers one", where=f"{path}, field 'Election'"
        )
    election = elections[0]
    scope = _get(election, "ElectionScopeId")
    candidates = {
        c.get("@id"): _text(_get(c, "BallotName")) or str(c.get("@id"))
        for c in _listed(_get(election, "Candidate"))
        if isinstance(c, dict)
    }
    parties = {
        p.get("@id"): _text(_get(p, "Name")) or str(p.get("@id"))
        for p in _listed(data.get("Party"))
        if isinstance(p, dict)
    }
    sums: dict[str, ContestSum] = {}
    for index, contest_data in enumerate(_listed(_get(election, "Contest")), start=1):
        where = f"{path}, Election, contest {index}"
        if not isinstance(contest_data, dict):
            raise InvalidInput("is not an object", where=where)
        where = f"{path}, Election, contest {contest_data.get('@id', index)!r}"
        names = [_text(_get(contest_data, key)) for key in ("Name", "BallotTitle")]
        names.insert(1, str(contest_data.get("@id") or ""))
        contest = _first(resolver.contest, names)
        if contest is None:
            unmatched.add(resolver.contest_problem(next(n for n in names if n) or "?"))
            continue
        total = sums.setdefault(contest.id, ContestSum())
        for selection in _listed(_get(contest_data, "ContestSelection")):
            if not isinstance(selection, dict):
                raise InvalidInput("has a ContestSelection that is not an object", where=where)
            at = f"{where}, selection {selection.get('@id')!r}"
            labels = _selection_labels(selection, candidates, parties)
            choice = _first(lambda label, c=contest: resolver.choice(c, label), labels)
            if choice is None:
                unmatched.add(resolver.choice_problem(contest, next(iter(labels), "?")))
                continue
            votes = _counted(_listed(_get(selection, "VoteCounts")), "Count", scope, at)
            if votes is None:
                continue
            total.votes[choice.id] = total.votes.get(choice.id, 0) + votes
        _contest_figures(contest_data, total, scope, where)
    cards = _counted(
        _listed(_get(election, "BallotCounts")), "BallotsCast", scope, f"{path}, Election"
    )
    overall = ordered_totals(sums, definition)
    about = _self_description(data, election, definition)
    return TabulatorReport(path, NIST_RESULTS, overall, None, cards, unmatched(), about)


def _self_description(data: Obj, election: Obj, definition: ElectionDefinition) -> SelfDescription:
    """The devices, precincts and election the report says it is of.

    The places are the GpUnits the report's counts (and its election scope)
    refer to: a ReportingDevice gives its SerialNumber, a ReportingUnit of
    type precinct its id when the definition uses the same ids, else its name.
    A report whose counts name no device is taken to be of the devices it lists.
    """
    units = {
        str(unit.get("@id")): unit for unit in _listed(data.get("GpUnit")) if isinstance(unit, dict)
    }
    referred: dict[str, None] = {}
    scope = _get(election, "ElectionScopeId")
    if scope is not None:
        referred[str(scope)] = None
    for key in ("VoteCounts", "OtherCounts", "SummaryCounts", "BallotCounts"):
        for entry in _all(election, key):
            if isinstance(entry, dict) and entry.get("GpUnitId") is not None:
                referred[str(entry["GpUnitId"])] = None

    def is_device(unit: Obj) -> bool:
        return str(unit.get("@type", "")).endswith("ReportingDevice")

    devices = [units[i] for i in referred if i in units and is_device(units[i])]
    if not devices:
        devices = [unit for unit in units.values() if is_device(unit)]
    serials = [
        _text(_get(unit, "SerialNumber")) or _text(_get(unit, "Name")) or str(unit.get("@id"))
        for unit in devices
    ]
    known = {precinct.id for precinct in definition.precincts}
    precincts = [
        unit_id if unit_id in known else _text(_get(unit, "Name")) or unit_id
        for unit_id in referred
        if (unit := units.get(unit_id)) is not None
        and not is_device(unit)
        and str(_get(unit, "Type") or "").lower() in ("precinct", "split-precinct")
    ]
    name = _text(_get(election, "Name"))
    return SelfDescription(
        devices=tuple(serials), precincts=tuple(precincts), election=name or None
    )


def _all(value: Any, key: str) -> list[Any]:
    """Every ``key`` entry anywhere below ``value`` (counts sit at several depths)."""
    found: list[Any] = []
    if isinstance(value, dict):
        for name, item in value.items():
            if name == key:
                found.extend(_listed(item))
            else:
                found.extend(_all(item, key))
    elif isinstance(value, list):
        for item in value:
            found.extend(_all(item, key))
    return found


def _contest_figures(contest: Obj, total: ContestSum, scope: Any, where: str) -> None:
    """Over- and undervotes from v2 ``OtherCounts``, v1 ``SummaryCounts`` or plain fields.

    Ballots come from ``SummaryCounts`` or a contest-level ``BallotCounts``
    where a report has them; v2 keeps ballot counts per election, not per
    contest, so a v2 report usually leaves ``ballots`` unknown.
    """
    other = _listed(_get(contest, "OtherCounts"))
    summary = _listed(_get(contest, "SummaryCounts")) + _listed(_get(contest, "BallotCounts"))
    for name, keys in (
        ("overvotes", ("Overvotes", "OverVotes")),
        ("undervotes", ("Undervotes", "UnderVotes")),
        ("ballots", ("BallotsCast", "Ballots")),
    ):
        value: int | None = None
        for key in keys:
            value = _counted(other + summary, key, scope, where)
            if value is None and key in contest:
                value = _number(contest[key], f"{where}, field {key!r}")
            if value is not None:
                break
        if value is not None:
            total.figures[name] = value


def _selection_labels(
    selection: Obj, candidates: Mapping[Any, str], parties: Mapping[Any, str]
) -> list[str]:
    """What a selection may be matched by, most telling first: names, then ids."""
    labels: list[str] = []
    text = _text(_get(selection, "Selection"))
    if text:
        labels.append(text)
    people = [candidates.get(i, str(i)) for i in _ids(selection, "CandidateIds")]
    if people:
        labels.append(" and ".join(people))
    party_names = [parties.get(i, str(i)) for i in _ids(selection, "PartyIds")]
    if party_names:
        labels.append(" and ".join(party_names))
    if selection.get("@id"):
        labels.append(str(selection["@id"]))
    labels.extend(_ids(selection, "CandidateIds"))
    if str(_get(selection, "IsWriteIn")).lower() == "true":
        labels.append("Write-in")
    return labels


def _counted(counts: list[Any], key: str, scope: Any, where: str) -> int | None:
    """One figure from per-place, per-type counts, without counting any vote twice."""
    usable = [c for c in counts if isinstance(c, dict) and key in c]
    if not usable:
        return None
    if scope is not None and any(c.get("GpUnitId") == scope for c in usable):
        usable = [c for c in usable if c.get("GpUnitId") == scope]
    places: dict[Any, list[Obj]] = {}
    for entry in usable:
        places.setdefault(entry.get("GpUnitId"), []).append(entry)
    figure = 0
    for entries in places.values():
        totals = [e for e in entries if str(e.get("Type", "")).lower() == "total"]
        for entry in totals or entries:
            figure += _number(entry[key], f"{where}, field {key!r}")
    return figure


def _number(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInput(f"{value!r} is not a whole number", where=where)
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if text.startswith("-") and WHOLE.match(text[1:]):
        raise InvalidInput(f"{text} is negative", where=where)
    if not WHOLE.match(text):
        raise InvalidInput(f"{text[:40]!r} is not a whole number of at most 15 digits", where=where)
    return int(text)


def _first(resolve: Any, labels: Iterable[str]) -> Any:
    for label in labels:
        if label:
            found = resolve(label)
            if found is not None:
                return found
    return None


def _text(value: Any) -> str:
    """An InternationalizedText's English (else first) string; a plain string as it is."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        strings = [s for s in _listed(value.get("Text")) if isinstance(s, dict)]
        english = [s for s in strings if str(s.get("Language", "")).lower().startswith("en")]
        for entry in english or strings:
            return " ".join(str(entry.get("Content", "")).split())
    return ""


def _ids(obj: Obj, key: str) -> list[str]:
    return [part for value in _listed(_get(obj, key)) for part in str(value).split()]


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else None


def _listed(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]
