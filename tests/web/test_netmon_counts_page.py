"""The network page leads with the day's probes, then its top sources and top /24s.

The logs are small Zeek conn.logs in the CTU-Normal captures' layout
(``stratosphereips/security-datasets-for-testing`` at 1c90a369,
``008-zeek-mixed/data/conn.log.labeled``), our own values:
:mod:`tests.services.netmon.zeek_days`.
"""

from __future__ import annotations

import re
from ipaddress import ip_network
from pathlib import Path

import httpx

from tests.services.netmon.zeek_days import HOME, first_day, second_day
from tests.web.server import login
from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon
from votetrail.services.setup import DEMO_PASSWORD

LEAD = (
    "Probed 5 times from 3 addresses on 5 ports; "
    "1 attempt got an answer on a port that should be closed."
)


def _ingest(app: App, *paths: Path) -> None:
    netmon.ingest(app, "analyst", list(paths), home_networks=[ip_network(n) for n in HOME])


def _first_cells(html: str, table: str) -> list[str]:
    """The first cell of each body row of the table marked ``data-testid=table``."""
    body = html[html.index(f'data-testid="{table}"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return re.findall(r"<tr[^>]*>\s*<td>([^<]*)</td>", body)


def test_the_day_leads_with_every_probe_then_top_sources_and_networks(
    client: httpx.Client, demo_app: App, tmp_path: Path
) -> None:
    _ingest(demo_app, first_day(tmp_path))
    login(client, "analyst", DEMO_PASSWORD)
    page = client.get("/netmon")  # no scan at all: the latest day with counts is shown
    assert page.status_code == 200
    assert "0 scans on Monday, Nov 2, 2026" in page.text
    assert LEAD in page.text
    assert page.text.index(LEAD) < page.text.index("0 scans on")
    assert _first_cells(page.text, "top-sources") == ["203.0.113.7", "198.51.100.9", "203.0.113.8"]
    assert _first_cells(page.text, "top-networks") == ["203.0.113.0/24", "198.51.100.0/24"]
    assert page.text.index("top-networks") < page.text.index("<h2>Incidents</h2>")

    _ingest(demo_app, second_day(tmp_path))
    later = client.get("/netmon", params={"day": "2026-11-03"})
    row = later.text[later.text.index('data-source="203.0.113.7"') :]
    assert "<td>returning</td>" in row[: row.index("</tr>")]
    assert "1 scan on" in later.text
    assert _first_cells(later.text, "top-networks") == ["203.0.113.0/24", "2001:db8:1::/64"]

    sources = client.get("/netmon/totals.json", params={"by": "source", "limit": "1"}).json()
    assert (sources["day"], sources["by"]) == ("2026-11-03", "source")
    assert [(r["source"], r["attempts"], r["returning"]) for r in sources["rows"]] == [
        ("203.0.113.7", 30, True)
    ]
    whole = client.get("/netmon/totals.json", params={"day": "2026-11-02"}).json()
    assert [(r["sources"], r["attempts"], r["unexpected"]) for r in whole["rows"]] == [(3, 5, 1)]
    assert client.get("/netmon/totals.json", params={"by": "port"}).status_code == 400
    assert client.get("/netmon/totals.json", params={"limit": "0"}).status_code == 400
    assert client.get("/netmon/totals.json", params={"limit": "9" * 30}).status_code == 400

    older = client.get("/netmon", params={"day": "2026-11-01"})
    assert "No count of every probe is stored for this day" in older.text
    assert 'data-testid="top-sources"' not in older.text


def test_a_county_admin_sees_no_counts(client: httpx.Client, demo_app: App, tmp_path: Path) -> None:
    _ingest(demo_app, first_day(tmp_path))
    login(client, "adams-admin", DEMO_PASSWORD)
    refused = client.get("/netmon", params={"day": "2026-11-02"})
    assert refused.status_code == 403
    assert "203.0.113.7" not in refused.text
    assert "Probed" not in refused.text
    assert client.get("/netmon/totals.json", params={"by": "source"}).status_code == 403
