"""Failed sign-ins are kept for the analyst, but not forever: strangers can add them."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from votetrail.errors import AuthenticationFailed
from votetrail.services.accounts import sign_in
from votetrail.services.context import App
from votetrail.store.models import FAILED_SIGN_INS


def test_failures_older_than_the_kept_period_are_dropped(demo_app: App) -> None:
    with demo_app.engine.begin() as conn:
        conn.execute(
            insert(FAILED_SIGN_INS).values(
                username="old-guess",
                known=False,
                client="192.0.2.9",
                attempted_at="2020-01-01T00:00:00.000000Z",
            )
        )
    with pytest.raises(AuthenticationFailed):
        sign_in.sign_in(demo_app, "adams-admin", "wrong password", "192.0.2.10")
    with demo_app.engine.connect() as conn:
        names = conn.execute(select(FAILED_SIGN_INS.c.username)).scalars().all()
    assert names == ["adams-admin"]
