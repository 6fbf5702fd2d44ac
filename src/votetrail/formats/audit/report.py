"""The audit report's facts, and the report as one CSV table.

The report is what the state hands the canvass board and the public at the
end of an audit: every sampled ballot with what the CVR and the audit board
read, every discrepancy, and the risk of every contest in every round. The
service fills :class:`AuditReport` from the store; this module and
``report_pdf.py`` only lay it out, so the CSV and the PDF always say the same.

The CSV is one table (a spreadsheet filters it by its first column,
``section``) rather than several files:

* ``ballot``: one row per sampled ballot and contest, with its round, ticket
  number(s) (space separated), county and place on the shelf, the CVR's and
  the board's readings (empty: not entered yet);
* ``discrepancy``: one row per ballot and contest whose readings differ, with
  the overstatement of the winner's margin in votes;
* ``risk``: one row per round and contest, with the risk measured when the
  round closed and the decision (a round still open has none yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO

from votetrail.core.audit.discrepancies import Discrepancy
from votetrail.core.audit.evidence import EvidenceContest
from votetrail.formats.csv_out import CsvWriter

COLUMNS = (
    "section",
    "round",
    "ticket_numbers",
    "county",
    "container",
    "tabulator",
    "batch",
    "position",
    "ballot_id",
    "contest",
    "cvr",
    "audited",
    "overstatement",
    "sample_size",
    "risk",
    "decision",
)


@dataclass(frozen=True)
class ContestReading:
    """One contest on a sampled ballot: the CVR's reading ("" in polling) and the board's."""

    contest: str
    cvr: str
    audited: str


@dataclass(frozen=True)
class SampledBallot:
    """A distinct ballot drawn, in the round it was first drawn, with where it is kept."""

    round: int
    ticket_numbers: tuple[str, ...]
    county: str
    container: str | None
    tabulator: str | None
    batch: str
    position: int
    phantom: bool
    ballot_id: str
    readings: tuple[ContestReading, ...]


@dataclass(frozen=True)
class ReportRound:
    """A round: tickets drawn in it, all draws so far, and its outcome once closed."""

    number: int
    drawn: int
    sample_size: int
    drawn_at: str
    closed_at: str | None
    risk: Mapping[str, float] = field(hash=False)
    decision: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True)
class AuditReport:
    audit_id: str
    election: str
    method: str
    risk_limit: str
    with_replacement: bool
    status: str
    created_at: str
    seed: str | None
    seed_set_at: str | None
    witnesses: tuple[str, ...]
    counties: tuple[str, ...]
    contests: tuple[EvidenceContest, ...]
    targeted: tuple[str, ...]
    frame_size: int
    frame_sha256: str
    evidence_sha256: str | None
    rounds: tuple[ReportRound, ...]
    ballots: tuple[SampledBallot, ...]
    discrepancies: tuple[Discrepancy, ...]


def write_report_csv(report: AuditReport, out: TextIO) -> None:
    """The report as one CSV table, sections in the order ballot, discrepancy, risk."""
    writer = CsvWriter(out)
    writer.writerow(COLUMNS)
    places = {b.ballot_id: b for b in report.ballots}
    for ballot in report.ballots:
        for reading in ballot.readings:
            writer.writerow(
                [
                    "ballot",
                    ballot.round,
                    " ".join(ballot.ticket_numbers),
                    ballot.county,
                    ballot.container,
                    ballot.tabulator,
                    ballot.batch,
                    ballot.position,
                    ballot.ballot_id,
                    reading.contest,
                    reading.cvr,
                    reading.audited,
                    None,
                    None,
                    None,
                    None,
                ]
            )
    for found in report.discrepancies:
        where = places.get(found.ballot_id)
        writer.writerow(
            [
                "discrepancy",
                found.round,
                None if where is None else " ".join(where.ticket_numbers),
                None if where is None else where.county,
                None if where is None else where.container,
                None if where is None else where.tabulator,
                None if where is None else where.batch,
                None if where is None else where.position,
                found.ballot_id,
                found.contest_id,
                found.cvr,
                found.audited,
                found.overstatement,
                None,
                None,
                None,
            ]
        )
    for record in report.rounds:
        for contest in report.contests:
            risk = record.risk.get(contest.id)
            writer.writerow(
                [
                    "risk",
                    record.number,
                    *([None] * 7),
                    contest.id,
                    None,
                    None,
                    None,
                    record.sample_size,
                    risk,
                    record.decision.get(contest.id, "" if risk is not None else "round open"),
                ]
            )
