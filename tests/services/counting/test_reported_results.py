"""A county's reported results: uploaded like its other whole-county files, proven by the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.helpers import votetrail_on
from votetrail.errors import InvalidInput
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.counting.county_view import uploads_of
from votetrail.services.counting.results import reported_results, results
from votetrail.services.counting.uploads import import_reported_results
from votetrail.services.verify import verify
from votetrail.store.models import LEDGER_ENTRIES


def _events(app: App, name: str) -> list[str]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            LEDGER_ENTRIES.select().where(LEDGER_ENTRIES.c.event_type == name)
        ).all()
    return [str(r.record_id) for r in rows]


def test_the_results_csv_uploads_as_reported_results_and_a_new_one_must_replace_it(
    capsys: pytest.CaptureFixture[str], election_app: App, tmp_path: Path
) -> None:
    app = election_app
    # The demo loader uploads what votetrail's own results CSV says: the CVR totals.
    with app.engine.connect() as conn:
        reported = reported_results(conn, "adams")
    counted = {r.name: dict(r.tally) for r in results(app, "adams")}
    assert reported == counted
    assert _events(app, "upload.reported_results") == [
        "adams-reported_results-1",
        "baker-reported_results-1",
        "clark-reported_results-1",
    ]
    corrected = tmp_path / "adams corrected.csv"
    corrected.write_text(
        "contest,choice,votes\nGovernor,Avery Quinn,301\nGovernor,Blake Rivera,250\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match="already has a current reported results"):
        import_reported_results(app, "adams-admin", "adams", corrected)
    size = log_view.size(app)
    out = votetrail_on(
        capsys,
        app,
        "counts",
        "import",
        str(corrected),
        "--jurisdiction",
        "adams",
        "--kind",
        "reported_results",
        "--replace",
        "adams-reported_results-1",
        "--actor",
        "adams-admin",
    )
    assert out.code == 0, out.err
    assert "Imported 2 records as adams-reported_results-2" in out.out
    assert "replaces adams-reported_results-1" in out.out
    assert log_view.size(app) == size + 2  # the upload and the replacement, in one go
    assert _events(app, "upload.replaced")[-1] == "adams-reported_results-1"
    with app.engine.connect() as conn:
        assert reported_results(conn, "adams") == {
            "Governor": {"Avery Quinn": 301, "Blake Rivera": 250}
        }
    [current] = [u for u in uploads_of(app, "adams") if u.kind == "reported_results" and u.current]
    assert (current.id, current.records, current.files[0].name) == (
        "adams-reported_results-2",
        2,
        "adams corrected.csv",
    )
    assert verify(app).problems == []


def test_verify_names_a_reported_total_changed_behind_the_log(election_app: App) -> None:
    with election_app.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE upload_rows SET record = replace(record, :old, :new) "
                "WHERE upload_id = 'baker-reported_results-1' AND position = 0"
            ),
            {"old": '"votes":', "new": '"votes":1'},
        )
    assert verify(election_app).problems == [
        "upload 'baker-reported_results-1': its stored records were changed after import "
        "(they no longer match the logged Merkle root)"
    ]
