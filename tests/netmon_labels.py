"""Ground truth for scan detection: the labelled CTU-Normal captures in ``netmon/ctu-normal``.

Each capture (``../shared/data/netmon/ctu-normal``, see its README) is one
Windows desktop with a public address, about 24 hours of its real Zeek
conn.log, and a label per flow (``*.flow_labels.tsv``: uid → label). The lab
labelled every flow *to* the desktop ``Malicious External-Attack-to-Device``:
those are the unsolicited attempts from the internet, and their originators
are the labelled sources. This module reads the files on its own, with no
votetrail code, so the acceptance test and ``bench/bench_netmon_labelled.py``
judge the detector against the labels and not against themselves.

What is counted, per labelled source, over each UTC day of ``ts`` and over the
whole capture:

* attempts: labelled flows (conn.log lines), whatever their protocol or state;
* ports: distinct destination port numbers of its TCP and UDP flows, the
  protocol left out (tcp/80 and udp/80 are one port, as a firewall rule and
  votetrail's detector count them). ICMP flows count as attempts but not as
  ports: Zeek writes an ICMP message's type and code where a port would be.
  Counting (protocol, port) pairs instead moves no source across 20 on this
  data (104.152.52.193 has 37 ports or 38 pairs, 101.68.211.3 22 or 23);
* hosts: distinct destination addresses (here always the one desktop).

A *scanner* is a labelled source that touched ``SCAN_THRESHOLD`` (20) ports or
20 hosts: over the whole capture (:attr:`GroundTruth.scanners`) or on one UTC
day (:attr:`GroundTruth.day_scanners`, the issue's "over its day", a subset).
The day totals (:meth:`GroundTruth.day_totals`) are the labelled distinct
sources and attempts of each UTC day; :func:`combined_day_totals` combines
captures read together (sources that probed two desktops count once).

The labels are the lab's rule (destination is the desktop), not a judgement of
each flow, and one correction is made (``corrected=True``, the default): a TCP
flow whose originator sent no SYN but sent data or a SYN-ACK (``history``
without ``S``, with ``D`` or ``H``) is the end of a connection Zeek joined
mid-stream, not an attempt, so it is no labelled attempt. 112 labelled flows
are such ends (2 + 39 in 008, 5 in 010, 9 in 011, 57 in 012); most are
1.1.1.2 port 853 in capture 012, which the lab labels a 61-port source while
every flow of it ends one of the desktop's own DNS-over-TLS connections, and
ESET's 91.228.167.171 port 8883 in 008. ``corrected=False`` keeps the labels
as they are, for the comparison the acceptance test also makes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from ipaddress import IPv4Network
from pathlib import Path

FOLDER = "netmon/ctu-normal"
"""The captures' folder inside the shared data (the ``shared_data`` fixture's folder)."""
HOME_NETWORK = IPv4Network("147.32.0.0/16")
"""CTU's network, which holds all four desktops: the home network of every run."""
SCAN_THRESHOLD = 20
"""Ports or hosts a source must touch to be a scanner (the issue's definition)."""
MALICIOUS = "Malicious"
"""The label column's value on every flow to the desktop."""


@dataclass(frozen=True, slots=True)
class Capture:
    """One labelled capture: its number in the lab's list and the desktop's address."""

    name: str
    desktop: str

    def conn_log(self, folder: Path) -> Path:
        return folder / f"{self.name}-zeek-mixed.conn.log"

    def labels(self, folder: Path) -> Path:
        return folder / f"{self.name}-zeek-mixed.flow_labels.tsv"


CAPTURES = (
    Capture("008", "147.32.81.167"),
    Capture("010", "147.32.83.234"),
    Capture("011", "147.32.83.165"),
    Capture("012", "147.32.83.161"),
)
DESKTOPS = frozenset(capture.desktop for capture in CAPTURES)


@dataclass(frozen=True, slots=True)
class SourceCount:
    """One labelled source's attempts, ports and hosts over a day or the capture."""

    source: str
    attempts: int
    ports: int
    hosts: int

    @property
    def scanner(self) -> bool:
        return self.ports >= SCAN_THRESHOLD or self.hosts >= SCAN_THRESHOLD


@dataclass(frozen=True, slots=True)
class DayTotal:
    """A UTC day's labelled unsolicited traffic."""

    day: date
    sources: int
    attempts: int


@dataclass(frozen=True, slots=True)
class Flow:
    """One labelled flow as the ground truth needs it."""

    time: float
    """``ts``, POSIX seconds."""
    source: str
    target: str
    port: int
    protocol: str
    state: str
    history: str
    malicious: bool

    @property
    def tail(self) -> bool:
        """A TCP connection's end seen mid-stream: no SYN from its originator, data or SYN-ACK."""
        history = self.history
        return self.protocol == "tcp" and "S" not in history and ("D" in history or "H" in history)


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """The labelled sources of one capture, per UTC day and over the whole capture."""

    capture: Capture
    flows: tuple[Flow, ...]
    """Every flow of the conn.log, labelled or not, in file order."""
    sources: dict[str, SourceCount]
    """Labelled source → its counts over the whole capture."""
    days: dict[date, dict[str, SourceCount]]
    """UTC day → labelled source → its counts that day."""

    @property
    def scanners(self) -> frozenset[str]:
        """Labelled sources with ≥ 20 ports or ≥ 20 hosts over the whole capture."""
        return frozenset(s for s, count in self.sources.items() if count.scanner)

    @property
    def day_scanners(self) -> frozenset[str]:
        """Labelled sources with ≥ 20 ports or ≥ 20 hosts on one UTC day."""
        return frozenset(s for day in self.days.values() for s, c in day.items() if c.scanner)

    @property
    def benign(self) -> frozenset[str]:
        """Sources that must never be flagged: the desktop itself."""
        return frozenset({self.capture.desktop})

    def day_totals(self) -> list[DayTotal]:
        """Distinct labelled sources and labelled attempts of each UTC day, by day."""
        return [
            DayTotal(day, len(counts), sum(c.attempts for c in counts.values()))
            for day, counts in sorted(self.days.items())
        ]

    @property
    def main_day(self) -> date:
        """The UTC day with most labelled attempts (each capture spans two)."""
        return max(self.day_totals(), key=lambda total: total.attempts).day

    def flows_of(self, source: str) -> list[Flow]:
        """A source's flows in time order, to see why a detector missed it."""
        return sorted((f for f in self.flows if f.source == source), key=lambda f: f.time)


def read_flows(conn_log: Path, labels: Path) -> Iterator[Flow]:
    """Every flow of a Zeek TSV conn.log joined with its label by ``uid``."""
    malicious: set[str] = set()
    with labels.open(encoding="utf-8") as handle:
        next(handle)  # uid, label, detailed_label
        for line in handle:
            uid, label, _ = line.rstrip("\n").split("\t")
            if label == MALICIOUS:
                malicious.add(uid)
    fields: list[str] = []
    with conn_log.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#fields\t"):
                fields = line.rstrip("\n").split("\t")[1:]
            if line.startswith("#"):
                continue
            row = dict(zip(fields, line.rstrip("\n").split("\t"), strict=True))
            yield Flow(
                time=float(row["ts"]),
                source=row["id.orig_h"],
                target=row["id.resp_h"],
                port=int(row["id.resp_p"]),
                protocol=row["proto"],
                state=row["conn_state"],
                history=row["history"],
                malicious=row["uid"] in malicious,
            )


def _counts(flows: list[Flow]) -> dict[str, SourceCount]:
    attempts: dict[str, int] = defaultdict(int)
    ports: dict[str, set[int]] = defaultdict(set)
    hosts: dict[str, set[str]] = defaultdict(set)
    for flow in flows:
        attempts[flow.source] += 1
        hosts[flow.source].add(flow.target)
        if flow.protocol != "icmp":
            ports[flow.source].add(flow.port)
    return {
        source: SourceCount(source, count, len(ports[source]), len(hosts[source]))
        for source, count in attempts.items()
    }


def ground_truth(folder: Path, capture: Capture, *, corrected: bool = True) -> GroundTruth:
    """Read one capture's conn.log and labels (``folder`` is the ctu-normal folder).

    ``corrected`` leaves out the labelled flows that are connections' ends
    seen mid-stream (see the module documentation).
    """
    flows = tuple(read_flows(capture.conn_log(folder), capture.labels(folder)))
    labelled = [flow for flow in flows if flow.malicious and not (corrected and flow.tail)]
    by_day: dict[date, list[Flow]] = defaultdict(list)
    for flow in labelled:
        by_day[datetime.fromtimestamp(flow.time, UTC).date()].append(flow)
    return GroundTruth(
        capture=capture,
        flows=flows,
        sources=_counts(labelled),
        days={day: _counts(day_flows) for day, day_flows in sorted(by_day.items())},
    )


def combined_day_totals(truths: Iterable[GroundTruth]) -> list[DayTotal]:
    """Day totals over several captures read together, as a store that counts them all.

    A source that probed two desktops on a day is one source that day; its
    attempts add up. (Captures 008 and 011 ran on the same two days.)
    """
    sources: dict[date, set[str]] = defaultdict(set)
    attempts: dict[date, int] = defaultdict(int)
    for truth in truths:
        for day, counts in truth.days.items():
            sources[day].update(counts)
            attempts[day] += sum(c.attempts for c in counts.values())
    return [DayTotal(day, len(sources[day]), attempts[day]) for day in sorted(sources)]


def all_ground_truth(folder: Path, *, corrected: bool = True) -> list[GroundTruth]:
    """The four captures' ground truth, in :data:`CAPTURES` order."""
    return [ground_truth(folder, capture, corrected=corrected) for capture in CAPTURES]
