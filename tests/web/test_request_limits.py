"""Request bodies are capped per route before they are read, and odd URLs never give a bare 500.

Over real HTTP: the oversized posts are written on a raw socket, so the test
sees what the server does while the body is still (or never) arriving.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.web.server import csrf, login, serving
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.web.app import HEADERS
from votetrail.web.limits import FORM_LIMIT, BodyLimits

GiB = 1 << 30
BOUNDARY = "votetrailtestboundary"


def _assert_headers(headers: httpx.Headers | dict[str, str]) -> None:
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, value in HEADERS.items():
        assert lowered.get(name.lower()) == value, f"{name} missing"


def _address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and whatever body arrived before the server closed or went quiet."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    length = int(headers.get("content-length", headers.get("Content-Length", "0")))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def _multipart_head() -> bytes:
    return (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="files"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


def test_declared_huge_login_post_is_refused_before_any_body_is_read(base_url: str) -> None:
    """Content-Length 1 GiB, and not one byte of body sent: the answer must still come."""
    host, port = _address(base_url)
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(
            (
                "POST /login HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                f"Content-Length: {GiB}\r\n\r\n"
            ).encode()
        )
        status, headers, body = _read_response(sock)  # old code: waits for the body, times out
    assert status == 413
    assert b"larger than this page accepts" in body
    _assert_headers(headers)


def test_streamed_login_post_is_cut_off_at_the_small_cap(base_url: str) -> None:
    """A chunked body declares no length: it is counted and cut off long before it ends."""
    host, port = _address(base_url)
    sent = 0
    budget = 64 << 20
    stop = threading.Event()

    def pour(sock: socket.socket) -> None:
        nonlocal sent
        piece = b"\0" * 65536
        frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        try:
            sock.sendall(f"{len(_multipart_head()):x}\r\n".encode() + _multipart_head() + b"\r\n")
            while sent < budget and not stop.is_set():
                sock.sendall(frame)
                sent += len(piece)
        except OSError:
            pass  # the server hung up after answering

    with socket.create_connection((host, port), timeout=20) as sock:
        sock.sendall(
            (
                "POST /login HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                "Transfer-Encoding: chunked\r\n\r\n"
            ).encode()
        )
        pourer = threading.Thread(target=pour, args=(sock,), daemon=True)
        pourer.start()
        status, headers, _ = _read_response(sock)
        stop.set()
        pourer.join(timeout=10)
    assert status == 413
    _assert_headers(headers)
    # Only the cap plus what the sockets' buffers held was accepted, not the whole stream.
    assert sent < budget


def test_anonymous_post_to_an_upload_route_gets_only_the_small_cap(client: httpx.Client) -> None:
    body = b"x" * (FORM_LIMIT + 1)
    refused = client.post("/j/adams/upload/cvrs", files={"files": ("cvrs.csv", body, "text/csv")})
    assert refused.status_code == 413  # old code: 401, after reading the whole body
    _assert_headers(refused.headers)


@pytest.fixture
def small_caps(demo_app: App) -> Iterator[str]:
    with serving(demo_app, limits=BodyLimits(form=FORM_LIMIT, upload=256 * 1024)) as url:
        yield url


def test_signed_in_upload_has_its_routes_cap(small_caps: str, tmp_path: Path) -> None:
    manifest = b"Tabulator,Batch Name,Number of Ballots\r\nT1,B1,10\r\n"
    with httpx.Client(base_url=small_caps, timeout=10) as http:
        home = login(http, "adams-admin", DEMO_PASSWORD)
        token = csrf(http.get("/j/adams").text if home.status_code != 200 else home.text)
        big = http.post(
            "/j/adams/upload/manifest",
            data={"csrf_token": token},
            files={"files": ("manifest.csv", manifest + b"#" * (300 * 1024), "text/csv")},
        )
        assert big.status_code == 413
        # More than the small form cap, less than the upload cap: accepted and imported.
        rows = "".join(f"T2,B{n},1\r\n" for n in range(FORM_LIMIT // 8))
        padded = manifest + rows.encode()
        ok = http.post(
            "/j/adams/upload/manifest",
            data={"csrf_token": token},
            files={"files": ("manifest.csv", padded, "text/csv")},
        )
        assert ok.status_code == 303, ok.text


def test_an_official_who_may_not_upload_there_gets_only_the_small_cap(small_caps: str) -> None:
    """The form is read (CSRF) before permission, so the large cap is only for uploaders."""
    body = b"x" * (FORM_LIMIT * 2)
    for username, path in (
        ("baker-admin", "/j/adams/upload/manifest"),  # another county's route
        ("adams-board", "/j/adams/upload/manifest"),  # an audit board uploads nothing
        ("adams-admin", "/netmon/upload"),  # the network monitor is the state's
    ):
        with httpx.Client(base_url=small_caps, timeout=10) as http:
            login(http, username, DEMO_PASSWORD)
            token = csrf(http.get("/").text)
            refused = http.post(
                path, data={"csrf_token": token}, files={"files": ("f.csv", body, "text/csv")}
            )
            # Old code: 403, after the whole body was read and spooled.
            assert refused.status_code == 413, (username, path, refused.status_code)
            _assert_headers(refused.headers)


# ---------------------------------------------------------------- bounded numbers and 500s


def test_huge_numbers_in_log_urls_are_refused_with_the_headers(client: httpx.Client) -> None:
    huge = "9" * 30
    for path in (
        f"/log/entries/{huge}",
        "/log/entries/9223372036854775808",
        f"/log?start={huge}",
        f"/log?start={huge}&format=json",
        f"/log/proof/inclusion/{huge}",
        f"/log/proof/consistency/{huge}",
        f"/log/proof/consistency/1/{huge}",
    ):
        answer = client.get(path)
        assert answer.status_code in (400, 404), path
        _assert_headers(answer.headers)


def test_far_days_on_the_network_pages_are_refused_with_the_headers(
    client: httpx.Client,
) -> None:
    login(client, "analyst", DEMO_PASSWORD)
    for path in (
        "/netmon?day=9999-12-31",
        "/netmon?day=0001-01-01",
        "/netmon/report/9999-12-31",
        "/netmon/incidents.json?day=9999-12-31",
    ):
        answer = client.get(path)
        assert answer.status_code == 400, path
        _assert_headers(answer.headers)
    assert "must be between" in client.get("/netmon?day=9999-12-31").text


def test_a_nul_in_the_address_is_not_found_with_the_headers(client: httpx.Client) -> None:
    """PostgreSQL refuses NUL in a query: old code answered these with a 500 there."""
    for path in ("/j/%00", "/j/a%00b/accounting.csv", "/voters/%00"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        _assert_headers(answer.headers)
    login(client, "adams-admin", DEMO_PASSWORD)
    assert client.get("/j/adams/lat/%00").status_code == 404
    assert client.get("/j/adams").status_code == 200


def _boom(request: Request) -> Response:
    raise RuntimeError("a bug")


def test_an_unexpected_error_is_a_500_with_the_headers(demo_app: App) -> None:
    routes = [Route("/test/boom", _boom), Route("/test/boom.json", _boom)]
    with serving(demo_app, extra_routes=routes) as url, httpx.Client(base_url=url) as http:
        page = http.get("/test/boom")
        assert page.status_code == 500
        assert "Something went wrong" in page.text
        assert "a bug" not in page.text
        _assert_headers(page.headers)
        data = http.get("/test/boom.json")
        assert data.status_code == 500
        assert data.json()["status"] == 500
        _assert_headers(data.headers)
        # The server is still answering afterwards.
        time.sleep(0.05)
        assert http.get("/checkpoint").status_code == 200
