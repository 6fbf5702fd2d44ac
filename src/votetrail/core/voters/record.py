"""A voter's registration record, after NIST SP 1500-102 (Voter Records Interchange).

The record carries what a county needs to run an election for the voter
(name, addresses, precinct and ballot style, party where the state records it,
status with its reason, dates) and the identifiers that prove who the voter is
(date of birth, last four of the SSN, driver's licence number) only in
protected form: each is held as ciphertext for the rare lawful reader and as a
keyed hash for matching, so the record can be hashed, logged, listed and shown
without ever carrying the identifiers themselves. Protection happens at the
edge (``services/voters/pii.py``); this module never sees a plain identifier
except in ``VoterInput``, which exists only between a reader and the service.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import StrEnum
from json.encoder import encode_basestring
from typing import Any

__all__ = [
    "CANCEL_REASONS",
    "INACTIVE_REASONS",
    "PUBLIC_FIELDS",
    "Address",
    "Protected",
    "Status",
    "VoterInput",
    "VoterRecord",
    "changed_fields",
]


class Status(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    CANCELLED = "cancelled"


CANCEL_REASONS = ("moved", "deceased", "duplicate", "voter-request", "felony", "incompetence")
"""Why a registration may be cancelled: the NVRA's list (52 U.S.C. 20507(a)(3)-(4))."""

INACTIVE_REASONS = ("confirmation-notice", "returned-mail", "other")
"""Why a voter may be made inactive; a confirmation notice starts the NVRA clock."""


@dataclass(frozen=True, slots=True)
class Address:
    street: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""

    def is_empty(self) -> bool:
        return not (self.street or self.city or self.state or self.zip)

    def one_line(self) -> str:
        tail = " ".join(p for p in (self.state, self.zip) if p)
        return ", ".join(p for p in (self.street, self.city, tail) if p)


@dataclass(frozen=True, slots=True)
class Protected:
    """One identifier in protected form: a keyed hash to match on, ciphertext to recover it.

    Both are empty when the voter has no such identifier (many have no
    licence; the VRI ``AttestNoSuchId``).
    """

    mac: str = ""
    sealed: str = ""

    @property
    def present(self) -> bool:
        return bool(self.mac)


@dataclass(frozen=True, slots=True)
class VoterRecord:
    """One version of one voter's record, as stored, hashed and logged."""

    voter_id: str
    county: str
    version: int
    status: Status
    status_reason: str
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    residence: Address
    mailing: Address
    precinct: str
    ballot_style: str
    party: str
    gender: str
    registered_on: date
    status_since: date
    dob: Protected
    ssn4: Protected
    drivers_license: Protected
    notice_sent_on: date | None = None
    """When the NVRA confirmation notice went out; the two-election clock runs from here."""

    def payload(self) -> dict[str, Any]:
        """The canonical form that is hashed into the log and the voter map.

        Built by hand rather than with ``dataclasses.asdict`` (which deep-copies
        every value): loading a million voters spends most of its time here.
        Only JSON types come out, so ``canonical_text`` can encode it directly.
        """
        r, m = self.residence, self.mailing
        return {
            "voter_id": self.voter_id,
            "county": self.county,
            "version": self.version,
            "status": self.status.value,
            "status_reason": self.status_reason,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "last_name": self.last_name,
            "suffix": self.suffix,
            "residence": {"street": r.street, "city": r.city, "state": r.state, "zip": r.zip},
            "mailing": {"street": m.street, "city": m.city, "state": m.state, "zip": m.zip},
            "precinct": self.precinct,
            "ballot_style": self.ballot_style,
            "party": self.party,
            "gender": self.gender,
            "registered_on": self.registered_on.isoformat(),
            "status_since": self.status_since.isoformat(),
            "notice_sent_on": None
            if self.notice_sent_on is None
            else self.notice_sent_on.isoformat(),
            "dob": {"mac": self.dob.mac, "sealed": self.dob.sealed},
            "ssn4": {"mac": self.ssn4.mac, "sealed": self.ssn4.sealed},
            "drivers_license": {
                "mac": self.drivers_license.mac,
                "sealed": self.drivers_license.sealed,
            },
        }

    def canonical_text(self) -> str:
        """``canonical_bytes(self.payload())`` as text, written out for speed.

        Keys in code-point order, no spaces, strings escaped exactly as the
        generic encoder does (``json`` without ASCII escaping); a test keeps
        the two equal for awkward text.
        """
        q = encode_basestring
        r, m = self.residence, self.mailing
        notice = "null" if self.notice_sent_on is None else q(self.notice_sent_on.isoformat())
        return (
            f'{{"ballot_style":{q(self.ballot_style)},"county":{q(self.county)},'
            f'"dob":{{"mac":{q(self.dob.mac)},"sealed":{q(self.dob.sealed)}}},'
            f'"drivers_license":{{"mac":{q(self.drivers_license.mac)},'
            f'"sealed":{q(self.drivers_license.sealed)}}},'
            f'"first_name":{q(self.first_name)},"gender":{q(self.gender)},'
            f'"last_name":{q(self.last_name)},'
            f'"mailing":{{"city":{q(m.city)},"state":{q(m.state)},"street":{q(m.street)},'
            f'"zip":{q(m.zip)}}},"middle_name":{q(self.middle_name)},'
            f'"notice_sent_on":{notice},"party":{q(self.party)},'
            f'"precinct":{q(self.precinct)},'
            f'"registered_on":{q(self.registered_on.isoformat())},'
            f'"residence":{{"city":{q(r.city)},"state":{q(r.state)},"street":{q(r.street)},'
            f'"zip":{q(r.zip)}}},'
            f'"ssn4":{{"mac":{q(self.ssn4.mac)},"sealed":{q(self.ssn4.sealed)}}},'
            f'"status":{q(self.status.value)},"status_reason":{q(self.status_reason)},'
            f'"status_since":{q(self.status_since.isoformat())},"suffix":{q(self.suffix)},'
            f'"version":{int(self.version)},"voter_id":{q(self.voter_id)}}}'
        )

    def version_hash(self) -> str:
        return hashlib.sha256(self.canonical_text().encode("utf-8")).hexdigest()

    def full_name(self) -> str:
        parts = (self.first_name, self.middle_name, self.last_name, self.suffix)
        return " ".join(p for p in parts if p)

    def evolve(self, **changes: Any) -> VoterRecord:
        return replace(self, **changes)

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> VoterRecord:
        """Rebuild a version from its canonical form (as kept in the history)."""
        values = dict(data)
        values["status"] = Status(values["status"])
        for name in ("residence", "mailing"):
            values[name] = Address(**values[name])
        for name in ("dob", "ssn4", "drivers_license"):
            values[name] = Protected(**values[name])
        for name in ("registered_on", "status_since", "notice_sent_on"):
            raw = values.get(name)
            values[name] = date.fromisoformat(raw) if isinstance(raw, str) else raw
        return cls(**values)


PUBLIC_FIELDS = (
    "voter_id",
    "county",
    "status",
    "status_reason",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "residence",
    "mailing",
    "precinct",
    "ballot_style",
    "party",
    "registered_on",
    "status_since",
)
"""What a page or export may show: never the protected identifiers or their hashes."""


def changed_fields(old: VoterRecord, new: VoterRecord) -> list[str]:
    """Which fields differ, by name (a protected identifier is named, never shown)."""
    skip = {"version"}
    return [
        f.name
        for f in fields(VoterRecord)
        if f.name not in skip and getattr(old, f.name) != getattr(new, f.name)
    ]


@dataclass(frozen=True, slots=True)
class VoterInput:
    """A registration as a reader hands it over: identifiers still in the clear.

    ``line`` locates the record in its file for error messages, which name the
    file, line and field but never quote an identifier's value.
    """

    voter_id: str
    county: str
    first_name: str
    last_name: str
    line: int
    middle_name: str = ""
    suffix: str = ""
    residence: Address = field(default_factory=Address)
    mailing: Address = field(default_factory=Address)
    precinct: str = ""
    ballot_style: str = ""
    party: str = ""
    gender: str = ""
    status: Status = Status.ACTIVE
    status_reason: str = ""
    registered_on: date | None = None
    dob: date | None = None
    ssn4: str = ""
    drivers_license: str = ""

    def __repr__(self) -> str:
        # Keep identifiers out of tracebacks and debug logs.
        return f"VoterInput(voter_id={self.voter_id!r}, county={self.county!r}, line={self.line})"
