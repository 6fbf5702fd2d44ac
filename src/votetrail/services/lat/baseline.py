"""The post-election test's second question: is this the device that passed before?

A post-election run must give the same totals as the same device's last
pre-election run of the same definition (which must have passed), and the
seal found on it must be the one applied after that test. The reported
totals are kept as canonical JSON so this comparison can be made weeks later.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from votetrail.core.lat.compare import Discrepancy, compare
from votetrail.core.lat.definition import ElectionDefinition
from votetrail.core.lat.totals import ContestTotals, Totals
from votetrail.store.models import LAT_DEVICES, LAT_RESULTS, LAT_SESSIONS


def totals_data(totals: Totals) -> dict[str, Any]:
    return {
        contest: {
            "votes": dict(item.votes),
            "ballots": item.ballots,
            "overvotes": item.overvotes,
            "undervotes": item.undervotes,
        }
        for contest, item in totals.items()
    }


def totals_from_data(data: dict[str, Any]) -> Totals:
    return {
        contest: ContestTotals(
            contest, dict(item["votes"]), item["ballots"], item["overvotes"], item["undervotes"]
        )
        for contest, item in data.items()
    }


def against_pre_election(
    conn: Connection, session: Any, device: Any, definition: ElectionDefinition, reported: Totals
) -> tuple[str | None, list[Discrepancy]]:
    """The post-election run must match the same device's last signed pre-election run and seal."""
    previous = conn.execute(
        select(LAT_RESULTS, LAT_DEVICES.c.seal_after, LAT_SESSIONS.c.held_on)
        .join(LAT_DEVICES, LAT_DEVICES.c.id == LAT_RESULTS.c.device_id)
        .join(LAT_SESSIONS, LAT_SESSIONS.c.id == LAT_RESULTS.c.session_id)
        .where(
            LAT_SESSIONS.c.jurisdiction_id == session.jurisdiction_id,
            LAT_SESSIONS.c.definition_id == session.definition_id,
            LAT_SESSIONS.c.phase == "pre",
            # Only a signed-off test held before this one is a baseline: an open
            # test could still change, and a later one did not precede the election.
            LAT_SESSIONS.c.status == "signed",
            LAT_SESSIONS.c.held_on <= session.held_on,
            LAT_DEVICES.c.serial == device.serial,
        )
        .order_by(
            LAT_SESSIONS.c.held_on.desc(),
            LAT_SESSIONS.c.opened_at.desc(),
            LAT_RESULTS.c.run.desc(),
        )
        .limit(1)
    ).first()
    if previous is None:
        return None, [
            Discrepancy(
                "no_baseline",
                f"No signed-off pre-election test of device {device.serial} with this election "
                "definition, held before this one, is on record, so this run cannot be compared "
                "with one.",
            )
        ]
    found: list[Discrepancy] = []
    if not previous.passed:
        found.append(
            Discrepancy(
                "baseline_failed",
                f"Device {device.serial}'s last pre-election run (on {previous.held_on}) "
                "did not pass.",
            )
        )
    if previous.seal_after is None:
        found.append(
            Discrepancy(
                "seal",
                f"Device {device.serial} was not recorded as sealed after its pre-election test.",
            )
        )
    elif previous.seal_after != device.seal_before:
        found.append(
            Discrepancy(
                "seal",
                f"Device {device.serial} was sealed with seal {previous.seal_after} after the "
                f"pre-election test but carried seal {device.seal_before} before this one.",
            )
        )
    earlier = totals_from_data(json.loads(previous.reported))
    found.extend(
        compare(definition, earlier, reported, baseline="the pre-election test").discrepancies
    )
    return str(previous.id), found
