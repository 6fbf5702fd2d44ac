"""Issue 20, items 10-13, over real HTTP: the duplicate review, parties, the check by name, proofs.

Voters come from ``tests/services/voters/fixtures.py`` on top of the demo
state (which has no voters of its own, so the state's parties are DEM, REP, UNA):
``ADAMS000000`` is Maria Garcia, with the distinctive date of birth, SSN4 and
licence number that no page may ever show.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import httpx
import pytest

from tests.cli.helpers import votetrail_on
from tests.services.voters.fixtures import (
    SECRET_DL,
    SECRET_DOB,
    SECRET_SSN4,
    load,
    people,
    who,
)
from tests.web.server import csrf, login
from tests.web.voters.test_pages import MARIA, _check
from votetrail.core.voters.record import Address
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify
from votetrail.services.voters import records as voters
from votetrail.services.voters.proofs import check_bundle
from votetrail.store.models import VOTER_REVIEWS
from votetrail.web.voters.check import (
    CHECK_LIMIT,
    CLIENT_LIMIT,
    NO_MATCH,
    TOO_MANY_FOR_DETAILS,
    TOO_MANY_FROM_CLIENT,
)
from votetrail.web.voters.common import NO_VOTER

TWIN = "ADAMS000900"
"""A second registration of Maria Garcia: same name, birth date and SSN4, another street."""
DUP_REVIEW = "vr-00000000000000000dup"
PAIR_REVIEW = "vr-0000000000000000pair"


@pytest.fixture
def adams(demo_app: App) -> App:
    """Twelve Adams voters, and Maria Garcia registered twice (no licence the second time)."""
    load(demo_app, "adams", 12)
    maria = people("adams", 1)[0]
    voters.register(
        demo_app,
        who(demo_app, "adams-admin"),
        replace(
            maria,
            voter_id=TWIN,
            residence=Address("7 Oak Ave", "Springfield", "CO", "80001"),
            drivers_license="",
        ),
        reason="registration form",
        source_ref="VR-2026-0900",
    )
    return demo_app


def _finding(app: App, review_id: str, voter_id: str, other_id: str) -> None:
    """A duplicate finding as ``find_duplicates`` stores and logs it (both in Adams)."""
    with unit_of_work(app, "adams-admin") as uow:
        uow.conn.execute(
            VOTER_REVIEWS.insert().values(
                id=review_id,
                kind="duplicate",
                county="adams",
                voter_id=voter_id,
                other_id=other_id,
                score="0.9871",
                details=json.dumps({"other_county": "adams"}),
                status="open",
                found_at="2026-05-01T12:00:00.000000Z",
            )
        )
        uow.record("voters.review_opened", review_id, "adams")


def _article(html: str, review_id: str) -> str:
    start = html.index(f'<article class="review" data-review="{review_id}"')
    return html[start : html.index("</article>", start)]


def _row(html: str, field: str) -> str:
    start = html.index(f'<tr data-field="{field}"')
    return html[start : html.index("</tr>", start)]


def _verdicts(article: str) -> dict[str, str]:
    table = article[article.index('data-testid="identifiers"') :]
    rows = re.findall(r'<tr data-verdict="(\w+)"><th scope="row">([^<]+)</th>', table)
    return {label.replace("&#39;", "'"): verdict for verdict, label in rows}


def _no_secret(text: str) -> None:
    for secret in (SECRET_DOB.isoformat(), "07/23/1961", SECRET_SSN4, SECRET_DL):
        assert secret not in text


# ---------------------------------------------------------------- item 10: the duplicate review


def test_duplicate_review_names_the_county_marks_differences_and_compares_identifiers(
    client: httpx.Client, adams: App
) -> None:
    _finding(adams, DUP_REVIEW, MARIA, TWIN)
    _finding(adams, PAIR_REVIEW, "ADAMS000001", "ADAMS000002")
    login(client, "adams-admin", DEMO_PASSWORD)
    page = client.get("/j/adams/voters/review")
    assert page.status_code == 200
    _no_secret(page.text)
    dup = _article(page.text, DUP_REVIEW)
    # Both are in Adams: said as such, never as "other county: adams".
    assert "both in Adams County" in dup
    assert "other county" not in dup
    # The street differs and is marked in words and highlighted; the name is the same.
    residence = _row(dup, "residence")
    assert 'class="differs"' in residence
    assert "<mark>100 Main St, Springfield, CO 80001</mark>" in residence
    assert "<strong>differs</strong>" in residence
    name = _row(dup, "name")
    assert "differs" not in name
    assert "<td>same</td>" in name
    # Identifiers compared by their keyed hashes: a verdict, never a value.
    assert _verdicts(dup) == {
        "Date of birth": "match",
        "Last four of the SSN": "match",
        "Driver's licence": "missing",
    }
    pair = _article(page.text, PAIR_REVIEW)
    assert 'class="differs"' in _row(pair, "name")
    assert _verdicts(pair)["Date of birth"] == "differ"
    assert _verdicts(pair)["Last four of the SSN"] == "differ"


def test_a_cancellation_citing_a_confirmed_review_closes_it_with_the_change_linked(
    client: httpx.Client, adams: App
) -> None:
    _finding(adams, DUP_REVIEW, MARIA, TWIN)
    _finding(adams, PAIR_REVIEW, "ADAMS000001", "ADAMS000002")
    page = login(client, "adams-admin", DEMO_PASSWORD)
    token = csrf(page.text)
    confirmed = client.post(
        f"/j/adams/voters/review/{DUP_REVIEW}",
        data={"csrf_token": token, "decision": "confirmed", "note": "same person, moved"},
    )
    assert confirmed.status_code == 200
    assert DUP_REVIEW in confirmed.text[confirmed.text.index('id="confirmed"') :]

    def cancel(voter_id: str, kept: str, source: str) -> httpx.Response:
        return client.post(
            f"/voters/{voter_id}/change/cancel",
            data={
                "csrf_token": token,
                "status_reason": "duplicate",
                "duplicate_of": kept,
                "reason": "duplicate registration",
                "source_ref": source,
            },
            follow_redirects=False,
        )

    # Citing the still-open finding about two other voters closes nothing.
    assert cancel("ADAMS000003", "ADAMS000004", f"review {PAIR_REVIEW}").status_code == 303
    before = log_view.size(adams)
    assert cancel(TWIN, MARIA, f"review {DUP_REVIEW}").status_code == 303
    events = [v.entry for v in log_view.entries(adams, before, 10)]
    assert [e.event_type for e in events if e.record_type == "voter_review"] == [
        "voters.review_closed"
    ]
    [change] = [e for e in events if e.record_type == "voter" and e.record_id == TWIN]
    index = before + events.index(change)

    review = client.get("/j/adams/voters/review").text
    waiting = review[review.index('id="confirmed"') : review.index('id="closed"')]
    assert DUP_REVIEW not in waiting
    closed = review[review.index('id="closed"') :]
    row = closed[closed.index(f'<tr data-review="{DUP_REVIEW}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-status="closed"' in row
    assert f'href="/voters/{TWIN}#history"' in row
    assert f"cancellation of voter {TWIN} (version 2)" in row
    assert f'href="/log/entries/{index}"' in row
    assert PAIR_REVIEW not in closed
    # The linked entry is the cancellation's, and the closing is covered by verify.
    assert client.get(f"/log/entries/{index}").status_code == 200
    assert verify(adams).ok


# ---------------------------------------------------------------- item 11: parties


def test_party_is_chosen_from_the_states_parties_and_a_typo_is_refused(
    client: httpx.Client, adams: App
) -> None:
    page = login(client, "adams-admin", DEMO_PASSWORD)
    voter = client.get("/voters/ADAMS000004").text
    form = voter[voter.index('id="change-party"') :]
    form = form[: form.index("</form>")]
    assert '<input name="party"' not in form  # free text, typed after the current value
    options = re.findall(r'<option value="([^"]*)"( selected)?>', form)
    assert [value for value, _ in options] == ["DEM", "REP", "UNA"]  # those of the list
    assert [value for value, selected in options if selected] == ["REP"]  # ADAMS000004's

    token = csrf(page.text)
    size = log_view.size(adams)
    typo = client.post(
        "/voters/ADAMS000004/change/party",
        data={"csrf_token": token, "party": "UNAA", "reason": "form", "source_ref": "PC-9"},
    )
    assert typo.status_code == 400
    assert "“UNAA” is not one of the parties on the state voter list" in typo.text
    assert log_view.size(adams) == size
    assert voters.get_voter(adams, who(adams, "state-admin"), "ADAMS000004").party == "REP"

    chosen = client.post(
        "/voters/ADAMS000004/change/party",
        data={"csrf_token": token, "party": "UNA", "reason": "form", "source_ref": "PC-9"},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    assert voters.get_voter(adams, who(adams, "state-admin"), "ADAMS000004").party == "UNA"

    # A party enters with the state's list (here a registration): accepted at once.
    voters.register(
        adams,
        who(adams, "adams-admin"),
        replace(people("adams", 1, start=500)[0], voter_id="ADAMS000500", party="WFP"),
        reason="registration form",
        source_ref="VR-2026-0500",
    )
    newer = client.post(
        "/voters/ADAMS000004/change/party",
        data={"csrf_token": token, "party": "WFP", "reason": "form", "source_ref": "PC-10"},
        follow_redirects=False,
    )
    assert newer.status_code == 303


# ---------------------------------------------------------------- item 12: check by name


def _check_by_name(
    client: httpx.Client, first: str, last: str, dob: str, county: str
) -> httpx.Response:
    token = csrf(client.get("/check-registration").text)
    return client.post(
        "/check-registration",
        data={
            "csrf_token": token,
            "first_name": first,
            "last_name": last,
            "dob": dob,
            "county": county,
        },
    )


def _message(page: httpx.Response) -> str:
    found = re.search(
        r'<p class="error" role="alert" data-testid="check-message">([^<]*)</p>', page.text
    )
    assert found is not None, page.text
    return found.group(1)


def test_a_voter_without_their_id_checks_by_name_birth_date_and_county(
    client: httpx.Client, demo_app: App
) -> None:
    load(demo_app, "adams", 12)
    form = client.get("/check-registration").text
    assert 'name="first_name"' in form
    assert '<option value="adams">Adams County</option>' in form
    mine = _check_by_name(client, "maria", "GARCIA", SECRET_DOB.isoformat(), "adams")
    assert mine.status_code == 200
    assert MARIA in mine.text  # now they know their id
    assert "100 Main St, Springfield, CO 80001" in mine.text
    assert 'data-testid="proof-ok"' in mine.text
    _no_secret(mine.text)

    unknown_id = _message(_check(client, "ADAMS999999", "Garcia", SECRET_DOB.isoformat()))
    assert unknown_id == NO_MATCH
    for wrong in (
        ("Mario", "Garcia", SECRET_DOB.isoformat(), "adams"),  # first name
        ("Maria", "Garcie", SECRET_DOB.isoformat(), "adams"),  # last name
        ("Maria", "Garcia", "1961-07-24", "adams"),  # birth date
        ("Maria", "Garcia", SECRET_DOB.isoformat(), "baker"),  # county
        ("Maria", "Garcia", SECRET_DOB.isoformat(), "nowhere"),  # no such county
    ):
        answer = _check_by_name(client, *wrong)
        assert answer.status_code == 200
        assert _message(answer) == unknown_id, wrong
        assert "100 Main St" not in answer.text


def test_two_voters_of_one_name_and_birth_date_get_the_neutral_answer(
    client: httpx.Client, adams: App
) -> None:
    """The fixture's second Maria Garcia shares name, birth date and county: neither is named."""
    answer = _check_by_name(client, "Maria", "Garcia", SECRET_DOB.isoformat(), "adams")
    assert _message(answer) == NO_MATCH
    assert MARIA not in answer.text
    assert TWIN not in answer.text


def test_the_limits_count_checks_by_id_and_by_name_together(
    client: httpx.Client, base_url: str, demo_app: App
) -> None:
    load(demo_app, "adams", 12)
    # One set of details guessed too often is refused, as one voter id is.
    for day in range(1, CHECK_LIMIT + 1):
        miss = _check_by_name(client, "Maria", "Garcia", f"1961-01-{day:02d}", "adams")
        assert _message(miss) == NO_MATCH
    stopped = _check_by_name(client, "Maria", "Garcia", SECRET_DOB.isoformat(), "adams")
    assert stopped.status_code == 429
    assert TOO_MANY_FOR_DETAILS in stopped.text
    # Failures by name and by id add up to the one limit per client.
    for n in range(CLIENT_LIMIT - CHECK_LIMIT):
        assert _check(client, f"ADAMS9{n:05d}", "Garcia", "1961-01-01").status_code == 200
    by_id = _check(client, MARIA, "Garcia", SECRET_DOB.isoformat())
    assert by_id.status_code == 429
    assert TOO_MANY_FROM_CLIENT in by_id.text
    # Another household still gets the voter's record, by id or by name.
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=base_url, transport=transport, timeout=10) as other:
        assert (
            MARIA in _check_by_name(other, "Maria", "Garcia", SECRET_DOB.isoformat(), "adams").text
        )


# ---------------------------------------------------------------- item 13: the proof download


def test_the_voter_page_offers_the_proof_the_command_writes(
    client: httpx.Client, adams: App, capsys: pytest.CaptureFixture[str]
) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    page = client.get(f"/voters/{MARIA}").text
    assert f'href="/voters/{MARIA}/proof"' in page
    assert "votetrail voters prove" not in page
    proof = client.get(f"/voters/{MARIA}/proof")
    assert proof.status_code == 200
    assert proof.headers["content-type"].startswith("application/json")
    assert proof.headers["content-disposition"] == (
        f"attachment; filename*=UTF-8''{MARIA}-proof.json"
    )
    assert proof.headers["cache-control"] == "no-store"
    _no_secret(proof.text)
    bundle = json.loads(proof.text)
    assert check_bundle(bundle, adams.signer.verifier.encode()) == []
    written = votetrail_on(capsys, adams, "voters", "prove", MARIA)
    assert written.code == 0
    assert written.out == proof.text


def test_the_proof_is_walled_like_the_voter_page(client: httpx.Client, adams: App) -> None:
    assert client.get(f"/voters/{MARIA}/proof", follow_redirects=False).status_code in (
        302,
        303,
        401,
    )
    login(client, "baker-admin", DEMO_PASSWORD)
    theirs = client.get(f"/voters/{MARIA}/proof")
    unknown = client.get("/voters/ADAMS999999/proof")
    assert theirs.status_code == unknown.status_code == 404
    assert NO_VOTER in theirs.text
    assert NO_VOTER in unknown.text
    assert "Garcia" not in theirs.text
