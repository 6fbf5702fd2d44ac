"""Who may see which jurisdiction, as a table."""

from __future__ import annotations

import pytest

from votetrail.core.access import (
    Principal,
    Role,
    may_administer_users,
    may_monitor,
    may_upload,
    may_view,
)

CASES = [
    # role, user's jurisdiction, target, may view, may administer users
    (Role.STATE_ADMIN, "state", "adams", True, True),
    (Role.STATE_ADMIN, "state", "state", True, True),
    (Role.COUNTY_ADMIN, "adams", "adams", True, True),
    (Role.COUNTY_ADMIN, "adams", "baker", False, False),
    (Role.COUNTY_ADMIN, "adams", "state", False, False),
    (Role.AUDIT_BOARD, "adams", "adams", True, False),
    (Role.AUDIT_BOARD, "adams", "baker", False, False),
    (Role.SECURITY_ANALYST, "state", "state", True, False),
    (Role.SECURITY_ANALYST, "state", "adams", False, False),
]


@pytest.mark.parametrize(("role", "home", "target", "view", "administer"), CASES)
def test_access_rule(role: Role, home: str, target: str, view: bool, administer: bool) -> None:
    who = Principal("u", "U", role, home)
    assert may_view(who, target, "state") is view
    assert may_administer_users(who, target, "state") is administer


UPLOAD_CASES = [
    # role, user's jurisdiction, target county, may upload
    (Role.STATE_ADMIN, "state", "adams", True),
    (Role.COUNTY_ADMIN, "adams", "adams", True),
    (Role.COUNTY_ADMIN, "adams", "baker", False),
    (Role.COUNTY_ADMIN, "state", "adams", False),
    (Role.AUDIT_BOARD, "adams", "adams", False),
    (Role.SECURITY_ANALYST, "state", "adams", False),
    (Role.STATE_ADMIN, "adams", "baker", False),
]


@pytest.mark.parametrize(("role", "home", "target", "upload"), UPLOAD_CASES)
def test_upload_rule(role: Role, home: str, target: str, upload: bool) -> None:
    assert may_upload(Principal("u", "U", role, home), target, "state") is upload


MONITOR_CASES = [
    # role, user's jurisdiction, may watch the state's network
    (Role.SECURITY_ANALYST, "state", True),
    (Role.STATE_ADMIN, "state", True),
    (Role.SECURITY_ANALYST, "adams", False),
    (Role.STATE_ADMIN, "adams", False),
    (Role.COUNTY_ADMIN, "adams", False),
    (Role.COUNTY_ADMIN, "state", False),
    (Role.AUDIT_BOARD, "adams", False),
]


@pytest.mark.parametrize(("role", "home", "monitor"), MONITOR_CASES)
def test_monitor_rule(role: Role, home: str, monitor: bool) -> None:
    assert may_monitor(Principal("u", "U", role, home), "state") is monitor
