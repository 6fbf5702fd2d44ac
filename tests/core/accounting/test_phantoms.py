"""Phantom ballots: how many, their ids, the frame size, and that the audit scores them worst."""

from __future__ import annotations

import pytest

from tests.core.accounting.test_reconcile import demo_county
from votetrail.core.accounting.phantoms import Phantom, phantom_id, plan_phantoms
from votetrail.core.accounting.reconcile import DeviceCounts
from votetrail.core.audit.comparison import ABSENT, pair_overstatement, votes_for
from votetrail.errors import InvalidInput


def test_jammed_tape_gives_37_phantoms_for_that_device() -> None:
    result = demo_county(short_tape=37).run()
    plan = plan_phantoms(result.devices)
    assert plan.count == 37
    assert plan.pairs() == [(f"phantom:T-3:{k}", "T-3") for k in range(1, 38)]
    assert plan.per_tabulator() == {"T-3": 37}
    # Every CVR keeps a card in the frame: 563 real paper records and 37 phantoms on T-3.
    assert plan.frame_ballots == result.summary.cvrs == 2380


def test_no_phantoms_when_everything_agrees() -> None:
    plan = plan_phantoms(demo_county().run().devices)
    assert (plan.phantoms, plan.frame_ballots) == ((), 2380)


DEVICES = [
    # tabulator, CVRs, tape, manifest -> phantoms, frame ballots
    pytest.param("T-1", 100, 90, 100, 10, 100, id="short tape"),
    pytest.param("T-1", 100, None, 95, 5, 100, id="short manifest, no tape"),
    pytest.param("T-1", 100, 90, 95, 10, 100, id="both short: the larger gap, not the sum"),
    pytest.param("T-1", 100, 95, 90, 10, 100, id="both short, manifest shorter"),
    pytest.param("T-1", 100, 120, 110, 0, 110, id="surplus paper: no phantoms, frame grows"),
    pytest.param("T-1", 100, None, 0, 100, 100, id="no manifest entry: all phantoms"),
    pytest.param("T-1", 0, 40, 0, 0, 0, id="paper only, nowhere to sample it from"),
]


@pytest.mark.parametrize(("tabulator", "cvrs", "tape", "manifest", "phantoms", "frame"), DEVICES)
def test_phantoms_per_device(
    tabulator: str, cvrs: int, tape: int | None, manifest: int, phantoms: int, frame: int
) -> None:
    plan = plan_phantoms([DeviceCounts(tabulator, cvrs, tape, manifest)])
    assert plan.count == phantoms
    assert plan.frame_ballots == frame
    assert [p.id for p in plan.phantoms] == [f"phantom:T-1:{k}" for k in range(1, phantoms + 1)]


def test_plan_spans_devices_in_the_order_given() -> None:
    devices = [
        DeviceCounts("T-2", 3, 1, 3),
        DeviceCounts("T-10", 2, 2, 1),
        DeviceCounts("T-3", 4, 4, 4),
    ]
    plan = plan_phantoms(devices)
    assert plan.phantoms == (
        Phantom("phantom:T-2:1", "T-2"),
        Phantom("phantom:T-2:2", "T-2"),
        Phantom("phantom:T-10:1", "T-10"),
    )
    assert plan.frame_ballots == 9
    assert plan.per_tabulator() == {"T-2": 2, "T-10": 1}


@pytest.mark.parametrize(
    ("tabulator", "k", "expected"),
    [
        ("T-12", 1, "phantom:T-12:1"),
        ("Tabulator A", 54, "phantom:Tabulator A:54"),
        ("a:b", 2, "phantom:a%3Ab:2"),
        ("100%", 3, "phantom:100%25:3"),
        ("%3A", 1, "phantom:%253A:1"),
        (None, 7, "phantom::7"),
    ],
)
def test_phantom_ids_are_stable_and_unambiguous(
    tabulator: str | None, k: int, expected: str
) -> None:
    assert phantom_id(tabulator, k) == expected


def test_names_differing_only_in_a_colon_get_distinct_ids() -> None:
    plan = plan_phantoms([DeviceCounts("a:b", 1, 0, 1), DeviceCounts("a%3Ab", 1, 0, 1)])
    assert len({p.id for p in plan.phantoms}) == 2


@pytest.mark.parametrize("k", [0, -1, True])
def test_phantom_numbers_start_at_one(k: int) -> None:
    with pytest.raises(InvalidInput, match=f"phantom number {k!r}"):
        phantom_id("T-1", k)


def test_a_device_listed_twice_is_refused() -> None:
    with pytest.raises(InvalidInput, match="tabulator 'T-1': appears twice"):
        plan_phantoms([DeviceCounts("T-1", 1, 0, 1), DeviceCounts("T-1", 1, 1, 1)])


def test_the_audit_scores_a_drawn_phantom_as_a_two_vote_overstatement() -> None:
    # A phantom has no paper: whatever its CVR said, the comparison audit takes the worst case.
    for cvr in (votes_for("alice"), votes_for("bob"), votes_for(), ABSENT):
        assert pair_overstatement(cvr, ABSENT, winner="alice", loser="bob", card_style=False) == 2
