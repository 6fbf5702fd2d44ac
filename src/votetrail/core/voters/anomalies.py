"""Changes to the voter list that a state should look at the same day.

A compromised account or an insider shows itself in the shape of the
changes: a burst of address changes from one account (the pattern of a
scripted attack on a registration system), many party changes at once
(voters turned away at a closed primary), work done at night or at a
weekend, and changes to people who have just voted. These rules only raise
alerts for a person to read; they never block or undo a change, because an
official working late on a deadline must not be stopped by a heuristic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["Anomaly", "ChangeSeen", "Rules", "find_anomalies"]


@dataclass(frozen=True)
class ChangeSeen:
    """One applied change, as the rules need to see it."""

    voter_id: str
    county: str
    kind: str
    actor: str
    at: datetime
    """When it happened, in UTC."""
    local: datetime
    """The same moment on the state's wall clock (naive), for business hours."""
    voted_in: str | None = None
    """The election this voter recently voted in, if any."""


@dataclass(frozen=True)
class Rules:
    address_changes_per_hour: int = 50
    party_changes_per_hour: int = 25
    statewide_party_changes_per_hour: int = 200
    business_hours: tuple[int, int] = (7, 19)
    """Local hours [start, end) on weekdays when changes are routine."""
    weekend_is_off_hours: bool = True
    window: timedelta = field(default=timedelta(hours=1))


@dataclass(frozen=True)
class Anomaly:
    rule: str
    actor: str
    county: str
    count: int
    first_at: datetime
    last_at: datetime
    voter_ids: tuple[str, ...]
    summary: str

    def details(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "actor": self.actor,
            "county": self.county,
            "count": self.count,
            "first_at": self.first_at,
            "last_at": self.last_at,
            "voter_ids": list(self.voter_ids),
            "summary": self.summary,
        }


def _off_hours(moment: datetime, rules: Rules) -> bool:
    start, end = rules.business_hours
    if rules.weekend_is_off_hours and moment.weekday() >= 5:
        return True
    return not start <= moment.hour < end


def _burst(
    rule: str,
    kind: str,
    limit: int,
    new: Sequence[ChangeSeen],
    earlier: Sequence[ChangeSeen],
    rules: Rules,
    *,
    by_actor: bool,
) -> list[Anomaly]:
    """Alert when a sliding window's count first reaches ``limit`` because of ``new``."""
    found: list[Anomaly] = []
    keys = {c.actor if by_actor else "*" for c in new if c.kind == kind}
    for key in sorted(keys):

        def mine(c: ChangeSeen, key: str = key) -> bool:
            return c.kind == kind and (not by_actor or c.actor == key)

        history = sorted((c for c in earlier if mine(c)), key=lambda c: c.at)
        fresh = sorted((c for c in new if mine(c)), key=lambda c: c.at)
        window: list[ChangeSeen] = list(history)
        for change in fresh:
            window.append(change)
            window = [c for c in window if change.at - c.at < rules.window]
            if len(window) == limit:
                counties = sorted({c.county for c in window})
                who = f"account {key}" if by_actor else "all accounts together"
                found.append(
                    Anomaly(
                        rule=rule,
                        actor=key if by_actor else "",
                        county=counties[0] if len(counties) == 1 else "",
                        count=limit,
                        first_at=window[0].at,
                        last_at=change.at,
                        voter_ids=tuple(c.voter_id for c in window),
                        summary=(
                            f"{who} made {limit} {kind} changes within "
                            f"{int(rules.window.total_seconds() // 60)} minutes"
                        ),
                    )
                )
    return found


def find_anomalies(
    new: Sequence[ChangeSeen], earlier: Sequence[ChangeSeen], rules: Rules
) -> list[Anomaly]:
    """Anomalies that ``new`` changes cause, given the ``earlier`` ones in the last window.

    Each burst alerts once, at the change that reaches the limit, so a state
    gets one alert per burst rather than one per change.
    """
    found = _burst(
        "address-burst",
        "address",
        rules.address_changes_per_hour,
        new,
        earlier,
        rules,
        by_actor=True,
    )
    found += _burst(
        "party-burst", "party", rules.party_changes_per_hour, new, earlier, rules, by_actor=True
    )
    found += _burst(
        "statewide-party-burst",
        "party",
        rules.statewide_party_changes_per_hour,
        new,
        earlier,
        rules,
        by_actor=False,
    )
    late: dict[str, list[ChangeSeen]] = {}
    for change in new:
        if _off_hours(change.local, rules):
            late.setdefault(change.actor, []).append(change)
    for actor, changes in sorted(late.items()):
        counties = sorted({c.county for c in changes})
        found.append(
            Anomaly(
                rule="off-hours",
                actor=actor,
                county=counties[0] if len(counties) == 1 else "",
                count=len(changes),
                first_at=changes[0].at,
                last_at=changes[-1].at,
                voter_ids=tuple(c.voter_id for c in changes),
                summary=(
                    f"account {actor} made {len(changes)} change(s) outside business hours "
                    f"(local time {changes[0].local:%a %H:%M})"
                ),
            )
        )
    for change in new:
        if change.voted_in is not None:
            found.append(
                Anomaly(
                    rule="voted-recently",
                    actor=change.actor,
                    county=change.county,
                    count=1,
                    first_at=change.at,
                    last_at=change.at,
                    voter_ids=(change.voter_id,),
                    summary=(
                        f"account {change.actor} made a {change.kind} change to voter "
                        f"{change.voter_id}, who voted in {change.voted_in}"
                    ),
                )
            )
    return found
