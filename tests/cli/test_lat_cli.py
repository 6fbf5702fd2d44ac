"""``votetrail lat`` end to end on the real election definitions in ../shared/data.

The deck contract is checked the way another tool would use it: the JSON is
recounted here, independently of votetrail's counting code, and every choice
of every contest must get a distinct, non-zero total overall and within each
ballot style.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import votetrail, votetrail_on
from votetrail.core.lat.deck import generate_deck
from votetrail.formats.election.read import read_definition
from votetrail.formats.election.yaml import write_yaml
from votetrail.services.context import App
from votetrail.services.demo.lat import demo_definition
from votetrail.services.setup import DEMO_PASSWORD

DEFINITIONS = (
    "ballot-encoder/electionSample.json",
    "ballot-encoder/electionSampleLongContent.json",
    "ballot-encoder/electionWithMsEitherNeither.json",
    "electionguard-python/manifest-hamilton-general.json",
    "electionguard-python/manifest-full.json",
    "electionguard-python/manifest-small.json",
    "electionguard-python/manifest-minimal.json",
    "electionguard-python/election_manifest_simple.json",
)


def _recount(ballots: list[dict[str, Any]], allowed: dict[str, int]) -> dict[str, Counter[str]]:
    """Count the contract's ballots with the rule the contract states, written afresh here."""
    totals: dict[str, Counter[str]] = {}
    for ballot in ballots:
        for contest, marks in ballot["votes"].items():
            tally = totals.setdefault(contest, Counter())
            if len(marks) > allowed[contest]:
                continue
            tally.update(marks)
    return totals


def _assert_distinct(
    totals: dict[str, Counter[str]], choices: dict[str, list[str]], where: str
) -> None:
    for contest, tally in totals.items():
        counts = [tally[choice] for choice in choices[contest]]
        assert all(count > 0 for count in counts), f"{where}: {contest} has a zero total {counts}"
        assert len(set(counts)) == len(counts), f"{where}: {contest} repeats a total {counts}"


@pytest.mark.parametrize("name", DEFINITIONS)
def test_the_deck_of_a_real_definition_gives_every_choice_its_own_total(
    capsys: pytest.CaptureFixture[str], shared_data: Path, name: str
) -> None:
    path = shared_data / "election-definitions" / name
    result = votetrail(capsys, "lat", "deck", str(path), "--format", "json")
    assert result.code == 0, result.err
    deck = json.loads(result.out)
    assert set(deck) == {"ballots", "expected"}
    definition = read_definition(path)
    allowed = {c.id: c.votes_allowed for c in definition.contests}
    choices = {c.id: [choice.id for choice in c.choices] for c in definition.contests}
    carried = {c for style in definition.ballot_styles for c in style.contests}

    recount = _recount(deck["ballots"], allowed)
    assert set(recount) == carried
    expected = {contest: dict(tally) for contest, tally in deck["expected"].items()}
    assert expected == {
        contest: {choice: recount[contest][choice] for choice in choices[contest]}
        for contest in recount
    }
    _assert_distinct(recount, choices, "overall")
    for style in {ballot["ballot_style"] for ballot in deck["ballots"]}:
        ballots = [b for b in deck["ballots"] if b["ballot_style"] == style]
        _assert_distinct(_recount(ballots, allowed), choices, f"style {style}")
    for ballot in deck["ballots"]:
        assert set(ballot) == {"ballot_style", "precinct", "votes"}
        for contest, marks in ballot["votes"].items():
            assert len(set(marks)) == len(marks)
            assert set(marks) <= set(choices[contest])
    kinds = Counter(
        "blank"
        if not any(b["votes"].values())
        else "overvote"
        if any(len(m) > allowed[c] for c, m in b["votes"].items())
        else "votes"
        for b in deck["ballots"]
    )
    assert kinds["blank"] >= len(definition.ballot_styles)
    assert kinds["overvote"] >= 1


def test_write_ins_and_yes_no_options_are_choices_with_totals(
    capsys: pytest.CaptureFixture[str], shared_data: Path
) -> None:
    vx = shared_data / "election-definitions" / "ballot-encoder" / "electionSample.json"
    deck = json.loads(votetrail(capsys, "lat", "deck", str(vx)).out)
    assert deck["expected"]["city-mayor"]["write-in"] > 0
    assert set(deck["expected"]["question-a"]) == {"yes", "no"}
    assert "measure-666" not in deck["expected"]
    eg = shared_data / "election-definitions" / "electionguard-python" / "manifest-full.json"
    eg_deck = json.loads(votetrail(capsys, "lat", "deck", str(eg)).out)
    assert eg_deck["expected"]["justice-supreme-court"]["write-in"] > 0


def _cvr_report(tmp_path: Path, definition_file: Path, name: str = "cvrs.json") -> Path:
    out = tmp_path / name
    code = votetrail_plain(
        "lat", "deck", str(definition_file), "--format", "cvr", "--output", str(out)
    )
    assert code == 0
    return out


def votetrail_plain(*args: str) -> int:
    from votetrail.cli.main import run

    return run(list(args))


def _selection_ids(report: dict[str, Any], contest_name: str) -> dict[str, str]:
    """Choice name -> the report's selection id, for one contest of a NIST CVR report."""
    election = report["Election"][0]
    candidates = {c["@id"]: c["Name"] for c in election.get("Candidate", [])}
    for contest in election["Contest"]:
        if contest["Name"] == contest_name:
            out = {}
            for selection in contest["ContestSelection"]:
                ids = selection.get("CandidateIds") or []
                label = candidates.get(ids[0]) if ids else None
                out[str(label or selection.get("@id"))] = selection["@id"]
            return out
    raise AssertionError(f"no contest {contest_name!r} in the report")


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "adams.yaml"
    path.write_text(write_yaml(demo_definition("adams", "Adams County")), encoding="utf-8")
    return path


def test_the_decks_own_cvrs_pass_and_tampered_ones_fail_with_the_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_file: Path
) -> None:
    report_path = _cvr_report(tmp_path, demo_file)
    passed = votetrail(capsys, "lat", "compare", str(demo_file), str(report_path))
    assert passed.code == 0, passed.out
    assert "PASS" in passed.out
    original = json.loads(report_path.read_text(encoding="utf-8"))
    governor = _selection_ids(original, "Governor")

    swapped = json.loads(json.dumps(original))
    for contest in swapped["Election"][0]["Contest"]:
        if contest["Name"] == "Governor":
            first, second = contest["ContestSelection"][0], contest["ContestSelection"][1]
            first["@id"], second["@id"] = second["@id"], first["@id"]
    _check_fails(capsys, tmp_path, demo_file, swapped, "swapped", ["Avery Quinn", "Blake Rivera"])

    dropped = json.loads(json.dumps(original))
    dropped["CVR"].pop(0)
    _check_fails(capsys, tmp_path, demo_file, dropped, "not counted", ["ballot 1"])

    flipped = json.loads(json.dumps(original))
    quinn, rivera = governor["Avery Quinn"], governor["Blake Rivera"]
    for cvr in flipped["CVR"]:
        done = False
        for snapshot in cvr["CVRSnapshot"]:
            for contest in snapshot.get("CVRContest", []):
                for selection in contest.get("CVRContestSelection", []):
                    if (
                        selection.get("ContestSelectionId") == quinn
                        and len(contest["CVRContestSelection"]) == 1
                    ):
                        selection["ContestSelectionId"] = rivera
                        done = True
        if done:
            break
    _check_fails(
        capsys, tmp_path, demo_file, flipped, "counted for", ["Avery Quinn", "Blake Rivera"]
    )


def _check_fails(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    definition: Path,
    report: dict[str, Any],
    phrase: str,
    names: list[str],
) -> None:
    path = tmp_path / f"tampered-{phrase.replace(' ', '-')}.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    result = votetrail(capsys, "lat", "compare", str(definition), str(path))
    assert result.code == 1, result.out
    assert "FAIL" in result.out
    assert phrase in result.out, result.out
    for name in names:
        assert name in result.out, result.out


def test_deck_files_and_a_bad_definition(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_file: Path
) -> None:
    pdf = tmp_path / "deck.pdf"
    assert (
        votetrail(
            capsys, "lat", "deck", str(demo_file), "--format", "pdf", "--output", str(pdf)
        ).code
        == 0
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    csv_out = votetrail(capsys, "lat", "deck", str(demo_file), "--format", "csv")
    assert csv_out.code == 0
    assert "Avery Quinn" in csv_out.out
    one = votetrail(capsys, "lat", "deck", str(demo_file), "--precinct", "Adams P-1")
    both = votetrail(capsys, "lat", "deck", str(demo_file))
    # P-2's section has one ballot more: its own extra vote keeps its totals unlike P-1's.
    assert len(json.loads(one.out)["ballots"]) * 2 + 1 == len(json.loads(both.out)["ballots"])
    assert len(json.loads(both.out)["ballots"]) == len(
        generate_deck(read_definition(demo_file)).ballots
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    refused = votetrail(capsys, "lat", "deck", str(bad))
    assert refused.code != 0
    assert "bad.json" in refused.err


def test_a_session_through_the_command_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    demo_file: Path,
    demo_app: App,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOTETRAIL_PASSWORD", DEMO_PASSWORD)
    opened = votetrail_on(
        capsys, demo_app, "lat", "session", "open", "--county", "adams", "--definition",
        str(demo_file), "--phase", "pre", "--date", "2026-10-20", "--location", "Office",
        "--observer", "Jo Ortiz", "--user", "adams-admin",
    )  # fmt: skip
    assert opened.code == 0, opened.err
    session_id = opened.out.split()[1]
    assert votetrail_on(
        capsys, demo_app, "lat", "session", "device", session_id, "--serial", "ICP-1",
        "--seal", "S-1", "--precinct", "Adams P-1", "--user", "adams-admin",
    ).code == 0  # fmt: skip
    report = tmp_path / "icp1.json"
    assert votetrail_plain(
        "lat", "deck", str(demo_file), "--format", "cvr", "--precinct", "Adams P-1",
        "--tabulator", "ICP-1", "--output", str(report),
    ) == 0  # fmt: skip
    recorded = votetrail_on(
        capsys, demo_app, "lat", "session", "result", session_id, "--serial", "ICP-1",
        str(report), "--user", "adams-admin",
    )  # fmt: skip
    assert recorded.code == 0, recorded.out + recorded.err
    assert "PASS" in recorded.out
    refused = votetrail_on(
        capsys, demo_app, "lat", "session", "seal", session_id, "--serial", "ICP-1",
        "--seal", "S-2", "--user", "baker-admin",
    )  # fmt: skip
    assert refused.code != 0
    early = tmp_path / "early.pdf"
    no_certificate = votetrail_on(
        capsys, demo_app, "lat", "session", "certificate", session_id, "--output", str(early)
    )  # fmt: skip
    assert no_certificate.code != 0
    assert "not signed: in progress" in no_certificate.err
    assert not early.exists()
    unsealed = votetrail_on(
        capsys, demo_app, "lat", "session", "sign", session_id, "--official", "Clerk",
        "--statement", "We certify the results.", "--user", "adams-admin",
    )  # fmt: skip
    assert unsealed.code != 0
    assert "device ICP-1: has no seal recorded after the test" in unsealed.err
    assert votetrail_on(
        capsys, demo_app, "lat", "session", "unsealed", session_id, "--serial", "ICP-1",
        "--reason", "Kept open for the vendor's inspection", "--user", "adams-admin",
    ).code == 0  # fmt: skip
    assert votetrail_on(
        capsys, demo_app, "lat", "session", "sign", session_id, "--official", "Clerk",
        "--statement", "We certify the results.", "--user", "adams-admin",
    ).code == 0  # fmt: skip
    listed = votetrail_on(capsys, demo_app, "lat", "session", "list")
    assert session_id in listed.out
    assert "passed" in listed.out
    shown = votetrail_on(capsys, demo_app, "lat", "session", "show", session_id)
    assert "Jo Ortiz" in shown.out
    assert "run 1: PASS" in shown.out
    assert "after none (Kept open for the vendor's inspection)" in shown.out
    cert = tmp_path / "cert.pdf"
    assert votetrail_on(
        capsys, demo_app, "lat", "session", "certificate", session_id, "--output", str(cert)
    ).code == 0  # fmt: skip
    assert cert.read_bytes().startswith(b"%PDF")


def test_cards_of_an_unknown_style_are_compared_as_a_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_file: Path
) -> None:
    report = json.loads(_cvr_report(tmp_path, demo_file).read_text(encoding="utf-8"))
    for cvr in report["CVR"]:
        cvr["BallotStyleId"] = "1"
    relabelled = tmp_path / "relabelled.json"
    relabelled.write_text(json.dumps(report), encoding="utf-8")
    result = votetrail(capsys, "lat", "compare", str(demo_file), str(relabelled))
    assert result.code == 1
    assert "No ballots of style" not in result.out
    assert "not counted" not in result.out
    assert "'1'" in result.out  # the style the definition lacks is named


def test_compare_refuses_a_precinct_the_definition_lacks(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_file: Path
) -> None:
    report = _cvr_report(tmp_path, demo_file)
    result = votetrail(
        capsys, "lat", "compare", str(demo_file), str(report), "--precinct", "Nowhere"
    )
    assert result.code != 0
    assert "Nowhere" in result.err


def test_compare_checks_what_the_report_says_about_itself(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_file: Path
) -> None:
    report = tmp_path / "p2.json"
    assert votetrail_plain(
        "lat", "deck", str(demo_file), "--format", "cvr", "--precinct", "Adams P-2",
        "--tabulator", "ICP-2", "--output", str(report),
    ) == 0  # fmt: skip
    own = votetrail(
        capsys, "lat", "compare", str(demo_file), str(report), "--precinct", "Adams P-2",
        "--serial", "ICP-2",
    )  # fmt: skip
    assert own.code == 0, own.out
    wrong = votetrail(
        capsys, "lat", "compare", str(demo_file), str(report), "--precinct", "Adams P-1",
        "--serial", "ICP-1",
    )  # fmt: skip
    assert wrong.code == 1
    assert "The report says it comes from device 'ICP-2', not from ICP-1" in wrong.out
    assert "which this tabulator does not count" not in wrong.out
    assert "The report is of precinct Adams P-2, which device ICP-1 does not count" in wrong.out
    assert "The report matches the test deck of precinct Adams P-2, not of precinct" in wrong.out
