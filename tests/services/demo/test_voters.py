"""The demo's voter lists load through the real services and leave a sound, verifiable list."""

from __future__ import annotations

from tests.services.voters.fixtures import who
from votetrail.services.context import App
from votetrail.services.demo.voters import PER_COUNTY, load_demo_voters
from votetrail.services.verify import verify
from votetrail.services.voters import records as voters
from votetrail.services.voters import review as voter_review


def test_demo_voters(demo_app: App) -> None:
    load_demo_voters(demo_app)
    load_demo_voters(demo_app)  # a second demo start adds nothing
    assert voters.counts(demo_app, "adams") == {"active": PER_COUNTY - 2, "cancelled": 1,
                                                 "inactive": 1}  # fmt: skip
    assert sum(voters.counts(demo_app, "baker").values()) == PER_COUNTY + 1
    queue = voter_review.reviews(demo_app, who(demo_app, "baker-admin"), "baker")
    assert [(r.kind, r.voter_id, r.other_id) for r in queue] == [
        ("duplicate", "baker-00000018", f"baker-{PER_COUNTY + 1:08d}")
    ]
    steps = voters.history(demo_app, who(demo_app, "adams-admin"), "adams-00000004")
    assert [s.kind for s in steps] == ["registration", "address"]
    assert verify(demo_app).ok
