"""Fan-out rules: one source reaching too many hosts on a port, or too many ports on a host.

The random walk (:mod:`votetrail.core.netmon.trw`) looks only at first
contacts with *hosts*, so it cannot see a source that tries a thousand ports
of one machine, nor one whose probes happen to succeed. The two classic
fan-out counts fill that gap, each within a sliding window of event time:

* **horizontal** – one source, one destination port, at least
  ``hosts_per_port`` distinct hosts (default 20) within ``window``;
* **vertical** – one source, one host, at least ``ports_per_host`` distinct
  ports (default 20) within ``window`` (default 15 minutes).

Why 20 and 15 minutes: an election office's clients reach a handful of
services on a handful of hosts, far below 20 of either; an nmap default scan
tries 1,000 ports and an internet-wide sweep thousands of hosts, far above.
Smaller scans that fail are left to the random walk, which needs only four
failed first contacts. Every attempt counts, answered or not: a scan of
open ports is still a scan. A legitimate monitor that checks twenty of our
hosts will therefore be flagged and is best recognised by an analyst.

The detector keeps the counts per source as ``{port: {host: last_seen}}``
and ``{host: {port: last_seen}}`` and calls :func:`reaches` only when one of
them has grown to its threshold, so the common step is two dictionary stores
and the window's pruning is paid once per crossing. The host index doubles as
the random walk's first-contact filter. Memory is the number of distinct
(host, port) pairs of each source the detector still holds; the detector drops
idle sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from votetrail.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class FanoutThresholds:
    """The fan-out limits; reaching one flags the source."""

    hosts_per_port: int = 20
    """Distinct hosts on one port within ``window`` that make a horizontal scan."""
    ports_per_host: int = 20
    """Distinct ports on one host within ``window`` that make a vertical scan."""
    window: timedelta = timedelta(minutes=15)
    """How far back, in event time, the counts look."""

    def __post_init__(self) -> None:
        if self.hosts_per_port < 2 or self.ports_per_host < 2:
            raise InvalidInput("fan-out thresholds must be at least 2")
        if self.window <= timedelta(0):
            raise InvalidInput("the fan-out window must be positive")


def reaches(seen: dict[int, float], now: float, window: float, threshold: int) -> bool:
    """Drop entries last seen before ``now - window``; say whether ``threshold`` remain.

    Called only when ``seen`` has already grown to the threshold, so the cost
    of pruning is paid once per threshold crossing, not per event.
    """
    cutoff = now - window
    stale = [key for key, last in seen.items() if last < cutoff]
    for key in stale:
        del seen[key]
    return len(seen) >= threshold
