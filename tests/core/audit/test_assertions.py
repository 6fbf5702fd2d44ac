"""SHANGRLA assorters: values per ballot, reported means and margins, and bad contests.

The defining property (Stark 2020, SHANGRLA sections 2-3): the assorter's mean
over all N ballots is above 1/2 exactly when the assertion holds, and equals
the reported mean when the ballots are as reported. The tests build the
ballots the reported votes describe and average the assorter over them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence, Set
from fractions import Fraction

import pytest

from votetrail.core.audit.assertions import Assertion, Contest, ContestKind, assertions
from votetrail.errors import InvalidInput


def _mean(assertion: Assertion, ballots: Sequence[Mapping[str, Set[str]]]) -> float:
    return sum(assertion.assort(ballot) for ballot in ballots) / len(ballots)


def _by_id(contest: Contest) -> dict[str, Assertion]:
    return {a.id: a for a in assertions(contest)}


def test_plurality_pairs_and_diluted_margins() -> None:
    mayor = Contest("mayor", {"alice": 600, "bob": 300, "carol": 100}, ballots=1250)
    found = _by_id(mayor)
    assert mayor.winners == ("alice",)
    assert mayor.losers == ("bob", "carol")
    assert sorted(found) == ["mayor:alice>bob", "mayor:alice>carol"]
    assert found["mayor:alice>bob"].margin.value == pytest.approx(300 / 1250)
    assert found["mayor:alice>carol"].reported_mean == pytest.approx(0.5 + 500 / 2500)
    assert all(a.upper == 1.0 for a in found.values())


def test_plurality_assorter_values() -> None:
    pair = _by_id(Contest("mayor", {"alice": 6, "bob": 3, "carol": 1}, ballots=12))[
        "mayor:alice>bob"
    ]
    assert pair.assort({"mayor": {"alice"}}) == 1.0
    assert pair.assort({"mayor": {"bob"}}) == 0.0
    assert pair.assort({"mayor": {"carol"}}) == 0.5
    assert pair.assort({"mayor": set()}) == 0.5  # undervote
    assert pair.assort({"mayor": {"alice", "bob"}}) == 0.5  # overvote: no vote at all
    assert pair.assort({"mayor": {"alice", "carol"}}) == 0.5
    assert pair.assort({"council": {"alice"}}) == 0.5  # the ballot lacks the contest
    assert pair.assort({}) == 0.5


def test_reported_mean_is_the_mean_over_the_reported_ballots() -> None:
    contest = Contest("mayor", {"alice": 6, "bob": 3, "carol": 1}, ballots=12)
    ballots: Sequence[Mapping[str, Set[str]]] = (
        [{"mayor": {"alice"}}] * 6
        + [{"mayor": {"bob"}}] * 3
        + [{"mayor": {"carol"}}]
        + [{"mayor": {"alice", "bob"}}]  # an overvote counts for no one
        + [{"school": {"x"}}]  # a ballot style without the contest
    )
    for assertion in assertions(contest):
        assert _mean(assertion, ballots) == pytest.approx(assertion.reported_mean)


def test_vote_for_n_pairs_every_winner_with_every_loser() -> None:
    council = Contest(
        "council",
        {"ann": 50, "ben": 40, "cat": 30, "dan": 20},
        ballots=80,
        vote_for=2,
        kind=ContestKind.VOTE_FOR_N,
    )
    assert council.winners == ("ann", "ben")
    found = _by_id(council)
    assert sorted(found) == [
        "council:ann>cat",
        "council:ann>dan",
        "council:ben>cat",
        "council:ben>dan",
    ]
    ben_cat = found["council:ben>cat"]
    assert ben_cat.margin.value == pytest.approx(10 / 80)
    assert ben_cat.assort({"council": {"ben", "cat"}}) == 0.5  # a vote for both
    assert ben_cat.assort({"council": {"ben", "ann"}}) == 1.0
    assert ben_cat.assort({"council": {"cat", "dan"}}) == 0.0
    assert ben_cat.assort({"council": {"ben", "ann", "dan"}}) == 0.5  # three marks: overvote


def test_approval_has_no_overvotes() -> None:
    board = Contest(
        "board",
        {"ann": 70, "ben": 55, "cat": 54},
        ballots=100,
        vote_for=1,
        kind=ContestKind.APPROVAL,
    )
    pair = _by_id(board)["board:ann>ben"]
    assert pair.assort({"board": {"ann", "cat"}}) == 1.0
    assert pair.assort({"board": {"ann", "ben", "cat"}}) == 0.5
    assert pair.assort({"board": {"ben", "cat"}}) == 0.0
    # Approval totals may exceed the ballots (each ballot approves several).
    assert sum(board.votes.values()) > board.ballots


def test_supermajority_assorter_and_margin() -> None:
    # SHANGRLA section 2.3: A = 1/(2f) for the winner, 0 for another valid vote, 1/2 else;
    # margin q(p/f - 1) = (v_w/f - V)/N.
    measure = Contest(
        "measure-a",
        {"yes": 700, "no": 290},
        ballots=1000,
        kind=ContestKind.SUPERMAJORITY,
        fraction=2 / 3,
    )
    (assertion,) = assertions(measure)
    assert assertion.id == "measure-a:yes>2/3"
    assert assertion.fraction == Fraction(2, 3)
    assert assertion.upper == pytest.approx(0.75)
    assert assertion.margin.value == pytest.approx((700 * 1.5 - 990) / 1000)
    assert assertion.assort({"measure-a": {"yes"}}) == pytest.approx(0.75)
    assert assertion.assort({"measure-a": {"no"}}) == 0.0
    assert assertion.assort({"measure-a": {"yes", "no"}}) == 0.5
    assert assertion.assort({"measure-a": set()}) == 0.5
    ballots: Sequence[Mapping[str, Set[str]]] = (
        [{"measure-a": {"yes"}}] * 700 + [{"measure-a": {"no"}}] * 290 + [{}] * 10
    )
    assert _mean(assertion, ballots) == pytest.approx(assertion.reported_mean)


def test_simple_majority_as_a_supermajority_of_one_half() -> None:
    (assertion,) = assertions(
        Contest(
            "m", {"yes": 60, "no": 40}, ballots=100, kind=ContestKind.SUPERMAJORITY, fraction=0.5
        )
    )
    assert assertion.upper == 1.0
    assert assertion.margin.value == pytest.approx(0.2)


def test_reported_winners_may_be_given_when_they_match() -> None:
    contest = Contest("mayor", {"a": 5, "b": 3}, ballots=10, reported_winners=("a",))
    assert contest.winners == ("a",)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Contest("mayor", {"a": 5, "b": 5, "c": 1}, ballots=20), "'a' and 'b' tie"),
        (
            lambda: Contest(
                "council",
                {"a": 9, "b": 7, "c": 7},
                ballots=20,
                vote_for=2,
                kind=ContestKind.VOTE_FOR_N,
            ),
            "'b' and 'c' tie",
        ),
        (lambda: Contest("mayor", {"a": 5, "b": -1}, ballots=20), "votes for 'b' -1"),
        (lambda: Contest("mayor", {"a": 5, "b": 1}, ballots=20, vote_for=0), "vote_for"),
        (lambda: Contest("mayor", {"a": 5, "b": 1}, ballots=20, vote_for=2), "vote_for 2"),
        (lambda: Contest("mayor", {"a": 5}, ballots=20), "vote_for 1"),
        (lambda: Contest("mayor", {"a": 50, "b": 1}, ballots=20), "50 votes for 'a'"),
        (lambda: Contest("mayor", {"a": 15, "b": 10}, ballots=20), "25 votes exceed"),
        (lambda: Contest("mayor", {"a": 5, "b": 1}, ballots=0), "ballots 0"),
        (
            lambda: Contest("mayor", {"a": 5, "b": 3}, ballots=10, reported_winners=("b",)),
            "reported winners ['b']",
        ),
        (
            lambda: Contest(
                "m", {"y": 20, "n": 10}, ballots=30, kind=ContestKind.SUPERMAJORITY, fraction=2 / 3
            ),
            "exactly 2/3",
        ),
        (
            lambda: Contest(
                "m", {"y": 19, "n": 11}, ballots=30, kind=ContestKind.SUPERMAJORITY, fraction=2 / 3
            ),
            "no choice has more than 2/3",
        ),
        (
            lambda: Contest(
                "m", {"y": 19, "n": 11}, ballots=30, kind=ContestKind.SUPERMAJORITY, fraction=0.4
            ),
            "supermajority fraction 0.4",
        ),
        (
            lambda: Contest("m", {"y": 19, "n": 11}, ballots=30, kind=ContestKind.SUPERMAJORITY),
            "supermajority fraction None",
        ),
        (lambda: Contest("m", {"y": 19, "n": 11}, ballots=30, fraction=0.6), "only a super"),
        (
            lambda: Contest(
                "c",
                {"a": 9, "b": 7, "c": 1},
                ballots=20,
                vote_for=2,
                kind=ContestKind.PLURALITY,
            ),
            "plurality contest has vote_for 1",
        ),
    ],
)
def test_bad_contests_are_refused_with_the_reason(
    build: Callable[[], Contest], message: str
) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        build()


def test_a_tie_names_the_contest_and_both_choices() -> None:
    with pytest.raises(InvalidInput) as caught:
        Contest("governor", {"lee": 10, "kim": 10}, ballots=25)
    assert "governor" in str(caught.value)
    assert "'lee'" in str(caught.value)
    assert "'kim'" in str(caught.value)


def test_contest_is_frozen_and_its_votes_cannot_change() -> None:
    votes = {"a": 5, "b": 3}
    contest = Contest("mayor", votes, ballots=10)
    votes["b"] = 9  # the caller's dict is copied
    assert contest.winners == ("a",)
    with pytest.raises(TypeError):
        contest.votes["a"] = 0  # type: ignore[index]
    with pytest.raises(AttributeError):
        contest.ballots = 11  # type: ignore[misc]
