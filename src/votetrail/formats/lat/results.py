"""A tabulator's report of an L&A test deck, read into the definition's ids.

Counties hand over whatever their equipment exports: a results file (NIST SP
1500-100), the cast vote records themselves, or totals typed into a
spreadsheet. All three become the same :data:`Totals`, keyed by the
definition's contest and choice ids, so the comparison is written once. What
the report names and the definition does not have is not an error that stops
the reading: it is collected as a sentence in :attr:`TabulatorReport.unmatched`
and shown as a failure next to the comparison's own findings, because a
tabulator programmed with a wrong contest is exactly what the test is for.

Readers never invent figures: a number the report does not give (a CSV with
no ``ballots`` row, NIST results without overvotes) stays ``None``, and a
choice the report does not list is absent from ``votes``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from votetrail.core.lat.definition import Contest, ElectionDefinition
from votetrail.core.lat.ranked_deck import Ranking
from votetrail.core.lat.report_identity import SelfDescription
from votetrail.core.lat.totals import MarkedBallot, Totals, count
from votetrail.core.rcv.ballots import OVERVOTE
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.read import open_cvr_file
from votetrail.formats.election.fields import read_json
from votetrail.formats.lat.names import Resolver
from votetrail.formats.lat.nist_results import (
    NIST_RESULTS,
    Obj,
    is_results_report,
    read_nist_results,
)
from votetrail.formats.lat.report_parts import FIGURES, TabulatorReport, Unmatched
from votetrail.formats.lat.totals_csv import TOTALS_CSV, is_totals_csv, read_totals_csv

__all__ = [
    "FIGURES",
    "NIST_RESULTS",
    "TOTALS_CSV",
    "Obj",
    "TabulatorReport",
    "read_tabulator_report",
]

_NOT_A_CVR = "is not a cast vote record export votetrail reads"


def read_tabulator_report(path: Path, definition: ElectionDefinition) -> TabulatorReport:
    """Detect the report's form and read it; an unreadable file raises naming line and field."""
    if path.is_dir():
        raise InvalidInput("is a folder; give the report file in it", where=str(path))
    if not path.is_file():
        raise InvalidInput("no such file", where=str(path))
    suffix = path.suffix.lower()
    data: Obj | None = None
    if suffix == ".csv" and is_totals_csv(path):
        return read_totals_csv(path, definition)
    if suffix == ".json":
        data = _json(path)
        if is_results_report(data):
            return read_nist_results(path, data, definition)
        if not str(data.get("@type", "")).endswith("CastVoteRecordReport"):
            raise InvalidInput(
                "is neither NIST SP 1500-100 results JSON (an ElectionResults.ElectionReport) "
                "nor a NIST SP 1500-103 cast vote record report (CVR.CastVoteRecordReport)",
                where=f"{path}, field '@type'",
            )
    return _read_cvrs(path, definition, data)


def _json(path: Path) -> Obj:
    """The report's JSON object; reading and parse errors are the definition readers' own."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise InvalidInput("is not a JSON object", where=f"{path}, line 1")
    return data


# --- cast vote records ------------------------------------------------------------------------


def _read_cvrs(path: Path, definition: ElectionDefinition, data: Obj | None) -> TabulatorReport:
    """Count the cards here, by the deck's rule, after mapping the vendor's names to ids.

    Styles are compared only when every card says its ballot style: counting
    some cards by style and others not would report the rest as missing.
    """
    try:
        cvr_file = open_cvr_file(path)
    except InvalidInput as exc:
        if _NOT_A_CVR not in str(exc):
            raise
        raise InvalidInput(
            "is not a tabulator report votetrail reads: a totals CSV (contest,choice,votes "
            "columns), NIST SP 1500-100 results JSON, or a cast vote record export "
            + str(exc).split(_NOT_A_CVR, 1)[1].strip(),
            where=exc.where,
        ) from None
    resolver = Resolver(definition)
    unmatched = Unmatched()
    carried = {contest for style in definition.ballot_styles for contest in style.contests}
    ballots: list[MarkedBallot] = []
    rankings: dict[str, list[tuple[str, Ranking]]] = {
        contest.id: []
        for contest in definition.contests
        if contest.ranked and contest.id in carried
    }
    styles_known = True
    tabulators: dict[str, None] = {}
    precincts: dict[str, None] = {}
    for record in cvr_file.records():
        if record.tabulator:
            tabulators[str(record.tabulator)] = None
        if record.precinct:
            precincts[str(record.precinct)] = None
        style = None
        if record.ballot_type:
            style = resolver.ballot_style(record.ballot_type)
            if style is None:
                unmatched.add(resolver.style_problem(record.ballot_type))
        if style is None:
            # One card of no known style would read as a missing ballot of its real
            # style, so the report is then compared as a whole, not style by style.
            styles_known = False
        votes: dict[str, list[str]] = {}
        for contest_name, marks in record.marks.items():
            contest = resolver.contest(contest_name)
            if contest is None:
                unmatched.add(resolver.contest_problem(contest_name))
                continue
            if contest.id not in carried:
                unmatched.add(
                    f"The report counts contest {contest_name!r}, which no ballot style of the "
                    "election definition carries"
                )
                continue
            if contest.ranked:
                unmatched.add(
                    f"The report counts contest {contest_name!r} as one vote per choice, but the "
                    f"election definition makes it ranked-choice with {contest.ranks} ranks"
                )
                continue
            votes.setdefault(contest.id, []).extend(_marks(resolver, contest, marks, unmatched))
        for contest_name, ranks in record.ranks.items():
            contest = resolver.contest(contest_name)
            if contest is None:
                unmatched.add(resolver.contest_problem(contest_name))
            elif contest.id not in rankings:
                unmatched.add(
                    f"The report ranks contest {contest_name!r}, which the election definition "
                    "does not have as a ranked-choice contest on any ballot style"
                )
            else:
                ranking = _ranking(resolver, contest, ranks, unmatched)
                rankings[contest.id].append((record.id, ranking))
        ballots.append(MarkedBallot(style or "", record.precinct or "", votes))
    overall = count(_fit(ballots, definition), definition)
    by_style: dict[str, Totals] | None = None
    if styles_known and ballots:
        by_style = {
            style.id: count(
                _fit((b for b in ballots if b.ballot_style == style.id), definition), definition
            )
            for style in definition.ballot_styles
            if any(b.ballot_style == style.id for b in ballots)
        }
    about = _cvr_self_description(cvr_file.format, data, list(tabulators), list(precincts))
    return TabulatorReport(
        path, cvr_file.format, overall, by_style, len(ballots), unmatched(), about, rankings
    )


def _cvr_self_description(
    file_format: str, data: Obj | None, tabulators: list[str], precincts: list[str]
) -> SelfDescription:
    """What the cards say: a NIST report's creating device is the device (its ReportingDevice's
    SerialNumber when the JSON lists one); a vendor's tabulator number is not a serial.

    The election's name is read from a NIST JSON report's Election; the vendor
    exports' election names are not compared (see ``docs/lat.md``).
    """
    if not file_format.startswith("NIST"):
        return SelfDescription(tabulators=tuple(tabulators), precincts=tuple(precincts))
    serials: dict[str, str] = {}
    election: str | None = None
    if data is not None:
        for device in data.get("ReportingDevice") or []:
            if isinstance(device, dict) and device.get("SerialNumber"):
                serials[str(device.get("@id"))] = str(device["SerialNumber"])
        names = [
            str(e["Name"])
            for e in data.get("Election") or []
            if isinstance(e, dict) and isinstance(e.get("Name"), str)
        ]
        election = names[0] if len(names) == 1 else None
    devices = tuple(dict.fromkeys(serials.get(t, t) for t in tabulators))
    return SelfDescription(devices=devices, precincts=tuple(precincts), election=election)


def _marks(
    resolver: Resolver, contest: Contest, marks: tuple[str, ...], unmatched: Unmatched
) -> list[str]:
    """Choice ids; an unknown choice's mark still counts towards an overvote, as it did on paper."""
    ids: list[str] = []
    unknown: list[str] = []
    for mark in marks:
        choice = resolver.choice(contest, mark)
        if choice is None:
            unmatched.add(resolver.choice_problem(contest, mark))
            unknown.append(mark)
        else:
            ids.append(choice.id)
    return ids + unknown


def _ranking(
    resolver: Resolver,
    contest: Contest,
    ranks: tuple[tuple[str, ...], ...],
    unmatched: Unmatched,
) -> Ranking:
    """The card's ranks by choice ids; an unknown name is left out of its rank and reported."""
    ranking: list[tuple[str, ...]] = []
    for marks in ranks:
        ids: list[str] = []
        for mark in marks:
            if mark == OVERVOTE:
                ids.append(mark)
                continue
            choice = resolver.choice(contest, mark)
            if choice is None:
                unmatched.add(resolver.choice_problem(contest, mark))
            else:
                ids.append(choice.id)
        ranking.append(tuple(ids))
    return tuple(ranking)


def _fit(ballots: Iterable[MarkedBallot], definition: ElectionDefinition) -> Iterable[MarkedBallot]:
    """Drop unknown choices' marks where they do not make an overvote (count refuses them)."""
    allowed = {contest.id: contest.votes_allowed for contest in definition.contests}
    known = {contest.id: {c.id for c in contest.choices} for contest in definition.contests}
    for ballot in ballots:
        if all(
            len(marks) > allowed[contest] or all(m in known[contest] for m in marks)
            for contest, marks in ballot.votes.items()
        ):
            yield ballot
            continue
        yield MarkedBallot(
            ballot.ballot_style,
            ballot.precinct,
            {
                contest: marks
                if len(marks) > allowed[contest]
                else [m for m in marks if m in known[contest]]
                for contest, marks in ballot.votes.items()
            },
        )
