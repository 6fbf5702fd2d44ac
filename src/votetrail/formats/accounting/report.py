"""Ballot-accounting reports as CSV (one row per finding) and as a standalone HTML page.

The HTML page is self-contained (no scripts, no external styles) so a county
can post it or print it as the public record of its accounting.
"""

from __future__ import annotations

from html import escape
from typing import TextIO

from votetrail.core.accounting.phantoms import PhantomPlan
from votetrail.core.accounting.reconcile import Reconciliation
from votetrail.formats.csv_out import CsvWriter

CSV_COLUMNS = (
    "severity",
    "kind",
    "precinct",
    "tabulator",
    "batch",
    "cvr_id",
    "count",
    "explanation",
)


def write_csv(outcome: Reconciliation, out: TextIO) -> None:
    writer = CsvWriter(out)
    writer.writerow(CSV_COLUMNS)
    for finding in outcome.findings:
        place = finding.place
        writer.writerow(
            [
                finding.severity.value,
                finding.kind.value,
                place.precinct or "",
                place.tabulator or "",
                place.batch or "",
                place.cvr_id or "",
                finding.count,
                finding.explanation,
            ]
        )


def render_html(jurisdiction: str, outcome: Reconciliation, phantoms: PhantomPlan) -> str:
    summary = outcome.summary
    rows = (
        "\n".join(
            f"<tr class='{escape(f.severity.value)}'><td>{escape(f.severity.value)}</td>"
            f"<td>{escape(f.kind.value)}</td><td>{escape(f.place.describe())}</td>"
            f"<td>{escape(f.explanation)}</td></tr>"
            for f in outcome.findings
        )
        or "<tr><td colspan='4'>No findings: every source agrees.</td></tr>"
    )
    devices = "\n".join(
        f"<tr><td>{escape(d.tabulator or '—')}</td><td>{d.cvrs}</td>"
        f"<td>{'—' if d.paper_records is None else d.paper_records}</td>"
        f"<td>{d.manifest_ballots}</td><td>{d.missing_paper}</td></tr>"
        for d in outcome.devices
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Ballot accounting: {escape(jurisdiction)}</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ccc;padding:.3rem;
text-align:left}}tr.error td:first-child{{color:#9b1c1c;font-weight:600}}</style></head>
<body>
<h1>Ballot accounting: {escape(jurisdiction)}</h1>
<p>{escape(summary.explanation)}</p>
<p>{summary.errors} errors, {summary.warnings} warnings. Ballots with no paper record, which
the audit treats as the worst case: {phantoms.count}.</p>
<h2>Findings</h2>
<table><thead><tr><th>Severity</th><th>Kind</th><th>Where</th><th>Explanation</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<h2>Devices</h2>
<table><thead><tr><th>Tabulator</th><th>CVRs</th><th>Paper records</th><th>Manifest ballots</th>
<th>Missing paper</th></tr></thead>
<tbody>
{devices}
</tbody></table>
</body></html>
"""
