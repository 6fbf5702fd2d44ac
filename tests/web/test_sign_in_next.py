"""Sign-in takes people back to the page that asked for it, and nowhere else, over real HTTP.

A signed-out visitor who opens a county page gets the 401 page, whose "Sign in"
link carries the page's path as ``next``; the sign-in form keeps it and a
right password ends on that page. Any ``next`` that is not a path on this site
(another host written a dozen ways) ends on the workspace instead, so the form
cannot send a signed-in official to a look-alike site.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.web.server import csrf, login
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.web.workspace import safe_next

OUTSIDE = [
    "//evil.example",
    "//evil.example/j/adams",
    "https://evil.example",
    "https://evil.example/j/adams",
    "http:/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/j/adams\\..\\\\evil.example",
    "%2F%2Fevil.example",
    "/%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%252F%252Fevil.example",
    "/%25252F%25252Fevil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\x00/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "j/adams",
    " /j/adams",
    "",
    "/" + "a" * 3000,
]
"""Values of ``next`` a browser would take off this site, or that name no page of ours."""


def sign_in_link(page: httpx.Response) -> str:
    found = re.search(r'<a href="([^"]+)" data-testid="sign-in-next"', page.text)
    assert found, "the 401 page offers no sign-in link that comes back"
    return html.unescape(found.group(1))


def post_login(
    client: httpx.Client, next_value: str | None, password: str = DEMO_PASSWORD
) -> httpx.Response:
    token = csrf(client.get("/login").text)
    data = {"username": "adams-admin", "password": password, "csrf_token": token}
    if next_value is not None:
        data["next"] = next_value
    return client.post("/login", data=data, follow_redirects=False)


@pytest.mark.parametrize("path", ["/j/adams", "/j/adams/voters?last_name=Garcia&page=2"])
def test_signing_in_from_a_401_page_lands_on_the_page_asked_for(
    client: httpx.Client, path: str
) -> None:
    refused = client.get(path)
    assert refused.status_code == 401
    link = sign_in_link(refused)
    assert urlsplit(link).path == "/login"
    assert parse_qs(urlsplit(link).query)["next"] == [path]
    form = client.get(link)
    assert form.status_code == 200
    assert f'name="next" value="{html.escape(path)}"' in form.text
    answer = client.post(
        "/login",
        data={
            "username": "adams-admin",
            "password": DEMO_PASSWORD,
            "csrf_token": csrf(form.text),
            "next": path,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == path
    landed = client.get(answer.headers["location"])
    assert landed.status_code == 200
    assert landed.url.path == urlsplit(path).path
    assert landed.url.query.decode() == urlsplit(path).query


def test_a_wrong_password_keeps_the_page_to_return_to(client: httpx.Client) -> None:
    wrong = post_login(client, "/j/adams", password="not-the-password")
    assert wrong.status_code == 401
    assert 'name="next" value="/j/adams"' in wrong.text
    right = post_login(client, "/j/adams")
    assert right.headers["location"] == "/j/adams"


def test_without_next_sign_in_goes_to_the_workspace(client: httpx.Client) -> None:
    answer = post_login(client, None)
    assert answer.headers["location"] == "/workspace"
    assert client.get("/workspace").url.path == "/j/adams"


def test_next_off_this_site_lands_on_the_workspace(client: httpx.Client) -> None:
    """One server for every value: each is a real sign-in, answered by the real form."""
    landed = {outside: post_login(client, outside).headers.get("location") for outside in OUTSIDE}
    assert {o: where for o, where in landed.items() if where != "/workspace"} == {}


def test_the_form_does_not_carry_a_next_off_this_site(client: httpx.Client) -> None:
    for outside in ("//evil.example", "https://evil.example", "/\\evil.example"):
        form = client.get("/login", params={"next": outside})
        assert 'name="next"' not in form.text
        assert "evil.example" not in form.text


def test_a_signed_in_official_opening_the_form_goes_to_next_or_the_workspace(
    client: httpx.Client,
) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    kept = client.get("/login", params={"next": "/j/adams/lat"}, follow_redirects=False)
    assert kept.headers["location"] == "/j/adams/lat"
    for outside in ("//evil.example", "https://evil.example", "/%2F%2Fevil.example"):
        sent = client.get("/login", params={"next": outside}, follow_redirects=False)
        assert sent.headers["location"] == "/workspace"


def test_a_refused_form_post_offers_a_plain_sign_in(client: httpx.Client) -> None:
    """A POST cannot be repeated by following a link: its 401 page does not promise a return."""
    token = csrf(client.get("/login").text)
    refused = client.post("/j/adams/upload/cvrs", data={"csrf_token": token})
    assert refused.status_code in (401, 403)
    assert 'data-testid="sign-in-next"' not in refused.text


@pytest.mark.parametrize("outside", OUTSIDE)
def test_safe_next_refuses_every_value_off_this_site(outside: str) -> None:
    assert safe_next(outside) is None


@pytest.mark.parametrize(
    "path", ["/", "/j/adams", "/j/adams/voters?last_name=O%27Brien&page=2", "/log#how-to-check"]
)
def test_safe_next_keeps_a_path_of_this_site(path: str) -> None:
    assert safe_next(path) == path


def test_safe_next_refuses_what_is_not_text() -> None:
    assert safe_next(None) is None
    assert safe_next(["/j/adams"]) is None
