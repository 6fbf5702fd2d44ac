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
failed first contacts. Only attempts without a real answer count: refused,
unanswered, blocked, or a probe (reset before any data, which is how SYN and
connect scans touch open ports). A completed connection does not, so a
desktop that opens 40 HTTPS connections while loading pages is a client.
Logs that cannot see answers (firewall passes, flow-log ACCEPT) report a
passed attempt as completed, so there only drops and rejects count.

The window is in event time and no late line widens it: a count is of
distinct keys seen within ``window`` of each other, whatever order the lines
came in (Zeek writes a connection when it ends, hours after shorter ones).
The detector keeps the counts per source as ``{port: {host: [times]}}`` and
``{host: {port: [times]}}`` (:func:`note` keeps each list sorted and short)
and calls :func:`reaches` only when one of them has grown to its threshold,
so the common step is two list appends. The host index doubles as
the random walk's first-contact filter. Memory is the number of distinct
(host, port) pairs of each source the detector still holds; the detector drops
idle sources.
"""

from __future__ import annotations

from bisect import bisect_left
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


def note(seen: dict[int, list[float]], key: int, seconds: float, window: float) -> None:
    """Record that ``key`` was seen at ``seconds``, in whatever order times arrive.

    Each key keeps its times sorted, without the ones no window can need: a
    time with neighbours at most ``window`` apart on both sides lies in no
    window of that length that misses both, so it is dropped. A key seen
    again and again thus keeps two times per window of event time.
    """
    times = seen.get(key)
    if times is None:
        seen[key] = [seconds]
        return
    if seconds >= times[-1]:
        times.append(seconds)
        at = len(times) - 1
    else:
        at = bisect_left(times, seconds)
        times.insert(at, seconds)
    for middle in (at + 1, at, at - 1):
        if 0 < middle < len(times) - 1 and times[middle + 1] - times[middle - 1] <= window:
            del times[middle]


def reaches(
    seen: dict[int, list[float]], now: float, window: float, threshold: int, oldest: float
) -> bool:
    """Whether some window of length ``window`` around ``now`` holds ``threshold`` distinct keys.

    The windows checked are all those containing ``now`` (the time of the
    event just noted), so a late event completes windows that ended after it
    as well as its own, and none is ever longer than ``window``: the answer
    depends on the set of events, not their order. Times before ``oldest``
    (the newest time less the lateness allowed) are dropped first.
    """
    stale = []
    near: list[tuple[float, int]] = []
    for key, times in seen.items():
        if times[0] < oldest:
            del times[: bisect_left(times, oldest)]
            if not times:
                stale.append(key)
                continue
        near.extend((t, key) for t in times if now - window <= t <= now + window)
    for key in stale:
        del seen[key]
    if len(seen) < threshold:
        return False
    near.sort()
    counts: dict[int, int] = {}
    start = 0
    for end_time, key in near:
        counts[key] = counts.get(key, 0) + 1
        while near[start][0] < end_time - window:
            first = near[start][1]
            counts[first] -= 1
            if not counts[first]:
                del counts[first]
            start += 1
        if len(counts) >= threshold:
            return True
    return False
