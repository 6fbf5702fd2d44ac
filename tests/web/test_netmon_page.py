"""The security analyst's network page: a real masscan capture uploaded through the form.

The capture is ESnet's curated masscan run (``tcp_0_1000_20190821.pcap``):
one scanner, 172.31.15.102, sweeping TCP ports 0 to 1000 of one host on
21 August 2019, so the detector finds one vertical scan of 1,001 ports.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.services.netmon.test_days import midnight_scan
from tests.web.server import csrf, login
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon
from votetrail.services.setup import DEMO_PASSWORD

MASSCAN = Path("netmon/esnet-curated-pcaps/attacks/scanners/masscan/tcp_0_1000_20190821.pcap")
SCANNER = "172.31.15.102"
DAY = "2019-08-21"


@pytest.fixture
def masscan(shared_data: Path) -> Path:
    return shared_data / MASSCAN


def _upload(client: httpx.Client, token: str | None, *paths: Path) -> httpx.Response:
    data = {"csrf_token": token} if token is not None else {}
    return client.post(
        "/netmon/upload",
        data=data,
        files=[("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths],
        follow_redirects=False,
    )


def test_analyst_uploads_a_capture_and_sees_the_scan(
    client: httpx.Client, demo_app: App, masscan: Path
) -> None:
    home = login(client, "analyst", DEMO_PASSWORD)
    assert 'href="/netmon">Network</a>' in home.text
    empty = client.get("/netmon")
    assert empty.status_code == 200
    assert "0 scans on" in empty.text

    sent = _upload(client, csrf(empty.text), masscan)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/netmon"
    after = client.get("/netmon")
    assert f"from {masscan.name}: 1 incident." in after.text
    # A capture holds packets, and the message counts them so.
    assert re.search(rf"Read [0-9,]+ packets from {re.escape(masscan.name)}", after.text)
    assert " lines " not in after.text[after.text.index('data-testid="flash"') :][:400]

    page = client.get("/netmon", params={"day": DAY})
    assert page.status_code == 200
    # The page names the day it shows, not "today" (the scan was in 2019).
    assert "1 scan on Wednesday, Aug 21, 2019" in page.text
    assert "today" not in page.text
    row = page.text[page.text.index("<tr class=", page.text.index("<tbody>")) :]
    row = row[: row.index("</tr>")]
    assert "vertical" in row
    assert '<td data-testid="protocol">TCP</td>' in row
    assert SCANNER in row
    assert '<td class="num">1,001</td>' in row
    assert f'href="/netmon/report/{DAY}"' in page.text
    assert 'data-testid="flash"' not in page.text

    report = client.get(f"/netmon/report/{DAY}")
    assert report.status_code == 200
    assert "1 scan on Wednesday, Aug 21, 2019" in report.text
    # Titled for a reader, after the office, not after the log's origin string.
    assert "<h1>Network report, Wednesday, Aug 21, 2019 — " in report.text
    assert demo_app.origin not in report.text
    assert report.headers["content-security-policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )

    cidr = client.get("/netmon/blocklist.cidr")
    assert cidr.status_code == 200
    assert cidr.text == f"{SCANNER}/32\n"
    assert cidr.headers["content-type"].startswith("text/plain")
    assert "attachment" in cidr.headers["content-disposition"]
    assert client.get("/netmon/blocklist.exe").status_code == 400

    found = client.get("/netmon/incidents.json", params={"day": DAY}).json()
    assert [i.pop("day_attempts") for i in found] == [i["connections"] for i in found]
    assert found == netmon.incidents(demo_app)
    assert [(i["kind"], i["sources"], i["ports"]) for i in found] == [("vertical", [SCANNER], 1001)]
    assert client.get("/netmon/incidents.json", params={"day": "2019-08-22"}).json() == []

    again = _upload(client, csrf(after.text), masscan)
    assert again.status_code == 303
    assert "was read before" in client.get("/netmon").text


def test_state_admin_may_monitor(client: httpx.Client) -> None:
    home = login(client, "state-admin", DEMO_PASSWORD)
    assert 'href="/netmon">Network</a>' in home.text
    assert client.get("/netmon").status_code == 200


def test_county_admin_is_refused_and_logged(
    client: httpx.Client, demo_app: App, masscan: Path
) -> None:
    home = login(client, "adams-admin", DEMO_PASSWORD)
    assert 'href="/netmon"' not in home.text
    refused = client.get("/netmon")
    assert refused.status_code == 403
    last = log_view.entries(demo_app, log_view.size(demo_app) - 1, 1)[0].entry
    assert (last.event_type, last.actor, last.jurisdiction) == (
        "access.denied",
        "adams-admin",
        "state",
    )
    assert client.get("/netmon/blocklist.cidr").status_code == 403
    assert _upload(client, csrf(home.text), masscan).status_code == 413  # not an uploader's cap
    assert netmon.incidents(demo_app) == []


def test_upload_without_csrf_token_is_refused(
    client: httpx.Client, demo_app: App, masscan: Path
) -> None:
    login(client, "analyst", DEMO_PASSWORD)
    forged = _upload(client, None, masscan)
    assert forged.status_code == 403
    assert "this form has expired" in forged.text
    assert netmon.incidents(demo_app) == []


def test_bad_day_and_signed_out(client: httpx.Client) -> None:
    assert client.get("/netmon").status_code == 401
    login(client, "analyst", DEMO_PASSWORD)
    bad = client.get("/netmon", params={"day": "21/08/2019"})
    assert bad.status_code == 400
    assert "YYYY-MM-DD" in bad.text
    # A value in the address is named, with what it must be; no file was sent.
    assert "upload it again" not in bad.text
    assert "The value of <code>day</code> in the page's address was not accepted (write" in bad.text


def test_a_scan_across_midnight_shows_each_days_attempts(
    client: httpx.Client, demo_app: App, tmp_path: Path
) -> None:
    """Listed on both days, each with that day's attempts (30 before midnight, 20 after)."""
    netmon.ingest(demo_app, "analyst", [midnight_scan(tmp_path)])
    login(client, "analyst", DEMO_PASSWORD)
    for day, attempts in (("2026-11-03", "30"), ("2026-11-04", "20")):
        page = client.get("/netmon", params={"day": day})
        assert "1 scan on" in page.text
        assert f'<td class="num">{attempts} <span class="muted">of 50</span></td>' in page.text
        found = client.get("/netmon/incidents.json", params={"day": day}).json()
        assert [i["day_attempts"] for i in found] == [int(attempts)]
        report = client.get(f"/netmon/report/{day}")
        assert f"<title>{'23' if attempts == '30' else '00'}:00 – {attempts}</title>" in report.text
