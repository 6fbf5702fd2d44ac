"""The streaming scan detector: events in, incidents out.

Every :class:`~votetrail.core.netmon.events.ConnectionEvent` goes to the state
of its *source*, which is always the side that initiated the attempt: readers
emit initiator → responder events only, so a host that answers many ports of a
scanner appears as a *target* and is never judged. The detector trusts that
and does not try to recognise replies itself.

Per source it keeps the fan-out index (:mod:`~votetrail.core.netmon.fanout`),
whose "new host" answer feeds the random walk (:mod:`~votetrail.core.netmon.trw`)
– the walk counts first contacts with a *host*, as in the paper. The port
does not matter to it: a second port on a known host is no evidence of
guessing addresses, and a client using mail, web and DNS on one server must
not step three times. Port sweeps of one host are the vertical rule's job.
Success is ``ESTABLISHED``; ``REJECTED``, ``UNANSWERED`` and ``BLOCKED`` are
failures, so probes a firewall drops count against the source as in the paper.

The per-event path is a handful of dictionary operations on integer keys
(an address's integer, with IPv6 marked by bit 128 so it cannot collide with
IPv4), because a monitor must keep up with firewalls that log hundreds of
thousands of attempts a second. Readers that already have integers may call
:meth:`Detector.observe` directly.

Each source also counts its attempts per UTC hour, so a report can say how
many attempts fell on each day (a scan crossing midnight counts on both days
with that day's attempts only). That costs the per-event path nothing: the
detector keeps one open hour for all sources, and when event time enters a
later hour (checked with the sweep, on the same comparison) it walks the held
sources once and files each one's ``connections`` since the last roll under
the hour that ended. Only an attempt that arrives after its hour was rolled
is counted on its own, in its own hour.

Time is the events' own: the detector never reads a clock. Events may arrive
out of order by up to ``idle_timeout``: the fan-out windows give the same
answer in any order (:mod:`~votetrail.core.netmon.fanout`). A source idle
for ``idle_timeout`` is dropped at the next sweep, which runs each half
timeout of event time (or at :meth:`Detector.expire`): sweeping walks every
held source, so sweeping less often is cheaper, and at worst a source is held
one and a half timeouts. If it was scanning, its finding is kept for
:meth:`Detector.incidents`, so memory follows the active sources plus the
findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address, IPv6Address

from votetrail.core.netmon.events import ConnectionEvent, Outcome
from votetrail.core.netmon.fanout import FanoutThresholds, note, reaches
from votetrail.core.netmon.grouping import (
    GroupingRules,
    Network,
    group_by_network,
    group_findings,
)
from votetrail.core.netmon.incidents import (
    Incident,
    IncidentKind,
    SourceFinding,
    make_incident,
)
from votetrail.core.netmon.nontargets import (
    DISCOVERY_PORTS,
    FIRST_GROUP_V4,
    directed_broadcasts,
    not_a_target,
)
from votetrail.core.netmon.slow import SlowSource, SlowThresholds
from votetrail.core.netmon.tally import ClosedDays, DayTally
from votetrail.core.netmon.trw import TrwFactors, TrwParams, TrwWalk, Verdict
from votetrail.errors import InvalidInput

_V6 = 1 << 128
_HOUR = 3600.0
_PROBED = Outcome.PROBED
_SCANNER = Verdict.SCANNER
_ANSWERED = frozenset({Outcome.ESTABLISHED, Outcome.PROBED})


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """All the detector's settings; every default is documented where it is defined."""

    trw: TrwParams = field(default_factory=TrwParams)
    fanout: FanoutThresholds = field(default_factory=FanoutThresholds)
    grouping: GroupingRules = field(default_factory=GroupingRules)
    slow: SlowThresholds = field(default_factory=SlowThresholds)
    idle_timeout: timedelta = timedelta(hours=1)
    """A source quiet this long is forgotten (its finding kept if it was scanning)."""
    lateness: timedelta = timedelta(hours=6)
    """How late a line may arrive and still count in its day (:mod:`~votetrail.core.netmon.tally`)
    and in a slow scan's window. Zeek writes a connection when it ends, so a
    long one is hours late; six hours covers Zeek's default inactivity
    timeouts many times over."""
    public_ports: frozenset[int] = frozenset({80, 443})
    """Ports meant to be reachable; an established attempt elsewhere means a scan got through."""
    research: tuple[Network, ...] = ()
    """Known research scanners (CIDRs): still reported, labelled ``research scanner``."""
    local_networks: tuple[Network, ...] = ()
    """The site's own subnets (CIDRs): their directed broadcasts are not targets
    (:mod:`~votetrail.core.netmon.nontargets`), whatever the port."""
    home_networks: tuple[Network, ...] = ()
    """The office's own networks (CIDRs). Empty: direction unknown, every source judged.

    Set, a source outside may only scan targets inside (traffic between two
    outside hosts is not the office's and is dropped); a source inside that
    scans, outward or inward, is found as an internal host behaving like a
    scanner (:attr:`~votetrail.core.netmon.incidents.IncidentKind.INTERNAL`),
    never as an inbound scan. Their directed broadcasts are not targets.
    """
    half_open_probes: int = 2
    """Probes (connections the initiator reset before sending a byte) that make a
    source a scanner on their own.

    Ordinary clients send a request or close with FIN, so two such resets are
    already deliberate; ``nmap -p 80`` sends three (host discovery on 443 and
    80, then the scan of 80). A monitor whose health checks connect and reset
    should go on the research list or get a higher setting.
    """

    def __post_init__(self) -> None:
        if self.idle_timeout <= timedelta(0):
            raise InvalidInput("the idle timeout must be positive")
        if self.lateness < timedelta(0):
            raise InvalidInput("the lateness allowed must not be negative")
        if self.half_open_probes < 1:
            raise InvalidInput("half_open_probes must be at least 1")


def address_key(address: IPv4Address | IPv6Address) -> int:
    """The integer the detector keys an address by (IPv6 offset by 2**128)."""
    return int(address) | _V6 if type(address) is IPv6Address else int(address)


def key_address(key: int) -> IPv4Address | IPv6Address:
    """Inverse of :func:`address_key`."""
    return IPv6Address(key ^ _V6) if key >= _V6 else IPv4Address(key)


class _Source(TrwWalk):
    """One source's working state: its random walk, counters and fan-out index."""

    __slots__ = (
        "accepted",
        "by_host",
        "by_port",
        "connections",
        "first",
        "got_through",
        "horizontal",
        "hour_base",
        "hours",
        "last",
        "probes",
        "vertical",
    )

    def __init__(self, now: float, factors: TrwFactors) -> None:
        super().__init__(factors)
        self.first = now
        self.last = now
        self.connections = 0
        self.accepted = 0
        self.got_through = 0
        self.by_port: dict[int, dict[int, list[float]]] = {}
        """Destination port → {host: times seen}: the horizontal count."""
        self.by_host: dict[int, dict[int, list[float]]] = {}
        """Host → {port: times seen}: the vertical count; its keys are every host contacted."""
        self.horizontal = False
        self.vertical = False
        self.probes = 0
        self.hour_base = 0
        """``connections`` not in the open hour: the open hour's count is the difference."""
        self.hours: dict[int, int] = {}
        """Start of a closed hour (POSIX seconds) → attempts in it."""

    def scanning(self, probes: int) -> bool:
        return (
            self.verdict is Verdict.SCANNER
            or self.horizontal
            or self.vertical
            or self.probes >= probes
        )


class Detector:
    """Feed it connection events in roughly time order; ask it for incidents at any point."""

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self._config = config or DetectorConfig()
        self._public = self._config.public_ports
        self._factors = TrwFactors.of(self._config.trw)
        self._hosts_per_port = self._config.fanout.hosts_per_port
        self._ports_per_host = self._config.fanout.ports_per_host
        self._window = self._config.fanout.window.total_seconds()
        self._probes = self._config.half_open_probes
        self._directed = directed_broadcasts(
            self._config.local_networks + self._config.home_networks
        )
        self._home = tuple(
            (address_key(n.network_address), address_key(n.broadcast_address))
            for n in self._config.home_networks
        )
        self._idle = self._config.idle_timeout.total_seconds()
        self._sweep_every = self._idle / 2
        self._sources: dict[int, _Source] = {}
        self._findings: list[SourceFinding] = []
        self._slow_rules = self._config.slow
        self._slow_limits = self._config.slow.limits(self._config.lateness.total_seconds())
        self._lateness = self._config.lateness.total_seconds()
        self._slow_idle = self._config.slow.window.total_seconds() + self._lateness
        self._slow: dict[int, SlowSource] = {}
        self._slow_findings: list[SourceFinding] = []
        self._tally = DayTally(self._lateness)
        self._now = float("-inf")
        self._next_sweep = float("-inf")
        self._hour_start = float("-inf")
        """Start of the open hour, the hour of the latest event time (POSIX seconds)."""
        self._hour_end = float("-inf")
        self._next_tick = float("-inf")
        """The sooner of the next sweep and the end of the open hour."""

    @property
    def active_sources(self) -> int:
        """How many sources the detector holds state for (bounded by expiry)."""
        return len(self._sources)

    @property
    def held(self) -> tuple[int, int, int]:
        """Fast-rule sources, slow-rule sources and tally source-days held: the state's size."""
        return len(self._sources), len(self._slow), self._tally.open_sources

    @property
    def late_attempts(self) -> int:
        """Attempts that came after their day was handed over (not in any day's counts)."""
        return self._tally.late

    def close_days(self, *, final: bool = False) -> ClosedDays:
        """Hand over the counts of every UTC day event time left more than ``lateness`` ago.

        ``final`` hands over every day (the end of a file, or of a watch).
        A day is handed over once; its later lines count in :attr:`late_attempts`.
        """
        return self._tally.close(self._now, final=final)

    def feed(self, event: ConnectionEvent) -> None:
        """Account for one attempt."""
        self.observe(
            address_key(event.source),
            address_key(event.target),
            event.port,
            event.time.timestamp(),
            event.outcome in _ANSWERED,
            event.accepted,
            event.outcome is _PROBED,
        )

    def feed_many(self, events: Iterable[ConnectionEvent]) -> None:
        """Account for many attempts; the same as calling :meth:`feed` on each."""
        observe = self.observe
        v6 = IPv6Address
        for event in events:
            source = event.source
            target = event.target
            observe(
                int(source) | _V6 if type(source) is v6 else int(source),
                int(target) | _V6 if type(target) is v6 else int(target),
                event.port,
                event.time.timestamp(),
                event.outcome in _ANSWERED,
                event.accepted,
                event.outcome is _PROBED,
            )

    def observe(
        self,
        source: int,
        target: int,
        port: int,
        seconds: float,
        established: bool,
        accepted: bool,
        half_open: bool = False,
    ) -> None:
        """The fast path: keys from :func:`address_key`, time as POSIX seconds.

        ``established`` means the target answered (a probe too: the port is
        open); ``half_open`` marks a probe (reset before any data was sent).
        Broadcast, multicast and link-local discovery destinations are not
        targets and are dropped here, for every reader
        (:mod:`~votetrail.core.netmon.nontargets`); the first test is cheap
        and false for nearly every unicast IPv4 attempt.
        """
        if (
            target >= FIRST_GROUP_V4 or port in DISCOVERY_PORTS or target in self._directed
        ) and not_a_target(target, port, self._directed):
            return
        public = port in self._public
        if self._home:
            inbound = not self.inside(source)
            if inbound and not self.inside(target):
                return
            counted = inbound and not (established and not half_open and public)
        else:
            counted = half_open or not established
        if seconds > self._now:
            self._now = seconds
            if seconds >= self._next_tick:
                self._tick(seconds)
        elif seconds < self._hour_start:
            self._late(source, seconds)
        sources = self._sources
        state = sources.get(source)
        if state is None:
            state = sources[source] = _Source(seconds, self._factors)
        elif seconds > state.last:
            state.last = seconds
        elif seconds < state.first:
            state.first = seconds
        state.connections += 1
        if half_open:
            state.probes += 1
        got_through = accepted and established and not public
        if accepted:
            state.accepted += 1
            if got_through:
                state.got_through += 1
        if counted:
            self._tally.add(source, target, port, seconds, established, got_through)
            # A source a fast rule caught is never reported as slow (see incidents()),
            # so the slow rule need not follow it while the fast state holds it.
            if not (state.vertical or state.horizontal or state.verdict is _SCANNER):
                slow = self._slow.get(source)
                if slow is None:
                    slow = self._slow[source] = SlowSource(seconds)
                slow.add(
                    target,
                    port,
                    seconds,
                    half_open or not established,
                    accepted,
                    got_through,
                    self._slow_limits,
                )
        ports = state.by_host.get(target)
        if ports is None:
            ports = state.by_host[target] = {}
            state.observe(established)
        hosts = state.by_port.get(port)
        if hosts is None:
            hosts = state.by_port[port] = {}
        if half_open or not established:
            # Fan-out counts only attempts that got no real answer: a probe,
            # a refusal, silence or a firewall's drop. A completed connection
            # keeps its host and port keys (for the walk and the report) but
            # adds nothing to the counts, so a busy client is not a scanner.
            window = self._window
            oldest = state.last - self._idle - window
            note(ports, port, seconds, window)
            if not state.vertical and len(ports) >= self._ports_per_host:
                state.vertical = reaches(ports, seconds, window, self._ports_per_host, oldest)
            note(hosts, target, seconds, window)
            if not state.horizontal and len(hosts) >= self._hosts_per_port:
                state.horizontal = reaches(hosts, seconds, window, self._hosts_per_port, oldest)

    def inside(self, key: int) -> bool:
        """Whether an address key is in one of the home networks."""
        return any(low <= key <= high for low, high in self._home)

    def expire(self, now: datetime) -> None:
        """Forget every source idle for the idle timeout at ``now`` (aware); keep findings."""
        if now.tzinfo is None:
            raise InvalidInput("expire() needs an aware datetime")
        self._sweep(now.timestamp())

    def incidents(self) -> list[Incident]:
        """Every scan found so far, oldest first (then by id), distributed scans grouped."""
        fast, slow = self.findings()
        return incidents_from(fast, slow, self._config)

    def findings(self) -> tuple[list[SourceFinding], list[SourceFinding]]:
        """The scanning sources' findings before grouping: fast rules', then slow rules'.

        Each finding is one source's, so detectors fed disjoint sets of sources
        (shards) give, together, the findings one detector would;
        :func:`incidents_from` groups them as :meth:`incidents` does.
        """
        findings = list(self._findings)
        findings.extend(
            self._finding(key, state)
            for key, state in self._sources.items()
            if state.scanning(self._probes)
        )
        # A source a fast rule reported is not reported again as slow: its
        # incident already names it, and two incidents for one actor read as two.
        fast = {f.source for f in findings}
        slow = [f for f in self._slow_findings if f.source not in fast]
        slow.extend(
            _slow_finding(key, state)
            for key, state in self._slow.items()
            if state.flagged and key_address(key) not in fast
        )
        return findings, slow

    @property
    def tally(self) -> DayTally:
        """The per-day counts not yet handed over (shards' tallies merge with ``absorb``)."""
        return self._tally

    @property
    def next_tick(self) -> float:
        """Event time at which the next hour roll or sweep is due."""
        return self._next_tick

    def drops(self, source: int, target: int, port: int) -> bool:
        """Whether :meth:`observe` ignores this attempt (no target, or not the office's).

        Such an attempt leaves every state alone, event time included, so a
        reader that shards the stream must leave it out of the shared clock.
        Keep in step with the first tests of :meth:`observe`.
        """
        if (
            target >= FIRST_GROUP_V4 or port in DISCOVERY_PORTS or target in self._directed
        ) and not_a_target(target, port, self._directed):
            return True
        return bool(self._home) and not self.inside(source) and not self.inside(target)

    def advance(self, seconds: float) -> None:
        """Event time of the whole stream reached ``seconds``: roll hours and sweep as due.

        This is what :meth:`observe` does with an event's time before it
        touches the event's source. A shard, fed only its sources' events, is
        advanced to each time the single detector would have ticked at (where
        :attr:`next_tick` was reached), so it expires and files hours exactly
        as the single detector does.
        """
        if seconds > self._now:
            self._now = seconds
            if seconds >= self._next_tick:
                self._tick(seconds)

    def _tick(self, now: float) -> None:
        """Event time reached the end of the open hour or the next sweep: do what is due."""
        if now >= self._hour_end:
            self._roll_hour(now)
        if now >= self._next_sweep:
            self._sweep(now)
        self._next_tick = min(self._next_sweep, self._hour_end)

    def _roll_hour(self, now: float) -> None:
        """File every held source's attempts of the open hour under it; open ``now``'s hour."""
        key = int(self._hour_start) if self._hour_start > float("-inf") else 0
        for state in self._sources.values():
            done = state.connections - state.hour_base
            if done:
                state.hours[key] = state.hours.get(key, 0) + done
                state.hour_base = state.connections
        self._hour_start = now // _HOUR * _HOUR
        self._hour_end = self._hour_start + _HOUR

    def _late(self, source: int, seconds: float) -> None:
        """An attempt older than the open hour: count it in its own hour, not the open one."""
        state = self._sources.get(source)
        if state is None:
            state = self._sources[source] = _Source(seconds, self._factors)
        key = int(seconds // _HOUR * _HOUR)
        state.hours[key] = state.hours.get(key, 0) + 1
        state.hour_base += 1

    def _hour_counts(self, state: _Source) -> tuple[tuple[datetime, int], ...]:
        """A source's (hour start, attempts), ascending, the open hour included."""
        counts = dict(state.hours)
        open_count = state.connections - state.hour_base
        if open_count:
            key = int(self._hour_start)
            counts[key] = counts.get(key, 0) + open_count
        return tuple(
            (datetime.fromtimestamp(hour, UTC), count) for hour, count in sorted(counts.items())
        )

    def _sweep(self, now: float) -> None:
        """Drop idle sources, keeping the findings of those that were scanning."""
        cutoff = now - self._idle
        idle = [key for key, state in self._sources.items() if state.last < cutoff]
        for key in idle:
            state = self._sources.pop(key)
            if state.scanning(self._probes):
                self._findings.append(self._finding(key, state))
        slow_cutoff = now - self._slow_idle
        quiet = [key for key, slow in self._slow.items() if slow.last < slow_cutoff]
        for key in quiet:
            slow = self._slow.pop(key)
            if slow.flagged:
                self._slow_findings.append(_slow_finding(key, slow))
        self._next_sweep = now + self._sweep_every
        self._next_tick = min(self._next_sweep, self._hour_end)

    def _finding(self, key: int, state: _Source) -> SourceFinding:
        """A scanning source's finding, marked internal when it is inside a home network."""
        return _finding(key, state, self._hour_counts(state), internal=self.inside(key))


def incidents_from(
    findings: list[SourceFinding], slow: list[SourceFinding], config: DetectorConfig
) -> list[Incident]:
    """Incidents of fast and slow findings (:meth:`Detector.findings`), grouped and sorted."""
    # An internal host is judged alone: grouping it with outside sources of
    # its network would hide a likely compromised machine in a crowd.
    internal = [f for f in findings if f.internal]
    grouped = group_findings([f for f in findings if not f.internal], config.grouping)
    research = config.research
    incidents = [make_incident(g, IncidentKind.DISTRIBUTED, research) for g in grouped.groups]
    incidents.extend(make_incident([f], f.kind, research) for f in grouped.singles)
    incidents.extend(make_incident([f], f.kind, research) for f in internal)
    together = group_by_network(slow, config.grouping.announced, config.slow.window)
    incidents.extend(
        make_incident(g, IncidentKind.SLOW, research)
        for g in (*together.groups, *((f,) for f in together.singles))
    )
    incidents.sort(key=lambda incident: (incident.first_seen, incident.id))
    return incidents


def _finding(
    key: int, state: _Source, hours: tuple[tuple[datetime, int], ...], *, internal: bool = False
) -> SourceFinding:
    """Freeze a scanning source's state into a finding (addresses as text)."""
    hosts = sorted(state.by_host)
    return SourceFinding(
        source=key_address(key),
        targets=tuple(str(key_address(host)) for host in hosts),
        ports=tuple(sorted(state.by_port)),
        first_seen=datetime.fromtimestamp(state.first, UTC),
        last_seen=datetime.fromtimestamp(state.last, UTC),
        connections=state.connections,
        accepted=state.accepted,
        got_through=state.got_through,
        vertical=state.vertical,
        horizontal=state.horizontal,
        trw=state.is_scanner,
        probe=state.probes > 0,
        hours=hours,
        internal=internal,
    )


def _slow_finding(key: int, state: SlowSource) -> SourceFinding:
    """Freeze a slow scanner's state into a finding."""
    return SourceFinding(
        source=key_address(key),
        targets=tuple(str(key_address(host)) for host in sorted(state.target_list)),
        ports=tuple(sorted(state.port_list)),
        first_seen=datetime.fromtimestamp(state.first, UTC),
        last_seen=datetime.fromtimestamp(state.last, UTC),
        connections=state.connections,
        accepted=state.accepted,
        got_through=state.got_through,
        vertical=state.vertical,
        horizontal=not state.vertical,
        trw=False,
        hours=tuple(
            (datetime.fromtimestamp(hour, UTC), count)
            for hour, count in sorted(state.hours.items())
        ),
        slow=True,
    )
