"""Anomaly rules: one alert per burst, business hours, recent voters."""

from __future__ import annotations

from datetime import datetime, timedelta

from votetrail.core.voters.anomalies import ChangeSeen, Rules, find_anomalies

NOON = datetime(2026, 11, 18, 12, 0)  # a Wednesday


def _change(n: int, kind: str = "address", actor: str = "clerk", minutes: float = 0) -> ChangeSeen:
    at = NOON + timedelta(minutes=minutes)
    return ChangeSeen(f"v{n}", "adams", kind, actor, at, at)


def test_burst_alerts_once_at_the_limit() -> None:
    rules = Rules(address_changes_per_hour=5)
    earlier = [_change(n, minutes=n) for n in range(4)]
    found = find_anomalies([_change(4, minutes=4), _change(5, minutes=5)], earlier, rules)
    assert [(a.rule, a.count) for a in found] == [("address-burst", 5)]
    assert found[0].voter_ids == ("v0", "v1", "v2", "v3", "v4")


def test_changes_spread_over_hours_or_accounts_do_not_alert() -> None:
    rules = Rules(address_changes_per_hour=5)
    spread = [_change(n, minutes=20 * n) for n in range(4)]
    assert find_anomalies([_change(9, minutes=80)], spread, rules) == []
    others = [_change(n, actor=f"clerk{n}", minutes=n) for n in range(4)]
    assert find_anomalies([_change(9, minutes=5)], others, rules) == []


def test_party_changes_count_per_account_and_statewide() -> None:
    rules = Rules(party_changes_per_hour=3, statewide_party_changes_per_hour=4)
    earlier = [_change(n, "party", actor=f"c{n % 2}", minutes=n) for n in range(3)]
    found = find_anomalies([_change(7, "party", actor="c0", minutes=4)], earlier, rules)
    assert sorted(a.rule for a in found) == ["party-burst", "statewide-party-burst"]


def test_off_hours_and_weekends() -> None:
    night = NOON.replace(hour=2)
    saturday = NOON + timedelta(days=3)
    rules = Rules()
    for moment in (night, saturday):
        change = ChangeSeen("v1", "adams", "name", "clerk", moment, moment)
        assert [a.rule for a in find_anomalies([change], [], rules)] == ["off-hours"]
    assert find_anomalies([_change(1)], [], rules) == []


def test_changes_to_recent_voters() -> None:
    change = ChangeSeen("v1", "adams", "cancel", "clerk", NOON, NOON, voted_in="2026-general")
    found = find_anomalies([change], [], Rules())
    assert [a.rule for a in found] == ["voted-recently"]
    assert "voted in 2026-general" in found[0].summary
