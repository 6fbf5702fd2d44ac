"""County uploads through the real services: real exports, all-or-nothing, proven by the log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.cli.helpers import votetrail_on
from votetrail.core.audit.comparison import ABSENT, pair_overstatement
from votetrail.core.audit.sampler import sample
from votetrail.errors import InvalidInput
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.counting.results import accounting, results, sampling_frame
from votetrail.services.counting.uploads import import_cvrs, import_manifest
from votetrail.services.directory import add_jurisdiction
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify
from votetrail.store.models import UPLOADS

ARLO = ("small-election", "medium-election")


def _counties(app: App, names: list[str]) -> dict[str, str]:
    slugs = {name: name.lower().replace(" ", "-") for name in names}
    with unit_of_work(app, "tester") as uow:
        for name, slug in slugs.items():
            add_jurisdiction(uow, slug, name, "county", "state")
    return slugs


@pytest.mark.parametrize("election", ARLO)
def test_arlo_exports_reproduce_the_published_totals(
    demo_app: App, shared_data: Path, election: str
) -> None:
    folder = shared_data / "cvr" / "arlo-fixtures" / election
    spec = json.loads((folder / f"{election}.spec.json").read_text(encoding="utf-8"))
    names = [j["name"] for j in spec["jurisdictions"]]
    slugs = _counties(demo_app, names)
    for name in names:
        result = import_cvrs(demo_app, "tester", slugs[name], [folder / f"{name} - cvrs.csv"])
        assert result.created
        assert result.files[0]["format"].startswith("Dominion Democracy Suite CSV")
    statewide = {r.name: r for r in results(demo_app)}
    for contest in spec["contests"]:
        found = statewide[contest["name"]]
        assert found.tally == contest["tally"]
        assert found.ballots == contest["total_ballots_cast"]
        assert found.votes_allowed == contest["votes_allowed"]
    assert verify(demo_app).ok


def _state(app: App) -> tuple[int, int]:
    with app.engine.connect() as conn:
        uploads = conn.execute(select(func.count()).select_from(UPLOADS)).scalar() or 0
    return uploads, log_view.size(app)


def test_bad_files_leave_the_database_as_it_was(
    demo_app: App, shared_data: Path, tmp_path: Path
) -> None:
    real = shared_data / "cvr" / "arlo-fixtures" / "small-election" / "Kendall Park - cvrs.csv"
    lines = real.read_text(encoding="utf-8").splitlines(keepends=True)
    truncated = tmp_path / "truncated.csv"
    truncated.write_text("".join(lines[:3]), encoding="utf-8")
    corrupt = tmp_path / "corrupt.csv"
    corrupt.write_text(
        "".join([*lines[:10], lines[10].replace(",1,", ",7,", 1), *lines[11:]]), encoding="utf-8"
    )
    wrong_vendor = (
        shared_data
        / "cvr"
        / "arlo-fixtures"
        / "small-election"
        / ("Kendall Park - ballot manifest.csv")
    )
    before = _state(demo_app)
    for bad, where in (
        (truncated, "truncated.csv"),
        (corrupt, "corrupt.csv, line 11"),
        (wrong_vendor, "ballot manifest.csv"),
    ):
        with pytest.raises(InvalidInput) as caught:
            import_cvrs(demo_app, "tester", "adams", [bad, real])
        assert where in str(caught.value)
        assert _state(demo_app) == before
    copy = tmp_path / "copy.csv"
    copy.write_bytes(real.read_bytes())
    with pytest.raises(InvalidInput, match=r"copy.csv, CVR 'Tabulator A-Batch 1-1': appears in"):
        import_cvrs(demo_app, "tester", "adams", [real, copy])
    assert _state(demo_app) == before
    first = import_cvrs(demo_app, "tester", "adams", [real])
    again = import_cvrs(demo_app, "tester", "adams", [real])
    assert first.created
    assert not again.created
    assert again.id == first.id
    assert _state(demo_app) == (before[0] + 1, before[1] + 1)


def test_verify_names_a_cvr_changed_behind_the_log(demo_app: App, shared_data: Path) -> None:
    real = shared_data / "cvr" / "arlo-fixtures" / "small-election" / "Kendall Park - cvrs.csv"
    upload = import_cvrs(demo_app, "tester", "adams", [real])
    with demo_app.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE cvrs SET record = replace(record, 'Erin George', 'Alex Hall') "
                "WHERE upload_id = :u AND position = 3"
            ),
            {"u": upload.id},
        )
    problems = verify(demo_app).problems
    assert problems == [
        f"upload {upload.id!r}: its stored records were changed after import "
        "(they no longer match the logged Merkle root)"
    ]
    with demo_app.engine.begin() as conn:
        conn.execute(
            text("DELETE FROM cvrs WHERE upload_id = :u AND position = 7"), {"u": upload.id}
        )
    assert f"upload {upload.id!r}: row 7 is missing" in verify(demo_app).problems


def test_jammed_tape_is_flagged_and_reaches_the_audit_as_phantoms(election_app: App) -> None:
    report = accounting(election_app, "adams")
    (finding,) = report.reconciliation.findings
    assert finding.kind.value == "missing_paper"
    assert finding.place.tabulator == "ICP-2"
    assert "12 ballots have no paper record" in finding.explanation
    assert report.phantoms.count == 12
    assert accounting(election_app, "baker").reconciliation.summary.ok
    frame = sampling_frame(election_app, "adams")
    assert len(frame.phantom_ids) == 12
    assert frame.phantom_ids[0] == "phantom:ICP-2:1"
    drawn = sample(frame.all_ids, "12345678901234567890", len(frame.all_ids))
    assert {t.id for t in drawn} >= set(frame.phantom_ids)
    assert (
        pair_overstatement(
            ABSENT, ABSENT, winner="Avery Quinn", loser="Blake Rivera", card_style=False
        )
        == 2
    )
    assert verify(election_app).ok


def test_results_and_accounting_commands(
    capsys: pytest.CaptureFixture[str], election_app: App, tmp_path: Path
) -> None:
    out = votetrail_on(capsys, election_app, "results", "--format", "json")
    assert out.code == 0, out.err
    contests = json.loads(out.out)["contests"]
    assert [c["name"] for c in contests] == ["Governor", "County Measure A"]
    assert set(contests[0]) == {
        "name",
        "votes_allowed",
        "ballots",
        "overvotes",
        "undervotes",
        "tally",
    }
    governor = contests[0]
    assert (
        governor["ballots"]
        == sum(governor["tally"].values()) + governor["overvotes"] + (governor["undervotes"])
    )
    html = tmp_path / "adams.html"
    report = votetrail_on(
        capsys,
        election_app,
        "accounting",
        "report",
        "--jurisdiction",
        "adams",
        "--format",
        "html",
        "--output",
        str(html),
    )
    assert report.code == 0, report.err
    assert "Tabulator ICP-2 recorded" in html.read_text(encoding="utf-8")
    phantoms = votetrail_on(
        capsys, election_app, "accounting", "phantoms", "--jurisdiction", "adams"
    )
    assert phantoms.out.splitlines()[1] == "phantom:ICP-2:1,ICP-2"
    manifest_again = import_manifest(
        election_app,
        "tester",
        "adams",
        election_app.data_dir / "demo-files" / "Adams County - ballot manifest.csv",
    )
    assert not manifest_again.created
