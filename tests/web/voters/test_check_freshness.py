"""The public /check-registration page and a stale proof (issue 12, item 2), over real HTTP."""

from __future__ import annotations

import httpx

from tests.services.voters.fixtures import SECRET_DOB, load
from tests.services.voters.test_proof_freshness import _move, _reattach
from tests.web.server import csrf
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.voters.proofs import check_bundle, is_stale

MARIA = "ADAMS000000"


def _check(client: httpx.Client, **extra: str) -> httpx.Response:
    token = csrf(client.get("/check-registration").text)
    data = {"csrf_token": token, "voter_id": MARIA, "last_name": "Garcia"}
    return client.post("/check-registration", data={**data, "dob": SECRET_DOB.isoformat(), **extra})


def test_the_page_agrees_with_check_proof_after_a_change(
    client: httpx.Client, demo_app: App
) -> None:
    load(demo_app, "adams", 12)
    key = demo_app.signer.verifier.encode()
    old = _check(client, format="json").json()
    assert check_bundle(old, key) == []
    _move(demo_app, MARIA, 7)
    page = _check(client)
    size = log_view.size(demo_app)
    assert f"checkpoint of size {size}." in page.text
    assert 'data-testid="proof-ok"' in page.text
    assert "7 Oak Ave" in page.text
    fresh = _check(client, format="json").json()
    assert fresh["record"]["version"] == 2
    assert check_bundle(fresh, key) == []
    assert is_stale(check_bundle(_reattach(demo_app, old, with_trail=True), key))
