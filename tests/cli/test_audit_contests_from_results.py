"""``votetrail audit sample-size --contests`` takes what ``votetrail results`` writes.

Issue 15, item 9: an official used to retype the results into a contests file.
Arlo's small election (``../shared/data/cvr/arlo-fixtures/small-election``) is
imported, its results written as CSV and JSON, and each fed to
``audit sample-size``: the sizes must equal those from a contests file written
by hand from Arlo's published tallies (``small-election.spec.json``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail, votetrail_on
from votetrail.services.context import App
from votetrail.services.counting.uploads import import_cvrs
from votetrail.services.directory import add_jurisdiction
from votetrail.services.unit_of_work import unit_of_work

SMALL = Path("cvr") / "arlo-fixtures" / "small-election"
AUDIT_COMMANDS = (
    "sample",
    "verify",
    "create",
    "seed",
    "draw",
    "retrieval",
    "sample-size",
    "risk",
    "batch-sample",
    "batch-sample-size",
    "batch-risk",
)


def _hand_written(spec: dict[str, object], path: Path) -> Path:
    """The contests file an official typed before: one row per choice from the published tally."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Contest", "Choice", "Votes", "Ballots", "Vote For"])
        for contest in spec["contests"]:  # type: ignore[attr-defined]
            for choice, votes in contest["tally"].items():
                row = [contest["name"], choice, votes, contest["total_ballots_cast"]]
                out.writerow([*row, contest["votes_allowed"]])
    return path


@pytest.mark.parametrize("method", ["bravo", "comparison"])
def test_results_files_give_the_sizes_of_a_hand_written_contests_file(
    capsys: pytest.CaptureFixture[str],
    demo_app: App,
    shared_data: Path,
    tmp_path: Path,
    method: str,
) -> None:
    folder = shared_data / SMALL
    spec = json.loads((folder / "small-election.spec.json").read_text(encoding="utf-8"))
    with unit_of_work(demo_app, "tester") as uow:
        for county in spec["jurisdictions"]:
            slug = county["name"].lower().replace(" ", "-")
            add_jurisdiction(uow, slug, county["name"], "county", "state")
    for county in spec["jurisdictions"]:
        slug = county["name"].lower().replace(" ", "-")
        import_cvrs(demo_app, "tester", slug, [folder / f"{county['name']} - cvrs.csv"])
    written = {}
    for fmt in ("csv", "json"):
        written[fmt] = tmp_path / f"results.{fmt}"
        made = votetrail_on(
            capsys, demo_app, "results", "--format", fmt, "--output", str(written[fmt])
        )
        assert made.code == 0, made.err
    typed = _hand_written(spec, tmp_path / "contests.csv")
    # The JSON results under a neutral name: the form is told from the content.
    neutral = tmp_path / "results-json.txt"
    neutral.write_bytes(written["json"].read_bytes())
    sizes = {}
    for name, path in {"typed": typed, **written, "neutral": neutral}.items():
        ran = votetrail(capsys, "audit", "sample-size", "--contests", str(path), "--method", method)
        assert ran.code == 0, ran.err
        sizes[name] = list(csv.DictReader(ran.out.splitlines()))
    assert len(sizes["typed"]) == 8  # one assertion per losing choice: 2 + 4 + 2
    assert sizes["csv"] == sizes["typed"]
    assert sizes["json"] == sizes["typed"]
    assert sizes["neutral"] == sizes["typed"]


def test_nist_results_report_is_refused_in_words(
    capsys: pytest.CaptureFixture[str], election_app: App, tmp_path: Path
) -> None:
    report = tmp_path / "results.json"
    made = votetrail_on(
        capsys, election_app, "results", "--format", "nist", "--output", str(report)
    )
    assert made.code == 0, made.err
    ran = votetrail(capsys, "audit", "sample-size", "--contests", str(report))
    assert ran.code != 0
    assert "no ballot count per contest" in ran.err
    assert "Traceback" not in ran.err


@pytest.mark.parametrize("command", AUDIT_COMMANDS)
def test_audit_help_is_not_cut_at_80_columns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    ran = votetrail(capsys, "audit", command, "--help")
    assert ran.code == 0
    assert "…" not in ran.out, ran.out


def test_colorado_manifest_imports_through_the_cli(
    capsys: pytest.CaptureFixture[str], demo_app: App
) -> None:
    """Issue 15, item 6 end to end: ColoradoRLA's layout (see test_manifest_colorado.py)."""
    field = Path(__file__).resolve().parents[1] / "fixtures" / "field" / "manifest"
    ran = votetrail_on(
        capsys,
        demo_app,
        "manifest",
        "import",
        str(field / "colorado-manifest.csv"),
        "--jurisdiction",
        "adams",
    )
    assert ran.code == 0, ran.err
    assert "Imported 4 records" in ran.out
