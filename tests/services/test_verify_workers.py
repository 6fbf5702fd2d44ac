"""``verify --workers N``: helper processes check the parts, and the report is unchanged.

The state is the demo election (CVR and count uploads in three counties) with a
voter list and a netmon ingest added, so every part the helpers share has rows.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.cli.helpers import votetrail_on
from tests.services.voters.fixtures import load as load_voters
from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.ledger.events import LogEntry
from votetrail.services import log_view, verify_workers
from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify

FIREWALL_LINE = (
    "2026-11-03T10:00:{s:02d}.000000+00:00 fw kernel: DROP IN=eth0 OUT= SRC=203.0.113.9 "
    "DST=198.51.100.7 LEN=60 PROTO=TCP SPT=40000 DPT={port} SYN\n"
)


@pytest.fixture
def state(election_app: App, tmp_path: Path) -> App:
    load_voters(election_app, "adams", 12)
    log = tmp_path / "firewall.log"
    log.write_text("".join(FIREWALL_LINE.format(s=n, port=1000 + n) for n in range(30)))
    netmon.ingest(election_app, "analyst", [log])
    return election_app


def _sql(app: App, *statements: str) -> None:
    with app.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _tamper(app: App) -> None:
    """One change behind the application's back in each part the helpers share."""
    with app.engine.connect() as conn:
        first, second = conn.execute(
            text("SELECT DISTINCT upload_id FROM cvrs ORDER BY upload_id LIMIT 2")
        ).scalars()
    _sql(
        app,
        "UPDATE ledger_entries SET actor = 'mallory' WHERE seq = 3",
        f"UPDATE cvrs SET precinct = 'Elsewhere' WHERE upload_id = '{first}' AND position = 1",
        f"DELETE FROM cvrs WHERE upload_id = '{second}' AND position = 0",
        "UPDATE voters SET last_name = 'Mallory' WHERE voter_id = 'ADAMS000003'",
        "UPDATE voter_versions SET actor = 'mallory' WHERE voter_id = 'ADAMS000005'",
        "UPDATE netmon_incidents SET severity = 'none'",
    )


def test_two_workers_give_the_report_of_one(state: App) -> None:
    published = [log_view.checkpoint(state)]
    one = verify(state, published, workers=1)
    two = verify(state, published, workers=2)
    assert one.ok, one.problems
    assert one.records > 12
    assert one.checkpoints > 1
    assert two == one
    assert (one.workers, two.workers) == (1, 2)
    assert set(two.parts) == set(one.parts)


def test_tampering_is_named_alike_with_two_workers(state: App) -> None:
    _tamper(state)
    one = verify(state, workers=1)
    two = verify(state, workers=2)
    named = "\n".join(one.problems)
    for expected in (
        "entry #3",
        "CVR row 1 was changed without an event",
        "row 0 is missing",
        "voter ADAMS000003",
        "voter import",
        "netmon incident",
    ):
        assert expected in named
    assert two.problems == one.problems


def test_the_command_with_two_workers_exits_1_naming_the_same(
    capsys: pytest.CaptureFixture[str], state: App
) -> None:
    _tamper(state)
    runs = [votetrail_on(capsys, state, "verify", "--workers", n) for n in ("1", "2")]
    assert [run.code for run in runs] == [1, 1]
    lines = [
        [line for line in (run.out + run.err).splitlines() if "DISCREPANCY" in line] for run in runs
    ]
    assert lines[0]
    assert lines[1] == lines[0]


def _annotation(n: int) -> LogEntry:
    return LogEntry(
        event_type="log.annotation",
        actor="state-admin",
        jurisdiction=None,
        occurred_at=iso_utc(datetime.now(UTC)),
        record_type=None,
        record_id=None,
        payload_hash=hashlib.sha256(str(n).encode()).hexdigest(),
    )


def test_a_write_while_helpers_start_does_not_mix_states(
    state: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL helpers adopt the exported snapshot; on SQLite the verify starts over
    in its own transaction. Either way the report is of the state the verify began on."""
    before = verify(state, workers=1)
    real: Callable[..., Any] = verify_workers._run
    writes: list[int] = []

    def write_first(*args: Any) -> Any:
        if not writes:
            with unit_of_work(state, "state-admin") as uow:
                uow.extend([_annotation(1)])
            writes.append(1)
        return real(*args)

    monkeypatch.setattr(verify_workers, "_run", write_first)
    during = verify(state, workers=2)
    assert during == before
    started_over = any("discarded" in part for part in during.parts)
    assert started_over == (state.engine.dialect.name == "sqlite")
    after = verify(state, workers=2)
    assert after.ok
    assert after.size == before.size + 1


def test_a_small_state_is_checked_in_one_process_by_default(
    state: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert verify(state).workers == 1
    monkeypatch.setattr(verify_workers, "PARALLEL_FROM", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert verify(state).workers == 2
