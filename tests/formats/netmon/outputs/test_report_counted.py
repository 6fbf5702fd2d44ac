"""The daily report's lead: the day's unsolicited attempts in words, or plainly none counted."""

from __future__ import annotations

from datetime import date

from votetrail.core.netmon.tally import DayTotal
from votetrail.formats.netmon.outputs.report import DailyReport, counted_sentence, render_report

DAY = date(2026, 11, 2)


def test_the_sentence_reads_like_the_issue_asks() -> None:
    total = DayTotal(
        DAY, sources=6236, attempts=11402, answered=40, unexpected=3, ports=1204, hosts=9
    )
    assert counted_sentence(total) == (
        "Probed 11,402 times from 6,236 addresses on 1,204 ports; "
        "3 attempts got an answer on a port that should be closed."
    )
    assert "on at least 1,204 ports;" in counted_sentence(total, distinct_at_least=True)


def test_one_of_each_and_none_answered() -> None:
    total = DayTotal(DAY, sources=1, attempts=1, answered=0, unexpected=0, ports=1, hosts=1)
    assert counted_sentence(total) == (
        "Probed 1 time from 1 address on 1 port; "
        "none got an answer on a port that should be closed."
    )


def test_the_report_leads_with_the_counts_or_says_there_are_none() -> None:
    total = DayTotal(DAY, sources=3, attempts=5, answered=1, unexpected=1, ports=5, hosts=2)
    page = render_report(DailyReport(DAY, [], [0] * 24, counted=total))
    lead = page.index("Probed 5 times from 3 addresses on 5 ports;")
    assert lead < page.index("0 scans on") < page.index("Got through")
    assert "1 attempt got an answer in all" in page
    old = render_report(DailyReport(DAY, [], [0] * 24))
    assert "No count of every probe is stored for this day" in old
    assert "Probed" not in old
