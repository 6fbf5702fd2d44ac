"""Roles and the rule of who may see which jurisdiction.

Kept pure so the rule is written once and tested as a table; the web layer
and the services both ask it, and every refusal is logged by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    STATE_ADMIN = "state_admin"
    COUNTY_ADMIN = "county_admin"
    AUDIT_BOARD = "audit_board"
    SECURITY_ANALYST = "security_analyst"

    @property
    def label(self) -> str:
        return {
            Role.STATE_ADMIN: "State administrator",
            Role.COUNTY_ADMIN: "County administrator",
            Role.AUDIT_BOARD: "Audit board",
            Role.SECURITY_ANALYST: "Security analyst",
        }[self]


@dataclass(frozen=True)
class Principal:
    """A signed-in official: who, in what role, for which jurisdiction."""

    username: str
    display_name: str
    role: Role
    jurisdiction: str


def may_view(principal: Principal, jurisdiction: str, state_id: str) -> bool:
    """State staff see every jurisdiction; everyone else sees only their own.

    A security analyst at the state watches the state's network, not a
    county's records, so state-wide visibility belongs to the state
    administrator alone.
    """
    if principal.role is Role.STATE_ADMIN and principal.jurisdiction == state_id:
        return True
    return principal.jurisdiction == jurisdiction


def may_administer_users(principal: Principal, jurisdiction: str, state_id: str) -> bool:
    """Accounts are created by the state administrator, or a county's own administrator."""
    if principal.role is Role.STATE_ADMIN and principal.jurisdiction == state_id:
        return True
    return principal.role is Role.COUNTY_ADMIN and principal.jurisdiction == jurisdiction


def may_upload(principal: Principal, jurisdiction: str, state_id: str) -> bool:
    """Files are uploaded by the county's own administrator, or the state administrator.

    The county administrator answers for the county's records; the state
    administrator may step in for a county that cannot. Audit boards examine
    paper and analysts watch networks: neither puts records into the count,
    so an upload by either would be one nobody in the county signed off.
    """
    if principal.role is Role.STATE_ADMIN and principal.jurisdiction == state_id:
        return True
    return principal.role is Role.COUNTY_ADMIN and principal.jurisdiction == jurisdiction


def may_test_equipment(principal: Principal, jurisdiction: str, state_id: str) -> bool:
    """L&A tests are run and signed by the county's administrator, or the state's.

    The test certifies the county's own tabulators, so it is the same person
    who answers for the county's records (see :func:`may_upload`).
    """
    return may_upload(principal, jurisdiction, state_id)


def may_monitor(principal: Principal, state_id: str) -> bool:
    """The state's network is watched by its security analysts and its administrator.

    Scans target the state's election network, so the page belongs to the
    state's staff: county officials and audit boards neither run nor read it.
    """
    if principal.jurisdiction != state_id:
        return False
    return principal.role in (Role.SECURITY_ANALYST, Role.STATE_ADMIN)


def may_manage_voters(principal: Principal, county: str, state_id: str) -> bool:
    """A county's voter list is kept by its own administrator, or the state administrator.

    Voter records carry people's addresses and histories: an audit board or
    an analyst has no reason to read them, and another county's administrator
    must never change them (that is the first thing a forged change would try).
    """
    return may_upload(principal, county, state_id)


def may_read_voter_alerts(principal: Principal, state_id: str) -> bool:
    """Alerts watch every county's officials, so only the state administrator reads them."""
    return principal.role is Role.STATE_ADMIN and principal.jurisdiction == state_id


def may_run_audits(principal: Principal, state_id: str) -> bool:
    """Audits are set up, seeded and sampled by the state administrator alone.

    The audit spans counties and its sample must not be steered by any one of
    them: a county that could pick the seed or the moment of the draw could
    choose which of its ballots are examined.
    """
    return principal.role is Role.STATE_ADMIN and principal.jurisdiction == state_id


def may_read_retrieval_list(principal: Principal, county: str, state_id: str) -> bool:
    """A county's retrieval list goes to its administrator (who pulls the ballots) or the state."""
    return may_upload(principal, county, state_id)


def may_manage_audit_boards(principal: Principal, county: str, state_id: str) -> bool:
    """A county's audit boards are set up, sent links and given ballots by its administrator.

    The state administrator may step in. Another county's administrator must
    not: a board it controlled could read or enter another county's ballots.
    """
    return may_upload(principal, county, state_id)


def may_publish(principal: Principal, jurisdiction: str, state_id: str) -> bool:
    """An office's publications are issued by its own administrator, or the state administrator.

    A publication speaks for the office (a county's polling-place change, the
    state's results), so it is the person who answers for the office's records
    (see :func:`may_upload`); the state administrator also publishes for the
    state itself. Audit boards and analysts do not speak for the office, and
    one county must never publish in another's name.
    """
    return may_upload(principal, jurisdiction, state_id)
