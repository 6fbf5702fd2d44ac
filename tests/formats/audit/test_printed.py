"""The audit's papers: the report (PDF and CSV) and a county's retrieval list as a pull sheet."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zlib
from dataclasses import replace

from tests.formats.lat.test_pdf import shown
from tests.formats.pdf_check import assert_valid_pdf
from votetrail.core.audit.discrepancies import Discrepancy
from votetrail.core.audit.evidence import EvidenceContest
from votetrail.formats.audit.report import (
    AuditReport,
    ContestReading,
    ReportRound,
    SampledBallot,
    write_report_csv,
)
from votetrail.formats.audit.report_pdf import report_pdf
from votetrail.formats.audit.retrieval_pdf import retrieval_pdf
from votetrail.services.audit.retrieval import RetrievalRow

MISREAD = "adams:Box 1:ICP-1:B-3:17"
CLEAN = "baker::CC-1:Absentee 2:4"
REPORT = AuditReport(
    audit_id="audit-7",
    election="2026 General",
    method="ballot_comparison",
    risk_limit="0.05",
    with_replacement=False,
    status="confirmed",
    created_at="2026-11-10T09:00:00Z",
    seed="12345678901234567890",
    seed_set_at="2026-11-12T10:00:00Z",
    witnesses=("Ana Ruiz, League of Women Voters", "Bo Chen"),
    counties=("adams", "baker"),
    contests=(
        EvidenceContest(
            "Governor",
            "Governor",
            1,
            ("Avery Quinn",),
            {"Avery Quinn": 60, "Blake Rivera": 40},
            120,
        ),
        EvidenceContest("Measure A", "Measure A", 1, ("Yes",), {"Yes": 70, "No": 30}, 120),
    ),
    targeted=("Governor",),
    frame_size=120,
    frame_sha256="ab" * 32,
    evidence_sha256="cd" * 32,
    rounds=(
        ReportRound(
            1,
            2,
            2,
            "2026-11-12T11:00:00Z",
            "2026-11-13T17:00:00Z",
            {"Governor": 0.2113, "Measure A": 0.01},
            {"Governor": "continue", "Measure A": "confirmed"},
        ),
        ReportRound(
            2,
            1,
            3,
            "2026-11-14T09:00:00Z",
            "2026-11-14T15:00:00Z",
            {"Governor": 0.0314, "Measure A": 0.001},
            {"Governor": "confirmed", "Measure A": "confirmed"},
        ),
    ),
    ballots=(
        SampledBallot(
            1,
            ("0.123456789",),
            "adams",
            "Box 1",
            "ICP-1",
            "B-3",
            17,
            False,
            MISREAD,
            (
                ContestReading("Governor", "Avery Quinn", "blank"),
                ContestReading("Measure A", "Yes", "Yes"),
            ),
        ),
        SampledBallot(
            1,
            ("0.2", "0.7"),
            "baker",
            None,
            "CC-1",
            "Absentee 2",
            4,
            False,
            CLEAN,
            (
                ContestReading("Governor", "Blake Rivera", "Blake Rivera"),
                ContestReading("Measure A", "No", "No"),
            ),
        ),
        SampledBallot(
            2,
            ("0.9",),
            "adams",
            None,
            "ICP-2",
            "phantom",
            1,
            True,
            "adams:phantom:ICP-2:1",
            (
                ContestReading("Governor", "not_found", "not_found"),
                ContestReading("Measure A", "not_found", "not_found"),
            ),
        ),
    ),
    discrepancies=(Discrepancy(1, MISREAD, "Governor", "Avery Quinn", "blank", 1),),
)


def test_report_pdf_is_a_valid_pdf_saying_what_the_audit_found() -> None:
    pdf = report_pdf(REPORT)
    assert_valid_pdf(pdf)
    text = shown(pdf)
    for expected in (
        "Risk-limiting audit report: audit-7",
        "12345678901234567890",
        "Ana Ruiz, League of Women Voters, Bo Chen",
        "Risk per contest per round",
        "0.2113",
        "0.0314",
        "Risk over rounds",
        "risk limit 0.05",
        "round 2",
        "Discrepancies between the paper and the CVRs",
        MISREAD,
        "+1",
        "Every sampled ballot (3)",
        "A phantom (batch 'phantom')",
        "0.2 0.7",
        "every targeted contest confirmed",
        "another round",
        "cd" * 32,
    ):
        assert expected in text, expected


def _content(pdf: bytes) -> bytes:
    """The page streams inflated: the drawing operators of the chart and the boxes."""
    out = b""
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.DOTALL):
        with contextlib.suppress(zlib.error):
            out += zlib.decompress(stream) + b"\n"
    return out


def test_report_pdf_charts_each_contest_against_the_dashed_risk_limit() -> None:
    """Governor's line falls from 1 through 0.2113 to 0.0314, ending below the 0.05 line."""
    content = _content(report_pdf(REPORT))
    dashed = re.search(rb"\[[\d. ]+\] [\d.]+ d\n([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", content)
    assert dashed is not None, "no dashed risk-limit line"
    limit_y = float(dashed.group(2))
    assert float(dashed.group(4)) == limit_y
    governor = content.split(b"0.1216 0.4667 0.7059 RG", 1)[1]
    segments = re.findall(rb"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", governor)[:2]
    heights = [float(segments[0][1]), float(segments[0][3]), float(segments[1][3])]
    assert heights[0] > heights[1] > limit_y > heights[2]  # PDF y grows upwards
    one_round = shown(report_pdf(replace(REPORT, rounds=REPORT.rounds[:1])))
    assert "round 2" not in one_round.split("Risk over rounds")[1].split("Discrepancies")[0]


def test_report_pdf_is_the_same_each_time_and_changes_with_the_audit() -> None:
    assert report_pdf(REPORT) == report_pdf(replace(REPORT))
    assert report_pdf(REPORT) != report_pdf(replace(REPORT, seed="09876543210987654321"))


def test_report_pdf_before_any_round() -> None:
    early = replace(REPORT, rounds=(), ballots=(), discrepancies=(), status="seed_set")
    text = shown(report_pdf(early))
    assert "No sample has been drawn yet." in text
    assert "No round has been measured yet." in text
    assert "Risk over rounds" not in text


def test_report_csv_lists_ballots_discrepancies_and_risk() -> None:
    out = io.StringIO()
    write_report_csv(REPORT, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    ballots = [r for r in rows if r["section"] == "ballot"]
    assert len(ballots) == 6
    assert {r["ballot_id"] for r in ballots} == {b.ballot_id for b in REPORT.ballots}
    (found,) = [r for r in rows if r["section"] == "discrepancy"]
    assert (found["ballot_id"], found["contest"], found["cvr"], found["audited"]) == (
        MISREAD, "Governor", "Avery Quinn", "blank"
    )  # fmt: skip
    assert (found["overstatement"], found["county"], found["ticket_numbers"]) == (
        "1",
        "adams",
        "0.123456789",
    )
    risks = {
        (r["round"], r["contest"]): (r["risk"], r["decision"], r["sample_size"])
        for r in rows
        if r["section"] == "risk"
    }
    assert risks == {
        ("1", "Governor"): ("0.2113", "continue", "2"),
        ("1", "Measure A"): ("0.01", "confirmed", "2"),
        ("2", "Governor"): ("0.0314", "confirmed", "3"),
        ("2", "Measure A"): ("0.001", "confirmed", "3"),
    }  # fmt: skip


Row = RetrievalRow  # the rows the county's page hands the writer


def test_retrieval_pdf_is_a_pull_sheet_in_shelf_order() -> None:
    rows = [
        Row(1, None, "ICP-2", "phantom", 1, ("0.555",), "adams:phantom:ICP-2:1", True),
        Row(1, "Box 2", "ICP-1", "B-1", 3, ("0.333",), "adams:Box 2:ICP-1:B-1:3", False),
        Row(1, "Box 1", "ICP-1", "B-3", 9, ("0.111", "0.444"), "adams:Box 1:ICP-1:B-3:9", False),
        Row(1, "Box 1", "ICP-1", "B-3", 2, ("0.222",), "adams:Box 1:ICP-1:B-3:2", False),
    ]
    pdf = retrieval_pdf("Retrieval list: Adams, audit-1, round 1", rows)
    assert_valid_pdf(pdf)
    text = shown(pdf)
    assert "Retrieval list: Adams, audit-1, round 1" in text
    assert "Found" in text
    assert "Ticket number(s)" in text
    order = [text.index(t) for t in ("0.222", "0.111 0.444", "0.333", "0.555")]
    assert order == sorted(order), "rows are not in shelf order"
    assert "phantom: no paper" in text
    assert "of which 1 phantoms" in text
    assert "Retrieved by (name, signature)" in text
    assert len(re.findall(rb" re S", _content(pdf))) >= len(rows)  # a box to tick per row
    assert pdf == retrieval_pdf("Retrieval list: Adams, audit-1, round 1", list(reversed(rows)))


def test_retrieval_pdf_of_many_rows_repeats_the_header() -> None:
    rows = [
        Row(1, "Box 1", "ICP-1", "B-1", k, (f"0.{k:04d}",), f"adams:Box 1:ICP-1:B-1:{k}", False)
        for k in range(1, 121)
    ]
    pdf = retrieval_pdf("Adams round 1", rows)
    assert_valid_pdf(pdf)
    text = shown(pdf)
    assert text.count("Ticket number(s)") >= 3
    assert "0.0120" in text
