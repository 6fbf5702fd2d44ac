"""A ranked contest's expected round table on the L&A pages, over real HTTP.

The public record and the county's workspace both show, for a ranked-choice
contest, the rounds the deck must give: a row per candidate, a column per
round, who was eliminated and where the votes went, and who is elected.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import httpx

from tests.core.lat.test_ranked_deck import ranked_definition
from tests.services.voters.fixtures import who
from tests.web.server import login
from votetrail.core.lat.deck import generate_deck
from votetrail.formats.election.yaml import write_yaml
from votetrail.services.context import App
from votetrail.services.lat import definitions as lat_definitions
from votetrail.services.lat import sessions as lat_sessions
from votetrail.services.setup import DEMO_PASSWORD


def _ranked_session(app: App, tmp_path: Path) -> str:
    officer = who(app, "adams-admin")
    path = tmp_path / "ranked.yaml"
    path.write_text(write_yaml(ranked_definition()), encoding="utf-8")
    loaded = lat_definitions.load_definition_file(app, officer, "adams", path)
    return lat_sessions.open_session(
        app, officer, "adams", loaded.id, "pre", date(2026, 10, 20), "Office", ["Jo Ortiz"]
    )


def _cells(html: str, choice: str) -> list[str]:
    row = re.search(rf'<tr data-choice="{choice}">(.*?)</tr>', html, re.S)
    assert row is not None, choice
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


def test_the_round_table_is_on_the_public_and_county_pages(
    client: httpx.Client, demo_app: App, tmp_path: Path
) -> None:
    session_id = _ranked_session(demo_app, tmp_path)
    expected = generate_deck(ranked_definition()).expected_rounds()["mayor"]
    public = client.get(f"/lat/{session_id}")
    assert public.status_code == 200
    html = public.text
    assert "Expected rounds: Mayor (ranked choice)" in html
    assert _cells(html, "c0") == ["6", *(["—"] * (len(expected.rounds) - 1))]
    assert len(_cells(html, "c3")) == len(expected.rounds)
    assert "Round 1: Ada Lane eliminated: " in html
    assert "Elected: " in html
    login(client, "adams-admin", DEMO_PASSWORD)
    county = client.get(f"/j/adams/lat/{session_id}")
    assert county.status_code == 200
    assert _cells(county.text, "c0")[0] == "6"
