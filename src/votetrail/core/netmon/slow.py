"""Slow scans: a source that probes patiently, over a day instead of minutes.

Most of the sources that probe 20 or more ports or hosts of an office in a
day never come near the 15-minute fan-out counts: on the CTU-Normal
captures one tried 107 ports of one desktop over 24 hours and never more
than six in any 15 minutes. The slow rule counts the same thing as the
fan-out rules, over a longer window:

* at least ``ports_per_host`` distinct ports (default 20) of one host, or
* at least ``hosts`` distinct hosts (default 20, on any ports),

without a real answer (refused, unanswered, blocked or probed: the same
attempts the fan-out counts, :mod:`~votetrail.core.netmon.fanout`), within
``window`` (default 24 hours) of event time, in any arrival order.

Why any port for hosts: a patient sweep rotates ports as it rotates
addresses, and no client of an election office fails to reach 20 different
machines of it in a day. Why only outside sources: an office's own
desktops fail to reach dozens of servers a day (dead links, blocked
trackers, NTP pools); they are judged by the fast rules only
(:class:`~votetrail.core.netmon.incidents.IncidentKind.INTERNAL`).

Memory: a source is held until it has been quiet for ``window`` plus the
lateness allowed. Until it is flagged it keeps, per host, the times of its
distinct ports, pruned to what a window can still use, so a source holds at
most a few dozen keys; once flagged its window state is dropped and only its
counts grow, with its lists of targets and ports capped at
:data:`LISTED` entries each (the tally counts them all).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from votetrail.core.netmon.fanout import note, reaches
from votetrail.errors import InvalidInput

LISTED = 4096
"""Most targets and most ports a slow finding lists (a fast rule catches bigger sweeps)."""
_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class SlowThresholds:
    """When a patient source is a slow scan."""

    ports_per_host: int = 20
    """Distinct ports of one host without answers within ``window``."""
    hosts: int = 20
    """Distinct hosts (any ports) without answers within ``window``."""
    window: timedelta = timedelta(hours=24)

    def limits(self, lateness: float) -> tuple[float, int, int, float]:
        """(window seconds, ports per host, hosts, lateness seconds) for :meth:`SlowSource.add`."""
        return (self.window.total_seconds(), self.ports_per_host, self.hosts, lateness)

    def __post_init__(self) -> None:
        if self.ports_per_host < 2 or self.hosts < 2:
            raise InvalidInput("slow-scan thresholds must be at least 2")
        if self.window <= timedelta(0):
            raise InvalidInput("the slow-scan window must be positive")


class SlowSource:
    """One outside source's day of patient probing."""

    __slots__ = (
        "accepted",
        "connections",
        "first",
        "flagged",
        "got_through",
        "hosts",
        "hours",
        "last",
        "port_list",
        "ports_of",
        "target_list",
        "vertical",
    )

    def __init__(self, seconds: float) -> None:
        self.first = seconds
        self.last = seconds
        self.connections = 0
        self.accepted = 0
        self.got_through = 0
        self.flagged = False
        self.vertical = False
        """Flagged by ports of one host (else by hosts)."""
        self.ports_of: dict[int, dict[int, list[float]]] = {}
        """Host → {port: times}, unanswered attempts only, until flagged."""
        self.hosts: dict[int, list[float]] = {}
        """Host → times, unanswered attempts only, until flagged."""
        self.target_list: set[int] = set()
        self.port_list: set[int] = set()
        self.hours: dict[int, int] = {}
        """Start of a UTC hour (POSIX seconds) → attempts."""

    def add(
        self,
        target: int,
        port: int,
        seconds: float,
        unanswered: bool,
        accepted: bool,
        got_through: bool,
        limits: tuple[float, int, int, float],
    ) -> None:
        """Account for one attempt; set :attr:`flagged` once a slow rule is reached.

        ``limits`` are :meth:`SlowThresholds.limits` with the lateness allowed,
        worked out once by the caller rather than on every attempt.
        """
        if seconds > self.last:
            self.last = seconds
        elif seconds < self.first:
            self.first = seconds
        self.connections += 1
        if accepted:
            self.accepted += 1
            if got_through:
                self.got_through += 1
        hour = int(seconds // _HOUR * _HOUR)
        self.hours[hour] = self.hours.get(hour, 0) + 1
        if len(self.target_list) < LISTED:
            self.target_list.add(target)
        if len(self.port_list) < LISTED:
            self.port_list.add(port)
        if not unanswered or self.flagged:
            return
        window, ports_per_host, most_hosts, lateness = limits
        oldest = self.last - lateness - window
        ports = self.ports_of.get(target)
        if ports is None:
            ports = self.ports_of[target] = {}
        note(ports, port, seconds, window)
        if len(ports) >= ports_per_host and reaches(ports, seconds, window, ports_per_host, oldest):
            self._flag(vertical=True)
            return
        hosts = self.hosts
        note(hosts, target, seconds, window)
        if len(hosts) >= most_hosts and reaches(hosts, seconds, window, most_hosts, oldest):
            self._flag(vertical=False)
            return
        if len(self.ports_of) > 2 * most_hosts:
            # Hosts whose every time fell out of reach are dropped with the host index.
            for host in [h for h in self.ports_of if h not in self.hosts]:
                del self.ports_of[host]

    def _flag(self, *, vertical: bool) -> None:
        self.flagged = True
        self.vertical = vertical
        self.ports_of = {}
        self.hosts = {}
