"""The public registration check's limits, and another county's voter answered like an unknown one.

Two clients are two loopback addresses (127.0.0.1 and 127.0.0.2): the server
tells them apart exactly as it would two households.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.services.voters.fixtures import SECRET_DOB, load, who
from tests.web.server import csrf, login
from tests.web.voters.test_pages import MARIA, _check, _move
from votetrail.services import log_view
from votetrail.services.accounts import refusals
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.voters import records as voters
from votetrail.web.app import create_app
from votetrail.web.voters.check import (
    CHECK_LIMIT,
    CLIENT_LIMIT,
    NO_MATCH,
    SURGE_LIMIT,
    FailedChecks,
)


@pytest.fixture
def adams(demo_app: App) -> App:
    """Twelve Adams voters, as in ``test_voters_pages``; ``ADAMS000000`` is Maria Garcia."""
    load(demo_app, "adams", 12)
    return demo_app


@pytest.fixture
def other_client(base_url: str) -> Iterator[httpx.Client]:
    """A second visitor, from another address."""
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(
        base_url=base_url, transport=transport, follow_redirects=True, timeout=10
    ) as http:
        yield http


def test_one_clients_failures_do_not_lock_the_voter_out(
    client: httpx.Client, other_client: httpx.Client, adams: App
) -> None:
    for day in range(1, CHECK_LIMIT + 1):
        assert NO_MATCH in _check(client, MARIA, "Garcia", f"1961-01-{day:02d}").text
    assert _check(client, MARIA, "Garcia", SECRET_DOB.isoformat()).status_code == 429
    # The voter, from their own connection, still gets their record.
    mine = _check(other_client, MARIA, "Garcia", SECRET_DOB.isoformat())
    assert mine.status_code == 200
    assert "100 Main St, Springfield, CO 80001" in mine.text


def test_one_client_trying_many_ids_is_limited(
    client: httpx.Client, other_client: httpx.Client, adams: App
) -> None:
    for n in range(CLIENT_LIMIT):
        miss = _check(client, f"ADAMS9{n:05d}", "Garcia", "1961-01-01")
        assert miss.status_code == 200, n
    stopped = _check(client, "ADAMS000001", "Garcia", "1961-01-01")
    assert stopped.status_code == 429
    assert "Too many unsuccessful checks" in stopped.text
    assert _check(other_client, "ADAMS000001", "Garcia", "1961-01-01").status_code == 200


def test_checks_sent_all_at_once_are_all_counted(base_url: str, adams: App) -> None:
    """Forty guesses at one voter's birth date released together: only the limit is checked."""
    browsers = [httpx.Client(base_url=base_url, timeout=30) for _ in range(4 * CHECK_LIMIT)]
    tokens = [csrf(b.get("/check-registration").text) for b in browsers]
    go = threading.Barrier(len(browsers))
    answers: list[int] = []

    def guess(n: int) -> None:
        data = {
            "csrf_token": tokens[n],
            "voter_id": MARIA,
            "last_name": "Garcia",
            "dob": f"1960-{n // 28 + 1:02d}-{n % 28 + 1:02d}",
        }
        go.wait()
        answers.append(browsers[n].post("/check-registration", data=data).status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(len(browsers))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for browser in browsers:
            browser.close()
    assert len(answers) == len(browsers)
    # Old code counted a failure only after the check: most of the forty were checked.
    assert answers.count(200) == CHECK_LIMIT, sorted(answers)
    assert answers.count(429) == len(browsers) - CHECK_LIMIT


def test_a_nul_in_the_voter_id_is_a_plain_refusal(client: httpx.Client, adams: App) -> None:
    answer = _check(client, "ADAMS\x00000000", "Garcia", SECRET_DOB.isoformat())
    assert answer.status_code == 400  # old code on PostgreSQL: 500
    assert "Enter your voter id" in answer.text


def test_many_addresses_guessing_at_once_are_slowed_down() -> None:
    checks = FailedChecks(surge_limit=50, surge_client_limit=3)
    for n in range(50):
        checks.failed(f"10.0.{n}.1", MARIA)
    assert checks.refusal("10.0.0.1", "ADAMS000001") is None  # one failure: still answered
    for _ in range(2):
        checks.failed("10.0.0.1", MARIA)
    assert checks.refusal("10.0.0.1", "ADAMS000001") is not None
    assert checks.refusal("10.9.9.9", MARIA) is None  # a client with no failures of its own


def test_ipv6_clients_are_counted_per_network() -> None:
    assert FailedChecks.client("2001:db8:1:2::5") == FailedChecks.client("2001:db8:1:2:ffff::9")
    assert FailedChecks.client("2001:db8:1:3::5") != FailedChecks.client("2001:db8:1:2::5")
    assert FailedChecks.client("::ffff:192.0.2.7") == "192.0.2.7"


def test_the_counters_stay_bounded_and_each_check_is_constant_work() -> None:
    checks = FailedChecks()
    ids = 150_000
    for n in range(ids):
        checks.failed(f"client-{n % 50_000}", f"ID{n:07d}")
    assert len(checks.pairs) <= 100_000
    assert len(checks.clients) <= 100_000
    # Full tables: a check and a failure still cost microseconds, not a scan of every id.
    start = time.perf_counter()
    for n in range(2000):
        checks.refusal(f"new-{n}", f"NEW{n}")
        checks.failed(f"new-{n}", f"NEW{n}")
    per_request = (time.perf_counter() - start) / 2000
    assert per_request < 0.002, per_request


# ---------------------------------------------------------------- another county's voter


def test_another_countys_voter_looks_exactly_like_an_unknown_one(
    client: httpx.Client, adams: App
) -> None:
    home = login(client, "baker-admin", DEMO_PASSWORD)
    before = log_view.size(adams)
    theirs = client.get("/voters/ADAMS000003")
    unknown = client.get("/voters/ADAMS999999")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.content == unknown.content
    assert theirs.headers["content-type"] == unknown.headers["content-type"]
    assert "Garcia" not in theirs.text
    # The refusal is still logged (an unknown id has nothing to refuse).
    denied = log_view.entries(adams, before, 10)
    assert [(v.entry.event_type, v.entry.actor) for v in denied] == [
        ("access.denied", "baker-admin")
    ]
    token = csrf(home.text)
    changed = client.post(
        "/voters/ADAMS000003/change/address", data={"csrf_token": token, **_move()}
    )
    missing = client.post(
        "/voters/ADAMS999999/change/address", data={"csrf_token": token, **_move()}
    )
    assert changed.status_code == missing.status_code == 404
    assert changed.content == missing.content
    assert voters.get_voter(adams, who(adams, "state-admin"), "ADAMS000003").version == 1


def test_a_user_over_the_refusal_limit_still_cannot_tell_ids_apart(
    client: httpx.Client, adams: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the hourly refusal limit other pages answer 429; a voter page must not.

    Otherwise another county's id (refused, so 429) and an unknown id (404)
    would differ again once the limit is reached.
    """
    monkeypatch.setattr(refusals, "LIMIT_PER_HOUR", 2)
    login(client, "baker-admin", DEMO_PASSWORD)
    for _ in range(3):
        client.get("/voters/ADAMS000003")
    assert client.get("/j/adams/voters").status_code == 429
    theirs = client.get("/voters/ADAMS000003")
    unknown = client.get("/voters/ADAMS999999")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.content == unknown.content


def test_workers_share_the_limits_so_together_they_allow_no_more(
    demo_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under serve --workers N each process counts alone; each must keep 1/N of every limit."""
    shared = FailedChecks.shared_by(2)
    assert (shared.limit, shared.client_limit, shared.surge_limit, shared.surge_client_limit) == (
        CHECK_LIMIT // 2,
        CLIENT_LIMIT // 2,
        SURGE_LIMIT // 2,
        1,
    )
    monkeypatch.setenv("VOTETRAIL_WORKERS", "2")
    per_worker = create_app(demo_app).state.failed_registration_checks
    assert 2 * per_worker.limit <= CHECK_LIMIT
    assert 2 * per_worker.client_limit <= CLIENT_LIMIT
    monkeypatch.setenv("VOTETRAIL_WORKERS", "1")
    alone = create_app(demo_app).state.failed_registration_checks
    assert (alone.limit, alone.client_limit) == (CHECK_LIMIT, CLIENT_LIMIT)
