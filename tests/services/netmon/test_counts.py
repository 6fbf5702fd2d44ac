"""Every probe counted (issue 16, item 3) through the real services, on both backends.

The logs are small Zeek conn.logs in the layout of the CTU-Normal captures
(``stratosphereips/security-datasets-for-testing`` at 1c90a369,
``008-zeek-mixed/data/conn.log.labeled``), with our own addresses and times:
see :mod:`tests.services.netmon.zeek_days`.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from ipaddress import ip_network
from pathlib import Path

from sqlalchemy import func, select

from tests.services.netmon.zeek_days import (
    DAY1,
    DAY2,
    DESKTOP,
    HOME,
    at,
    conn_log,
    first_day,
    line,
    second_day,
)
from votetrail.core.netmon.tally import DayTotal
from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon
from votetrail.services.netmon import totals
from votetrail.services.verify import verify
from votetrail.store.models import NETMON_DAY_TOTALS, NETMON_INGESTS, NETMON_SOURCE_DAYS

NETWORKS = [ip_network(n) for n in HOME]
D1 = DAY1.date()
D2 = DAY2.date()


def _ingest(app: App, *paths: Path) -> netmon.IngestResult:
    return netmon.ingest(app, "analyst", list(paths), home_networks=NETWORKS)


def _rows(app: App) -> tuple[int, int]:
    with app.engine.connect() as conn:
        sources = conn.execute(select(func.count()).select_from(NETMON_SOURCE_DAYS)).scalar()
        days = conn.execute(select(func.count()).select_from(NETMON_DAY_TOTALS)).scalar()
    return int(sources or 0), int(days or 0)


def test_every_unsolicited_attempt_is_counted_per_day_source_and_network(
    demo_app: App, tmp_path: Path
) -> None:
    """Probes that form no incident are counted; a visit and the desktop's browsing are not."""
    assert totals.latest_day(demo_app) is None
    _ingest(demo_app, first_day(tmp_path))
    assert netmon.incidents(demo_app) == []  # nothing here is a scan, yet all is counted
    counted = totals.day_counts(demo_app, D1)
    assert counted is not None
    assert counted.total == DayTotal(
        D1, sources=3, attempts=5, answered=1, unexpected=1, ports=5, hosts=2
    )
    assert (counted.ingests, counted.lower_bound) == (1, False)
    assert counted.sentence == (
        "Probed 5 times from 3 addresses on 5 ports; "
        "1 attempt got an answer on a port that should be closed."
    )
    assert [
        (s.source, s.attempts, s.answered, s.unexpected, s.ports)
        for s in totals.by_source(demo_app, D1)
    ] == [
        ("203.0.113.7", 3, 0, 0, 3),
        ("198.51.100.9", 1, 0, 0, 1),
        ("203.0.113.8", 1, 1, 1, 1),
    ]
    first = totals.by_source(demo_app, D1, limit=1)[0]
    assert (first.first_seen, first.last_seen) == (
        "2026-11-02T01:00:00.000000Z",
        "2026-11-02T09:00:00.000000Z",
    )
    assert [
        (n.network, n.sources, n.attempts, n.unexpected) for n in totals.by_network(demo_app, D1)
    ] == [
        ("203.0.113.0/24", 2, 4, 1),
        ("198.51.100.0/24", 1, 1, 0),
    ]
    assert totals.day_counts(demo_app, D2) is None
    assert totals.latest_day(demo_app) == D1
    assert verify(demo_app, [], None).ok


def test_a_source_back_on_a_later_day_is_returning(demo_app: App, tmp_path: Path) -> None:
    """Day 1's probes (no incident) make day 2's scan by the same source 'returning'."""
    _ingest(demo_app, first_day(tmp_path))
    _ingest(demo_app, second_day(tmp_path))
    (scan,) = netmon.incidents(demo_app)
    assert (scan["sources"], scan["labels"]) == (["203.0.113.7"], ["returning"])
    assert [
        (s.source, s.network, s.attempts, s.returning) for s in totals.by_source(demo_app, D2)
    ] == [
        ("203.0.113.7", "203.0.113.0/24", 30, True),
        ("2001:db8:1::5", "2001:db8:1::/64", 1, False),
    ]
    assert [s.returning for s in totals.by_source(demo_app, D1)] == [False, False, False]
    assert totals.latest_day(demo_app) == D2
    assert verify(demo_app, [], None).ok


def test_one_file_over_two_days_marks_its_own_returning_source(
    demo_app: App, tmp_path: Path
) -> None:
    both = tmp_path / "both.conn.log"
    one, two = first_day(tmp_path).read_text(), second_day(tmp_path).read_text()
    both.write_text(one + "".join(x for x in two.splitlines(keepends=True) if x[0] != "#"))
    _ingest(demo_app, both)
    (scan,) = netmon.incidents(demo_app)
    assert scan["labels"] == ["returning"]
    assert [d for d in (D1, D2) if totals.day_counts(demo_app, d)] == [D1, D2]


def test_a_first_scan_is_not_returning(demo_app: App, tmp_path: Path) -> None:
    _ingest(demo_app, second_day(tmp_path))
    (scan,) = netmon.incidents(demo_app)
    assert scan["labels"] == []


def test_the_same_file_again_changes_no_count(demo_app: App, tmp_path: Path) -> None:
    log = first_day(tmp_path)
    _ingest(demo_app, log)
    before = _rows(demo_app)
    (again,) = _ingest(demo_app, log).files
    assert not again.created
    assert _rows(demo_app) == before == (3, 1)


def test_two_files_of_one_day_add_up_with_distinct_counts_a_lower_bound(
    demo_app: App, tmp_path: Path
) -> None:
    """Attempts are summed and sources distinct; ports and hosts are the larger file's."""
    rows = first_day(tmp_path).read_text().splitlines(keepends=True)
    header = [r for r in rows if r.startswith("#")]
    body = [r for r in rows if not r.startswith("#")]
    morning = tmp_path / "morning.conn.log"
    rest = tmp_path / "rest.conn.log"
    morning.write_text("".join(header + body[:2]))  # 203.0.113.7 on ports 22 and 23
    rest.write_text("".join(header + body[2:]))
    _ingest(demo_app, morning, rest)
    counted = totals.day_counts(demo_app, D1)
    assert counted is not None
    assert (counted.total.sources, counted.total.attempts, counted.total.unexpected) == (3, 5, 1)
    assert (counted.total.ports, counted.total.hosts) == (3, 2)  # the true 5 ports: at least 3
    assert (counted.ingests, counted.lower_bound) == (2, True)
    assert "on at least 3 ports;" in counted.sentence
    (busiest, *_) = totals.by_source(demo_app, D1)
    assert (busiest.source, busiest.attempts) == ("203.0.113.7", 3)
    assert verify(demo_app, [], None).ok


def test_an_ingest_of_old_data_has_no_counts(demo_app: App, tmp_path: Path) -> None:
    assert totals.day_counts(demo_app, date(2026, 1, 1)) is None
    assert totals.by_source(demo_app, date(2026, 1, 1)) == []
    assert totals.by_network(demo_app, date(2026, 1, 1)) == []


def test_watch_stores_each_day_when_it_closes_and_the_rest_on_stop(
    demo_app: App, tmp_path: Path
) -> None:
    """A day closes once event time is 6 hours past its end: stored with no incident at all."""
    log = conn_log(
        tmp_path / "conn.log", [(at(DAY1, 10), "198.51.100.9", DESKTOP, 445, "unanswered")]
    )
    stop = threading.Event()
    later = [
        (at(DAY2, 7), "198.51.100.20", DESKTOP, 22, "unanswered"),
        (at(DAY2, 8), "198.51.100.9", DESKTOP, 23, "refused"),
    ]

    def grow() -> None:
        time.sleep(0.1)
        with log.open("a") as handle:
            handle.write("".join(line(*row) for row in later))
        deadline = time.monotonic() + 10
        while totals.day_counts(demo_app, D1) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()

    writer = threading.Thread(target=grow)
    writer.start()
    result = netmon.watch(
        demo_app,
        "analyst",
        log,
        poll=0.02,
        flush_seconds=0.05,
        stop=stop.is_set,
        home_networks=NETWORKS,
    )
    writer.join()
    assert result.incidents == set()
    assert len(result.ingests) >= 2  # day 1 when it closed, day 2 on stop
    day1 = totals.day_counts(demo_app, D1)
    day2 = totals.day_counts(demo_app, D2)
    assert day1 is not None
    assert day2 is not None
    assert (day1.total.sources, day1.total.attempts, day1.ingests) == (1, 1, 1)
    assert (day2.total.sources, day2.total.attempts, day2.ingests) == (2, 2, 1)
    assert [(s.source, s.returning) for s in totals.by_source(demo_app, D2)] == [
        ("198.51.100.20", False),
        ("198.51.100.9", True),
    ]
    with demo_app.engine.connect() as conn:
        digests = conn.execute(select(NETMON_INGESTS.c.counts_sha256)).scalars().all()
    assert all(digests)
    assert verify(demo_app, [], None).ok
