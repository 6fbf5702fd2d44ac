"""A confirmed finding closes with the cancellation that cites it, and only then (issue 20, 10).

The voters and the finding are real: imported and logged through the
services, so ``verify`` sees the closing as it sees every other change.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from tests.services.voters.fixtures import load, who
from votetrail.core.voters.transactions import Change, Kind
from votetrail.errors import InvalidInput
from votetrail.services.context import App
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify
from votetrail.services.voters import records as voters
from votetrail.services.voters import review as voter_review
from votetrail.store.models import VOTER_REVIEWS

REVIEW = "vr-0123456789abcdef0123"


@pytest.fixture
def confirmed(demo_app: App) -> App:
    """Adams voters, and a confirmed duplicate finding: ADAMS000005 and ADAMS000006."""
    load(demo_app, "adams", 12)
    with unit_of_work(demo_app, "adams-admin") as uow:
        uow.conn.execute(
            VOTER_REVIEWS.insert().values(
                id=REVIEW,
                kind="duplicate",
                county="adams",
                voter_id="ADAMS000005",
                other_id="ADAMS000006",
                score="0.9900",
                details=json.dumps({"other_county": "adams"}),
                status="open",
                found_at="2026-05-01T12:00:00.000000Z",
            )
        )
        uow.record("voters.review_opened", REVIEW, "adams")
    voter_review.decide(demo_app, who(demo_app, "adams-admin"), REVIEW, "confirmed", "same")
    return demo_app


def _status(app: App) -> str:
    with app.engine.connect() as conn:
        return str(
            conn.execute(
                select(VOTER_REVIEWS.c.status).where(VOTER_REVIEWS.c.id == REVIEW)
            ).scalar()
        )


def _cancel(kept: str, source_ref: str) -> Change:
    return Change(
        Kind.CANCEL,
        reason="duplicate registration",
        source_ref=source_ref,
        values={"status_reason": "duplicate", "duplicate_of": kept},
    )


def test_a_refused_or_unrelated_cancellation_leaves_the_finding_waiting(confirmed: App) -> None:
    admin = who(confirmed, "adams-admin")
    # Kept registration unknown: the cancellation is refused, and the finding with it.
    with pytest.raises(InvalidInput, match="is not a registration on file"):
        voters.change(confirmed, admin, "ADAMS000006", _cancel("ADAMS999999", f"review {REVIEW}"))
    assert _status(confirmed) == "confirmed"
    # Another voter's cancellation citing it, or this voter's citing something else.
    voters.change(confirmed, admin, "ADAMS000007", _cancel("ADAMS000008", f"review {REVIEW}"))
    voters.change(confirmed, admin, "ADAMS000006", _cancel("ADAMS000005", f"review {REVIEW}0"))
    assert _status(confirmed) == "confirmed"
    assert voter_review.closing_change(confirmed, voter_review.reviews(
        confirmed, admin, "adams", status="confirmed")[0]) is None  # fmt: skip


def test_the_closing_is_logged_linked_and_verified(confirmed: App) -> None:
    admin = who(confirmed, "adams-admin")
    voters.change(confirmed, admin, "ADAMS000006", _cancel("ADAMS000005", f"DR-9; {REVIEW}"))
    [closed] = voter_review.reviews(confirmed, admin, "adams", status="closed")
    assert closed.decided_by == "adams-admin"  # the decision is kept as it was
    change = voter_review.closing_change(confirmed, closed)
    assert change is not None
    assert (change.voter_id, change.version) == ("ADAMS000006", 2)
    assert change.log_index is not None
    assert verify(confirmed).problems == []
    # Re-opened in SQL behind the application's back: verify names the review.
    with confirmed.engine.begin() as conn:
        conn.execute(
            update(VOTER_REVIEWS).where(VOTER_REVIEWS.c.id == REVIEW).values(status="confirmed")
        )
    assert any(REVIEW in p for p in verify(confirmed).problems)
