"""RCTab contest configuration files: every suite config loads or is refused in words.

The suite is RCTab's own (BrightSpots/rcv, src/test/resources/network/brightspots/rcv/
test_data at commit 2167c240ddd25e40427cc3e7e1ecf46ef62f0b7f), reached through the
``shared_data`` fixture. The field names, defaults, legacy names and checks follow RCTab's
ContestConfig.java, RawContestConfig.java and ContestConfigMigration.java at that commit.
The small configs written below are our own values in that layout.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.shared_data import shared_data_dir
from votetrail.core.rcv.rules import OvervoteRule, TiebreakMode, WinnerElectionMode
from votetrail.errors import InvalidInput
from votetrail.formats.rcv.config import Provider, read_config

SUITE = "cvr/rctab"

REFUSED = {
    "invalid_params_test/invalid_params_test_config.json": [
        "field rules.tiebreakMode (line 13): 'whatever' is not one of RCTab's values",
        "field rules.overvoteRule (line 14): 'invalidOption' is not one of RCTab's values",
        "field rules.decimalPlacesForVoteArithmetic (line 16): -1 must be a whole number",
        "field rules.maxRankingsAllowed (line 17): -1 must be max or a whole number",
        "field rules.maxSkippedRanksAllowed (line 18): -3 must be unlimited",
        "field rules.batchElimination (line 20): 'True' must be true or false",
        "field cvrFileSources (line 10): must list at least one",
    ],
    "invalid_sources_test/invalid_sources_test_config.json": [
        "field filePath of CVR source 1 (line 12): 'test_data/nonexistent_path': no such file",
        "field firstVoteColumnIndex of CVR source 2 (line 19): is required",
        "field filePath of CVR source 3 (line 24): is required",
        "field firstVoteRowIndex of CVR source 4 (line 31): is required",
        "field precinctColumnIndex of CVR source 4 (line 31): is required when "
        "tabulateByPrecinct is true",
    ],
    "invalid_output_directory/config.json": [
        "field outputSettings.outputDirectory (line 5): 'C:/Users/output' is inside the "
        "computer's user folders",
    ],
    # The shared copy leaves out these CVR files (README: "Some upstream cases are left out").
    "conversions_from_cdf/conversions_from_cdf_config.json": [
        "field filePath of CVR source 1 (line 14): '../_shared/cdf_json/cdf_json_file1_cvr.json'"
        ": no such file or folder",
    ],
    "sample_interactive_tiebreak/sample_interactive_tiebreak_sequential_config.json": [
        "field filePath of CVR source 1 (line 14): 'sample_interactive_tiebreak_cvr.xlsx': "
        "no such file or folder",
    ],
}


def _suite_configs() -> list[str]:
    folder = shared_data_dir() / SUITE
    if not folder.is_dir():
        return ["(suite missing)"]
    return sorted(
        str(p.relative_to(folder))
        for p in folder.glob("*/*.json")
        if p.name.endswith("config.json")
    )


@pytest.mark.parametrize("name", _suite_configs())
def test_every_suite_config_loads_or_is_refused_in_words(shared_data: Path, name: str) -> None:
    path = shared_data / SUITE / name
    if name in REFUSED:
        with pytest.raises(InvalidInput) as refused:
            read_config(path)
        message = str(refused.value)
        assert message.startswith(f"{path}: RCTab contest configuration refused: ")
        for expected in REFUSED[name]:
            assert expected in message
        assert "Traceback" not in message
        assert "Error" not in message
    else:
        config = read_config(path)
        assert config.sources
        assert config.rules.candidates
        for source in config.sources:
            assert source.path.exists()


def test_suite_config_is_typed_like_rctab(shared_data: Path) -> None:
    folder = shared_data / SUITE
    config = read_config(folder / "2013_minneapolis_mayor/2013_minneapolis_mayor_config.json")
    rules = config.rules
    assert rules.winner_election_mode is WinnerElectionMode.SINGLE_WINNER_MAJORITY
    assert rules.tiebreak_mode is TiebreakMode.RANDOM
    assert rules.random_seed == 0
    assert rules.overvote_rule is OvervoteRule.EXHAUST_IMMEDIATELY
    assert (rules.max_rankings_allowed, rules.max_skipped_ranks_allowed) == (3, 1)
    assert rules.batch_elimination
    assert rules.undeclared_write_in_label == "UWI"
    assert len(rules.candidates) == 35
    (source,) = config.sources
    assert source.provider is Provider.ESS
    assert source.path == folder / "2013_minneapolis_mayor/2013_minneapolis_mayor_cvr.xlsx"
    assert (source.first_vote_column, source.first_vote_row, source.precinct_column) == (2, 2, 1)
    assert (source.overvote_label, source.skipped_rank_label) == ("overvote", "undervote")
    assert config.output.tabulate_by_precinct
    threshold = read_config(
        folder
        / "multi_seat_bottoms_up_with_static_threshold"
        / "multi_seat_bottoms_up_with_static_threshold_config.json"
    ).rules
    assert threshold.winner_election_mode is WinnerElectionMode.BOTTOMS_UP_PERCENTAGE_THRESHOLD
    assert threshold.bottoms_up_percentage_threshold == Decimal("0.15")
    assert threshold.number_of_winners == 0
    codes = read_config(
        folder / "2015_portland_mayor_codes/2015_portland_mayor_codes_config.json"
    ).rules
    assert all(c.aliases for c in codes.candidates)


def test_interactive_tiebreak_loads_for_the_count_to_refuse_at_a_tie(shared_data: Path) -> None:
    path = (
        shared_data / SUITE / "sample_interactive_tiebreak/sample_interactive_tiebreak_config.json"
    )
    rules = read_config(path).rules
    assert rules.tiebreak_mode is TiebreakMode.STOP_COUNTING_AND_ASK
    assert rules.tiebreak_mode.is_interactive


# -- small configurations of our own ---------------------------------------------------------


def _config(folder: Path, **changes: Any) -> Path:
    """A valid config (ES&S source, two candidates) with fields replaced."""
    (folder / "cvr.xlsx").write_bytes(b"not read by the config reader")
    raw: dict[str, Any] = {
        "tabulatorVersion": "TEST",
        "outputSettings": {"contestName": "Our Mayor", "outputDirectory": "output"},
        "cvrFileSources": [
            {
                "filePath": "cvr.xlsx",
                "provider": "ess",
                "firstVoteColumnIndex": "2",
                "firstVoteRowIndex": "2",
                "overvoteLabel": "overvote",
                "skippedRankLabel": "undervote",
            }
        ],
        "candidates": [{"name": "Ada"}, {"name": "Grace", "aliases": ["G. Hopper"]}],
        "rules": {
            "tiebreakMode": "useCandidateOrder",
            "overvoteRule": "exhaustImmediately",
            "winnerElectionMode": "singleWinnerMajority",
            "numberOfWinners": "1",
            "decimalPlacesForVoteArithmetic": "4",
            "maxSkippedRanksAllowed": "1",
            "maxRankingsAllowed": "max",
        },
    }
    for dotted, value in changes.items():
        section, _, key = dotted.partition("__")
        if not key:
            section, key = "", section
        target: dict[str, Any] = raw if not section else raw[section]
        if section == "cvrFileSources":
            target = raw[section][0]
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    path = folder / "contest_config.json"
    path.write_text(json.dumps(raw, indent=2))
    return path


def _line(path: Path, needle: str) -> int:
    """The first line of the file holding ``needle`` (what messages should point at)."""
    lines = path.read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def _refusal(path: Path) -> str:
    with pytest.raises(InvalidInput) as refused:
        read_config(path)
    return str(refused.value)


def test_a_valid_small_config_loads_with_rctab_defaults(tmp_path: Path) -> None:
    config = read_config(_config(tmp_path))
    assert config.rules.max_rankings_allowed is None
    assert config.rules.stop_tabulation_early_after_round is None
    assert config.rules.candidates[1].aliases == ("G. Hopper",)
    assert config.sources[0].path == tmp_path / "cvr.xlsx"
    assert config.sources[0].label == "CVR source 1 (cvr.xlsx)"


def test_numbers_may_be_json_numbers(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        rules__numberOfWinners=1,
        rules__maxRankingsAllowed=3,
        rules__randomSeed=-7,
        cvrFileSources__firstVoteColumnIndex=2,
    )
    config = read_config(path)
    assert config.rules.max_rankings_allowed == 3
    assert config.rules.random_seed == -7
    assert config.sources[0].first_vote_column == 2


def test_older_versions_field_names_are_read(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        tabulatorVersion=None,
        rules__winnerElectionMode="standard",
        rules__numberOfWinners="2",
        rules__tiebreakMode="random",
        rules__randomSeed="5",
        rules__undervoteLabel="skipped",
        rules__undeclaredWriteInLabel="Write-in",
        cvrFileSources__skippedRankLabel=None,
    )
    raw = json.loads(path.read_text())
    assert "tabulatorVersion" not in raw
    raw["candidates"][0]["code"] = "A1"
    path.write_text(json.dumps(raw))
    config = read_config(path)
    assert (
        config.rules.winner_election_mode
        is WinnerElectionMode.MULTI_SEAT_MULTIPLE_WINNERS_PER_ROUND
    )
    assert config.sources[0].skipped_rank_label == "skipped"
    assert config.sources[0].undeclared_write_in_label == "Write-in"
    assert config.rules.undeclared_write_in_label == "Write-in"
    assert config.rules.candidates[0].aliases == ("A1",)


def test_old_continue_until_two_mode_becomes_the_flag(tmp_path: Path) -> None:
    path = _config(tmp_path, rules__winnerElectionMode="singleSeatContinueUntilTwoCandidatesRemain")
    raw = json.loads(path.read_text())
    raw["tabulatorVersion"] = "1.0.1"
    path.write_text(json.dumps(raw))
    rules = read_config(path).rules
    assert rules.winner_election_mode is WinnerElectionMode.SINGLE_WINNER_MAJORITY
    assert rules.continue_until_two_candidates_remain


def test_old_bottoms_up_mode_with_zero_winners_uses_the_threshold(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        rules__winnerElectionMode="multiSeatBottomsUp",
        rules__numberOfWinners="0",
        rules__multiSeatBottomsUpPercentageThreshold="25",
        rules__overvoteRule="alwaysSkipToNextRank",
    )
    raw = json.loads(path.read_text())
    raw["tabulatorVersion"] = "1.2.0"
    path.write_text(json.dumps(raw))
    rules = read_config(path).rules
    assert rules.winner_election_mode is WinnerElectionMode.BOTTOMS_UP_PERCENTAGE_THRESHOLD
    assert rules.bottoms_up_percentage_threshold == Decimal("0.25")


def test_a_source_field_another_provider_owns_is_refused(tmp_path: Path) -> None:
    path = _config(tmp_path, cvrFileSources__provider="dominion")
    message = _refusal(path)
    column = _line(path, '"firstVoteColumnIndex"')
    assert (
        f"field firstVoteColumnIndex of CVR source 1 (line {column}): must not be set for "
        "provider dominion" in message
    )
    entry = _line(path, '"filePath"') - 1
    assert f"field contestId of CVR source 1 (line {entry}): is required for provider dominion" in (
        message
    )
    assert "field overvoteLabel of CVR source 1" in message


def test_an_unknown_provider_is_named(tmp_path: Path) -> None:
    path = _config(tmp_path, cvrFileSources__provider="unisyn")
    line = _line(path, '"provider"')
    message = _refusal(path)
    assert f"field provider of CVR source 1 (line {line}): 'unisyn' is not a CVR provider" in (
        message
    )


def test_overvote_delimiter_rules(tmp_path: Path) -> None:
    message = _refusal(_config(tmp_path, cvrFileSources__overvoteDelimiter="and"))
    assert "field overvoteDelimiter of CVR source 1" in message
    assert "cannot separate names" in message
    assert "cannot be given together with overvoteLabel" in message


def test_exhaust_if_multiple_continuing_needs_the_names_of_an_overvote(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        rules__overvoteRule="exhaustIfMultipleContinuing",
        cvrFileSources__overvoteLabel=None,
    )
    message = _refusal(path)
    entry = _line(path, '"filePath"') - 1
    assert (
        f"field overvoteDelimiter of CVR source 1 (line {entry}): is required for an ES&S source"
        in message
    )


def test_labels_may_not_be_reserved_or_shared(tmp_path: Path) -> None:
    message = _refusal(_config(tmp_path, cvrFileSources__skippedRankLabel="Overvote"))
    assert "'Overvote' is also this source's overvoteLabel" in message
    message = _refusal(_config(tmp_path, cvrFileSources__overvoteLabel="exhausted"))
    assert "'exhausted' is a word RCTab's reports reserve" in message


def test_candidate_problems_are_named(tmp_path: Path) -> None:
    path = _config(tmp_path)
    raw = json.loads(path.read_text())
    raw["candidates"] = [{"name": ""}, {"name": "Ada", "aliases": ["Grace"]}, {"name": "Grace"}]
    path.write_text(json.dumps(raw, indent=2))
    message = _refusal(path)
    blank = _line(path, '"name": ""')
    assert f"field name of candidate 1 (line {blank}): is required" in message


def test_setting_combinations_rctab_refuses(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        rules__winnerElectionMode="multiWinnerAllowMultipleWinnersPerRound",
        rules__numberOfWinners="2",
        rules__continueUntilTwoCandidatesRemain=True,
    )
    message = _refusal(path)
    assert "field rules.continueUntilTwoCandidatesRemain (line " in message
    assert "multi-seat" in message


def test_a_random_tiebreak_needs_a_seed_in_range(tmp_path: Path) -> None:
    message = _refusal(_config(tmp_path, rules__tiebreakMode="random"))
    assert "field rules.randomSeed: tiebreak mode random needs a random seed" in message
    message = _refusal(
        _config(tmp_path, rules__tiebreakMode="random", rules__randomSeed="140737488355328")
    )
    assert "field rules.randomSeed (line " in message


def test_cdf_sources_cannot_be_tabulated_by_precinct(tmp_path: Path) -> None:
    (tmp_path / "cvr.json").write_text("{}")
    path = _config(
        tmp_path,
        cvrFileSources__provider="cdf",
        cvrFileSources__filePath="cvr.json",
        cvrFileSources__contestId="Mayor",
        cvrFileSources__firstVoteColumnIndex=None,
        cvrFileSources__firstVoteRowIndex=None,
        cvrFileSources__skippedRankLabel=None,
        outputSettings__tabulateByPrecinct=True,
    )
    message = _refusal(path)
    assert "field outputSettings.tabulateByPrecinct" in message
    assert "cannot be made from cdf sources" in message


def test_two_sources_may_not_name_one_file(tmp_path: Path) -> None:
    path = _config(tmp_path)
    raw = json.loads(path.read_text())
    raw["cvrFileSources"].append(dict(raw["cvrFileSources"][0], filePath="./cvr.xlsx"))
    path.write_text(json.dumps(raw, indent=2))
    assert "is already CVR source 1" in _refusal(path)


def test_a_file_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken_config.json"
    path.write_text('{\n  "tabulatorVersion": "TEST",\n  "rules": {,\n}')
    message = _refusal(path)
    assert message.startswith(f"{path}: line 3: the contest configuration is not valid JSON")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "absent_config.json"
    assert _refusal(path) == f"{path}: the contest configuration file does not exist"
