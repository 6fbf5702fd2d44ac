"""`votetrail audit sample`: the sample an observer can re-draw with consistent_sampler."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import consistent_sampler
import pytest
from typer.testing import CliRunner

from tests.cli.helpers import votetrail
from votetrail.cli.audit import audit_cli
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.manifest import ballot_ids, read_manifest
from votetrail.services.audit.sampling import (
    COLUMNS,
    ManifestSource,
    draw_sample,
    manifest_sources,
)

SEED = "01382438112797316654"
SMALL = "cvr/arlo-fixtures/small-election"


@pytest.fixture
def manifests(shared_data: Path) -> list[Path]:
    return sorted((shared_data / SMALL).glob("* - ballot manifest.csv"))


def invoke(*args: str) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(audit_cli, ["sample", *args])
    return result.exit_code, result.stdout, result.stderr, result.exception


def manifest_args(paths: list[Path]) -> list[str]:
    return [arg for path in paths for arg in ("--manifest", str(path))]


def all_ids(paths: list[Path]) -> list[str]:
    ids: list[str] = []
    for path in paths:
        ids.extend(ballot_ids(read_manifest(path), path.name.split(" - ")[0]))
    return ids


def test_service_draws_what_consistent_sampler_draws(manifests: list[Path]) -> None:
    sources = manifest_sources(manifests, [])
    drawn = draw_sample(sources, SEED, 40, with_replacement=True)
    expected = consistent_sampler.sampler(all_ids(manifests), SEED, with_replacement=True, take=40)
    assert [(b.ticket_number, b.ballot_id, b.generation) for b in drawn.ballots] == [
        tuple(draw) for draw in expected
    ]
    assert drawn.population == 1508
    assert drawn.manifests == 5
    first = drawn.ballots[0]
    assert first.ballot_id == (
        f"{first.jurisdiction}::{first.tabulator}:{first.batch}:{first.position}"
    )


def test_csv_rows_sorted_by_ticket(manifests: list[Path]) -> None:
    code, out, err, _ = invoke(*manifest_args(manifests), "--seed", SEED, "--size", "25")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 25
    expected = consistent_sampler.sampler(all_ids(manifests), SEED, take=25)
    assert [(r["ticket_number"], r["ballot_id"], r["generation"]) for r in rows] == [
        (ticket, ballot, str(generation)) for ticket, ballot, generation in expected
    ]
    assert all(r["container"] == "" and r["tabulator"].startswith("Tabulator") for r in rows)
    assert "Drew 25 tickets (25 distinct ballots) from 1,508 ballots in 5 manifests." in err


def test_json_with_replacement_to_a_file(manifests: list[Path], tmp_path: Path) -> None:
    siletz = [path for path in manifests if path.name.startswith("Siletz")]
    target = tmp_path / "sample.json"
    args = [*manifest_args(siletz), "--seed", SEED, "--size", "80", "--with-replacement"]
    code, out, err, _ = invoke(*args, "--format", "json", "--output", str(target))
    assert code == 0
    assert out == ""
    draws = json.loads(target.read_text(encoding="utf-8"))
    assert len(draws) == 80  # more draws than Siletz's 57 ballots
    assert max(draw["generation"] for draw in draws) > 1
    assert draws[0]["container"] is None
    assert {draw["jurisdiction"] for draw in draws} == {"Siletz"}
    assert isinstance(draws[0]["position"], int)
    distinct = len({draw["ballot_id"] for draw in draws})
    assert f"Drew 80 tickets ({distinct} distinct ballots) from 57 ballots" in err


def test_jurisdiction_names_given_on_the_command_line(tmp_path: Path) -> None:
    first = tmp_path / "export.csv"
    first.write_text("Batch Name,Number of Ballots\nB1,3\n", encoding="utf-8")
    second = tmp_path / "other.csv"
    second.write_text("Batch Name,Number of Ballots\nB1,2\n", encoding="utf-8")
    args = ["--manifest", str(first), "--manifest", str(second), "--seed", SEED, "--size", "5"]
    code, out, _, _ = invoke(*args, "--jurisdiction", "Acton", "--jurisdiction", "Lindow")
    assert code == 0
    ids = sorted(row["ballot_id"] for row in csv.DictReader(io.StringIO(out)))
    assert ids == ["Acton:::B1:1", "Acton:::B1:2", "Acton:::B1:3", "Lindow:::B1:1", "Lindow:::B1:2"]


def test_errors_reach_the_caller_as_invalid_input(manifests: list[Path], tmp_path: Path) -> None:
    """`cli.main.run` turns these into one line; here they must arrive unconverted."""
    base = manifest_args(manifests[:1])
    cases = [
        ([*base, "--seed", "12345", "--size", "3"], "seed '12345'"),
        ([*base, "--seed", SEED, "--size", "5000"], "sample size 5000"),
        (
            [*base, "--seed", SEED, "--size", "3", "--jurisdiction", "A", "--jurisdiction", "B"],
            "--jurisdiction",
        ),
        (
            ["--manifest", str(tmp_path / "x.csv"), "--seed", SEED, "--size", "1"],
            str(tmp_path / "x.csv"),
        ),
        ([*base, *base, "--seed", SEED, "--size", "1"], str(manifests[0])),
    ]
    for args, where in cases:
        code, _, _, exception = invoke(*args)
        assert code == 1
        assert isinstance(exception, InvalidInput), args
        assert exception.where == where


def test_unwritable_output(manifests: list[Path], tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "sample.csv"
    args = [*manifest_args(manifests[:1]), "--seed", SEED, "--size", "1", "--output", str(target)]
    _, _, _, exception = invoke(*args)
    assert isinstance(exception, InvalidInput)
    assert exception.where == str(target)


def test_usage_errors_are_click_errors() -> None:
    code, _, err, _ = invoke("--seed", SEED, "--size", "1")
    assert code == 2
    assert "--manifest" in err
    code, _, err, _ = invoke(
        "--manifest", "m.csv", "--seed", SEED, "--size", "1", "--format", "xml"
    )
    assert code == 2


def test_sources_refuse_two_manifests_for_one_jurisdiction(tmp_path: Path) -> None:
    paths = [tmp_path / "a.csv", tmp_path / "b.csv"]
    with pytest.raises(InvalidInput, match="both jurisdiction 'Acton'"):
        manifest_sources(paths, ["Acton", " Acton "])
    with pytest.raises(InvalidInput, match="at least one"):
        manifest_sources([], [])
    assert manifest_sources(paths, ["Acton", "Lindow"]) == [
        ManifestSource(paths[0], "Acton"),
        ManifestSource(paths[1], "Lindow"),
    ]


def test_through_the_votetrail_command(
    manifests: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The real entry point prints the rows, or one line naming the problem and exit code 1."""
    args = ["audit", "sample", *manifest_args(manifests[:2])]
    drawn = votetrail(capsys, *args, "--seed", SEED, "--size", "3", "--format", "json")
    assert drawn.code == 0
    assert [draw["generation"] for draw in json.loads(drawn.out)] == [1, 1, 1]

    refused = votetrail(capsys, *args, "--seed", "0138243811279731665", "--size", "3")
    assert refused.code == 1
    assert refused.out == ""
    assert refused.err.strip() == (
        "error: seed '0138243811279731665': must be exactly 20 decimal digits"
    )
