"""Contest results written out for people and programs outside votetrail.

Three forms, each documented in ``docs/cvr.md``:

* the contract JSON, ``{"contests": [{"name", "votes_allowed", "ballots",
  "overvotes", "undervotes", "tally": {choice: votes}}]}``: the shape the
  later issues (audits, the public portal) and the Arlo fixtures' own
  ``*.spec.json`` tallies use, with ``tally`` in the order the export defined
  the choices;
* NIST SP 1500-100 Election Results Reporting, version 2, JSON form: the
  interchange format a state's results site or a newsroom can load;
* CSV, one ``contest, choice, votes`` row per choice and then the contest's
  ``overvotes`` and ``undervotes`` rows, for a spreadsheet; every row also
  carries the contest's ``votes_allowed`` and ``ballots``, so the file is a
  complete contests input for ``votetrail audit sample-size`` (which needs both).

Writers build the whole document in memory: results are one small entry per
contest and choice, not per ballot.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from votetrail.core.tally.tabulate import ContestResult
from votetrail.errors import InvalidInput
from votetrail.formats.csv_out import CsvWriter

OVERVOTES = "overvotes"
UNDERVOTES = "undervotes"
CSV_COLUMNS = ("contest", "choice", "votes")
CONTEST_COLUMNS = ("votes_allowed", "ballots")
"""Contest-wide columns after :data:`CSV_COLUMNS`, repeated on each of a contest's rows."""
ERR_ELECTION_TYPES = frozenset(
    [
        "general",
        "other",
        "partisan-primary-closed",
        "partisan-primary-open",
        "primary",
        "runoff",
        "special",
    ]
)
"""The ``ElectionType`` values the ERR v2 schema allows."""
ERR_STATUSES = frozenset(
    [
        "certified",
        "correction",
        "pre-election",
        "recount",
        "unofficial-complete",
        "unofficial-partial",
    ]
)
"""The ``ResultsStatus`` values the ERR v2 schema allows."""


def contract_json(results: Iterable[ContestResult]) -> dict[str, Any]:
    """The results as the contract JSON document (a plain dict, ready for ``json.dumps``)."""
    return {
        "contests": [
            {
                "name": result.name,
                "votes_allowed": result.votes_allowed,
                "ballots": result.ballots,
                "overvotes": result.overvotes,
                "undervotes": result.undervotes,
                "tally": dict(result.tally),
            }
            for result in results
        ]
    }


@dataclass(frozen=True, slots=True)
class ReportHeader:
    """What an ERR report says about itself and its election; the counts come from the results."""

    election_name: str
    election_date: date
    generated: datetime
    issuer: str
    issuer_abbreviation: str
    scope_name: str
    """The reporting unit the results cover, e.g. the state or county's name."""
    scope_type: str = "state"
    election_type: str = "general"
    status: str = "unofficial-complete"
    vendor_application_id: str = "votetrail"


def nist_err_json(results: Sequence[ContestResult], header: ReportHeader) -> dict[str, Any]:
    """The results as a NIST SP 1500-100 v2 ``ElectionReport`` at summary-contest detail.

    Each contest is a ``CandidateContest`` whose selections carry one
    ``VoteCounts`` of type ``total`` for the whole scope, and whose
    ``OtherCounts`` carry the overvotes and undervotes (the schema has no
    per-contest ballot count, so ``ballots`` is not carried). Ids are
    positional (``gpu-1``, ``contest-2``, ``contest-2-choice-3``, ``candidate-2-3``)
    so the same results always give the same document.
    """
    if header.generated.tzinfo is None:
        raise InvalidInput("must carry a time zone", where="report generated time")
    if header.election_type not in ERR_ELECTION_TYPES:
        raise InvalidInput(f"{header.election_type!r} is not an ERR election type", "report")
    if header.status not in ERR_STATUSES:
        raise InvalidInput(f"{header.status!r} is not an ERR results status", "report")
    scope = "gpu-1"
    candidates: list[dict[str, Any]] = []
    contests: list[dict[str, Any]] = []
    for number, result in enumerate(results, start=1):
        selections: list[dict[str, Any]] = []
        for position, (choice, votes) in enumerate(result.tally.items(), start=1):
            candidate = f"candidate-{number}-{position}"
            candidates.append(
                {
                    "@id": candidate,
                    "@type": "ElectionResults.Candidate",
                    "BallotName": _text(choice),
                }
            )
            selections.append(
                {
                    "@id": f"contest-{number}-choice-{position}",
                    "@type": "ElectionResults.CandidateSelection",
                    "CandidateIds": [candidate],
                    "IsWriteIn": choice in result.write_ins,
                    "SequenceOrder": position,
                    "VoteCounts": [_count(votes, scope)],
                }
            )
        contests.append(
            {
                "@id": f"contest-{number}",
                "@type": "ElectionResults.CandidateContest",
                "Name": result.name,
                "ElectionDistrictId": scope,
                "VotesAllowed": result.votes_allowed,
                "SequenceOrder": number,
                "ContestSelection": selections,
                "OtherCounts": [
                    {
                        "@type": "ElectionResults.OtherCounts",
                        "GpUnitId": scope,
                        "Overvotes": result.overvotes,
                        "Undervotes": result.undervotes,
                        "WriteIns": result.write_in_votes,
                    }
                ],
            }
        )
    election = {
        "@type": "ElectionResults.Election",
        "Name": _text(header.election_name),
        "StartDate": header.election_date.isoformat(),
        "EndDate": header.election_date.isoformat(),
        "Type": header.election_type,
        "ElectionScopeId": scope,
        "Candidate": candidates,
        "Contest": contests,
    }
    return {
        "@type": "ElectionResults.ElectionReport",
        "Format": "summary-contest",
        "GeneratedDate": header.generated.isoformat(timespec="seconds"),
        "Issuer": header.issuer,
        "IssuerAbbreviation": header.issuer_abbreviation,
        "SequenceStart": 1,
        "SequenceEnd": 1,
        "Status": header.status,
        "VendorApplicationId": header.vendor_application_id,
        "GpUnit": [
            {
                "@id": scope,
                "@type": "ElectionResults.ReportingUnit",
                "Name": _text(header.scope_name),
                "Type": header.scope_type,
            }
        ],
        "Election": [election],
    }


def write_csv(results: Iterable[ContestResult], out: TextIO) -> None:
    """One row per choice, then the contest's overvotes and undervotes rows."""
    writer = CsvWriter(out)
    writer.writerow((*CSV_COLUMNS, *CONTEST_COLUMNS))
    for result in results:
        shape = (result.votes_allowed, result.ballots)
        writer.writerows(
            (result.name, choice, votes, *shape) for choice, votes in result.tally.items()
        )
        writer.writerow((result.name, OVERVOTES, result.overvotes, *shape))
        writer.writerow((result.name, UNDERVOTES, result.undervotes, *shape))


def write_json(document: dict[str, Any], path: Path) -> None:
    """Write a document as UTF-8 JSON, names as written (no ``\\u`` escapes), newline-terminated."""
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write the results: {exc.strerror}", where=str(path)) from None


def _text(content: str) -> dict[str, Any]:
    return {
        "@type": "ElectionResults.InternationalizedText",
        "Text": [{"@type": "ElectionResults.LanguageString", "Content": content, "Language": "en"}],
    }


def _count(votes: int, scope: str) -> dict[str, Any]:
    return {
        "@type": "ElectionResults.VoteCounts",
        "Count": votes,
        "GpUnitId": scope,
        "Type": "total",
    }
