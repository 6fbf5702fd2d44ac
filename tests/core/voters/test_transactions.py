"""The transaction rules, as a table of what is allowed and what is refused, and why."""

from __future__ import annotations

from datetime import date

import pytest

from votetrail.core.voters.record import Address, Protected, Status, VoterRecord
from votetrail.core.voters.transactions import (
    Change,
    Kind,
    apply_change,
    federal_general_elections,
)
from votetrail.errors import InvalidInput

TODAY = date(2027, 3, 1)


def _voter(**changes: object) -> VoterRecord:
    record = VoterRecord(
        voter_id="adams-00000001", county="adams", version=1, status=Status.ACTIVE,
        status_reason="", first_name="Ana", middle_name="", last_name="Ortiz", suffix="",
        residence=Address("1 Main St", "Brighton", "CO", "80601"), mailing=Address(),
        precinct="AD-1", ballot_style="BS-1", party="UNA", gender="F",
        registered_on=date(2010, 1, 1), status_since=date(2010, 1, 1),
        dob=Protected("m", "s"), ssn4=Protected(), drivers_license=Protected(),
    )  # fmt: skip
    return record.evolve(**changes)


def _change(kind: Kind, confirmed: bool = False, **values: object) -> Change:
    return Change(kind, "reason", "DOC-1", values, confirmed)


def test_federal_general_election_days() -> None:
    assert federal_general_elections(date(2026, 11, 29), 3) == [
        date(2028, 11, 7),
        date(2030, 11, 5),
        date(2032, 11, 2),
    ]
    assert federal_general_elections(date(2024, 11, 4), 1) == [date(2024, 11, 5)]
    assert federal_general_elections(date(2024, 11, 5), 1) == [date(2026, 11, 3)]


def test_every_change_needs_reason_and_source() -> None:
    with pytest.raises(InvalidInput, match="reason"):
        apply_change(_voter(), Change(Kind.PARTY, " ", "DOC", {"party": "DEM"}), TODAY)
    with pytest.raises(InvalidInput, match="source document"):
        apply_change(_voter(), Change(Kind.PARTY, "why", "", {"party": "DEM"}), TODAY)


def test_address_change_bumps_the_version() -> None:
    new = apply_change(
        _voter(), _change(Kind.ADDRESS, residence=Address("2 Oak", "Brighton", "CO", "80601"),
                          precinct="AD-2"), TODAY,
    )  # fmt: skip
    assert new.version == 2
    assert new.precinct == "AD-2"
    assert new.ballot_style == "BS-1"
    with pytest.raises(InvalidInput, match="street, city and ZIP"):
        apply_change(_voter(), _change(Kind.ADDRESS, residence=Address("2 Oak")), TODAY)


def test_a_change_that_changes_nothing_is_refused() -> None:
    with pytest.raises(InvalidInput, match="as it is"):
        apply_change(_voter(), _change(Kind.PARTY, party="UNA"), TODAY)


def test_moved_needs_confirmation_or_notice_and_two_elections() -> None:
    with pytest.raises(InvalidInput, match="written confirmation"):
        apply_change(_voter(), _change(Kind.CANCEL, status_reason="moved"), TODAY)
    by_voter = apply_change(_voter(), _change(Kind.CANCEL, True, status_reason="moved"), TODAY)
    assert by_voter.status is Status.CANCELLED
    noticed = apply_change(
        _voter(), _change(Kind.INACTIVE, status_reason="confirmation-notice"), date(2027, 2, 1)
    )
    assert noticed.notice_sent_on == date(2027, 2, 1)
    with pytest.raises(InvalidInput, match="runs until the federal general election of 2030"):
        apply_change(noticed, _change(Kind.CANCEL, status_reason="moved"), date(2029, 1, 10))
    done = apply_change(noticed, _change(Kind.CANCEL, status_reason="moved"), date(2030, 11, 20))
    assert done.status_reason == "moved"


def test_quiet_period_before_a_federal_election() -> None:
    noticed = _voter(status=Status.INACTIVE, notice_sent_on=date(2020, 1, 2))
    with pytest.raises(InvalidInput, match="90 days before the federal election of 2028-11-07"):
        apply_change(noticed, _change(Kind.CANCEL, status_reason="moved"), date(2028, 9, 1))
    deceased = apply_change(
        _voter(), _change(Kind.CANCEL, status_reason="deceased"), date(2028, 9, 1)
    )
    assert deceased.status is Status.CANCELLED


def test_duplicate_names_the_kept_registration() -> None:
    with pytest.raises(InvalidInput, match="duplicate_of"):
        apply_change(_voter(), _change(Kind.CANCEL, status_reason="duplicate"), TODAY)
    new = apply_change(
        _voter(), _change(Kind.CANCEL, status_reason="duplicate", duplicate_of="adams-2"), TODAY
    )
    assert new.status_reason == "duplicate of adams-2"


def test_cancelled_voters_are_reinstated_first() -> None:
    cancelled = _voter(status=Status.CANCELLED, status_reason="deceased")
    with pytest.raises(InvalidInput, match="reinstate"):
        apply_change(cancelled, _change(Kind.PARTY, party="DEM"), TODAY)
    back = apply_change(cancelled, _change(Kind.REINSTATE), TODAY)
    assert back.status is Status.ACTIVE
    assert back.status_since == TODAY
    with pytest.raises(InvalidInput, match="already active"):
        apply_change(back, _change(Kind.REINSTATE), TODAY)


@pytest.mark.parametrize("reason", ["", "vacation", "moved"])
def test_inactive_reasons_are_a_closed_list(reason: str) -> None:
    with pytest.raises(InvalidInput, match="inactive needs one of"):
        apply_change(_voter(), _change(Kind.INACTIVE, status_reason=reason), TODAY)
