"""RCTab's tabulation rules on ballots typed by hand.

The ballots are RCTab's own small test sets (BrightSpots/rcv,
``src/test/resources/network/brightspots/rcv/test_data/test_set_*``, commit
2167c240ddd25e40427cc3e7e1ecf46ef62f0b7f; the same files are in
``../shared/data/cvr/rctab``), re-typed here one ballot per string: ranks
separated by spaces, ``-`` a skipped rank, ``AB`` both A and B marked at one
rank. The expected values are those of each set's
``*_expected_detailed_report.json``, so these tests hold the tabulator to
RCTab's published arithmetic without needing a CVR reader.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from votetrail.core.rcv.ballots import OVERVOTE, UNDECLARED_WRITE_IN, RankedBallot
from votetrail.core.rcv.rules import (
    Candidate,
    ContestRules,
    InactiveReason,
    OvervoteRule,
    RoundResult,
    RulesError,
    Tabulation,
    TiebreakMode,
    WinnerElectionMode,
)
from votetrail.core.rcv.tabulate import BallotError, tabulate, truncate_divide, truncate_multiply


def ballots(*lines: str) -> list[RankedBallot]:
    made = []
    for number, line in enumerate(lines, start=1):
        ranks = tuple(() if rank == "-" else tuple(rank) for rank in line.split())
        made.append(RankedBallot(id=str(number), ranks=ranks, source="typed"))
    return made


def rules(names: str = "ABCD", **settings: object) -> ContestRules:
    return ContestRules(candidates=tuple(Candidate(name) for name in names), **settings)  # type: ignore[arg-type]


def tallies(result: Tabulation) -> list[dict[str, str]]:
    return [{name: str(votes) for name, votes in r.tally.items()} for r in result.rounds]


def moves(round_result: RoundResult) -> list[tuple[str, str, dict[str, str]]]:
    return [
        (
            "elected" if d.elected else "eliminated",
            d.candidate,
            {target: str(votes) for target, votes in d.transfers.items()},
        )
        for d in round_result.decisions
    ]


def inactive(round_result: RoundResult) -> dict[str, str]:
    return {reason.value: str(v) for reason, v in round_result.inactive.items() if v}


FRACTIONAL = ballots(
    "D - C E F A", "E D F A B C", "C E A D B F", "F C B D", "B - - - - A", "F A B D E C",
    "B E C D", "A B C - E F", "- C F D B A", "- - - - - E", "C E D", "F C F D B A",
    "C E - - F A", "E C B - F D", "A B D C F E", "D - - E F A", "E D F A B C", "C E A D B F",
    "A C B D", "B - - - - A", "E A B D F C", "B E C D", "A B C - E F", "E C F D B A",
    "A - - - - E", "C E D", "E C F D B A", "C E - - F A", "B C E - F D", "A B D C F E",
)  # fmt: skip


def multi_seat(**settings: object) -> ContestRules:
    return rules(
        "ABCDEF",
        winner_election_mode=WinnerElectionMode.MULTI_SEAT_MULTIPLE_WINNERS_PER_ROUND,
        number_of_winners=3,
        max_rankings_allowed=6,
        **settings,
    )


def test_fractional_threshold_surplus_transfers_match_rctab() -> None:
    result = tabulate(multi_seat(non_integer_winning_threshold=True), FRACTIONAL)
    assert tallies(result) == [
        {"C": "7", "A": "6", "E": "6", "B": "5", "F": "3", "D": "2"},
        {"C": "8", "A": "6", "E": "6", "B": "5", "F": "3"},
        {"C": "7.2501", "A": "6", "E": "6.6559", "B": "5", "F": "3.0937"},
        {"C": "7.2501", "A": "7", "E": "6.6559", "B": "7.0937"},
        {"C": "7.2501", "A": "10.2811", "B": "10.0937"},
        {"C": "7.2501", "A": "7.2501", "B": "7.2501"},
    ]
    assert {str(r.threshold) for r in result.rounds} == {"7.2501"}
    assert moves(result.rounds[1]) == [
        ("elected", "C", {"E": "0.6559", "F": "0.0937", "residual surplus": "0.0003"})
    ]
    assert moves(result.rounds[3]) == [
        ("eliminated", "E", {"A": "3.2811", "B": "3", "exhausted": "0.3748"})
    ]
    assert moves(result.rounds[4]) == [
        ("elected", "A", {"exhausted": "3.0308", "residual surplus": "0.0002"}),
        ("elected", "B", {"exhausted": "2.8433", "residual surplus": "0.0003"}),
    ]
    assert inactive(result.rounds[4]) == {"skippedRankings": "2.1874", "exhaustedChoices": "0.1874"}
    assert str(result.rounds[-1].final_round_surplus) == "5.8741"
    assert result.rounds[0].final_round_surplus is None
    assert result.winners == ("C", "A", "B")
    assert (result.total_ballots, result.undervotes) == (30, 0)


def test_whole_threshold_truncates_fractions_to_four_places() -> None:
    typed = list(FRACTIONAL)
    # The whole-threshold set differs from the fractional one in three ballots.
    typed[1] = ballots("C D F A B E")[0]
    typed[13] = ballots("C E B - F D")[0]
    typed[18] = ballots("A C B D")[0]
    result = tabulate(multi_seat(), typed)
    assert {str(r.threshold) for r in result.rounds} == {"8"}
    assert moves(result.rounds[0]) == [
        (
            "elected",
            "C",
            {"D": "0.1111", "E": "0.7777", "F": "0.1111", "residual surplus": "0.0001"},
        )
    ]
    assert tallies(result)[4] == {"C": "8", "A": "10.3333", "B": "9.2222"}
    assert moves(result.rounds[4])[0] == (
        "elected",
        "A",
        {"exhausted": "2.3330", "residual surplus": "0.0003"},
    )
    assert str(result.rounds[-1].final_round_surplus) == "3.5549"


EXHAUST_OVERVOTES = rules(
    overvote_rule=OvervoteRule.EXHAUST_IMMEDIATELY, max_skipped_ranks_allowed=4, decimal_places=1
)
"""The rules of RCTab's test sets 0 and 1."""


def test_overvote_exhausts_immediately() -> None:
    typed = ballots(
        "AB - C D", "B A D C", "C B A D", "A C B D", "B C A D", "A C B D", "B A C D", "C BD A",
        "B C A D", "A B D C", "B C A D", "B A D C", "A - - C", "D C - B", "A B D C",
    )  # fmt: skip
    result = tabulate(EXHAUST_OVERVOTES, typed)
    assert tallies(result) == [
        {"B": "6", "A": "5", "C": "2", "D": "1"},
        {"B": "6", "A": "5", "C": "3"},
        {"B": "8", "A": "5"},
    ]
    assert [str(r.threshold) for r in result.rounds] == ["8", "8", "7"]
    assert moves(result.rounds[1]) == [("eliminated", "C", {"B": "2", "exhausted": "1"})]
    assert [inactive(r) for r in result.rounds] == [{"overvotes": "1"}] * 2 + [{"overvotes": "2"}]
    assert result.winners == ("B",)


def test_duplicate_ranking_exhausts_when_reached() -> None:
    typed = ballots(
        "D D A", "C D C A", "C B A D", "A C B D", "B C A D", "A C B D", "B A C D", "A B C",
        "B C A D", "A B D C", "C D D A", "B A D C", "C B", "D B A", "A B D C",
    )  # fmt: skip
    result = tabulate(
        rules(exhaust_on_duplicate_candidate=True, max_skipped_ranks_allowed=4, decimal_places=1),
        typed,
    )
    assert moves(result.rounds[0]) == [("eliminated", "D", {"B": "1", "exhausted": "1"})]
    assert [inactive(r) for r in result.rounds] == [
        {},
        {"repeatedRankings": "1"},
        {"repeatedRankings": "3"},
    ]
    assert tallies(result)[-1] == {"B": "7", "A": "5"}


def test_two_skipped_ranks_exhaust_when_one_is_allowed() -> None:
    typed = ballots(
        "- B C", "B A D C", "C B A D", "A C B D", "B C A D", "A C B D", "B A C D", "A B C",
        "B C A D", "A B D C", "B C A D", "B A D C", "C - - B", "D C - B", "A B D C",
    )  # fmt: skip
    result = tabulate(rules(decimal_places=1), typed)
    assert tallies(result)[0] == {"B": "7", "A": "5", "C": "2", "D": "1"}
    assert moves(result.rounds[1]) == [("eliminated", "C", {"B": "2", "exhausted": "1"})]
    assert inactive(result.rounds[2]) == {"skippedRankings": "1"}


def test_skipped_first_choice_counts_the_next_rank() -> None:
    typed = ballots(
        "A B C D", "B A D C", "C B A D", "A C B D", "B C A D", "- B C A", "A C B D", "B A C D",
        "C AD B", "D B A C", "C B A D", "A B C C",
    )  # fmt: skip
    result = tabulate(EXHAUST_OVERVOTES, typed)
    assert tallies(result)[0] == {"A": "4", "B": "4", "C": "3", "D": "1"}
    assert inactive(result.rounds[2]) == {"overvotes": "1"}
    assert [str(r.threshold) for r in result.rounds] == ["7", "7", "6"]


def test_uncounted_ballots_and_undervotes() -> None:
    typed = [*ballots("A", "A", "B", "C", ""), RankedBallot(id="x", ranks=((), ()))]
    result = tabulate(rules("ABC"), typed)
    assert (result.total_ballots, result.undervotes) == (6, 2)
    assert result.rounds[0].inactive[InactiveReason.EXHAUSTED_CHOICES] == 0


def test_undeclared_write_ins_are_dropped_first_and_never_win() -> None:
    uwi = UNDECLARED_WRITE_IN
    typed = [RankedBallot(id=str(i), ranks=((uwi,),)) for i in range(5)] + ballots("A", "A", "B")
    result = tabulate(rules("AB", undeclared_write_in_label="Write-in"), typed)
    assert moves(result.rounds[0]) == [("eliminated", uwi, {"exhausted": "5"})]
    assert result.winners == ("A",)


def test_exhaust_if_multiple_continuing_counts_the_one_still_in() -> None:
    typed = ballots("A", "A", "A", "B", "B", "C", "C", "BC A", "BC A")
    result = tabulate(
        rules("ABC", overvote_rule=OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING), typed
    )
    # Round 1: B and C both continue, so "BC" exhausts both ballots as overvotes.
    assert inactive(result.rounds[0]) == {"overvotes": "2"}


def test_tie_for_last_uses_the_candidate_order_from_the_end() -> None:
    result = tabulate(
        rules("ABC", tiebreak_mode=TiebreakMode.USE_CANDIDATE_ORDER), ballots("A", "A", "B", "C")
    )
    assert moves(result.rounds[0]) == [("eliminated", "C", {"exhausted": "1"})]
    assert result.rounds[0].decisions[0].by_tiebreak


def test_interactive_tie_stops_with_a_sentence() -> None:
    with pytest.raises(RulesError, match=r"round 1: B and C are tied for elimination"):
        tabulate(
            rules("ABC", tiebreak_mode=TiebreakMode.STOP_COUNTING_AND_ASK),
            ballots("A", "A", "B", "C"),
        )
    # No tie, no operator needed: the count completes.
    done = tabulate(
        rules("AB", tiebreak_mode=TiebreakMode.STOP_COUNTING_AND_ASK), ballots("A", "A", "B")
    )
    assert done.winners == ("A",)


def test_unknown_candidate_is_refused_naming_the_ballot() -> None:
    with pytest.raises(BallotError, match=r"ballot 2 in typed ranks 'Z'"):
        tabulate(rules("AB"), ballots("A", "B Z"))


def test_ranking_past_the_maximum_is_refused() -> None:
    with pytest.raises(BallotError, match=r"rank 3, but the contest allows 2 rankings"):
        tabulate(rules("ABC", max_rankings_allowed=2), ballots("A B C"))


def test_explicit_overvote_cannot_use_exhaust_if_multiple_continuing() -> None:
    typed = [RankedBallot(id="1", ranks=((OVERVOTE,), ("A",)))]
    with pytest.raises(RulesError, match="only says 'overvote' at rank 1"):
        tabulate(rules("AB", overvote_rule=OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING), typed)
    skipped = tabulate(rules("AB"), typed + ballots("B", "A"))
    assert tallies(skipped)[0] == {"A": "2", "B": "1"}


def test_settings_rctab_refuses_are_refused() -> None:
    bad = rules("AB", number_of_winners=2, batch_elimination=True)
    with pytest.raises(RulesError, match="batchElimination"):
        tabulate(bad, ballots("A"))
    assert ("randomSeed", "tiebreak mode random needs a random seed") in rules(
        tiebreak_mode=TiebreakMode.RANDOM
    ).problems()


def test_truncating_arithmetic_matches_bigdecimal() -> None:
    assert str(truncate_divide(Decimal(2), Decimal(3), 4)) == "0.6666"
    assert str(truncate_divide(Decimal(10), Decimal(3), 0, up=True)) == "4"
    assert str(truncate_divide(Decimal(30), Decimal(4), 4)) == "7.5000"
    assert str(truncate_multiply(Decimal("0.9999"), Decimal("0.3333"), 4)) == "0.3332"
    assert str(truncate_multiply(Decimal(1), Decimal(0), 4)) == "0.0000"


def test_identical_ballots_count_as_many_votes_as_there_are() -> None:
    # Grouping identical ballots must not change any number.
    many = ballots(*(["A B"] * 400 + ["B A"] * 300 + ["C B"] * 350 + ["C"] * 10))
    result = tabulate(rules("ABC"), many)
    assert tallies(result) == [{"A": "400", "C": "360", "B": "300"}, {"A": "700", "C": "360"}]
    assert moves(result.rounds[0]) == [("eliminated", "B", {"A": "300"})]


def test_a_count_that_runs_out_of_candidates_stops_with_a_sentence() -> None:
    everyone_short = rules(
        "AB",
        winner_election_mode=WinnerElectionMode.BOTTOMS_UP_PERCENTAGE_THRESHOLD,
        number_of_winners=0,
        bottoms_up_percentage_threshold=Decimal(1),
    )
    with pytest.raises(RulesError, match="round 3: no candidate is left to eliminate"):
        tabulate(everyone_short, ballots("A", "A", "B"))
