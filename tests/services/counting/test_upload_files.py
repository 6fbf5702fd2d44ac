"""CVR files accumulate per county; replacing an upload is explicit, logged and verified.

Real files: Arlo's Kendall Park Dominion export, cut into one file per
tabulator as a county that exports device by device would send it. Every
test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.cli.helpers import votetrail_on
from tests.cvr_split import split_by_tabulator
from votetrail.errors import InvalidInput, NotFound, SigningKeyError
from votetrail.formats.cvr import read as cvr_read
from votetrail.formats.cvr.read import open_cvr_file
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.counting.county_view import uploads_of
from votetrail.services.counting.results import accounting, results
from votetrail.services.counting.uploads import import_counts, import_cvrs, import_manifest
from votetrail.services.setup import init, load_demo
from votetrail.services.verify import verify
from votetrail.store import migrate
from votetrail.store.models import CHECKPOINTS, CVRS, UPLOAD_REPLACEMENTS, UPLOADS

SMALL = Path("cvr/arlo-fixtures/small-election")
EXPORT = "Kendall Park - cvrs.csv"
MANIFEST = "Kendall Park - ballot manifest.csv"


@pytest.fixture
def export(shared_data: Path) -> Path:
    return shared_data / SMALL / EXPORT


@pytest.fixture
def old_demo_app(data_dir: Path, database_url: str | None) -> Iterator[App]:
    """The bare demo state as a schema from before 0018 could hold it (no stored remark)."""
    app = load_demo(data_dir, database_url, with_election=False, remark=False)
    yield app
    app.engine.dispose()


def _tallies(app: App, county: str) -> dict[str, dict[str, int]]:
    return {r.name: dict(r.tally) for r in results(app, county)}


def _state(app: App) -> tuple[int, int, int]:
    with app.engine.connect() as conn:
        uploads = conn.execute(select(func.count()).select_from(UPLOADS)).scalar() or 0
        replaced = conn.execute(select(func.count()).select_from(UPLOAD_REPLACEMENTS)).scalar()
    return uploads, int(replaced or 0), log_view.size(app)


def test_two_tabulators_files_sent_one_after_the_other_are_both_counted(
    demo_app: App, export: Path, tmp_path: Path
) -> None:
    """Fails before: the second file silently replaced the first."""
    first, second = split_by_tabulator(
        export, tmp_path, ("Tabulator A",), ("Tabulator B", "Tabulator C")
    )
    import_cvrs(demo_app, "tester", "baker", [export])  # the whole export, for comparison
    assert import_cvrs(demo_app, "tester", "adams", [first]).records == 190
    added = import_cvrs(demo_app, "tester", "adams", [second])
    assert (added.created, added.replaced, added.records) == (True, None, 310)
    assert _tallies(demo_app, "adams") == _tallies(demo_app, "baker")
    assert _tallies(demo_app, "adams")["Secretary of Treasure"]["Denny Vargas"] == 450
    summary = accounting(demo_app, "adams").reconciliation.summary
    assert (summary.cvrs, summary.tabulators) == (500, 3)
    county = {r.name: r.ballots for r in results(demo_app, "adams")}
    statewide = {r.name: r.ballots for r in results(demo_app)}
    assert statewide == {name: 2 * n for name, n in county.items()}  # adams + baker
    assert [u.current for u in uploads_of(demo_app, "adams")] == [True, True]
    assert verify(demo_app).ok


def test_a_ballot_already_uploaded_is_refused_naming_both_files(
    demo_app: App, export: Path, tmp_path: Path
) -> None:
    (first,) = split_by_tabulator(export, tmp_path, ("Tabulator A",))
    (overlap,) = split_by_tabulator(export, tmp_path, ("Tabulator A", "Tabulator B"))
    import_cvrs(demo_app, "tester", "adams", [first])
    before = _state(demo_app)
    with pytest.raises(InvalidInput) as caught:
        import_cvrs(demo_app, "tester", "adams", [overlap])
    message = str(caught.value)
    assert "CVR 'Tabulator A-Batch 1-1'" in message
    assert "appears in both Tabulator A.csv (upload adams-cvrs-1) and" in message
    assert "Tabulator A and Tabulator B.csv" in message
    assert "replace that upload instead" in message
    assert _state(demo_app) == before
    assert accounting(demo_app, "adams").reconciliation.summary.cvrs == 190


def test_replacing_an_upload_is_logged_shown_and_verified(
    demo_app: App, export: Path, tmp_path: Path
) -> None:
    first, second = split_by_tabulator(
        export, tmp_path, ("Tabulator A",), ("Tabulator B", "Tabulator C")
    )
    (only_b,) = split_by_tabulator(export, tmp_path / "fixed", ("Tabulator B",))
    import_cvrs(demo_app, "tester", "adams", [first])
    import_cvrs(demo_app, "tester", "adams", [second])
    size = log_view.size(demo_app)
    with demo_app.engine.connect() as conn:
        checkpoints = conn.execute(select(func.count()).select_from(CHECKPOINTS)).scalar()
    done = import_cvrs(demo_app, "adams-admin", "adams", [only_b], replace="adams-cvrs-2")
    assert (done.id, done.replaced) == ("adams-cvrs-3", "adams-cvrs-2")

    # One transaction: the new upload and the replacement, under one new checkpoint.
    entries = [e.entry for e in log_view.entries(demo_app, size, 10)]
    assert [(e.event_type, e.record_id, e.actor) for e in entries] == [
        ("upload.cvrs", "adams-cvrs-3", "adams-admin"),
        ("upload.replaced", "adams-cvrs-2", "adams-admin"),
    ]
    with demo_app.engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(CHECKPOINTS)).scalar()
    assert after == (checkpoints or 0) + 1

    listed = {u.id: u for u in uploads_of(demo_app, "adams")}
    assert listed["adams-cvrs-1"].current
    assert listed["adams-cvrs-3"].current
    replaced = listed["adams-cvrs-2"]
    assert (replaced.current, replaced.replaced_by, replaced.replaced_by_user) == (
        False,
        "adams-cvrs-3",
        "adams-admin",
    )
    assert replaced.replaced_at is not None
    outcome = accounting(demo_app, "adams").reconciliation
    assert (outcome.summary.cvrs, outcome.summary.tabulators) == (349, 2)
    # Against the set before (A, B and C), Tabulator C's 151 ballots vanished.
    changed = [f for f in outcome.findings if f.kind.value == "device_count_changed"]
    assert [f.place.tabulator for f in changed] == ["Tabulator C"]
    assert verify(demo_app).ok

    with pytest.raises(InvalidInput, match="was already replaced by upload adams-cvrs-3"):
        import_cvrs(demo_app, "tester", "adams", [second], replace="adams-cvrs-2")
    with pytest.raises(NotFound, match="no cast vote records upload 'baker-cvrs-1'"):
        import_cvrs(demo_app, "tester", "adams", [second], replace="baker-cvrs-1")

    # Making the replaced file count again behind the log's back is named.
    with demo_app.engine.begin() as conn:
        conn.execute(text("UPDATE upload_replacements SET replaced_by = 'someone-else'"))
    assert any(
        "upload_replacement 'adams-cvrs-2' was changed without an event" in p
        for p in verify(demo_app).problems
    )
    with demo_app.engine.begin() as conn:
        conn.execute(text("DELETE FROM upload_replacements"))
    assert any(
        "upload_replacement 'adams-cvrs-2' was deleted without an event" in p
        for p in verify(demo_app).problems
    )


def test_whole_county_files_are_never_replaced_silently(
    demo_app: App, shared_data: Path, tmp_path: Path
) -> None:
    manifest = shared_data / SMALL / MANIFEST
    short = tmp_path / MANIFEST
    short.write_text(
        manifest.read_text(encoding="utf-8").replace(
            "Tabulator A,Batch 1,27", "Tabulator A,Batch 1,25"
        ),
        encoding="utf-8",
    )
    import_manifest(demo_app, "tester", "adams", manifest)
    before = _state(demo_app)
    with pytest.raises(InvalidInput) as caught:
        import_manifest(demo_app, "tester", "adams", short)
    assert "already has a current ballot manifest, upload adams-manifest-1" in str(caught.value)
    assert "--replace adams-manifest-1" in str(caught.value)
    assert _state(demo_app) == before
    again = import_manifest(demo_app, "tester", "adams", manifest)  # the same file: no change
    assert (again.created, again.id) == (False, "adams-manifest-1")
    done = import_manifest(demo_app, "tester", "adams", short, replace="adams-manifest-1")
    assert done.replaced == "adams-manifest-1"

    paper = tmp_path / "paper.csv"
    paper.write_text("Tabulator,Paper Records\nTabulator A,190\n", encoding="utf-8")
    fixed = tmp_path / "paper-fixed.csv"
    fixed.write_text("Tabulator,Paper Records\nTabulator A,189\n", encoding="utf-8")
    import_counts(demo_app, "tester", "adams", "paper_counts", paper)
    with pytest.raises(InvalidInput, match="current paper-record counts"):
        import_counts(demo_app, "tester", "adams", "paper_counts", fixed)
    with pytest.raises(NotFound):
        import_counts(
            demo_app, "tester", "adams", "paper_counts", fixed, replace="adams-manifest-2"
        )
    import_counts(
        demo_app, "tester", "adams", "paper_counts", fixed, replace="adams-paper_counts-1"
    )
    current = {u.id for u in uploads_of(demo_app, "adams") if u.current}
    assert current == {"adams-manifest-2", "adams-paper_counts-2"}
    assert verify(demo_app).ok


def test_cli_replace_flag(
    capsys: pytest.CaptureFixture[str], demo_app: App, export: Path, tmp_path: Path
) -> None:
    first, second = split_by_tabulator(
        export, tmp_path, ("Tabulator A",), ("Tabulator B", "Tabulator C")
    )
    for path in (first, second):
        out = votetrail_on(capsys, demo_app, "cvr", "import", str(path), "--jurisdiction", "adams")
        assert out.code == 0, out.err
    again = votetrail_on(capsys, demo_app, "cvr", "import", str(first), "--jurisdiction", "adams")
    assert again.code == 0  # the very same file again: nothing changes
    assert "Already imported as adams-cvrs-1" in again.out
    clash = votetrail_on(
        capsys,
        demo_app,
        "cvr",
        "import",
        str(second),
        "--jurisdiction",
        "adams",
        "--replace",
        "adams-cvrs-1",
    )
    assert clash.code == 1  # B and C are still in adams-cvrs-2
    assert "(upload adams-cvrs-2)" in clash.err
    (b_only,) = split_by_tabulator(export, tmp_path / "b", ("Tabulator B",))
    done = votetrail_on(
        capsys,
        demo_app,
        "cvr",
        "import",
        str(b_only),
        "--jurisdiction",
        "adams",
        "--replace",
        "adams-cvrs-2",
    )
    assert done.code == 0, done.err
    assert "adams-cvrs-3 replaces adams-cvrs-2, which no longer counts." in done.out


def test_upgrading_keeps_what_the_old_rule_counted_and_logs_it(
    old_demo_app: App, export: Path, tmp_path: Path
) -> None:
    """A database from before 0009 had several uploads where only the newest counted."""
    first, second = split_by_tabulator(
        export, tmp_path, ("Tabulator A",), ("Tabulator B", "Tabulator C")
    )
    import_cvrs(old_demo_app, "tester", "adams", [first])
    import_cvrs(old_demo_app, "tester", "adams", [second])
    migrate.downgrade(old_demo_app.engine, "0008")
    url = None if old_demo_app.engine.dialect.name == "sqlite" else old_demo_app.engine.url
    upgraded = init(
        old_demo_app.data_dir,
        None if url is None else url.render_as_string(hide_password=False),
    ).app
    try:
        listed = {u.id: u for u in uploads_of(upgraded, "adams")}
        assert (listed["adams-cvrs-1"].replaced_by, listed["adams-cvrs-1"].replaced_by_user) == (
            "adams-cvrs-2",
            "schema 0009",
        )
        assert listed["adams-cvrs-2"].current
        assert accounting(upgraded, "adams").reconciliation.summary.cvrs == 310
        last = log_view.entries(upgraded, log_view.size(upgraded) - 1, 1)[0].entry
        assert (last.event_type, last.record_id, last.actor) == (
            "upload.replaced",
            "adams-cvrs-1",
            "system",
        )
        assert verify(upgraded).ok
    finally:
        upgraded.engine.dispose()


def test_an_upgrade_refused_for_the_wrong_key_changes_nothing_and_logs_later(
    old_demo_app: App, export: Path, tmp_path: Path
) -> None:
    """init with another log's key must refuse before upgrading, or 0009's rows stay unlogged."""
    first, second = split_by_tabulator(
        export, tmp_path, ("Tabulator A",), ("Tabulator B", "Tabulator C")
    )
    import_cvrs(old_demo_app, "tester", "adams", [first])
    import_cvrs(old_demo_app, "tester", "adams", [second])
    migrate.downgrade(old_demo_app.engine, "0008")
    url = old_demo_app.engine.url.render_as_string(hide_password=False)
    other = tmp_path / "other"
    init(other, f"sqlite:///{tmp_path / 'other.sqlite3'}", "other.example/log").app.engine.dispose()
    with pytest.raises(SigningKeyError):
        init(other, url)
    assert migrate.current_revision(old_demo_app.engine) == "0008"
    upgraded = init(old_demo_app.data_dir, url).app
    try:
        assert not next(u for u in uploads_of(upgraded, "adams") if u.id == "adams-cvrs-1").current
        assert verify(upgraded).ok
    finally:
        upgraded.engine.dispose()


def test_two_overlapping_uploads_at_once_cannot_both_pass_the_duplicate_check(
    demo_app: App, export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each reads the county's ballots, then writes; the county's row lock makes them take turns."""
    (first,) = split_by_tabulator(export, tmp_path / "one", ("Tabulator A",))
    (overlap,) = split_by_tabulator(export, tmp_path / "two", ("Tabulator A", "Tabulator B"))
    opened = open_cvr_file

    def slow_open(path: Path) -> Any:
        time.sleep(0.5)  # both would have read the (empty) county before either wrote
        return opened(path)

    monkeypatch.setattr(cvr_read, "open_cvr_file", slow_open)  # import_cvrs imports it then
    outcomes: list[object] = []

    def send(path: Path) -> None:
        try:
            outcomes.append(import_cvrs(demo_app, "tester", "adams", [path]))
        except InvalidInput as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=send, args=(path,)) for path in (first, overlap)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(type(o).__name__ for o in outcomes) == ["InvalidInput", "UploadResult"]
    with demo_app.engine.connect() as conn:
        ids = conn.execute(select(CVRS.c.cvr_id)).scalars().all()
    assert len(ids) == len(set(ids))
    assert verify(demo_app).ok
