"""What a report says about itself against the device under test: each contradiction in words."""

from __future__ import annotations

from tests.core.lat.springfield import CENTER, NORTH, SPRINGFIELD
from votetrail.core.lat.report_identity import SelfDescription, identity_discrepancies


def _sentences(about: SelfDescription, precincts: list[str] | None = None) -> list[str]:
    found = identity_discrepancies(SPRINGFIELD, "DS200-17", precincts, about)
    return [d.sentence for d in found]


def test_a_report_that_agrees_or_says_nothing_passes() -> None:
    assert _sentences(SelfDescription()) == []
    agreeing = SelfDescription(
        devices=("ds200-17",),
        tabulators=("5",),
        precincts=(CENTER, "north  springfield"),
        election="SPRINGFIELD GENERAL",
    )
    assert _sentences(agreeing, [CENTER, NORTH]) == []
    assert _sentences(agreeing, None) == []  # central count: every precinct


def test_each_contradiction_is_named() -> None:
    about = SelfDescription(
        devices=("DS200-18",),
        tabulators=("5", "6"),
        precincts=(NORTH, "Shelbyville 4"),
        election="Shelbyville Primary",
    )
    assert _sentences(about, [CENTER]) == [
        "The report says it comes from device 'DS200-18', not from DS200-17, the device under "
        "test.",
        "The report's ballots come from 2 tabulators ('5', '6'); one device's test report comes "
        "from one.",
        "The report names precinct 'Shelbyville 4', which the election definition does not have.",
        "The report is of precinct North Springfield, which device DS200-17 does not count "
        "(it counts Center Springfield).",
        "The report is of the election 'Shelbyville Primary', not 'Springfield General' of this "
        "test's definition.",
    ]
