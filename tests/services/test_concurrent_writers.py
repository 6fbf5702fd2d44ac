"""Concurrent writers never fork or corrupt the log, on SQLite and on PostgreSQL.

Two county CVR imports, two voter lists loaded and changed, L&A steps, a
network-log ingest and web sign-ins run at once (``tests/concurrent_writers.py``);
afterwards nothing failed, ``verify`` is clean and every stored checkpoint is
proved consistent with the next. ``bench/bench_concurrent_writers.py`` runs
the same writers longer.
"""

from __future__ import annotations

from pathlib import Path

from tests.concurrent_writers import checkpoint_forks, run_writers
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.verify import verify

ROUNDS = 4


def test_concurrent_writers_leave_one_consistent_verified_log(
    demo_app: App, tmp_path: Path
) -> None:
    before = log_view.size(demo_app)
    tally, _ = run_writers(demo_app, tmp_path / "files", ROUNDS)
    assert tally.errors == []
    assert tally.done == {
        "cvr import adams": ROUNDS,
        "cvr import baker": ROUNDS,
        "voter import": 2,
        "voter change": 2 * ROUNDS,
        "lat step": ROUNDS + 1,
        "netmon ingest": 1,
        "web login": ROUNDS,
    }
    assert log_view.size(demo_app) > before + 4 * ROUNDS
    report = verify(demo_app)
    assert report.ok, report
    checked, forks = checkpoint_forks(demo_app)
    assert forks == []
    assert checked > 4 * ROUNDS
