"""The daily network report: one self-contained HTML page.

The page is mailed or copied to people who may open it offline, so it holds
no scripts and loads nothing: styles are inline, the charts are inline SVG
(:mod:`.charts`) and a Content-Security-Policy forbids anything else. Every
value that came from logs or configuration (addresses, labels) is escaped,
since a scanner chooses what it sends and a label is typed by a person.

The order of the page follows what a reader must act on first: the day's
unsolicited attempts in words (every probe counted, scan or not), then the
count of scans, the incidents that got through, the charts and the full list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape

from votetrail.core.netmon.incidents import Incident, Severity, attempts_on
from votetrail.core.netmon.tally import DayTotal
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.outputs.charts import hourly_bars, ranked_bars

TOP = 10
SHOWN_SOURCES = 5
SHOWN_PORTS = 12
_SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}
_STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eee}tr.high td{background:#fde2e2}"
    "svg text{font-size:12px;fill:#222}svg text.axis{font-size:10px;fill:#555}"
    ".headline{font-size:2em;margin:0}.empty{color:#555}.counted{font-size:1.4em}"
)


@dataclass(frozen=True, slots=True)
class DailyReport:
    """Everything one day's page shows.

    ``attempts_per_hour`` holds, for hours 00–23 UTC, how many connection
    attempts came from sources judged to be scanning (the caller sums the
    incidents' per-hour counts, :func:`~votetrail.core.netmon.incidents.attempts_per_hour`).
    A scan that crosses midnight is on the page of each day it was active,
    counted with that day's attempts only: the incident table's "Attempts
    today" and the top sources use :func:`~votetrail.core.netmon.incidents.attempts_on`.
    """

    day: date
    incidents: Sequence[Incident]
    attempts_per_hour: Sequence[int]
    site: str = "votetrail"
    counted: DayTotal | None = None
    """Every unsolicited attempt of the day; None when none were counted (older data)."""
    distinct_at_least: bool = False
    """``counted``'s ports and hosts are a lower bound (several files counted the day)."""
    protocols: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Incident id → the protocols its sources used ("TCP", "UDP"), where they were noted:
    without them a TCP and a UDP sweep from one address read as the same scan twice."""

    def __post_init__(self) -> None:
        """Reject a chart that would silently mislabel hours."""
        if len(self.attempts_per_hour) != 24:
            raise InvalidInput(
                f"attempts_per_hour needs 24 hourly counts, got {len(self.attempts_per_hour)}"
            )
        if any(count < 0 for count in self.attempts_per_hour):
            raise InvalidInput("attempts_per_hour cannot hold a negative count")


def render_report(report: DailyReport) -> str:
    """The whole page as a string of HTML5."""
    incidents = sorted(report.incidents, key=_severity_first)
    high = [i for i in incidents if i.severity is Severity.HIGH]
    title = f"Network report, {_day_words(report.day)} — {report.site}"
    body = [
        f"<h1>{escape(title)}</h1>",
        _counted(report.counted, report.distinct_at_least),
        _headline(report.incidents, report.day),
        "<h2>Got through</h2>",
        "<p>Scans the firewall let in that reached a port other than the public "
        "service ports: something answered that should not be reachable.</p>",
        _table(high, report.day, report.protocols)
        if high
        else '<p class="empty">None that day.</p>',
        "<h2>Activity</h2>",
        hourly_bars(report.attempts_per_hour, "Scan attempts per hour (UTC)"),
        "<h3>Top 10 sources by attempts</h3>",
        "<p>A distributed scan's attempts are shared evenly among its sources.</p>",
        ranked_bars(top_sources(report.incidents, day=report.day), "Top 10 sources by attempts"),
        "<h3>Top 10 destination ports</h3>",
        "<p>Counted by how many scans tried each port.</p>",
        ranked_bars(top_ports(report.incidents), "Top 10 destination ports by scans"),
        "<h2>All incidents</h2>",
        _table(incidents, report.day, report.protocols)
        if incidents
        else '<p class="empty">No scans that day.</p>',
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n"
        "<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def top_sources(
    incidents: Sequence[Incident], limit: int = TOP, day: date | None = None
) -> list[tuple[str, int]]:
    """Sources with the most attempts (that ``day``'s only, if given); ties by address text."""
    attempts: Counter[str] = Counter()
    for incident in incidents:
        total = incident.connections if day is None else attempts_on(incident, day)
        share = total / max(len(incident.sources), 1)
        for source in incident.sources:
            attempts[source] += round(share)
    return sorted(attempts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def top_ports(incidents: Sequence[Incident], limit: int = TOP) -> list[tuple[str, int]]:
    """Destination ports tried by the most incidents, lowest port first on ties."""
    scans: Counter[int] = Counter()
    for incident in incidents:
        scans.update(incident.ports)
    ranked = sorted(scans.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [(str(port), count) for port, count in ranked]


def counted_sentence(counted: DayTotal, distinct_at_least: bool = False) -> str:
    """The day's unsolicited attempts in words, e.g. "Probed 11,402 times from 6,236 addresses
    on 1,204 ports; 3 attempts got an answer on a port that should be closed."
    """
    least = "at least " if distinct_at_least else ""
    text = (
        f"Probed {_count(counted.attempts, 'time')} from {_count(counted.sources, 'address')} "
        f"on {least}{_count(counted.ports, 'port')}; "
    )
    if counted.unexpected == 0:
        return text + "none got an answer on a port that should be closed."
    verb = "attempt" if counted.unexpected == 1 else "attempts"
    return text + f"{counted.unexpected:,} {verb} got an answer on a port that should be closed."


def _count(number: int, noun: str) -> str:
    plural = noun + ("es" if noun.endswith("ss") else "s")
    return f"{number:,} {noun if number == 1 else plural}"


def _counted(counted: DayTotal | None, distinct_at_least: bool) -> str:
    """The lead: every unsolicited attempt of the day, or plainly that none were counted."""
    if counted is None:
        return (
            '<p class="counted empty">No count of every probe is stored for this day: its '
            "logs were read before votetrail counted each unsolicited attempt, or none were "
            "read. The scans below are all that is known of it.</p>"
        )
    answered = _count(counted.answered, "attempt")
    return (
        f'<p class="counted">{escape(counted_sentence(counted, distinct_at_least))}</p>'
        "<p>Every unsolicited attempt is counted (into the office's networks, when they are "
        f"configured), whether or not it was part of a scan below; {answered} got an answer "
        "in all.</p>"
    )


def _day_words(day: date) -> str:
    """ "Tuesday, Nov 3, 2026": a report is read days later, so never "today"."""
    return day.strftime("%A, %b %-d, %Y")


def _headline(incidents: Sequence[Incident], day: date) -> str:
    """The count and the sentence that says what is being counted."""
    count = len(incidents)
    sources = len({s for i in incidents for s in i.sources})
    noun = "scan" if count == 1 else "scans"
    source_noun = "source" if sources == 1 else "sources"
    return (
        f'<p class="headline">{count:,} {noun} on {_day_words(day)}</p>'
        f"<p>A scan is one incident: one address probing many ports or hosts, or "
        f"several addresses from one network probing the same ports together "
        f"(a distributed scan, counted once). That day's {count:,} {noun} came from "
        f"{sources:,} {source_noun} (days run from midnight to midnight UTC).</p>"
    )


def _table(incidents: Sequence[Incident], day: date, protocols: Mapping[str, Sequence[str]]) -> str:
    """Incidents as rows, high severity marked so it stands out when printed.

    Times are shown with their date, since a scan crossing midnight began or
    ends on another day; "Attempts that day" counts only ``day``'s attempts.
    """
    head = (
        "<tr><th>First seen (UTC)</th><th>Last seen (UTC)</th><th>Severity</th><th>Kind</th>"
        "<th>Protocol</th><th>Sources</th><th>Targets</th><th>Ports</th>"
        "<th>Attempts that day</th><th>Accepted</th><th>Blocked</th><th>Labels</th>"
        "<th>Id</th></tr>"
    )
    rows = [head]
    for i in incidents:
        css = ' class="high"' if i.severity is Severity.HIGH else ""
        cells = [
            _moment(i.first_seen, day),
            _moment(i.last_seen, day),
            i.severity.value,
            i.kind.value,
            ", ".join(protocols.get(i.id, ())) or "—",
            _abridged(i.sources, SHOWN_SOURCES),
            f"{len(i.targets):,}",
            f"{i.port_count:,}: " + _abridged([str(p) for p in i.ports], SHOWN_PORTS),
            f"{attempts_on(i, day):,}",
            f"{i.accepted:,}",
            f"{i.blocked:,}",
            ", ".join(i.labels),
            i.id,
        ]
        rows.append(f"<tr{css}>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return "<table>" + "\n".join(rows) + "</table>"


def _moment(moment: datetime, day: date) -> str:
    """The time of day, with the date too when it is not ``day``."""
    if moment.date() == day:
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _abridged(items: Sequence[str], shown: int) -> str:
    """The first ``shown`` items and how many more, so one big scan cannot bloat the page."""
    text = ", ".join(items[:shown])
    if len(items) > shown:
        text += f" and {len(items) - shown:,} more"
    return text


def _severity_first(incident: Incident) -> tuple[int, datetime, str]:
    """High before medium before low, then by time, so the worst leads every table."""
    return (_SEVERITY_ORDER[incident.severity], incident.first_seen, incident.id)
