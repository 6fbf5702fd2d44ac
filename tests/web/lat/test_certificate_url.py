"""The L&A certificate's link over real HTTP: it comes from configuration, never the Host header.

An observer keeps the printed certificate and later follows its address to
check the test. If that address were built from the request, anyone could
fetch a genuine certificate with ``Host: evil.example`` and hand out a paper
that sends observers to a site of their own.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.formats.lat.test_pdf import shown
from tests.web.server import serving
from votetrail.errors import ConfigurationError
from votetrail.services.context import App, resolve_public_url
from votetrail.services.demo.lat import load_demo_lat
from votetrail.services.setup import DEMO_COUNTIES

FORGED = {"Host": "evil.example"}


def _certificate(base_url: str, session_id: str) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        return client.get(f"/lat/{session_id}/certificate.pdf", headers=FORGED)


def test_a_forged_host_does_not_reach_the_certificate(demo_app: App) -> None:
    load_demo_lat(demo_app, list(DEMO_COUNTIES))
    demo_app.public_url = resolve_public_url("https://elections.example.gov/")
    with serving(demo_app) as base_url:
        answer = _certificate(base_url, "adams-lat-1")
    assert answer.status_code == 200
    printed = shown(answer.content)
    assert "evil.example" not in printed
    assert "check it at https://elections.example.gov/lat/adams-lat-1." in printed


def test_without_a_public_url_the_certificate_names_only_the_path(demo_app: App) -> None:
    load_demo_lat(demo_app, list(DEMO_COUNTIES))
    demo_app.public_url = None
    with serving(demo_app) as base_url:
        answer = _certificate(base_url, "adams-lat-1")
        open_test = _certificate(base_url, "clark-lat-1")
    assert answer.status_code == 200
    printed = shown(answer.content)
    assert "evil.example" not in printed
    assert "127.0.0.1" not in printed
    assert "check it at /lat/adams-lat-1 on the election office's votetrail site." in printed
    # Clark's test is still open: no certificate, a page that says so.
    assert open_test.status_code == 404
    assert "Not signed: in progress" in open_test.text
    assert "evil.example" not in open_test.text


@pytest.mark.parametrize(
    "value",
    [
        "elections.example.gov",
        "javascript:alert(1)",
        "https://user@evil.example",
        "https://a/?x=1",
        "https://elections.example.gov\nSet-Cookie: x=1",
        # Each of these printed with "/lat/<id>" after it sends observers elsewhere:
        "https://evil.example\\elections.example.gov",  # a browser goes to evil.example
        "https://elections.example.gov?",  # the record's path becomes a query
        "https://elections.example.gov#",  # ... or a fragment
        "https://elections.example.gov\x00.evil.example",
        "https://elections.example.gov:99999",
        "https://elections.example.gov:http",
    ],
)
def test_a_public_url_that_is_not_a_plain_address_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="public URL"):
        resolve_public_url(value)


def test_the_public_url_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VOTETRAIL_PUBLIC_URL", "https://elections.example.gov")
    assert resolve_public_url() == "https://elections.example.gov"
    monkeypatch.delenv("VOTETRAIL_PUBLIC_URL")
    assert resolve_public_url() is None
