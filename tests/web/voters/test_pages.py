"""The voter pages over real HTTP: search, a voter's history and changes, review, alerts, check.

Voters come from ``tests/services/voters/fixtures.py``: ``ADAMS000000`` is
Maria Garcia, who carries the distinctive date of birth, SSN4 and licence
number the PII test greps every page for.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

import httpx
import pytest

from tests.services.voters.fixtures import SECRET_DL, SECRET_DOB, SECRET_SSN4, load, who
from tests.web.server import csrf, login
from votetrail.core.voters.record import Address
from votetrail.core.voters.transactions import Change, Kind
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.voters import records as voters
from votetrail.services.voters.proofs import check_bundle
from votetrail.store.models import VOTER_REVIEWS
from votetrail.web.voters.check import CHECK_LIMIT, NO_MATCH

MARIA = "ADAMS000000"
NIGHT = datetime(2026, 11, 19, 9, 30, tzinfo=UTC)  # 02:30 in Denver: the off-hours rule


@pytest.fixture
def adams(demo_app: App) -> App:
    """Twelve Adams voters: ten Garcias (ADAMS000000-09) and two Smiths (10, 11)."""
    load(demo_app, "adams", 12)
    return demo_app


def _version(app: App, voter_id: str) -> int:
    return voters.get_voter(app, who(app, "state-admin"), voter_id).version


def _change(
    client: httpx.Client, voter_id: str, kind: str, fields: dict[str, str], token: str
) -> httpx.Response:
    return client.post(
        f"/voters/{voter_id}/change/{kind}",
        data={"csrf_token": token, **fields},
        follow_redirects=False,
    )


def _move(street: str = "9 Elm St") -> dict[str, str]:
    return {
        "street": street,
        "city": "Springfield",
        "state": "CO",
        "zip": "80002",
        "reason": "voter reported a move",
        "source_ref": "DMV-2026-0042",
    }


def _check(
    client: httpx.Client, voter_id: str, last_name: str, dob: str, **extra: str
) -> httpx.Response:
    token = csrf(client.get("/check-registration").text)
    return client.post(
        "/check-registration",
        data={
            "csrf_token": token,
            "voter_id": voter_id,
            "last_name": last_name,
            "dob": dob,
            **extra,
        },
    )


def _finding(
    app: App, review_id: str, kind: str, voter_id: str, other_id: str, **details: object
) -> None:
    """A list-maintenance finding as the finders store it (they need the linkage model)."""
    with app.engine.begin() as conn:
        conn.execute(
            VOTER_REVIEWS.insert().values(
                id=review_id,
                kind=kind,
                county="adams",
                voter_id=voter_id,
                other_id=other_id,
                score="0.9871",
                details=json.dumps(details, sort_keys=True),
                status="open",
                found_at="2026-05-01T12:00:00Z",
            )
        )


def _article(html: str, review_id: str) -> str:
    start = html.index(f'<article class="review" data-review="{review_id}"')
    return html[start : html.index("</article>", start)]


def test_county_admin_searches_their_list(client: httpx.Client, adams: App) -> None:
    home = login(client, "adams-admin", DEMO_PASSWORD)
    assert 'href="/j/adams/voters"' in home.text
    page = client.get("/j/adams/voters")
    assert page.status_code == 200
    assert '<td class="num" data-status="active">12</td>' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.text.count("<tr data-voter=") == 12

    smiths = client.get("/j/adams/voters", params={"last_name": "smi"})
    found = re.findall(r'<tr data-voter="([^"]+)"', smiths.text)
    assert found == ["ADAMS000011", "ADAMS000010"]  # by last name, then first: James, Maria
    assert 'href="/voters/ADAMS000010"' in smiths.text

    by_id = client.get("/j/adams/voters", params={"voter_id": MARIA})
    assert re.findall(r'<tr data-voter="([^"]+)"', by_id.text) == [MARIA]
    assert "Maria" in by_id.text
    assert "100 Main St, Springfield, CO 80001" in by_id.text

    none = client.get("/j/adams/voters", params={"last_name": "zz"})
    assert "No voter matches that search." in none.text
    assert client.get("/j/state/voters").status_code == 404


def test_another_county_is_refused_and_the_voter_is_unchanged(
    client: httpx.Client, adams: App
) -> None:
    home = login(client, "baker-admin", DEMO_PASSWORD)
    assert 'href="/j/adams/voters"' not in client.get("/j/adams").text
    before = log_view.size(adams)
    assert client.get("/j/adams/voters").status_code == 403
    # Another county's voter is answered like an unknown id (404), and still logged.
    page = client.get("/voters/ADAMS000003")
    assert page.status_code == 404
    assert "Garcia" not in page.text
    refused = _change(client, "ADAMS000003", "address", _move(), csrf(home.text))
    assert refused.status_code == 404
    assert _version(adams, "ADAMS000003") == 1
    # "read voters" twice in one hour is logged once and counted (services/accounts/refusals.py).
    denied = log_view.entries(adams, before, 10)
    assert [(v.entry.event_type, v.entry.actor, v.entry.jurisdiction) for v in denied] == [
        ("access.denied", "baker-admin", "adams")
    ] * 2
    # A post without the form's token is refused before anyone asks whose voter it is;
    # that refusal is logged once, and nothing else is written.
    assert _change(client, "ADAMS000003", "address", _move(), "forged").status_code == 403
    assert log_view.size(adams) == before + 3
    (forged,) = log_view.entries(adams, before + 2, 1)
    assert (forged.entry.event_type, forged.entry.actor) == ("access.denied", "baker-admin")


def test_a_change_with_its_reason_shows_in_the_history(client: httpx.Client, adams: App) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    page = client.get("/voters/ADAMS000002")
    assert page.status_code == 200
    for kind in ("address", "name", "party", "inactive", "cancel"):
        assert f'action="/voters/ADAMS000002/change/{kind}"' in page.text
    assert "/change/reinstate" not in page.text  # an active voter cannot be reinstated

    sent = _change(client, "ADAMS000002", "address", _move(), csrf(page.text))
    assert sent.status_code == 303
    assert sent.headers["location"] == "/voters/ADAMS000002"
    after = client.get("/voters/ADAMS000002")
    assert "Recorded the address change as version 2." in after.text
    row = after.text[after.text.index('<tr data-version="2">') :]
    row = row[: row.index("</tr>")]
    for shown in ("address", "adams-admin", "voter reported a move", "DMV-2026-0042", "residence"):
        assert f"<td>{shown}</td>" in row
    assert "9 Elm St, Springfield, CO 80002" in after.text
    assert "Recorded the address change" not in client.get("/voters/ADAMS000002").text  # once

    party = _change(
        client,
        "ADAMS000002",
        "party",
        {"party": "DEM", "reason": "party change form", "source_ref": "PC-7"},
        csrf(after.text),
    )
    assert party.status_code == 303
    mail = {"mailing_street": "PO Box 12", "mailing_city": "Springfield", "mailing_zip": "80002"}
    sent = _change(client, "ADAMS000002", "address", {**_move(), **mail}, csrf(after.text))
    assert sent.status_code == 303
    assert "PO Box 12, Springfield, 80002" in client.get("/voters/ADAMS000002").text
    steps = voters.history(adams, who(adams, "adams-admin"), "ADAMS000002")
    assert [(s.kind, s.reason, s.source_ref, s.changed) for s in steps[1:]] == [
        ("address", "voter reported a move", "DMV-2026-0042", ("residence",)),
        ("party", "party change form", "PC-7", ("party",)),
        ("address", "voter reported a move", "DMV-2026-0042", ("mailing",)),
    ]


def test_a_refused_change_shows_the_rule_and_changes_nothing(
    client: httpx.Client, adams: App
) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    token = csrf(client.get("/voters/ADAMS000004").text)
    size = log_view.size(adams)
    refused = _change(
        client,
        "ADAMS000004",
        "cancel",
        {"status_reason": "moved", "reason": "mail came back", "source_ref": "RM-118"},
        token,
    )
    assert refused.status_code == 400
    assert "The cancellation was not saved" in refused.text
    assert "cancelled only on their written confirmation" in refused.text
    assert 'value="mail came back"' in refused.text  # the official's input is kept
    assert 'value="RM-118"' in refused.text
    assert '<option value="moved" selected>' in refused.text
    assert _version(adams, "ADAMS000004") == 1
    assert log_view.size(adams) == size

    no_reason = _change(client, "ADAMS000004", "party", {"party": "GRN"}, token)
    assert no_reason.status_code == 400
    assert "every change needs a reason" in no_reason.text
    too_long = _change(client, "ADAMS000004", "address", _move("x" * 201), token)
    assert too_long.status_code == 400
    assert "street: may be at most 200 characters" in too_long.text
    assert _version(adams, "ADAMS000004") == 1

    # The written confirmation lifts the waiting period: the same cancellation goes through.
    confirmed = _change(
        client,
        "ADAMS000004",
        "cancel",
        {
            "status_reason": "moved",
            "confirmed_by_voter": "yes",
            "reason": "voter wrote that they moved away",
            "source_ref": "LTR-5",
        },
        token,
    )
    assert confirmed.status_code == 303
    cancelled = client.get("/voters/ADAMS000004")
    assert "cancelled (moved)" in cancelled.text
    assert 'action="/voters/ADAMS000004/change/reinstate"' in cancelled.text
    assert "/change/address" not in cancelled.text


def test_alerts_are_for_the_state_admin(client: httpx.Client, adams: App) -> None:
    page = login(client, "adams-admin", DEMO_PASSWORD)
    size = log_view.size(adams)
    assert client.get("/voters/alerts").status_code == 403
    [denied] = log_view.entries(adams, size, 5)
    assert (denied.entry.event_type, denied.entry.actor) == ("access.denied", "adams-admin")
    assert 'href="/voters/alerts"' not in page.text

    adams.clock = lambda: NIGHT
    token = csrf(client.get("/voters/ADAMS000001").text)
    assert _change(client, "ADAMS000001", "address", _move(), token).status_code == 303
    client.post("/logout", data={"csrf_token": token})

    home = login(client, "state-admin", DEMO_PASSWORD)
    assert 'href="/voters/alerts"' in home.text
    alerts = client.get("/voters/alerts")
    assert alerts.status_code == 200
    row = alerts.text[alerts.text.index('data-rule="off-hours"') :]
    row = row[: row.index("</tr>")]
    assert "<td>adams-admin</td>" in row
    assert 'href="/j/adams/voters"' in row
    assert '<a href="/voters/ADAMS000001">ADAMS000001</a>' in row
    # The state administrator may also work a county's list.
    assert client.get("/j/adams/voters").status_code == 200


def test_review_queue_confirms_without_changing_the_voter(client: httpx.Client, adams: App) -> None:
    _finding(adams, "vr-dup", "duplicate", "ADAMS000005", "ADAMS000006", other_county="adams")
    _finding(adams, "vr-dead", "deceased", "ADAMS000007", "VS-2026-0042", list="deaths.csv")
    home = login(client, "adams-admin", DEMO_PASSWORD)
    assert 'href="/j/adams/voters/review"' in home.text
    page = client.get("/j/adams/voters/review")
    assert page.status_code == 200
    dup = _article(page.text, "vr-dup")
    assert '<th scope="col">Voter ADAMS000005</th><th scope="col">Voter ADAMS000006</th>' in dup
    assert "105 Main St, Springfield, CO 80001" in dup
    assert "106 Main St, Springfield, CO 80001" in dup
    assert "Decide which of ADAMS000005 and ADAMS000006 to keep" in dup
    assert 'href="/voters/ADAMS000006"' in dup
    dead = _article(page.text, "vr-dead")
    assert "record <code>VS-2026-0042</code>" in dead
    assert "deaths.csv" in dead

    size = log_view.size(adams)
    token = csrf(page.text)
    sent = client.post(
        "/j/adams/voters/review/vr-dead",
        data={"csrf_token": token, "decision": "confirmed", "note": "same name and birth date"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    after = client.get(sent.headers["location"])
    assert (
        "Review vr-dead confirmed. The registration of voter ADAMS000007 has not changed."
        in after.text
    )
    assert "Obtain the death record" in after.text
    confirmed = after.text[after.text.index('id="confirmed"') :]
    assert 'href="/voters/ADAMS000007"' in confirmed
    assert _version(adams, "ADAMS000007") == 1
    [logged] = log_view.entries(adams, size, 5)
    assert logged.entry.event_type == "voters.review_decided"

    rejected = client.post(
        "/j/adams/voters/review/vr-dup",
        data={"csrf_token": token, "decision": "rejected", "note": "twins"},
    )
    assert "Review vr-dup rejected" in rejected.text
    assert "No open findings." in rejected.text
    again = client.post(
        "/j/adams/voters/review/vr-dup",
        data={"csrf_token": token, "decision": "confirmed", "note": "changed my mind"},
    )
    assert again.status_code == 400
    assert "already rejected" in again.text

    client.post("/logout", data={"csrf_token": token})
    login(client, "baker-admin", DEMO_PASSWORD)
    assert client.get("/j/adams/voters/review").status_code == 403


def test_check_my_registration(client: httpx.Client, adams: App) -> None:
    home = client.get("/")
    assert 'href="/check-registration"' in home.text
    form = client.get("/check-registration")
    assert 'type="date"' in form.text
    assert 'method="post"' in form.text

    found = _check(client, MARIA, "garcia", SECRET_DOB.isoformat())
    assert found.status_code == 200
    size = log_view.size(adams)
    assert (
        "Your record matches the version the public log committed to in checkpoint "
        f"of size {size}." in found.text
    )
    assert "100 Main St, Springfield, CO 80001" in found.text
    history = found.text[found.text.index('id="history"') :]
    assert "<td>registration</td>" in history
    assert "adams-admin" not in history  # no official's name in the public history
    assert found.headers["cache-control"] == "no-store"

    bundle = _check(client, MARIA, "Garcia", SECRET_DOB.isoformat(), format="json")
    assert bundle.status_code == 200
    assert "attachment" in bundle.headers["content-disposition"]
    assert check_bundle(bundle.json(), adams.signer.verifier.encode()) == []

    wrong_dob = _check(client, MARIA, "Garcia", SECRET_DOB.replace(day=24).isoformat())
    wrong_name = _check(client, MARIA, "Smith", SECRET_DOB.isoformat())
    unknown = _check(client, "ADAMS999999", "Garcia", SECRET_DOB.isoformat())
    assert NO_MATCH in wrong_dob.text
    assert wrong_dob.status_code == wrong_name.status_code == unknown.status_code == 200
    assert wrong_dob.text == wrong_name.text == unknown.text
    assert "Maria" not in wrong_dob.text
    missing = _check(client, MARIA, "Garcia", "")
    assert missing.status_code == 400

    forged = client.post(
        "/check-registration",
        data={"voter_id": MARIA, "last_name": "Garcia", "dob": SECRET_DOB.isoformat()},
    )
    assert forged.status_code == 403


def test_check_with_no_voters_is_a_plain_no_match(client: httpx.Client) -> None:
    """An empty list gives the same neutral answer as any mismatch."""
    answer = _check(client, MARIA, "Garcia", SECRET_DOB.isoformat())
    assert answer.status_code == 200
    assert NO_MATCH in answer.text


def test_guessing_a_birth_date_is_cut_short(client: httpx.Client, adams: App) -> None:
    for day in range(1, CHECK_LIMIT + 1):
        miss = _check(client, MARIA, "Garcia", f"1961-01-{day:02d}")
        assert NO_MATCH in miss.text
    blocked = _check(client, MARIA, "Garcia", SECRET_DOB.isoformat())
    assert blocked.status_code == 429
    assert "Too many unsuccessful checks" in blocked.text
    assert "Maria" not in blocked.text
    # Other voters are not affected, and an unknown id is limited the same way.
    other = _check(client, "ADAMS000001", "Garcia", "1961-02-02")
    assert other.status_code == 200


SECRETS = (
    SECRET_DOB.isoformat(),
    SECRET_DOB.strftime("%m/%d/%Y"),
    SECRET_DOB.strftime("%Y%m%d"),
    SECRET_DL,
)


def _assert_no_pii(where: str, text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{where} shows {secret}"
    # Four digits turn up inside hashes by chance; an SSN4 would stand alone.
    assert not re.search(rf"(?<![0-9A-Za-z]){SECRET_SSN4}(?![0-9A-Za-z])", text), where


def test_no_voter_page_shows_an_identifier(
    client: httpx.Client, adams: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = who(adams, "adams-admin")
    voters.change(
        adams,
        admin,
        MARIA,
        Change(
            Kind.ADDRESS,
            reason="voter reported a move",
            source_ref="DMV-1",
            values={"residence": Address("1 Oak Ave", "Springfield", "CO", "80002")},
        ),
    )
    _finding(adams, "vr-maria", "duplicate", MARIA, "ADAMS000001", other_county="adams")
    _finding(adams, "vr-away", "cross-state", "ADAMS000001", "NM-77", agreeing=["name_dob", "dl"])
    pages: dict[str, httpx.Response] = {}

    dob = SECRET_DOB.isoformat()
    pages["check result"] = _check(client, MARIA, "Garcia", dob)
    assert "checkpoint of size" in pages["check result"].text
    pages["check no match"] = _check(client, MARIA, "Garcia", SECRET_DOB.replace(day=1).isoformat())
    pages["check typed date"] = _check(client, MARIA, "Garcia", SECRET_DOB.strftime("%m/%d/%Y"))
    pages["proof json"] = _check(client, MARIA, "Garcia", dob, format="json")
    assert pages["proof json"].json()["voter_id"] == MARIA

    login(client, "adams-admin", DEMO_PASSWORD)
    pages["search"] = client.get("/j/adams/voters")
    pages["search by name"] = client.get("/j/adams/voters", params={"last_name": "gar"})
    pages["voter and history"] = client.get(f"/voters/{MARIA}")
    assert "DMV-1" in pages["voter and history"].text
    pages["refused change"] = _change(
        client,
        MARIA,
        "cancel",
        {"status_reason": "duplicate", "reason": "r", "source_ref": "s"},
        csrf(pages["search"].text),
    )
    assert pages["refused change"].status_code == 400
    pages["review queue"] = client.get("/j/adams/voters/review")
    assert "vr-maria" in pages["review queue"].text
    assert "NM-77" in pages["review queue"].text

    adams.clock = lambda: NIGHT
    voters.change(
        adams,
        admin,
        MARIA,
        Change(Kind.PARTY, reason="form", source_ref="PC-1", values={"party": "LIB"}),
    )
    client.post("/logout", data={"csrf_token": csrf(pages["search"].text)})
    login(client, "state-admin", DEMO_PASSWORD)
    pages["alerts"] = client.get("/voters/alerts")
    assert f'href="/voters/{MARIA}"' in pages["alerts"].text
    pages["voter as state admin"] = client.get(f"/voters/{MARIA}")

    for where, response in pages.items():
        assert response.status_code in (200, 400), where
        _assert_no_pii(where, response.text)
    assert caplog.records, "the application log was not captured"
    _assert_no_pii("application log", caplog.text)
