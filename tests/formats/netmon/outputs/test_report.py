"""The daily HTML report: headline, charts, escaping and order."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from tests.formats.netmon.outputs.samples import ALL, HIGH, LOW, MEDIUM, incident
from votetrail.core.netmon.incidents import IncidentKind, Severity
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.outputs.report import (
    DailyReport,
    render_report,
    top_ports,
    top_sources,
)

DAY = date(2026, 11, 3)
HOURS = [0] * 2 + [30, 0, 0, 30] + [0] * 3 + [30] + [0] + [30] + [0] * 12


class Tags(HTMLParser):
    """Collects tag names, to check what the page would load or run."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


def page() -> str:
    return render_report(DailyReport(day=DAY, incidents=ALL, attempts_per_hour=HOURS))


def test_headline_counts_incidents_not_sources() -> None:
    distributed = incident(
        kind=IncidentKind.DISTRIBUTED, sources=tuple(f"192.0.2.{i}" for i in range(1, 6))
    )
    html = render_report(DailyReport(DAY, [distributed, LOW], [0] * 24))
    assert "2 scans on" in html
    assert "came from 6 sources" in html
    assert "1 scan on" in render_report(DailyReport(DAY, [LOW], [0] * 24))


def test_hourly_chart_has_24_bars() -> None:
    html = page()
    hourly = re.search(r'<svg[^>]*aria-label="Scan attempts per hour \(UTC\)".*?</svg>', html)
    assert hourly is not None
    assert hourly.group(0).count("<rect") == 24


def test_page_is_self_contained() -> None:
    parser = Tags()
    parser.feed(page())
    assert "script" not in parser.tags
    assert "link" not in parser.tags
    assert "img" not in parser.tags
    assert not any(name in ("src", "href") for name, _ in parser.attrs)
    assert parser.tags.count("svg") == 3


def test_hostile_labels_are_escaped() -> None:
    hostile = incident(severity=Severity.HIGH, accepted=1, labels=("<script>alert(1)</script>",))
    html = render_report(DailyReport(DAY, [hostile], [0] * 24, site='<img src=x onerror="1">'))
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_got_through_comes_first_and_high_leads_the_full_table() -> None:
    html = page()
    got_through = html.index("<h2>Got through</h2>")
    everything = html.index("<h2>All incidents</h2>")
    assert got_through < everything
    assert HIGH.id in html[got_through:everything]
    assert LOW.id not in html[got_through:everything]
    full = html[everything:]
    assert full.index(HIGH.id) < full.index(MEDIUM.id) < full.index(LOW.id)


def test_quiet_day() -> None:
    html = render_report(DailyReport(DAY, [], [0] * 24))
    assert "0 scans on Tuesday, Nov 3, 2026" in html
    assert "today" not in html.lower()
    assert "None that day." in html
    assert "No scans that day." in html


@pytest.mark.parametrize("hours", [[0] * 23, [0] * 25, [-1] + [0] * 23])
def test_hourly_counts_must_be_24_non_negative(hours: list[int]) -> None:
    with pytest.raises(InvalidInput, match="attempts_per_hour"):
        DailyReport(DAY, [], hours)


def test_top_sources_and_ports() -> None:
    shared = incident(kind=IncidentKind.DISTRIBUTED, sources=("192.0.2.1", "192.0.2.2"))
    assert top_sources([shared, LOW]) == [
        ("203.0.113.9", 30),
        ("192.0.2.1", 15),
        ("192.0.2.2", 15),
    ]
    assert top_ports(ALL)[:2] == [("22", 3), ("3389", 3)]
    many = [incident(sources=(f"10.0.0.{i}",), ports=(i,)) for i in range(1, 15)]
    assert len(top_sources(many)) == 10
    assert len(top_ports(many)) == 10
