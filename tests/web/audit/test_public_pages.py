"""The public audit pages over real HTTP with no sign-in, on SQLite and PostgreSQL.

A ballot-comparison audit of the demo election runs through the real services
(``running.run_audit``: one round, one ballot's Governor vote misread as
blank). An anonymous visitor sees the seed, the sample, every reading (the
discrepancy highlighted) and the risk, and downloads an ``evidence.zip`` that
``votetrail audit verify`` passes; nothing on the pages is a board's account,
one-time link or password.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.helpers import votetrail
from tests.services.voters.fixtures import who
from tests.web.audit.running import SEED, WITNESSES, Ran, run_audit
from tests.web.server import serving
from votetrail.services.audit import boards, progress
from votetrail.services.audit.draw import draw_round
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD


@pytest.fixture
def ran(election_app: App) -> Ran:
    return run_audit(election_app)


@pytest.fixture
def anonymous(election_app: App, ran: Ran) -> Iterator[httpx.Client]:
    with (
        serving(election_app) as url,
        httpx.Client(base_url=url, follow_redirects=False, timeout=60) as client,
    ):
        yield client


def _rows(page: str, testid: str) -> list[str]:
    table = re.search(rf'<table[^>]*data-testid="{testid}".*?</table>', page, re.S)
    assert table is not None, f"no table {testid}"
    return re.findall(r"<tr[ >].*?</tr>", table.group(0), re.S)[1:]  # without the header


def test_anyone_finds_every_audit_from_the_home_page(
    anonymous: httpx.Client, ran: Ran, election_app: App
) -> None:
    home = anonymous.get("/")
    assert 'href="/public/audits"' in home.text
    listing = anonymous.get("/public/audits")
    assert listing.status_code == 200
    row = re.search(rf'<tr data-audit="{ran.audit_id}">.*?</tr>', listing.text, re.S)
    assert row is not None
    assert f'href="/public/audits/{ran.audit_id}"' in row.group(0)
    status = progress.overview(election_app, ran.audit_id).status
    assert f'data-status="{status}"' in row.group(0)


def test_the_public_page_shows_seed_sample_readings_and_risk_without_signing_in(
    anonymous: httpx.Client, ran: Ran, election_app: App
) -> None:
    page = anonymous.get(f"/public/audits/{ran.audit_id}")
    assert page.status_code == 200
    text = page.text
    assert f'data-field="seed">{SEED}<' in text
    for witness in WITNESSES:
        assert html.escape(witness) in text
    overview = progress.overview(election_app, ran.audit_id)
    (measured,) = overview.rounds
    assert measured.closed
    row = re.search(r'<tr data-round="1" data-contest="Governor">.*?</tr>', text, re.S)
    assert row is not None
    assert f'data-decision="{measured.decision["Governor"]}"' in row.group(0)
    assert f"{measured.risk['Governor']:.4g}" in row.group(0)
    # The chart is inline SVG (no script) with a text alternative naming the risk.
    assert re.search(r'<svg[^>]*data-testid="risk-chart"', text)
    # Only the site's own helper scripts (copy buttons, scrolling tables), none inline.
    scripts = re.findall(r"<script[^>]*>", text)
    assert all(re.search(r'src="/static/[a-z]+\.js"', tag) for tag in scripts), scripts
    chart_text = re.search(r'data-testid="chart-text">(.*?)</p>', text, re.S)
    assert chart_text is not None
    assert "Governor: round 1" in html.unescape(chart_text.group(1))
    # The sample: every draw (fewer than the page's cap) in draw order.
    sample = _rows(text, "sample")
    assert len(sample) == measured.sample_size
    # The misread ballot is a discrepancy: listed, and highlighted among the readings.
    discrepancies = _rows(text, "discrepancies")
    misread = [r for r in discrepancies if f'data-ballot="{ran.misread}"' in r]
    assert len(misread) == 1
    assert 'data-contest="Governor"' in misread[0]
    assert '<td data-label="Audit board">blank</td>' in misread[0]
    readings = _rows(text, "readings")
    highlighted = [r for r in readings if 'class="discrepancy"' in r]
    assert len(highlighted) == len(discrepancies)
    assert any(f'data-ballot="{ran.misread}"' in r for r in highlighted)
    # Downloads with the package's hash and how to check it.
    assert "votetrail audit verify evidence.zip" in text
    sha = re.search(r'data-testid="evidence-sha256">([0-9a-f]{64})<', text)
    assert sha is not None
    package = anonymous.get(f"/public/audits/{ran.audit_id}/evidence.zip")
    assert package.status_code == 200
    assert hashlib.sha256(package.content).hexdigest() == sha.group(1)


def test_the_public_pages_hold_no_link_token_password_or_account_name(
    anonymous: httpx.Client, ran: Ran, election_app: App
) -> None:
    admin = who(election_app, "adams-admin")
    (board,) = boards.boards_of(election_app, admin, ran.audit_id, "adams")
    fresh = boards.issue_link(election_app, admin, board.id)
    accounts = ["state-admin", "adams-admin", "baker-admin", "clark-admin"]
    for county in ("adams", "baker", "clark"):
        state = who(election_app, "state-admin")
        accounts += [
            b.username for b in boards.boards_of(election_app, state, ran.audit_id, county)
        ]
    for path in (
        "/",
        "/public/audits",
        f"/public/audits/{ran.audit_id}",
        f"/public/audits/{ran.audit_id}/report.csv",
    ):
        page = anonymous.get(path).text
        for token in (*ran.link_tokens, fresh):
            assert token not in page
        assert DEMO_PASSWORD not in page
        assert "/board-link/" not in page
        for account in accounts:
            assert account not in page, (path, account)


def test_evidence_zip_downloads_and_votetrail_audit_verify_passes_on_it(
    anonymous: httpx.Client,
    ran: Ran,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    download = anonymous.get(f"/public/audits/{ran.audit_id}/evidence.zip")
    assert download.headers["content-type"] == "application/zip"
    assert "attachment" in download.headers["content-disposition"]
    path = tmp_path / "evidence.zip"
    path.write_bytes(download.content)
    checked = votetrail(capsys, "audit", "verify", str(path))
    assert checked.code == 0, checked.out + checked.err
    # One interpretation altered (the discrepancy read as agreeing): verify names it.
    with zipfile.ZipFile(path) as original:
        members = {name: original.read(name) for name in original.namelist()}
    rows = list(csv.DictReader(io.StringIO(members["interpretations.csv"].decode("utf-8"))))
    changed = next(r for r in rows if r["cvr"] and r["cvr"] != r["audited"])
    changed["audited"] = changed["cvr"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    members["interpretations.csv"] = out.getvalue().encode("utf-8")
    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(altered, "w") as copy:
        for name, data in members.items():
            copy.writestr(name, data)
    failed = votetrail(capsys, "audit", "verify", str(altered))
    assert failed.code == 1


def test_the_reports_download_and_an_unknown_audit_is_not_found(
    anonymous: httpx.Client, ran: Ran
) -> None:
    report = anonymous.get(f"/public/audits/{ran.audit_id}/report.csv")
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    pdf = anonymous.get(f"/public/audits/{ran.audit_id}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    for path in ("/public/audits/audit-99", "/public/audits/audit-99/evidence.zip"):
        assert anonymous.get(path).status_code == 404


def test_an_audit_before_its_seed_ceremony_has_a_page_too(
    anonymous: httpx.Client, election_app: App
) -> None:
    audit_id = create_audit(
        election_app,
        who(election_app, "state-admin"),
        AuditSetup("Practice", AuditMethod.BALLOT_POLLING, "0.1", ["Governor"], [], ["clark"]),
    )
    page = anonymous.get(f"/public/audits/{audit_id}")
    assert page.status_code == 200
    assert "The seed ceremony has not been held yet." in page.text
    assert "evidence-sha256" not in page.text


def test_an_open_rounds_sample_is_public_at_once_and_its_readings_with_the_close(
    anonymous: httpx.Client, ran: Ran, election_app: App
) -> None:
    before = anonymous.get(f"/public/audits/{ran.audit_id}").text
    sha = re.search(r'data-testid="evidence-sha256">([0-9a-f]{64})<', before)
    assert sha is not None
    draw_round(election_app, who(election_app, "state-admin"), ran.audit_id, 10)
    after = anonymous.get(f"/public/audits/{ran.audit_id}").text
    sample = _rows(after, "sample")
    assert len(sample) == len(_rows(before, "sample")) + 10
    assert sum('<td data-label="Round">2</td>' in row for row in sample) == 10
    assert '<tr data-round="2">' in after  # drawn, not measured yet
    assert len(_rows(after, "readings")) == len(_rows(before, "readings"))
    # The package holds closed rounds only, so it (and its hash) did not change.
    assert f'data-testid="evidence-sha256">{sha.group(1)}<' in after
