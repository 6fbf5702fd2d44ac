"""The voter record's canonical form: the fast text equals the generic canonical encoding."""

from __future__ import annotations

from datetime import date

from votetrail.core.ledger.canonical import canonical_bytes
from votetrail.core.voters.record import Address, Protected, Status, VoterRecord, changed_fields


def _record(**changes: object) -> VoterRecord:
    base = VoterRecord(
        voter_id="adams-00000001",
        county="adams",
        version=3,
        status=Status.INACTIVE,
        status_reason="confirmation-notice",
        first_name="Zoë",
        middle_name='"Q"',
        last_name="O'Neil\\Ng 選挙",
        suffix="\u2028\x00",
        residence=Address("1 Main St\n#2", "Springfield", "CO", "80001"),
        mailing=Address(),
        precinct="P-1",
        ballot_style="BS 😀",
        party="",
        gender="X",
        registered_on=date(2012, 2, 29),
        status_since=date(2026, 1, 5),
        notice_sent_on=date(2026, 1, 5),
        dob=Protected("ab" * 32, "cd" * 40),
        ssn4=Protected(),
        drivers_license=Protected("ef" * 32, "01" * 44),
    )
    return base.evolve(**changes)


def test_fast_text_is_the_canonical_encoding() -> None:
    for record in (_record(), _record(notice_sent_on=None, status=Status.ACTIVE)):
        assert record.canonical_text().encode("utf-8") == canonical_bytes(record.payload())


def test_payload_round_trips() -> None:
    record = _record()
    assert VoterRecord.from_payload(record.payload()) == record


def test_changed_fields_name_what_differs() -> None:
    old = _record()
    new = old.evolve(version=4, party="LIB", residence=Address("2 Oak", "X", "CO", "80002"))
    assert changed_fields(old, new) == ["residence", "party"]
