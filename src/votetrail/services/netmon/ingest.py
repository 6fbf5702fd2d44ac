"""Network monitoring: read firewall and capture logs, keep the scans found, log each read.

Every read is a ledgered ``netmon_ingest`` row (file SHA-256, line counts,
and for each incident it stored the SHA-256 of the incident's data), so an
analyst can later prove which logs were examined and what they showed, and
``verify`` (:mod:`votetrail.services.netmon.verify`) can hold every stored
incident to the hash its ingest logged – one log entry per file however many
incidents it raised. Reading the same file again is recognised by its hash and
changes nothing. Lines that cannot be read are reported, never fatal: a log
cut short or mixed with other programs' messages still yields its good lines.

An incident keeps one row, its newest state: a scan seen again (a watched log
growing, a longer file) replaces its row in the same transaction, and the
newer ingest logs the new hash, so the row answers to the latest ingest that
names it.

Incidents carry their attempts per UTC hour (``hours`` in the data), so a day's
report counts only that day's attempts of a scan that crosses midnight.

Every unsolicited attempt is also counted, per UTC day and source, whether or
not it belongs to an incident: an ingest stores the days its detector closed
(:mod:`votetrail.services.netmon.counts`), and the daily report leads with them.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, and_, func, select

from votetrail.core.ledger.canonical import canonical_bytes, iso_utc
from votetrail.core.netmon.detector import Detector, DetectorConfig
from votetrail.core.netmon.events import ConnectionEvent
from votetrail.core.netmon.grouping import Network
from votetrail.core.netmon.incidents import (
    Incident,
    IncidentKind,
    Severity,
    attempts_on,
    attempts_per_hour,
    mark_returning,
)
from votetrail.core.netmon.tally import ClosedDays
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.logs import filterlog, iptables, pfirewall, suricata, vpc_flow, zeek
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.detect import (
    SNIFF_LINES,
    NetlogFormat,
    detect_format,
    read_netlog,
)
from votetrail.formats.netmon.logs.iptables_prefixes import DEFAULT_PREFIXES, Prefixes
from votetrail.formats.netmon.outputs.blocklist import (
    build_blocklist,
    ipset_restore,
    nftables,
    pfsense_url_table,
    plain_cidrs,
)
from votetrail.formats.netmon.outputs.export import incident_record
from votetrail.formats.netmon.outputs.report import DailyReport, render_report
from votetrail.services.context import App
from votetrail.services.digests import sha256_file
from votetrail.services.directory import jurisdictions, state_id
from votetrail.services.netmon.counts import first_days, store_counts
from votetrail.services.netmon.totals import day_counts
from votetrail.services.unit_of_work import UnitOfWork, unit_of_work
from votetrail.store.models import NETMON_INCIDENTS, NETMON_INGESTS

SHOWN_PROBLEMS = 20
"""Problems returned per file; the counts cover them all."""
EVENT = "netmon.ingested"


def incident_data(incident: Incident) -> dict[str, Any]:
    """An incident as stored and as ``netmon incidents --format json`` prints it.

    The one shape is the export's (``formats/netmon/outputs/export.py``), with
    times in the log's canonical UTC form so stored rows compare and sort.
    """
    record = incident_record(incident)
    record["first_seen"] = iso_utc(incident.first_seen)
    record["last_seen"] = iso_utc(incident.last_seen)
    record["hours"] = {iso_utc(hour): count for hour, count in incident.hours}
    return record


def incident_from_data(data: dict[str, Any]) -> Incident:
    """Rebuild a stored incident for the report and block lists."""
    return Incident(
        id=data["id"],
        kind=IncidentKind(data["kind"]),
        sources=tuple(data["sources"]),
        targets=tuple(data["targets"]),
        ports=tuple(data["port_list"]),
        first_seen=datetime.fromisoformat(data["first_seen"]),
        last_seen=datetime.fromisoformat(data["last_seen"]),
        connections=data["connections"],
        accepted=data["accepted"],
        blocked=data["blocked"],
        severity=Severity(data["severity"]),
        labels=tuple(data["labels"]),
        hours=tuple(
            (datetime.fromisoformat(hour), count)
            for hour, count in sorted(data.get("hours", {}).items())
        ),
    )


def daily_report(app: App, day: date) -> str:
    """The day's HTML report: every probe counted that day, then the stored incidents.

    The chart adds up the incidents' stored per-hour counts (estimated only
    for incidents stored before those were kept; see
    :func:`~votetrail.core.netmon.incidents.attempts_per_hour`).
    """
    listed = incidents(app, day)
    found = [incident_from_data(d) for d in listed]
    counts = [0] * 24
    for incident in found:
        for hour, count in enumerate(attempts_per_hour(incident, day)):
            counts[hour] += count
    counted = day_counts(app, day)
    return render_report(
        DailyReport(
            day,
            found,
            counts,
            site=_office_name(app),
            counted=None if counted is None else counted.total,
            distinct_at_least=counted is not None and counted.lower_bound,
            protocols={d["id"]: tuple(d.get("protocols", ())) for d in listed},
        )
    )


def _office_name(app: App) -> str:
    """The report's signature: the state's name as the office calls itself, else its log."""
    state = next((j for j in jurisdictions(app) if j.kind == "state"), None)
    return state.name if state is not None else app.origin


def blocklist_text(
    app: App, fmt: str, *, allow: Sequence[str] = (), skip_labels: Sequence[str] = ()
) -> str:
    """Every stored incident's sources as a firewall block list, minus ``allow``."""
    writers = {
        "nftables": nftables,
        "ipset": ipset_restore,
        "pfsense": pfsense_url_table,
        "cidr": plain_cidrs,
    }
    writer = writers.get(fmt)
    if writer is None:
        raise InvalidInput(f"must be one of {', '.join(writers)}", where=f"format {fmt!r}")
    try:
        networks = [ip_network(text, strict=False) for text in allow]
    except ValueError as exc:
        raise InvalidInput(str(exc), where="allow list") from None
    found = [incident_from_data(d) for d in incidents(app)]
    return writer(build_blocklist(found, networks, skip_labels=skip_labels))


@dataclass(frozen=True)
class FileIngest:
    """What one file's read found; ``created`` is False when it was ingested before."""

    id: str
    name: str
    sha256: str
    format: str
    lines: int
    events: int
    ignored: int
    bad: int
    incidents: int
    problems: list[str]
    created: bool


@dataclass(frozen=True)
class IngestResult:
    files: list[FileIngest]

    @property
    def incidents(self) -> int:
        return sum(f.incidents for f in self.files if f.created)


def ingest(
    app: App,
    actor: str,
    paths: Sequence[Path],
    *,
    year: int | None = None,
    jurisdiction: str | None = None,
    prefixes: Prefixes = DEFAULT_PREFIXES,
    home_networks: Sequence[Network] = (),
    workers: int | None = 1,
) -> IngestResult:
    """Read each log with its own detector and store its incidents, one event per file.

    Formats are detected for every file before anything is written, so a file
    that is no log refuses the whole command instead of half-doing it.
    ``prefixes`` are the site's rules for what iptables log prefixes mean;
    ``home_networks`` the office's own networks, which give scans a direction.
    ``workers`` above 1 detects a Zeek conn.log in that many processes, sharded by
    source (:mod:`~votetrail.services.netmon.shards`), with the same results; None
    means the cores, for a file large enough to repay starting them.
    """
    if not paths:
        raise InvalidInput("give at least one log file")
    if workers is not None and workers < 1:
        raise InvalidInput("must be at least 1", where="workers")
    found = [(path, sha256_file(path), detect_format(path)) for path in paths]
    results: list[FileIngest] = []
    with unit_of_work(app, actor) as uow:
        where = _jurisdiction(uow.conn, jurisdiction)
        for path, digest, fmt in found:
            earlier = uow.conn.execute(
                select(NETMON_INGESTS).where(
                    NETMON_INGESTS.c.sha256 == digest, NETMON_INGESTS.c.mode == "file"
                )
            ).first()
            if earlier is not None:
                results.append(_earlier(earlier))
                continue
            report = ReadReport(str(path))
            protocols: dict[object, set[str]] = {}
            shards = _shards(path, workers) if fmt is NetlogFormat.ZEEK else 1
            if shards > 1:
                from votetrail.services.netmon.shards import detect_sharded

                sharded = detect_sharded(
                    path, _config(home_networks), workers=shards, report=report
                )
                closed, found_incidents = sharded.closed, sharded.incidents
                protocols = sharded.protocols
            else:
                detector = Detector(_config(home_networks))
                events = (
                    # the same events as read_netlog's, read a block at a time
                    # (tests/formats/netmon/logs/test_zeek_columns.py holds it to that);
                    # imported here because pyarrow is slow to import for every command
                    _read_zeek_columns()(path, report)
                    if fmt is NetlogFormat.ZEEK
                    else read_netlog(path, report, year=year, prefixes=prefixes)
                )
                detector.feed_many(_noting_protocols(events, protocols))
                closed = detector.close_days(final=True)
                found_incidents = detector.incidents()
            ingest_id = _store(
                uow,
                "file",
                path.name,
                digest,
                fmt,
                report,
                found_incidents,
                closed,
                where,
                protocols=protocols,
            )
            results.append(
                FileIngest(
                    ingest_id,
                    path.name,
                    digest,
                    fmt.value,
                    report.lines,
                    report.events,
                    report.ignored,
                    report.bad,
                    len(found_incidents),
                    report.messages()[:SHOWN_PROBLEMS],
                    created=True,
                )
            )
    return IngestResult(results)


SHARD_FROM_BYTES = 8 * 1024 * 1024
"""With the default worker count, a smaller file is read in one process: starting the
shards' interpreters costs more than they save on it."""


def _shards(path: Path, workers: int | None) -> int:
    """How many processes detect this Zeek log: ``workers``, or the cores for a large file."""
    if workers is not None:
        return workers
    if path.stat().st_size < SHARD_FROM_BYTES:
        return 1
    from votetrail.services.netmon.shards import default_workers

    return default_workers()


def _read_zeek_columns() -> Callable[[Path, ReadReport], Iterator[ConnectionEvent]]:
    from votetrail.formats.netmon.logs.zeek_columns import read_zeek_columns

    return read_zeek_columns


def _config(home_networks: Sequence[Network]) -> DetectorConfig:
    """The detector's settings for a site whose own networks are ``home_networks``."""
    home = tuple(home_networks)
    return DetectorConfig(home_networks=home, local_networks=home)


def _earlier(row: Any) -> FileIngest:
    return FileIngest(
        row.id,
        row.file_name,
        row.sha256,
        row.format,
        row.lines,
        row.events,
        row.ignored,
        row.bad,
        row.incidents,
        [],
        created=False,
    )


def _jurisdiction(conn: Connection, jurisdiction: str | None) -> str | None:
    return jurisdiction if jurisdiction is not None else state_id(conn)


def _noting_protocols(
    events: Iterable[ConnectionEvent], seen: dict[object, set[str]]
) -> Iterator[ConnectionEvent]:
    """Pass events on, noting each source's protocols: the detector keys scans by address
    only, so a TCP sweep and a UDP sweep from one address in two files would otherwise
    read as the same scan twice."""
    for event in events:
        known = seen.get(event.source)
        if known is None:
            seen[event.source] = {event.protocol}
        elif event.protocol not in known:
            known.add(event.protocol)
        yield event


def _with_protocols(incident: Incident, protocols: dict[object, set[str]] | None) -> dict[str, Any]:
    """The stored data, with ``protocols`` (upper case, sorted) when they were noted."""
    data = incident_data(incident)
    if protocols:
        noted: set[str] = set()
        for source in incident.sources:
            noted.update(protocols.get(ip_address(source), ()))
        data["protocols"] = sorted(p.upper() for p in noted)
    return data


def _store(
    uow: UnitOfWork,
    mode: str,
    name: str,
    digest: str,
    fmt: NetlogFormat,
    report: ReadReport,
    found: Sequence[Incident],
    closed: ClosedDays,
    jurisdiction: str | None,
    *,
    protocols: dict[object, set[str]] | None = None,
) -> str:
    """Write one ingest row, its day counts, and upsert its incidents (delete, insert); log it.

    The ingest row's ``incident_ids`` maps each incident id to the SHA-256 of
    the data stored for it, and its ``counts_sha256`` is the SHA-256 of the
    day counts it stored, so the one logged ingest row covers every incident
    and count row it wrote: ``verify`` re-hashes them, without a log entry
    per incident. Incidents are marked ``returning`` against the first day
    each source was counted, in earlier ingests or this one.
    """
    conn = uow.conn
    found = mark_returning(found, first_days(conn, (s for i in found for s in i.sources), closed))
    stored = {i.id: canonical_bytes(_with_protocols(i, protocols)).decode("utf-8") for i in found}
    count = conn.execute(select(func.count()).select_from(NETMON_INGESTS)).scalar() or 0
    ingest_id = f"netmon-{count + 1}"
    conn.execute(
        NETMON_INGESTS.insert().values(
            id=ingest_id,
            mode=mode,
            file_name=name[:255],
            sha256=digest,
            format=fmt.value,
            lines=report.lines,
            events=report.events,
            ignored=report.ignored,
            bad=report.bad,
            incidents=len(found),
            incident_ids=canonical_bytes(
                {
                    key: hashlib.sha256(data.encode("utf-8")).hexdigest()
                    for key, data in stored.items()
                }
            ).decode("utf-8"),
            ingested_at=iso_utc(uow.app.clock()),
            jurisdiction_id=jurisdiction,
        )
    )
    conn.execute(
        NETMON_INGESTS.update()
        .where(NETMON_INGESTS.c.id == ingest_id)
        .values(counts_sha256=store_counts(conn, ingest_id, closed))
    )
    if found:
        conn.execute(
            NETMON_INCIDENTS.delete().where(NETMON_INCIDENTS.c.id.in_([i.id for i in found]))
        )
        conn.execute(
            NETMON_INCIDENTS.insert(),
            [
                {
                    "id": i.id,
                    "ingest_id": ingest_id,
                    "kind": i.kind.value,
                    "severity": i.severity.value,
                    "first_seen": iso_utc(i.first_seen),
                    "last_seen": iso_utc(i.last_seen),
                    "data": stored[i.id],
                }
                for i in found
            ],
        )
    uow.record(EVENT, ingest_id, jurisdiction)
    return ingest_id


def incidents(app: App, day: date | None = None) -> list[dict[str, Any]]:
    """Stored incidents, oldest first; with ``day``, that (UTC) day's scans.

    A scan of the day is an incident with at least one attempt that day; each
    then also carries ``day_attempts``, its attempts that day, so a scan that
    crosses midnight is listed on both days with each day's share.
    """
    query = select(NETMON_INCIDENTS.c.data).order_by(
        NETMON_INCIDENTS.c.first_seen, NETMON_INCIDENTS.c.id
    )
    if day is not None:
        start = datetime.combine(day, day_time(), UTC)
        query = query.where(
            and_(
                NETMON_INCIDENTS.c.first_seen < iso_utc(start + timedelta(days=1)),
                NETMON_INCIDENTS.c.last_seen >= iso_utc(start),
            )
        )
    with app.engine.connect() as conn:
        found = [json.loads(row.data) for row in conn.execute(query)]
    if day is None:
        return found
    listed = []
    for data in found:
        data["day_attempts"] = attempts_on(incident_from_data(data), day)
        if data["day_attempts"]:
            listed.append(data)
    return listed


# --- following a growing log -------------------------------------------------------------

_LineParser = Callable[[Iterable[str], ReadReport], Iterator[ConnectionEvent]]
_HEADERED = (NetlogFormat.ZEEK, NetlogFormat.PFIREWALL)
"""Formats whose ``#`` header lines give the columns: replayed before each batch."""


def _parser(fmt: NetlogFormat, year: int | None, prefixes: Prefixes) -> _LineParser:
    if fmt is NetlogFormat.PCAP:
        raise InvalidInput("a packet capture cannot be followed; use `netmon ingest`")
    if fmt is NetlogFormat.ZEEK:
        return zeek.parse_zeek
    if fmt is NetlogFormat.IPTABLES:
        return lambda lines, report: iptables.parse_iptables(
            lines, report, year=year, prefixes=prefixes
        )
    if fmt is NetlogFormat.SURICATA:
        return suricata.parse_suricata
    if fmt is NetlogFormat.FILTERLOG:
        return lambda lines, report: filterlog.parse_filterlog(lines, report, year=year)
    if fmt is NetlogFormat.PFIREWALL:
        return pfirewall.parse_pfirewall
    return vpc_flow.parse_vpc_flow


class _Follower:
    """``tail -F`` on one path: complete lines as they are written, across rotations.

    A rotation is seen as a new inode at the path (the old file renamed away:
    its rest is read first) or the file shrinking (truncated in place).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: BinaryIO | None = None
        self._inode: tuple[int, int] | None = None
        self._partial = b""
        self.rotations = 0

    def read(self) -> list[bytes]:
        """The complete lines written since the last call (with their newlines)."""
        chunks: list[bytes] = []
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            status = None
        if self._handle is not None and status is not None:
            moved = (status.st_dev, status.st_ino) != self._inode
            shrunk = not moved and status.st_size < self._handle.tell()
            if moved or shrunk:
                if moved:
                    chunks.append(self._handle.read())
                self._handle.close()
                self._handle = None
                self.rotations += 1
        if self._handle is None and status is not None:
            try:
                self._handle = self.path.open("rb")
            except FileNotFoundError:
                return self._split(chunks)
            opened = os.fstat(self._handle.fileno())
            self._inode = (opened.st_dev, opened.st_ino)
        if self._handle is not None:
            chunks.append(self._handle.read())
        return self._split(chunks)

    def _split(self, chunks: list[bytes]) -> list[bytes]:
        data = self._partial + b"".join(chunks)
        cut = data.rfind(b"\n") + 1
        self._partial = data[cut:]
        return data[:cut].splitlines(keepends=True)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


@dataclass
class WatchResult:
    """What a watch did: lines read, rotations followed, ingest rows written, incidents stored."""

    lines: int = 0
    rotations: int = 0
    ingests: list[str] = field(default_factory=list)
    incidents: set[str] = field(default_factory=set)


class _Batcher:
    """Parses batches of lines with one format, keeping line numbers and header state."""

    def __init__(self, source: str, fmt: NetlogFormat, parse: _LineParser) -> None:
        self.total = ReadReport(source)
        self.fmt = fmt
        self.parse = parse
        self.headered = fmt in _HEADERED
        self.header: list[str] = []

    def events(self, lines: list[str]) -> list[ConnectionEvent]:
        replay = list(self.header)
        batch = ReadReport(self.total.source, lines=self.total.lines - len(replay))
        events = list(self.parse(replay + lines, batch))
        self.total.lines = batch.lines
        self.total.events += batch.events
        self.total.ignored += batch.ignored - len(replay)
        self.total.bad += batch.bad
        self.total.problems.extend(batch.problems)
        if self.headered:
            self._keep_header(lines)
        return events

    def _keep_header(self, lines: list[str]) -> None:
        """The newest run of ``#`` lines: a rotated file starts with a header of its own."""
        in_header = False
        for line in lines:
            if line.startswith("#"):
                if not in_header:
                    self.header = []
                    in_header = True
                self.header.append(line)
            else:
                in_header = False


def watch(
    app: App,
    actor: str,
    path: Path,
    *,
    stop: Callable[[], bool],
    poll: float = 1.0,
    flush_seconds: float = 10.0,
    flush_lines: int = 10_000,
    year: int | None = None,
    jurisdiction: str | None = None,
    on_ingest: Callable[[str, list[dict[str, Any]]], None] | None = None,
    prefixes: Prefixes = DEFAULT_PREFIXES,
    home_networks: Sequence[Network] = (),
) -> WatchResult:
    """Follow ``path`` until ``stop()`` is true, storing new or changed incidents as they appear.

    Every ``flush_seconds`` or ``flush_lines`` lines the detector is asked for
    its incidents and the days it has closed; incidents new or changed since
    the last store and those days' counts are written with an ingest row
    covering the lines read since the previous one (its hash is of those
    bytes), and ``on_ingest`` hears of the incidents. A day closing writes an
    ingest row even when no incident changed. On stop the rest is stored,
    with the counts of the days still open.
    """
    follower = _Follower(path)
    result = WatchResult()
    detector = Detector(_config(home_networks))
    stored: dict[str, bytes] = {}
    raw: list[bytes] = []
    batcher: _Batcher | None = None
    since = ReadReport(str(path))
    hasher = hashlib.sha256()
    last_flush = time.monotonic()
    try:
        while True:
            stopping = stop()
            raw.extend(follower.read())
            if batcher is None and raw:
                fmt = _sniff(path, len(raw))
                if fmt is not None:
                    batcher = _Batcher(str(path), fmt, _parser(fmt, year, prefixes))
            if batcher is not None and raw:
                text = [line.decode("utf-8", errors="replace") for line in raw]
                detector.feed_many(batcher.events(text))
                for line in raw:
                    hasher.update(line)
                result.lines += len(raw)
                raw = []
            if batcher is not None:
                unlogged = batcher.total.lines - since.lines
                due = time.monotonic() - last_flush >= flush_seconds or unlogged >= flush_lines
                closed = detector.close_days(final=stopping) if due or stopping else ClosedDays()
                changed = _changed(detector.incidents(), stored) if due or stopping else []
                if (unlogged and (changed or stopping)) or closed.days:
                    counts = _difference(batcher.total, since)
                    with unit_of_work(app, actor) as uow:
                        where = _jurisdiction(uow.conn, jurisdiction)
                        ingest_id = _store(
                            uow,
                            "watch",
                            path.name,
                            hasher.hexdigest(),
                            batcher.fmt,
                            counts,
                            changed,
                            closed,
                            where,
                        )
                    result.ingests.append(ingest_id)
                    result.incidents.update(i.id for i in changed)
                    if on_ingest is not None:
                        on_ingest(ingest_id, [incident_data(i) for i in changed])
                    since = _difference(batcher.total, ReadReport(str(path)))
                    hasher = hashlib.sha256()
                if due:
                    last_flush = time.monotonic()
            if stopping:
                break
            time.sleep(poll)
    finally:
        follower.close()
    result.rotations = follower.rotations
    return result


def _sniff(path: Path, waiting: int) -> NetlogFormat | None:
    """The format once the file says; refused only after a sniff's worth of lines."""
    try:
        return detect_format(path)
    except InvalidInput:
        if waiting >= SNIFF_LINES:
            raise
        return None


def _changed(found: Sequence[Incident], stored: dict[str, bytes]) -> list[Incident]:
    """Incidents new or different since last stored; ``stored`` is updated to match."""
    changed = []
    for incident in found:
        encoded = canonical_bytes(incident_data(incident))
        if stored.get(incident.id) != encoded:
            stored[incident.id] = encoded
            changed.append(incident)
    return changed


def _difference(total: ReadReport, since: ReadReport) -> ReadReport:
    """Counts of the lines read after ``since`` was taken (problems are not carried)."""
    return ReadReport(
        total.source,
        lines=total.lines - since.lines,
        events=total.events - since.events,
        ignored=total.ignored - since.ignored,
        bad=total.bad - since.bad,
    )


def ingest_incidents(app: App, ingest_ids: Sequence[str]) -> list[Incident]:
    """The incidents that these ingests found, as stored now (for alerting on them)."""
    wanted: list[str] = []
    with app.engine.connect() as conn:
        for row in conn.execute(
            select(NETMON_INGESTS.c.incident_ids).where(NETMON_INGESTS.c.id.in_(ingest_ids))
        ):
            # an object id → data hash since migration 0010, a list of ids before: both give ids
            wanted.extend(json.loads(row.incident_ids))
        if not wanted:
            return []
        rows = conn.execute(
            select(NETMON_INCIDENTS.c.data).where(NETMON_INCIDENTS.c.id.in_(sorted(set(wanted))))
        )
        return [incident_from_data(json.loads(row.data)) for row in rows]
