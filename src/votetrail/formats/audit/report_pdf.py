"""The printable audit report: facts, seed, rounds, risk with a chart, discrepancies, ballots.

The same :class:`~votetrail.formats.audit.report.AuditReport` always prints the
same bytes (the creation date is the audit's own, never the clock), so a
printed copy can be compared with a download. The chart of risk over rounds is
drawn with plain PDF lines on a logarithmic scale (a risk falls by factors,
and the risk limit is a line across it); round 0 is the start, risk 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import pairwise

from fpdf.enums import XPos, YPos

from votetrail.formats.audit.report import AuditReport, ReportRound
from votetrail.formats.printed import FONT, Document, latin1

FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
"""The creation date when the audit's own date cannot be read."""

_COLOURS = (
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (148, 103, 189),
    (255, 127, 14),
    (140, 86, 75),
    (23, 190, 207),
    (127, 127, 127),
)
_LIMIT_COLOUR = (200, 0, 0)
_MAX_DECADES = 12


def risk_text(risk: float) -> str:
    """A risk as printed: four significant figures (the CSV and evidence carry every digit)."""
    return f"{risk:.4g}"


def report_pdf(report: AuditReport) -> bytes:
    """The whole report as a PDF (landscape A4: the ballot table is wide)."""
    pdf = Document(
        f"Audit report {report.audit_id} - {report.election}", _created(report), landscape=True
    )
    pdf.set_title(latin1(f"Risk-limiting audit report {report.audit_id}"))
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.heading(f"Risk-limiting audit report: {report.audit_id}", 18)
    opportunistic = [c.id for c in report.contests if c.id not in report.targeted]
    pdf.facts(
        [
            ("Audit", report.audit_id),
            ("Election", report.election),
            ("Method", report.method.replace("_", " ")),
            ("Risk limit", report.risk_limit),
            ("Sampling", "with replacement" if report.with_replacement else "without replacement"),
            ("Status", report.status.replace("_", " ")),
            ("Counties", ", ".join(report.counties) or "none"),
            ("Contests targeted", ", ".join(report.targeted) or "none"),
            ("Also audited", ", ".join(opportunistic) or "none"),
            ("Sampling frame", f"{report.frame_size} ballots, phantoms included"),
            ("Frame SHA-256", report.frame_sha256),
            ("evidence.zip SHA-256", report.evidence_sha256 or "no round closed yet"),
        ]
    )
    pdf.ln(3)
    pdf.para("Seed ceremony", bold=True, size=12)
    if report.seed is None:
        pdf.para("The seed has not been set yet.")
    else:
        pdf.facts(
            [
                ("Seed", report.seed),
                ("Set at", report.seed_set_at or ""),
                ("Witnesses", ", ".join(report.witnesses)),
            ]
        )
    pdf.ln(3)
    _contests(pdf, report)
    _rounds(pdf, report)
    _risks(pdf, report)
    _chart(pdf, report)
    _discrepancies(pdf, report)
    _ballots(pdf, report)
    return bytes(pdf.output())


def _created(report: AuditReport) -> datetime:
    try:
        moment = datetime.fromisoformat(report.created_at)
    except ValueError:
        return FIXED_DATE
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _contests(pdf: Document, report: AuditReport) -> None:
    pdf.room(30)
    pdf.para("Contests and reported results", bold=True, size=12)
    pdf.ln(1)
    pdf.grid(
        ("Contest", "Role", "Vote for", "Reported winners", "Reported votes", "Ballots"),
        (
            (
                c.name,
                "targeted" if c.id in report.targeted else "opportunistic",
                str(c.vote_for),
                ", ".join(c.winners),
                "; ".join(f"{choice}: {votes}" for choice, votes in c.reported.items()),
                str(c.ballots),
            )
            for c in report.contests
        ),
        (50, 27, 18, 45, 96, 25),
        numeric={2, 5},
    )


def _rounds(pdf: Document, report: AuditReport) -> None:
    pdf.room(30)
    pdf.para("Rounds", bold=True, size=12)
    pdf.ln(1)
    if not report.rounds:
        pdf.para("No sample has been drawn yet.")
        pdf.ln(2)
        return
    pdf.grid(
        ("Round", "Tickets drawn", "Draws so far", "Drawn at", "Closed at", "Outcome"),
        (
            (
                str(r.number),
                str(r.drawn),
                str(r.sample_size),
                r.drawn_at,
                r.closed_at or "open",
                _outcome(r, report),
            )
            for r in report.rounds
        ),
        (18, 28, 28, 52, 52, 83),
        numeric={0, 1, 2},
    )


def _outcome(record: ReportRound, report: AuditReport) -> str:
    if record.closed_at is None:
        return "boards examining the ballots"
    targeted = [record.decision.get(c, "") for c in report.targeted]
    if targeted and all(d == "confirmed" for d in targeted):
        return "every targeted contest confirmed"
    if any(d == "full_hand_count" for d in targeted):
        return "full hand count"
    return "another round"


def _risks(pdf: Document, report: AuditReport) -> None:
    closed = [r for r in report.rounds if r.closed_at is not None]
    pdf.room(30)
    pdf.para("Risk per contest per round", bold=True, size=12)
    pdf.ln(1)
    if not closed:
        pdf.para("No round has been measured yet.")
        pdf.ln(2)
        return
    pdf.grid(
        ("Round", "Contest", "Draws so far", "Risk", "Risk limit", "Decision"),
        (
            (
                str(r.number),
                c.name,
                str(r.sample_size),
                risk_text(r.risk[c.id]) if c.id in r.risk else "not measured",
                report.risk_limit,
                r.decision.get(c.id, "").replace("_", " "),
            )
            for r in closed
            for c in report.contests
        ),
        (18, 80, 28, 40, 30, 65),
        numeric={0, 2, 3, 4},
    )


def _chart(pdf: Document, report: AuditReport) -> None:
    """Risk over rounds, log scale, one line per contest, the risk limit dashed across."""
    closed = [r for r in report.rounds if r.closed_at is not None and r.risk]
    if not closed:
        return
    width, height = 170.0, 80.0
    pdf.room(height + 30 + 6 * len(report.contests))
    pdf.para("Risk over rounds", bold=True, size=12)
    pdf.ln(2)
    limit = _limit(report.risk_limit)
    positives = [v for r in closed for v in r.risk.values() if v > 0]
    lowest = min([*positives, limit if limit > 0 else 1.0, 0.1])
    decades = min(_MAX_DECADES, max(1, math.ceil(-math.log10(lowest) + 1e-9)))
    left, top = pdf.l_margin + 22, pdf.get_y() + 2
    rounds = len(closed)

    def x_of(number: int) -> float:
        return left + width * number / rounds

    def y_of(risk: float) -> float:
        clamped = min(1.0, max(risk, 10.0**-decades))
        return top + height * (-math.log10(clamped)) / decades

    pdf.set_line_width(0.2)
    pdf.set_draw_color(190, 190, 190)
    pdf.set_font(FONT, size=8)
    for k in range(decades + 1):
        y = top + height * k / decades
        pdf.line(left, y, left + width, y)
        label = "1" if k == 0 else f"1e-{k}" if k > 3 else f"{10.0**-k:g}"
        pdf.text(left - 3 - pdf.get_string_width(label), y + 1, label)
    for number in range(rounds + 1):
        x = x_of(number)
        pdf.line(x, top, x, top + height)
        label = "start" if number == 0 else f"round {closed[number - 1].number}"
        pdf.text(x - pdf.get_string_width(label) / 2, top + height + 5, label)
    pdf.set_draw_color(0, 0, 0)
    pdf.rect(left, top, width, height)
    if 0 < limit <= 1:
        pdf.set_draw_color(*_LIMIT_COLOUR)
        pdf.set_line_width(0.4)
        pdf.set_dash_pattern(dash=2, gap=1.5)
        pdf.line(left, y_of(limit), left + width, y_of(limit))
        pdf.set_dash_pattern()
        pdf.set_text_color(*_LIMIT_COLOUR)
        pdf.text(left + width + 2, y_of(limit) + 1, latin1(f"risk limit {report.risk_limit}"))
        pdf.set_text_color(0, 0, 0)
    for index, contest in enumerate(report.contests):
        colour = _COLOURS[index % len(_COLOURS)]
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        pdf.set_line_width(0.6)
        points = [(x_of(0), y_of(1.0))] + [
            (x_of(n), y_of(r.risk[contest.id]))
            for n, r in enumerate(closed, start=1)
            if contest.id in r.risk
        ]
        for (x1, y1), (x2, y2) in pairwise(points):
            pdf.line(x1, y1, x2, y2)
        for x, y in points[1:]:
            pdf.circle(x, y, 0.9, style="F")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(top + height + 9)
    pdf.set_font(FONT, size=9)
    for index, contest in enumerate(report.contests):
        colour = _COLOURS[index % len(_COLOURS)]
        y = pdf.get_y()
        pdf.set_fill_color(*colour)
        pdf.rect(left, y + 1.5, 6, 2.5, style="F")
        pdf.set_x(left + 8)
        last = closed[-1].risk.get(contest.id)
        after = (
            "" if last is None else f" (risk after round {closed[-1].number}: {risk_text(last)})"
        )
        pdf.cell(0, 5, latin1(f"{contest.name}{after}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    pdf.ln(3)


def _limit(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _discrepancies(pdf: Document, report: AuditReport) -> None:
    pdf.room(30)
    pdf.para("Discrepancies between the paper and the CVRs", bold=True, size=12)
    pdf.ln(1)
    if report.method == "ballot_polling":
        pdf.para("A ballot-polling audit has no CVRs to compare with.")
        pdf.ln(2)
        return
    if report.method == "batch_comparison":
        pdf.para(
            "A batch-comparison audit compares each drawn batch's hand count with its reported "
            "votes; both are listed for every drawn batch below."
        )
        pdf.ln(2)
        return
    if not report.discrepancies:
        pdf.para("None: every ballot examined matched its cast vote record.")
        pdf.ln(2)
        return
    pdf.para(
        "Overstatement: votes by which the CVR overstated a reported winner's margin over a "
        "loser (largest over the contest's pairs; negative: the CVR understated it)."
    )
    pdf.ln(1)
    pdf.grid(
        ("Round", "Ballot", "Contest", "CVR", "Audited", "Overstatement"),
        (
            (
                str(d.round),
                d.ballot_id,
                d.contest_id,
                d.cvr,
                d.audited,
                f"{d.overstatement:+d}" if d.overstatement else "0",
            )
            for d in report.discrepancies
        ),
        (16, 85, 50, 40, 40, 30),
        numeric={0, 5},
    )


def _ballots(pdf: Document, report: AuditReport) -> None:
    pdf.add_page()
    batches = report.method == "batch_comparison"
    pdf.heading(f"Every sampled {'batch' if batches else 'ballot'} ({len(report.ballots)})", 14)
    if not report.ballots:
        pdf.para("No ballot has been drawn yet.")
        return
    pdf.para(
        "One row per batch and contest, in draw order: the reported votes and the hand count "
        "(empty: not counted yet; not_found: the batch was not found, the worst case)."
        if batches
        else "One row per ballot and contest, in draw order. Ticket numbers tie a ballot to the "
        "public draw. A phantom (batch 'phantom') stands for a CVR without paper and counts "
        "as not found, the worst case. An empty Audited cell: not entered yet."
    )
    pdf.ln(1)
    widths: Sequence[float] = (14, 34, 22, 25, 22, 25, 12, 47, 30, 30)
    pdf.grid(
        (
            "Round",
            "Ticket(s)",
            "County",
            "Container",
            "Tabulator",
            "Batch",
            "Pos.",
            "Contest",
            "Reported" if batches else "CVR",
            "Hand count" if batches else "Audited",
        ),
        (
            (
                str(b.round),
                " ".join(b.ticket_numbers),
                b.county,
                b.container or "",
                b.tabulator or "",
                b.batch,
                str(b.position) if b.position else "",
                r.contest,
                r.cvr,
                r.audited,
            )
            for b in report.ballots
            for r in b.readings
        ),
        widths,
        numeric={0, 6},
    )
