"""What a certificate of an L&A test states, apart from how it is printed.

Kept apart from the PDF writer so the services can assemble a certificate
without loading the PDF library, which every ``votetrail`` command would
otherwise pay for at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CertificateRun:
    """One run of the deck through a device, failed ones included: the record hides none."""

    run: int
    file_name: str
    file_sha256: str
    passed: bool
    discrepancies: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CertificateDevice:
    serial: str
    kind: str
    seal_before: str
    seal_after: str
    """Empty when the device was left unsealed (then ``unsealed_reason`` says why)."""
    precincts: str
    """In words, e.g. "P-1, P-2" or "all (central count)"."""
    outcome: str
    """``passed``, ``failed`` or ``not run``: the last run's verdict."""
    runs: list[CertificateRun] = field(default_factory=list)
    unsealed_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Certificate:
    jurisdiction: str
    phase: str
    """"Pre-election" or "Post-election"."""
    held_on: str
    location: str
    election: str
    definition_sha256: str
    devices: list[CertificateDevice]
    observers: list[str]
    officials: list[str]
    """The officials who signed off, as they signed."""
    statement: str
    log_entry: int | None
    session_id: str
    verify_url: str | None
    """Where to check the test: an absolute URL only from the configured public base URL,
    else the path on the office's site (never built from a request's Host header)."""
