"""Acceptance: RCTab's own test suite, case by case, against its expected reports.

The cases are RCTab's (BrightSpots/rcv, ``src/test/resources/network/
brightspots/rcv/test_data``, commit 2167c240ddd25e40427cc3e7e1ecf46ef62f0b7f),
kept in ``../shared/data/cvr/rctab`` and reached through ``shared_data``. Each
contest is read from its configuration as is (rules, candidates, CVRs in five
vendor formats), counted by votetrail, and every round is compared with the
case's ``*_expected_detailed_report.json`` as text: the votes per candidate,
who was elected or eliminated and where their votes went, the inactive
ballots by reason, the threshold, and the summary's ballot totals. Text, not
numbers, so a truncated digit or a lost scale ("7.5000" against "7.5") fails.

Cases that test RCTab's user interface or invalid configurations must be
refused with votetrail's own sentence instead (``REFUSED``); cases that test
RCTab's CVR conversion (no count) must read every ballot RCTab lists in its
expected conversion CSV. ``test_every_case_is_accounted_for`` keeps the three
lists complete, so a case added to the suite cannot be skipped in silence.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from votetrail.core.rcv.ballots import OVERVOTE, UNDECLARED_WRITE_IN, RankedBallot
from votetrail.core.rcv.rules import RoundResult, RulesError, Tabulation
from votetrail.core.rcv.tabulate import tabulate
from votetrail.errors import InvalidInput
from votetrail.formats.rcv.contest import load_contest

SUITE = "cvr/rctab"

COUNTED = (
    "2013_minneapolis_mayor",
    "2013_minneapolis_park",
    "2013_minneapolis_park_bottoms_up",
    "2013_minneapolis_park_hare",
    "2013_minneapolis_park_sequential",
    "2015_portland_mayor",
    "2015_portland_mayor_codes",
    "aliases_ess_xlsx",
    "batch_example",
    "clear_ballot_with_inline_comma",
    "continue_tabulation_test",
    "continue_until_two_threshold_freeze",
    "continue_until_two_with_batch_elimination_test",
    "csv_missing_header_test",
    "dominion_alaska",
    "duplicate_test",
    "excluded_test",
    "exhaust_if_multiple_continuing",
    "first_round_determines_threshold_test",
    "first_round_determines_threshold_tiebreaker_test",
    "generic_csv_test",
    "hart_travis_county_officers",
    "minneapolis_multi_seat_threshold",
    "missing_precinct_example",
    "more_winners_than_candidates",
    "multi_seat_bottoms_up_with_cutoff_eliminate",
    "multi_seat_bottoms_up_with_dynamic_threshold",
    "multi_seat_bottoms_up_with_static_threshold",
    "multi_seat_uwi_test",
    "nist_xml_cdf_2",
    "precinct_example",
    "sequential_with_batch",
    "sequential_with_continue_until_two",
    "skip_to_next_test",
    "stop_tabulation_early_test",
    "test_set_0_skipped_first_choice",
    "test_set_1_exhaust_at_overvote",
    "test_set_2_overvote_skip_to_next",
    "test_set_3_skipped_choice_exhaust",
    "test_set_4_skipped_choice_next",
    "test_set_5_two_skipped_choice_exhaust",
    "test_set_6_duplicate_exhaust",
    "test_set_7_duplicate_skip_to_next",
    "test_set_8_multi_cdf",
    "test_set_allow_only_one_winner_per_round",
    "test_set_multi_winner_fractional_threshold",
    "test_set_multi_winner_whole_threshold",
    "test_set_overvote_delimiter",
    "test_set_treat_blank_as_undeclared_write_in",
    "tiebreak_generate_permutation_test",
    "tiebreak_previous_round_counts_then_random_test",
    "tiebreak_seed_test",
    "tiebreak_use_permutation_in_config_test",
    "unisyn_xml_cdf_city_chief_of_police",
    "unisyn_xml_cdf_city_coroner",
    "unisyn_xml_cdf_city_council_member",
    "unisyn_xml_cdf_city_mayor",
    "unisyn_xml_cdf_city_tax_collector",
    "unisyn_xml_cdf_county_coroner",
    "unisyn_xml_cdf_county_sheriff",
    "uwi_cannot_win_test",
)

# config file (relative to the suite) -> (error type, words the sentence must contain, why)
REFUSED: dict[str, tuple[type[Exception], str, str]] = {
    "invalid_params_test/invalid_params_test_config.json": (
        InvalidInput,
        r"rules\.tiebreakMode \(line \d+\): 'whatever' is not one of RCTab's values",
        "RCTab's invalid-configuration test: bad rule values",
    ),
    "invalid_sources_test/invalid_sources_test_config.json": (
        InvalidInput,
        r"filePath of CVR source 1 \(line \d+\): 'test_data/nonexistent_path': no such file",
        "RCTab's invalid-configuration test: bad CVR sources",
    ),
    "invalid_output_directory/config.json": (
        InvalidInput,
        r"outputSettings\.outputDirectory \(line \d+\): 'C:/Users/output' is inside",
        "RCTab's invalid-configuration test: output inside the user folders",
    ),
    "max_ranking_enforcement/max_ranking_enforcement_config.json": (
        InvalidInput,
        r"ballot 1 ranks a candidate at rank 4, but the contest allows 3 rankings",
        "RCTab's refusal of a CVR ranking past maxRankingsAllowed",
    ),
    "sample_interactive_tiebreak/sample_interactive_tiebreak_config.json": (
        RulesError,
        r"round 2: George Gervin and Yinka Dare are tied for elimination, "
        r"and tiebreakMode stopCountingAndAsk asks an operator",
        "RCTab user-interface test: an operator breaks the tie in a dialog",
    ),
    "sample_interactive_tiebreak/sample_interactive_tiebreak_sequential_config.json": (
        InvalidInput,
        r"'sample_interactive_tiebreak_cvr\.xlsx': no such file",
        "RCTab user-interface test whose CVR upstream left out of the suite",
    ),
    "conversions_from_cdf/conversions_from_cdf_config.json": (
        InvalidInput,
        r"'\.\./_shared/cdf_json/cdf_json_file1_cvr\.json': no such file",
        "conversion test whose CDF CVRs are left out of this copy of the suite",
    ),
}

CONVERTED = ("conversions_from_dominion", "conversions_from_ess")
"""RCTab's CVR-conversion tests: no count, but every ballot must read as RCTab read it."""

NOT_CONTESTS = {
    "_shared": "CVR files other cases point at",
    "unisyn_cvrs": "CVR files other cases point at",
    "signature_validation": "RCTab's check of its own signed output files, not a contest",
}


def _config(case: Path) -> Path:
    found = sorted(case.glob("*_config.json"))
    assert len(found) == 1, f"{case.name}: expected one configuration, found {found}"
    return found[0]


def _reports(case: Path, tabulation: Tabulation) -> list[tuple[str, tuple[RoundResult, ...]]]:
    if tabulation.passes:
        return [
            (f"{case.name}_{seat}_expected_detailed_report.json", one.rounds)
            for seat, one in enumerate(tabulation.passes, start=1)
        ]
    return [(f"{case.name}_expected_detailed_report.json", tabulation.rounds)]


def _as_report(rounds: tuple[RoundResult, ...]) -> list[dict[str, Any]]:
    """Our rounds in the shape and number format of RCTab's detailed report."""
    shaped = []
    for one in rounds:
        inactive = {reason.value: str(votes) for reason, votes in one.inactive.items()}
        if one.final_round_surplus is not None:
            inactive["finalRoundSurplus"] = str(one.final_round_surplus)
        shaped.append(
            {
                "round": one.round,
                "tally": {name: str(votes) for name, votes in one.tally.items()},
                "tallyResults": [
                    {
                        ("elected" if d.elected else "eliminated"): d.candidate,
                        "transfers": {to: str(votes) for to, votes in d.transfers.items()},
                    }
                    for d in one.decisions
                ],
                "inactiveBallots": inactive,
                "threshold": str(one.threshold),
            }
        )
    return shaped


@pytest.mark.parametrize("name", COUNTED)
def test_case_reproduces_rctab_report(shared_data: Path, name: str) -> None:
    case = shared_data / SUITE / name
    rules, ballots = load_contest(_config(case))
    tabulation = tabulate(rules, ballots)
    for report_name, rounds in _reports(case, tabulation):
        expected = json.loads((case / report_name).read_text(encoding="utf-8"))
        got = _as_report(rounds)
        assert len(got) == len(expected["results"]), f"{report_name}: number of rounds"
        for ours, theirs in zip(got, expected["results"], strict=True):
            assert ours == theirs, f"{report_name}: round {theirs['round']} differs"
        summary = expected["summary"]
        assert str(tabulation.total_ballots) == summary["totalNumBallots"]
        assert tabulation.undervotes == summary["undervotes"]
        assert str(rounds[-1].threshold) == summary["finalThreshold"]


@pytest.mark.parametrize("config", sorted(REFUSED))
def test_ui_and_invalid_cases_get_a_clear_error(shared_data: Path, config: str) -> None:
    error, words, _why = REFUSED[config]
    with pytest.raises(error) as caught:
        _load_and_count(shared_data / SUITE / config)
    message = str(caught.value)
    assert re.search(words, message), message
    assert "Traceback" not in message
    assert "Error(" not in message


def _load_and_count(config: Path) -> Tabulation:
    rules, ballots = load_contest(config)
    return tabulate(rules, ballots)


def _ranks_from_conversion(cells: list[str]) -> tuple[frozenset[str], ...]:
    ranks = [frozenset() if cell == "undervote" else frozenset(cell.split("\n")) for cell in cells]
    while ranks and not ranks[-1]:
        ranks.pop()
    return tuple(ranks)


def _ranks_read(ballot: RankedBallot, spellings: dict[str, str]) -> tuple[frozenset[str], ...]:
    ranks = [frozenset(spellings.get(mark, mark) for mark in marks) for marks in ballot.ranks]
    while ranks and not ranks[-1]:
        ranks.pop()
    return tuple(ranks)


@pytest.mark.parametrize("name", CONVERTED)
def test_conversion_case_reads_every_ballot_as_rctab(shared_data: Path, name: str) -> None:
    case = shared_data / SUITE / name
    rules, ballots = load_contest(_config(case))
    with (case / f"{name}_expected.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    first_rank = rows[0].index("Rank 1")
    expected = [_ranks_from_conversion(row[first_rank:]) for row in rows[1:]]
    # RCTab's conversion writes an overvote as "overvote" and an undeclared
    # write-in as the source's own label.
    spellings = {**rules.name_for(), OVERVOTE: "overvote"}
    if rules.undeclared_write_in_label:
        spellings[UNDECLARED_WRITE_IN] = rules.undeclared_write_in_label
    assert [_ranks_read(b, spellings) for b in ballots] == expected
    assert tabulate(rules, ballots).winners


def test_every_case_is_accounted_for(shared_data: Path) -> None:
    folders = {p.name for p in (shared_data / SUITE).iterdir() if p.is_dir()}
    listed = set(COUNTED) | set(CONVERTED) | set(NOT_CONTESTS) | {c.split("/")[0] for c in REFUSED}
    assert folders == listed
    with_reports = {
        p.parent.name for p in (shared_data / SUITE).glob("*/*_expected_detailed_report.json")
    }
    assert with_reports == set(COUNTED)
