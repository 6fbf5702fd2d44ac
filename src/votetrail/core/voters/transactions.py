"""The only ways a registration may change, and the rules each must follow.

Every change is a named transaction with an actor, a reason, a source
document reference and a time, so the history of a record reads as the paper
trail an auditor expects. The cancellation rules follow the NVRA
(52 U.S.C. 20507): a voter thought to have moved is cancelled only on their
own written confirmation, or after a confirmation notice went unanswered
through two federal general elections; and systematic removals (moved,
duplicate) stop in the 90 days before a federal general election. Nothing in
votetrail cancels a voter by itself: list maintenance only proposes, and a
person applies one of these transactions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from votetrail.core.voters.record import (
    CANCEL_REASONS,
    INACTIVE_REASONS,
    Address,
    Status,
    VoterRecord,
)
from votetrail.errors import InvalidInput

__all__ = [
    "QUIET_PERIOD_DAYS",
    "Change",
    "Kind",
    "apply_change",
    "event_for",
    "federal_general_elections",
]

QUIET_PERIOD_DAYS = 90


class Kind(StrEnum):
    REGISTRATION = "registration"
    ADDRESS = "address"
    NAME = "name"
    PARTY = "party"
    INACTIVE = "inactive"
    CANCEL = "cancel"
    REINSTATE = "reinstate"


_EVENTS = {
    Kind.REGISTRATION: "voter.registered",
    Kind.ADDRESS: "voter.address_changed",
    Kind.NAME: "voter.name_changed",
    Kind.PARTY: "voter.party_changed",
    Kind.INACTIVE: "voter.made_inactive",
    Kind.CANCEL: "voter.cancelled",
    Kind.REINSTATE: "voter.reinstated",
}


def event_for(kind: Kind) -> str:
    return _EVENTS[kind]


@dataclass(frozen=True)
class Change:
    """A requested change, before it is checked against the record and the rules.

    ``values`` holds the new values of the fields the kind touches: for an
    address change ``residence`` / ``mailing`` (``Address``), ``precinct``,
    ``ballot_style``; for a name change the four name parts; for a party
    change ``party``; for inactive and cancel ``status_reason``; for a
    duplicate cancel also ``duplicate_of``. ``confirmed_by_voter`` says the
    source document is the voter's own signed statement (it lifts the
    moved-voter waiting period, as the NVRA does).
    """

    kind: Kind
    reason: str
    source_ref: str
    values: Mapping[str, object] = field(default_factory=dict)
    confirmed_by_voter: bool = False


def federal_general_elections(after: date, count: int) -> list[date]:
    """The next ``count`` federal general election days strictly after ``after``.

    The Tuesday after the first Monday in November of every even year (2 U.S.C. 7).
    """
    found: list[date] = []
    year = after.year - (after.year % 2)
    while len(found) < count:
        first = date(year, 11, 1)
        monday = first + timedelta(days=(0 - first.weekday()) % 7)
        day = monday + timedelta(days=1)
        if day > after:
            found.append(day)
        year += 2
    return found


def _text(values: Mapping[str, object], name: str, where: str) -> str:
    value = values.get(name, "")
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text", where=where)
    return value.strip()


def _address(values: Mapping[str, object], name: str, where: str) -> Address | None:
    value = values.get(name)
    if value is None:
        return None
    if not isinstance(value, Address):
        raise InvalidInput(f"{name} must be an address", where=where)
    return value


def _in_quiet_period(today: date) -> date | None:
    election = federal_general_elections(today - timedelta(days=1), 1)[0]
    return election if (election - today).days <= QUIET_PERIOD_DAYS else None


def _check_cancel(record: VoterRecord, change: Change, today: date, where: str) -> str:
    reason = _text(change.values, "status_reason", where)
    if reason not in CANCEL_REASONS:
        raise InvalidInput(
            f"a cancellation needs one of these reasons: {', '.join(CANCEL_REASONS)}",
            where=where,
        )
    if record.status is Status.CANCELLED:
        raise InvalidInput("the registration is already cancelled", where=where)
    systematic = reason in ("moved", "duplicate") and not change.confirmed_by_voter
    election = _in_quiet_period(today) if systematic else None
    if election is not None:
        raise InvalidInput(
            f"systematic removals stop {QUIET_PERIOD_DAYS} days before the federal election "
            f"of {election.isoformat()} (NVRA); only the voter's own request may cancel now",
            where=where,
        )
    if reason == "moved" and not change.confirmed_by_voter:
        notice = record.notice_sent_on
        if record.status is not Status.INACTIVE or notice is None:
            raise InvalidInput(
                "a voter who seems to have moved is cancelled only on their written "
                "confirmation, or after a confirmation notice and two federal general "
                "elections; send the notice first (make the voter inactive with reason "
                "confirmation-notice)",
                where=where,
            )
        second = federal_general_elections(notice, 2)[1]
        if today <= second:
            raise InvalidInput(
                f"the confirmation notice of {notice.isoformat()} runs until the federal "
                f"general election of {second.isoformat()}; the voter may not be cancelled "
                "as moved before then",
                where=where,
            )
    if reason == "duplicate":
        other = _text(change.values, "duplicate_of", where)
        if not other or other == record.voter_id:
            raise InvalidInput(
                "a duplicate is cancelled in favour of another registration: give duplicate_of",
                where=where,
            )
    return reason


def apply_change(record: VoterRecord, change: Change, today: date) -> VoterRecord:
    """The next version of ``record``, or ``InvalidInput`` saying which rule forbids it."""
    where = f"voter {record.voter_id}"
    if not change.reason.strip():
        raise InvalidInput("every change needs a reason", where=where)
    if not change.source_ref.strip():
        raise InvalidInput(
            "every change needs a source document reference (form, notice, record number)",
            where=where,
        )
    if change.kind is Kind.REGISTRATION:
        raise InvalidInput("a registration creates a record; it does not change one", where=where)
    if record.status is Status.CANCELLED and change.kind is not Kind.REINSTATE:
        raise InvalidInput(
            "the registration is cancelled; reinstate it (or register anew) first", where=where
        )
    bump = {"version": record.version + 1}
    values = change.values
    if change.kind is Kind.ADDRESS:
        residence = _address(values, "residence", where)
        if residence is None or not (residence.street and residence.city and residence.zip):
            raise InvalidInput("a new residence needs street, city and ZIP", where=where)
        mailing = _address(values, "mailing", where)
        new = record.evolve(
            residence=residence,
            mailing=record.mailing if mailing is None else mailing,
            precinct=_text(values, "precinct", where) or record.precinct,
            ballot_style=_text(values, "ballot_style", where) or record.ballot_style,
            **bump,
        )
    elif change.kind is Kind.NAME:
        first = _text(values, "first_name", where)
        last = _text(values, "last_name", where)
        if not first or not last:
            raise InvalidInput("a name change needs the first and last name", where=where)
        new = record.evolve(
            first_name=first,
            middle_name=_text(values, "middle_name", where),
            last_name=last,
            suffix=_text(values, "suffix", where),
            **bump,
        )
    elif change.kind is Kind.PARTY:
        new = record.evolve(party=_text(values, "party", where), **bump)
    elif change.kind is Kind.INACTIVE:
        reason = _text(values, "status_reason", where)
        if reason not in INACTIVE_REASONS:
            raise InvalidInput(
                f"inactive needs one of these reasons: {', '.join(INACTIVE_REASONS)}",
                where=where,
            )
        if record.status is not Status.ACTIVE:
            raise InvalidInput("only an active voter can be made inactive", where=where)
        new = record.evolve(
            status=Status.INACTIVE,
            status_reason=reason,
            status_since=today,
            notice_sent_on=today if reason == "confirmation-notice" else record.notice_sent_on,
            **bump,
        )
    elif change.kind is Kind.CANCEL:
        reason = _check_cancel(record, change, today, where)
        detail = reason
        if reason == "duplicate":
            detail = f"duplicate of {_text(values, 'duplicate_of', where)}"
        new = record.evolve(
            status=Status.CANCELLED, status_reason=detail, status_since=today, **bump
        )
    else:
        if record.status is Status.ACTIVE:
            raise InvalidInput("the voter is already active", where=where)
        new = record.evolve(
            status=Status.ACTIVE,
            status_reason="reinstated",
            status_since=today,
            notice_sent_on=None,
            **bump,
        )
    if new.evolve(version=record.version) == record:
        raise InvalidInput("the change would leave the record as it is", where=where)
    return new
