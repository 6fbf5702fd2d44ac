"""Raw SQL edits of the day counts, and `votetrail verify` naming the ingest they belong to.

Every column of ``netmon_source_days`` and ``netmon_day_totals`` is edited in
turn (read from the schema, so a new column cannot be left out), rows are
deleted and added behind the application's back, and the real command must
exit 1 naming the ingest whose logged ``counts_sha256`` no longer matches. An
ingest logged before migration 0015 (no such column then) keeps its hash.
"""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Row, insert, select, text

from tests.services.netmon.test_verify import _sql, _verify
from tests.services.netmon.zeek_days import HOME, first_day
from votetrail.core.ledger.canonical import canonical_hash
from votetrail.services.context import App, resolve_url
from votetrail.services.netmon import ingest as netmon
from votetrail.services.netmon.counts import check_counts, counts_digest
from votetrail.store import db, migrate
from votetrail.store.models import NETMON_DAY_TOTALS, NETMON_INGESTS, NETMON_SOURCE_DAYS
from votetrail.store.records import record_hash

SOURCE_COLUMNS = [c.name for c in NETMON_SOURCE_DAYS.c if c.name != "ingest_id"]
TOTAL_COLUMNS = [c.name for c in NETMON_DAY_TOTALS.c if c.name != "ingest_id"]
NAMED = "netmon ingest 'netmon-1': its day counts were changed, added or deleted without an event"


@pytest.fixture
def counted(demo_app: App, tmp_path: Path) -> App:
    """The demo state after one ingest that counted 3 sources on one day."""
    home = [ip_network(n) for n in HOME]
    netmon.ingest(demo_app, "analyst", [first_day(tmp_path)], home_networks=home)
    return demo_app


def _other(value: Any) -> Any:
    """A different value of the same kind, as a raw edit would put there."""
    if isinstance(value, int):
        return value + 1
    return value[:-1] + ("8" if value.endswith("9") else "9")


@pytest.mark.parametrize("column", SOURCE_COLUMNS)
def test_every_source_day_column_edited_is_named(
    capsys: pytest.CaptureFixture[str], counted: App, column: str
) -> None:
    assert _verify(capsys, counted)[0] == 0
    with counted.engine.connect() as conn:
        row = conn.execute(select(NETMON_SOURCE_DAYS).order_by("source")).first()
    assert row is not None
    _sql(
        counted,
        f"UPDATE netmon_source_days SET {column} = :v WHERE source = :s",
        v=_other(row._mapping[column]),
        s=row.source,
    )
    code, output = _verify(capsys, counted)
    assert code == 1, output
    assert NAMED in output
    assert "3 source-day rows and 1 day totals (days " in output


@pytest.mark.parametrize("column", TOTAL_COLUMNS)
def test_every_day_total_column_edited_is_named(
    capsys: pytest.CaptureFixture[str], counted: App, column: str
) -> None:
    with counted.engine.connect() as conn:
        value = conn.execute(select(NETMON_DAY_TOTALS.c[column])).scalar_one()
    _sql(counted, f"UPDATE netmon_day_totals SET {column} = :v", v=_other(value))
    code, output = _verify(capsys, counted)
    assert code == 1, output
    assert NAMED in output


def test_a_deleted_source_is_named(capsys: pytest.CaptureFixture[str], counted: App) -> None:
    _sql(counted, "DELETE FROM netmon_source_days WHERE source = '203.0.113.8'")
    code, output = _verify(capsys, counted)
    assert code == 1
    assert f"{NAMED}: 2 source-day rows and 1 day totals (days 2026-11-02) are stored" in output


def test_deleted_day_totals_are_named(capsys: pytest.CaptureFixture[str], counted: App) -> None:
    _sql(counted, "DELETE FROM netmon_day_totals")
    code, output = _verify(capsys, counted)
    assert code == 1
    assert NAMED in output


def test_an_added_source_is_named(capsys: pytest.CaptureFixture[str], counted: App) -> None:
    with counted.engine.begin() as conn:
        row = conn.execute(select(NETMON_SOURCE_DAYS)).first()
        assert row is not None
        conn.execute(insert(NETMON_SOURCE_DAYS).values({**row._mapping, "source": "192.0.2.99"}))
    code, output = _verify(capsys, counted)
    assert code == 1
    assert "4 source-day rows and 1 day totals (days 2026-11-02) are stored" in output


def test_a_digest_made_to_match_is_an_edit_of_the_logged_ingest(
    capsys: pytest.CaptureFixture[str], counted: App
) -> None:
    """Recomputing ``counts_sha256`` after editing counts changes the logged ingest row."""
    _sql(counted, "UPDATE netmon_source_days SET attempts = 1000")
    with counted.engine.connect() as conn:
        problems: list[str] = []
        check_counts(conn, problems.append)
        assert problems
        digest = counts_digest(
            conn.execute(select(NETMON_SOURCE_DAYS)).all(),
            conn.execute(select(NETMON_DAY_TOTALS)).all(),
        )
    _sql(counted, "UPDATE netmon_ingests SET counts_sha256 = :v", v=digest)
    code, output = _verify(capsys, counted)
    assert code == 1
    assert NAMED not in output
    assert "netmon_ingest 'netmon-1' was changed without an event" in output


def test_a_cleared_digest_is_named(capsys: pytest.CaptureFixture[str], counted: App) -> None:
    """NULL is what an old ingest holds; on a new one it is an edit, and its rows are orphans."""
    _sql(counted, "UPDATE netmon_ingests SET counts_sha256 = NULL")
    code, output = _verify(capsys, counted)
    assert code == 1
    assert "netmon_ingest 'netmon-1' was changed without an event" in output
    assert "but no logged ingest stored them" in output


def _old_ingest(conn: Any) -> dict[str, Any]:
    values = {
        "id": "netmon-1",
        "mode": "file",
        "file_name": "old.log",
        "sha256": "0" * 64,
        "format": "zeek",
        "lines": 3,
        "events": 2,
        "ignored": 1,
        "bad": 0,
        "incidents": 0,
        "incident_ids": "{}",
        "ingested_at": "2026-01-01T00:00:00.000000Z",
        "jurisdiction_id": None,
    }
    conn.execute(
        text(
            f"INSERT INTO netmon_ingests ({', '.join(values)}) VALUES "
            f"({', '.join(':' + k for k in values)})"
        ),
        values,
    )
    row: Row[Any] = conn.execute(text("SELECT * FROM netmon_ingests")).one()
    return dict(row._mapping)


def test_an_ingest_logged_before_0015_keeps_its_hash(
    data_dir: Path, database_url: str | None
) -> None:
    """The hash an ingest row was logged with before the column existed still matches after."""
    data_dir.mkdir()
    engine = db.create(resolve_url(data_dir, database_url))
    try:
        migrate.upgrade(engine, "0014")
        with engine.begin() as conn:
            logged = canonical_hash(_old_ingest(conn))
        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(select(NETMON_INGESTS.c.counts_sha256)).scalar_one() is None
            assert record_hash(conn, "netmon_ingest", "netmon-1") == logged
            problems: list[str] = []
            check_counts(conn, problems.append)
            assert problems == []
        with engine.begin() as conn:
            conn.execute(NETMON_INGESTS.update().values(counts_sha256="f" * 64))
            assert record_hash(conn, "netmon_ingest", "netmon-1") != logged
    finally:
        engine.dispose()
