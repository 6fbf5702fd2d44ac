"""The L&A pages over real HTTP: a county runs a public test, and anyone reads its record.

The definition is the demo election as Adams County programs it (two
precincts, a governor's race with a write-in line and a county measure),
written as the votetrail YAML a clerk would upload. The passing report is
the expected CVR file the workspace itself hands out; the failing one is the
same kind of file with the two governor candidates' selection ids exchanged,
as a wrongly built ballot definition on a device would report them.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.formats.lat.test_pdf import shown
from tests.web.server import csrf, login
from votetrail.core.lat.deck import generate_deck
from votetrail.core.lat.definition import ElectionDefinition
from votetrail.formats.election.yaml import write_yaml
from votetrail.formats.lat.deck_files import write_deck_cvrs, write_expected_csv
from votetrail.services import directory, log_view
from votetrail.services.context import App
from votetrail.services.demo.lat import demo_definition
from votetrail.services.lat import definitions as lat_definitions
from votetrail.services.lat import records as lat_records
from votetrail.services.lat import sessions as lat_sessions
from votetrail.services.setup import DEMO_PASSWORD

P1, P2 = "Adams P-1", "Adams P-2"
SWAP = "Avery Quinn and Blake Rivera swapped"


@pytest.fixture
def definition() -> ElectionDefinition:
    return demo_definition("adams", "Adams County")


@pytest.fixture
def definition_file(tmp_path: Path, definition: ElectionDefinition) -> Path:
    path = tmp_path / "Adams general - election definition.yaml"
    path.write_text(write_yaml(definition), encoding="utf-8")
    return path


def _open_test(
    client: httpx.Client, definition_file: Path, token: str, **fields: str
) -> httpx.Response:
    data = {
        "csrf_token": token,
        "phase": "pre",
        "held_on": "2026-10-20",
        "location": "Adams County Election Office, room 2",
        "observers": "League of Women Voters: Jo Ortiz\n\nRepublican Party: Mark Novak\n",
        **fields,
    }
    return client.post(
        "/j/adams/lat",
        data=data,
        files={"definition": (definition_file.name, definition_file.read_bytes(), "text/yaml")},
        follow_redirects=False,
    )


def _add_device(
    client: httpx.Client, base: str, token: str, serial: str, seal: str, *precincts: str
) -> httpx.Response:
    return client.post(
        f"{base}/devices",
        data={
            "csrf_token": token,
            "serial": serial,
            "kind": "precinct scanner",
            "seal": seal,
            "precincts": list(precincts),
        },
        follow_redirects=False,
    )


def _upload(
    client: httpx.Client, base: str, token: str, serial: str, name: str, body: bytes
) -> httpx.Response:
    return client.post(
        f"{base}/devices/{serial}/results",
        data={"csrf_token": token},
        files={"report": (name, body, "application/json")},
        follow_redirects=False,
    )


def _swapped(report: dict[str, Any]) -> dict[str, Any]:
    """The report with the governor's first two selections' ids exchanged."""
    tampered: dict[str, Any] = json.loads(json.dumps(report))
    for contest in tampered["Election"][0]["Contest"]:
        if contest["Name"] == "Governor":
            first, second = contest["ContestSelection"][0], contest["ContestSelection"][1]
            first["@id"], second["@id"] = second["@id"], first["@id"]
    return tampered


def _article(html: str, serial: str) -> str:
    start = html.index('<article class="lat-device" id="device-')
    start = html.index(f'data-device="{serial}"', start)
    return html[start : html.index("</article>", start)]


def _outcome_cell(html: str, serial: str) -> str:
    row = html[html.index(f'<tr data-device="{serial}"') :]
    row = row[: row.index("</tr>")]
    found: list[str] = re.findall(r'data-outcome="([^"]+)"', row)
    return found[-1]


def _session(app: App) -> str:
    """A test of Adams opened through the services, for the refusal tests."""
    officer = directory.principal(app, "adams-admin")
    assert officer is not None
    path = app.data_dir / "adams.yaml"
    path.write_text(write_yaml(demo_definition("adams", "Adams County")), encoding="utf-8")
    loaded = lat_definitions.load_definition_file(app, officer, "adams", path)
    session_id = lat_sessions.open_session(
        app, officer, "adams", loaded.id, "pre", date(2026, 10, 20), "Adams office", []
    )
    lat_sessions.add_device(app, officer, session_id, "ICP-1", "precinct scanner", "A-1", [P1])
    return session_id


def test_a_county_runs_a_test_that_the_public_can_read(
    client: httpx.Client,
    base_url: str,
    demo_app: App,
    tmp_path: Path,
    definition: ElectionDefinition,
    definition_file: Path,
) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    assert 'href="/j/adams/lat"' in client.get("/j/adams").text
    county = client.get("/j/adams/lat")
    assert county.status_code == 200
    assert "No L&amp;A tests yet." in county.text
    token = csrf(county.text)

    opened = _open_test(client, definition_file, token)
    assert opened.status_code == 303
    base = opened.headers["location"]
    session_id = base.rsplit("/", 1)[-1]
    assert base == f"/j/adams/lat/{session_id}"
    page = client.get(base)
    assert f"Opened L&amp;A test {session_id}." in page.text
    assert "League of Women Voters: Jo Ortiz; Republican Party: Mark Novak" in page.text
    assert f'<input type="checkbox" name="precincts" value="{P1}">' in page.text

    assert _add_device(client, base, token, "ICP-1", "A-100101", P1).status_code == 303
    assert _add_device(client, base, token, "ICP-2", "A-100201", P2).status_code == 303
    page = client.get(base)
    assert _outcome_cell(page.text, "ICP-1") == "not run"
    assert "Added device ICP-2." in page.text

    # The workspace's own expected CVRs are exactly the deck's, and pass.
    expected = client.get(f"{base}/devices/ICP-1/expected-cvrs.json")
    assert expected.status_code == 200
    deck = generate_deck(definition)
    reference = tmp_path / "reference.json"
    write_deck_cvrs(deck, reference, "ICP-1", [P1])
    assert expected.content == reference.read_bytes()
    sent = _upload(client, base, token, "ICP-1", "ICP-1 cvrs.json", expected.content)
    assert sent.status_code == 303
    page = client.get(base)
    assert (
        f"Device ICP-1 passed: its report matches the deck ({base.rsplit('/', 1)[-1]}" in page.text
    )
    assert _outcome_cell(page.text, "ICP-1") == "passed"

    own = tmp_path / "icp2.json"
    write_deck_cvrs(deck, own, "ICP-2", [P2])
    tampered = json.dumps(_swapped(json.loads(own.read_text(encoding="utf-8")))).encode()
    sent = _upload(client, base, token, "ICP-2", "ICP-2 cvrs.json", tampered)
    assert sent.status_code == 303
    page = client.get(base)
    assert "Device ICP-2 failed with" in page.text
    assert _outcome_cell(page.text, "ICP-2") == "failed"
    failed_run = _article(page.text, "ICP-2")
    assert 'class="lat-run failed"' in failed_run
    assert SWAP in failed_run
    assert SWAP not in _article(page.text, "ICP-1")

    # An open test has no certificate: its address is a page marked "not signed".
    with httpx.Client(base_url=base_url, timeout=10) as public:
        early = public.get(f"/lat/{session_id}/certificate.pdf")
        assert early.status_code == 404
        assert early.headers["content-type"].startswith("text/html")
        assert "Not signed: in progress" in early.text
        assert "This is not a certificate." in early.text
        assert not early.content.startswith(b"%PDF")
        assert 'data-testid="not-signed"' in public.get(f"/lat/{session_id}").text
    statement = {
        "csrf_token": token,
        "officials": "County Clerk\nDeputy Clerk",
        "statement": "We watched the deck run and certify the results shown.",
    }
    sealed = client.post(
        f"{base}/devices/ICP-1/seal",
        data={"csrf_token": token, "seal": "A-100102"},
        follow_redirects=False,
    )
    assert sealed.status_code == 303
    unsealed = client.post(f"{base}/sign", data=statement, follow_redirects=False)
    assert unsealed.status_code == 400
    assert "device ICP-2: has no seal recorded after the test" in unsealed.text
    reason = client.post(
        f"{base}/devices/ICP-2/unsealed",
        data={"csrf_token": token, "reason": "Sent to the vendor for repair"},
        follow_redirects=False,
    )
    assert reason.status_code == 303
    signed = client.post(
        f"{base}/sign",
        data={
            "csrf_token": token,
            "officials": "County Clerk\nDeputy Clerk",
            "statement": "We watched the deck run and certify the results shown.",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    page = client.get(base)
    assert "is signed off and closed" in page.text
    assert "none: Sent to the vendor for repair" in page.text
    for form in ("/devices", "/results", "/seal", "/unsealed", "/sign"):
        assert f'action="{base}{form}"' not in page.text
    assert "<form" not in page.text.split("<main", 1)[1]

    with httpx.Client(base_url=base_url, timeout=10) as public:
        listing = public.get("/lat")
        assert listing.status_code == 200
        assert 'href="/lat"' in listing.text  # the public navigation
        row = listing.text[listing.text.index(f'<tr data-session="{session_id}"') :]
        row = row[: row.index("</tr>")]
        assert f'href="/lat/{session_id}"' in row
        assert "Adams County" in row
        assert "2026-10-20" in row
        assert "Pre-election" in row
        assert 'data-outcome="failed"' in row
        assert "County Clerk, Deputy Clerk" in row

        record = public.get(f"/lat/{session_id}")
        assert record.status_code == 200
        assert _outcome_cell(record.text, "ICP-1") == "passed"
        assert _outcome_cell(record.text, "ICP-2") == "failed"
        assert SWAP in _article(record.text, "ICP-2")
        assert "<form" not in record.text.split("<main", 1)[1]
        assert "expected-cvrs" not in record.text
        entries = [int(n) for n in re.findall(r'href="/log\?start=(\d+)"', record.text)]
        assert len(entries) == 3  # the sign-off and the two runs
        views = log_view.entries(demo_app, min(entries), max(entries) - min(entries) + 1)
        types = {v.seq: v.entry.event_type for v in views}
        assert sorted(types[n] for n in entries) == [
            "lat.result_recorded",
            "lat.result_recorded",
            "lat.session_signed",
        ]

        certificate = public.get(f"/lat/{session_id}/certificate.pdf")
        assert certificate.status_code == 200
        assert certificate.headers["content-type"] == "application/pdf"
        assert certificate.content.startswith(b"%PDF")
        printed = shown(certificate.content)
        # No public URL is configured here: the certificate names the path, never this Host.
        assert f"check it at /lat/{session_id} on the election office's votetrail site" in printed
        assert "127.0.0.1" not in printed
        assert "ICP-2: Sent to the vendor for repair" in printed
        assert "ICP-2, run 1 (failed):" in printed

        deck_json = public.get(f"/lat/{session_id}/deck.json")
        assert deck_json.status_code == 200
        assert deck_json.json() == deck.contract()
        deck_csv = public.get(f"/lat/{session_id}/deck.csv")
        assert deck_csv.text.startswith("ballot,ballot_style,precinct,purpose,contest")
        deck_pdf = public.get(f"/lat/{session_id}/deck.pdf")
        assert deck_pdf.content.startswith(b"%PDF")
        assert public.get(f"/lat/{session_id}/deck.docx").status_code == 404
        # The expected CVRs are for the county's dry run, not a public record.
        assert public.get(f"{base}/devices/ICP-1/expected-cvrs.json").status_code == 401


def test_a_bad_file_comes_back_with_its_reason_and_changes_nothing(
    client: httpx.Client, demo_app: App, tmp_path: Path, definition_file: Path
) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    token = csrf(client.get("/j/adams/lat").text)
    size = log_view.size(demo_app)

    bad = tmp_path / "definition.json"
    bad.write_text('{"title": "not a definition"}', encoding="utf-8")
    refused = _open_test(client, bad, token, location="Room 7 of the annex")
    assert refused.status_code == 400
    assert 'data-testid="form-error"' in refused.text
    assert "definition.json: is not an election definition votetrail can read" in refused.text
    assert 'value="Room 7 of the annex"' in refused.text  # the typed fields are kept
    assert str(tmp_path) not in refused.text
    no_place = _open_test(client, definition_file, token, location="  ")
    assert no_place.status_code == 400
    assert "location: must not be empty" in no_place.text
    assert lat_records.sessions(demo_app, "adams") == []
    assert log_view.size(demo_app) == size  # not even the definition was stored

    base = _open_test(client, definition_file, token).headers["location"]
    assert _add_device(client, base, token, "ICP-1", "A-1", P1).status_code == 303
    unknown = _add_device(client, base, token, "ICP-9", "A-9", "Nowhere P-7")
    assert unknown.status_code == 400
    assert "precinct &#39;Nowhere P-7&#39;: is not a precinct of the election definition" in (
        unknown.text
    )
    assert 'name="serial" maxlength="64" required value="ICP-9"' in unknown.text
    too_long = _add_device(client, base, token, "S" * 65, "A-9", P1)
    assert too_long.status_code == 400
    assert "serial number: is longer than 64 characters" in too_long.text
    size = log_view.size(demo_app)
    garbage = _upload(client, base, token, "ICP-1", "tape photo.json", b'{"x": 1}')
    assert garbage.status_code == 400
    message = re.search(
        r'data-testid="form-error"><p><strong>Not saved.</strong> ([^<]+)<', garbage.text
    )
    assert message is not None
    assert message.group(1).startswith("tape photo.json")
    assert _outcome_cell(garbage.text, "ICP-1") == "not run"
    early = client.post(
        f"{base}/sign",
        data={"csrf_token": token, "officials": "County Clerk", "statement": "Done."},
        follow_redirects=False,
    )
    assert early.status_code == 400
    assert "device ICP-1: has not been run; record its result before signing" in early.text
    assert "County Clerk</textarea>" in early.text
    assert log_view.size(demo_app) == size


def test_one_devices_report_uploaded_for_another_is_refused(
    client: httpx.Client,
    demo_app: App,
    tmp_path: Path,
    definition: ElectionDefinition,
    definition_file: Path,
) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    token = csrf(client.get("/j/adams/lat").text)
    base = _open_test(client, definition_file, token).headers["location"]
    for serial in ("ICP-1", "ICP-2"):
        assert _add_device(client, base, token, serial, "A-1", P1).status_code == 303
    report = tmp_path / "totals.csv"
    with report.open("w", encoding="utf-8", newline="") as out:
        write_expected_csv(generate_deck(definition), out, [P1])
    body = report.read_bytes()  # a totals sheet says nothing about its device
    assert _upload(client, base, token, "ICP-1", "ICP-1 totals.csv", body).status_code == 303
    size = log_view.size(demo_app)
    again = _upload(client, base, token, "ICP-2", "ICP-2 totals.csv", body)
    assert again.status_code == 400
    assert "ICP-2 totals.csv (SHA-256" in again.text
    assert "is already recorded as the report of device ICP-1" in again.text
    assert _outcome_cell(again.text, "ICP-2") == "not run"
    assert log_view.size(demo_app) == size


def test_another_county_is_refused_and_the_refusal_is_logged(
    client: httpx.Client, demo_app: App
) -> None:
    session_id = _session(demo_app)
    base = f"/j/adams/lat/{session_id}"
    assert client.get("/j/adams/lat").status_code == 401

    home = login(client, "baker-admin", DEMO_PASSWORD)
    assert 'href="/j/adams/lat"' not in client.get("/j/adams").text
    token = csrf(home.text)
    before = log_view.size(demo_app)
    page = client.get("/j/adams/lat")
    assert page.status_code == 403
    assert "may not run L&amp;A tests for this county" in page.text
    assert client.get(base).status_code == 403
    added = _add_device(client, base, token, "ICP-9", "X-1", P1)
    assert added.status_code == 403
    denied = log_view.entries(demo_app, before, 10)
    assert [(v.entry.event_type, v.entry.actor, v.entry.jurisdiction) for v in denied] == [
        ("access.denied", "baker-admin", "adams")
    ] * 3
    # A post without the form's token is refused before anyone asks whose test it is,
    # and that refusal is logged once too.
    assert _add_device(client, base, "forged", "ICP-9", "X-1", P1).status_code == 403
    assert log_view.size(demo_app) == before + 4
    (forged,) = log_view.entries(demo_app, before + 3, 1)
    assert (forged.entry.event_type, forged.entry.actor) == ("access.denied", "baker-admin")
    assert [d.serial for d in lat_records.session(demo_app, session_id).devices] == ["ICP-1"]
    # Baker's own workspace does not show Adams's test at a Baker address.
    assert client.get("/j/baker/lat").status_code == 200
    assert client.get(f"/j/baker/lat/{session_id}").status_code == 404
    assert client.get("/j/state/lat").status_code == 404
    # Anyone may read the public record.
    assert client.get(f"/lat/{session_id}").status_code == 200


def test_the_state_administrator_may_run_a_countys_test(
    client: httpx.Client, demo_app: App
) -> None:
    session_id = _session(demo_app)
    login(client, "state-admin", DEMO_PASSWORD)
    page = client.get(f"/j/adams/lat/{session_id}")
    assert page.status_code == 200
    assert f'action="/j/adams/lat/{session_id}/devices"' in page.text
