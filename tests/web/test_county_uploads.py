"""A county's page: uploading real Arlo files through the forms, results and ballot accounting.

The files are Arlo's "small election" fixtures (Kendall Park's Dominion CVR
export and ballot manifest); the expected tally of "Secretary of Treasure",
a contest only Kendall Park carries, is the one in the fixture's own
``small-election.spec.json``: Denny Vargas 450, Jackie Sweet 20, Emerson
Thornton 0.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from tests.cvr_split import split_by_tabulator
from tests.web.server import csrf, login, serving
from votetrail.formats.accounting.report import CSV_COLUMNS
from votetrail.formats.tally.results import write_csv as write_results_csv
from votetrail.services import log_view
from votetrail.services.context import App
from votetrail.services.counting import results as counting
from votetrail.services.counting.county_view import uploads_of
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.web.words import when

SMALL_ELECTION = Path("cvr/arlo-fixtures/small-election")
CVRS = "Kendall Park - cvrs.csv"
MANIFEST = "Kendall Park - ballot manifest.csv"


@pytest.fixture
def arlo(shared_data: Path) -> Path:
    return shared_data / SMALL_ELECTION


@pytest.fixture
def election_client(election_app: App) -> Iterator[httpx.Client]:
    with (
        serving(election_app) as url,
        httpx.Client(base_url=url, follow_redirects=True, timeout=10) as http,
    ):
        yield http


def _upload(
    client: httpx.Client,
    kind: str,
    *paths: Path,
    county: str = "adams",
    token: str | None = None,
    fields: dict[str, str] | None = None,
) -> httpx.Response:
    if token is None:
        token = csrf(client.get(f"/j/{county}/uploads").text)
    return client.post(
        f"/j/{county}/upload/{kind}",
        data={"csrf_token": token, **(fields or {})},
        files=[("files", (p.name, p.read_bytes(), "text/csv")) for p in paths],
        follow_redirects=False,
    )


def _row(choice: str, votes: str) -> str:
    return f'<tr><th scope="row">{choice}</th><td class="num">{votes}</td></tr>'


def test_before_any_upload_the_page_says_so(client: httpx.Client) -> None:
    summary = login(client, "adams-admin", DEMO_PASSWORD)
    assert summary.status_code == 200
    assert 'href="/j/adams/uploads"' in summary.text
    page = client.get("/j/adams/uploads")
    assert "No cast vote records uploaded yet" in page.text
    for kind in ("cvrs", "manifest", "paper_counts", "check_ins", "reported_results"):
        assert f'action="/j/adams/upload/{kind}"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "may take a while" in page.text
    accounting = client.get("/j/adams/accounting").text
    assert "nothing to account for" in accounting
    assert 'data-testid="phantoms"' not in accounting


def test_audit_board_sees_the_county_but_no_upload_forms(client: httpx.Client) -> None:
    login(client, "adams-board", DEMO_PASSWORD)  # lands on its board's page, not the county's
    page = client.get("/j/adams/uploads")
    assert "No cast vote records uploaded yet" in page.text
    assert "/upload/" not in page.text
    refused = _upload(client, "cvrs", Path(__file__), token=csrf(page.text))
    assert refused.status_code == 403


def test_upload_real_cvrs_shows_upload_and_results(
    client: httpx.Client, demo_app: App, arlo: Path
) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    sent = _upload(client, "cvrs", arlo / CVRS)
    assert sent.status_code == 303
    assert sent.headers["location"] == "/j/adams/uploads"
    page = client.get("/j/adams/uploads")
    assert "Imported 500 records as adams-cvrs-1." in page.text
    [upload] = uploads_of(demo_app, "adams")
    assert (upload.id, upload.records, upload.files[0].name) == ("adams-cvrs-1", 500, CVRS)
    for shown in ("adams-cvrs-1", upload.files[0].sha256, upload.merkle_root, "Dominion"):
        assert shown in page.text
    assert "No cast vote records uploaded yet" not in page.text
    assert '<td data-label="Kind">Cast vote records</td>' in page.text  # words, not "cvrs"
    counted = client.get("/j/adams/results").text
    for choice, votes in (("Denny Vargas", "450"), ("Jackie Sweet", "20")):
        assert _row(choice, votes) in counted
    assert _row("Emerson Thornton", "0") in counted
    # No manifest yet: the batches are unaccounted.
    assert "All sources agree" not in client.get("/j/adams/accounting").text
    assert client.get("/j/adams/uploads").text.count("Imported 500 records") == 0  # shown once

    again = _upload(client, "cvrs", arlo / CVRS)
    assert again.status_code == 303
    assert "Already imported as adams-cvrs-1; nothing changed." in (
        client.get("/j/adams/uploads").text
    )
    assert len(uploads_of(demo_app, "adams")) == 1


def test_a_truncated_file_is_refused_by_name_and_nothing_changes(
    client: httpx.Client, demo_app: App, arlo: Path, tmp_path: Path
) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    whole = (arlo / CVRS).read_bytes()
    truncated = tmp_path / CVRS
    truncated.write_bytes(whole[: len(whole) // 2])
    size = log_view.size(demo_app)
    refused = _upload(client, "cvrs", truncated)
    assert refused.status_code == 400
    assert f"{CVRS}, line " in refused.text
    assert "votetrail-upload-" not in refused.text  # the temporary folder is not shown
    assert uploads_of(demo_app, "adams") == []
    assert log_view.size(demo_app) == size


def test_no_file_chosen_is_a_clear_400(client: httpx.Client, demo_app: App) -> None:
    page = login(client, "adams-admin", DEMO_PASSWORD)
    empty = client.post(
        "/j/adams/upload/manifest",
        data={"csrf_token": csrf(page.text)},
        files=[("files", ("", b"", "application/octet-stream"))],
    )
    assert empty.status_code == 400
    assert "choose a file to upload" in empty.text
    assert uploads_of(demo_app, "adams") == []


def test_other_county_admin_cannot_upload_and_is_logged(
    client: httpx.Client, demo_app: App, arlo: Path
) -> None:
    page = login(client, "baker-admin", DEMO_PASSWORD)
    refused = _upload(client, "cvrs", arlo / CVRS, token=csrf(page.text))
    assert refused.status_code == 403
    assert "may not upload files for this jurisdiction" in refused.text
    last = log_view.entries(demo_app, log_view.size(demo_app) - 1, 1)[0].entry
    assert (last.event_type, last.actor, last.jurisdiction) == (
        "access.denied",
        "baker-admin",
        "adams",
    )
    assert uploads_of(demo_app, "adams") == []


def test_upload_without_csrf_token_is_refused(
    client: httpx.Client, demo_app: App, arlo: Path
) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    forged = client.post(
        "/j/adams/upload/cvrs",
        files=[("files", (CVRS, (arlo / CVRS).read_bytes(), "text/csv"))],
    )
    assert forged.status_code == 403
    assert "this form has expired" in forged.text
    assert uploads_of(demo_app, "adams") == []


def test_signed_out_upload_and_unknown_kind(client: httpx.Client, arlo: Path) -> None:
    client.get("/login")
    assert _upload(client, "cvrs", arlo / CVRS, token="x").status_code == 401
    page = login(client, "adams-admin", DEMO_PASSWORD)
    assert _upload(client, "ballots", arlo / CVRS, token=csrf(page.text)).status_code == 404
    state = login(client, "state-admin", DEMO_PASSWORD)
    assert "Upload files" not in client.get("/j/state").text
    assert client.get("/j/state/uploads").status_code == 404
    assert "No cast vote records uploaded yet" in client.get("/j/baker/uploads").text
    assert state.status_code == 200


def test_accounting_downloads_after_cvrs_and_manifest(
    client: httpx.Client, arlo: Path, tmp_path: Path
) -> None:
    login(client, "adams-admin", DEMO_PASSWORD)
    assert client.get("/j/adams/accounting.csv").status_code == 404  # nothing to account yet
    assert _upload(client, "cvrs", arlo / CVRS).status_code == 303
    assert _upload(client, "manifest", arlo / MANIFEST).status_code == 303
    assert "Imported 18 records as adams-manifest-1." in client.get("/j/adams/uploads").text
    page = client.get("/j/adams/accounting")
    assert (
        "All sources agree: 500 ballots tabulated by 3 tabulators and 500 paper ballots"
        " in the ballot manifest." in page.text
    )
    assert 'data-testid="phantoms">0<' in page.text
    agreed = client.get("/j/adams/accounting.csv")
    assert agreed.status_code == 200
    assert agreed.headers["content-type"].startswith("text/csv")
    assert 'filename="adams-accounting.csv"' in agreed.headers["content-disposition"]
    assert list(csv.reader(io.StringIO(agreed.text))) == [list(CSV_COLUMNS)]

    # Two ballots of Tabulator A's first batch go missing from the shelf.
    short = tmp_path / MANIFEST
    short.write_text(
        (arlo / MANIFEST).read_text().replace("Tabulator A,Batch 1,27", "Tabulator A,Batch 1,25")
    )
    silent = _upload(client, "manifest", short)  # a second manifest never wins silently
    assert silent.status_code == 400
    assert "already has a current ballot manifest, upload adams-manifest-1" in silent.text
    replacing = {"replace": "adams-manifest-1", "confirm_replace": "yes"}
    assert _upload(client, "manifest", short, fields=replacing).status_code == 303
    assert "Imported 18 records as adams-manifest-2, replacing adams-manifest-1" in (
        client.get("/j/adams/uploads").text
    )
    page = client.get("/j/adams/accounting")
    assert 'data-testid="phantoms">2<' in page.text
    rows = list(csv.DictReader(io.StringIO(client.get("/j/adams/accounting.csv").text)))
    assert [(r["kind"], r["tabulator"], r["batch"], r["count"]) for r in rows] == [
        ("manifest_short", "Tabulator A", "Batch 1", "2"),
    ]
    assert rows[0]["explanation"] in page.text
    report = client.get("/j/adams/accounting.html")
    assert report.status_code == 200
    assert "Ballot accounting: Adams County" in report.text
    assert "script-src" not in report.headers["content-security-policy"]
    assert report.headers["content-security-policy"].startswith("default-src 'none'")

    client.get("/login")
    login(client, "baker-admin", DEMO_PASSWORD)
    assert client.get("/j/adams/accounting.csv").status_code == 403


def test_the_results_csv_goes_back_in_as_the_reported_results(
    client: httpx.Client, demo_app: App, arlo: Path, tmp_path: Path
) -> None:
    """What votetrail printed (overvotes and undervotes rows too) uploads as reported results."""
    login(client, "adams-admin", DEMO_PASSWORD)
    assert "The totals the county published" in client.get("/j/adams/uploads").text
    assert _upload(client, "cvrs", arlo / CVRS).status_code == 303
    printed = tmp_path / "adams results.csv"
    with printed.open("w", encoding="utf-8", newline="") as handle:
        write_results_csv(counting.results(demo_app, "adams"), handle)
    sent = _upload(client, "reported_results", printed)
    assert sent.status_code == 303
    choices = sum(len(r.tally) for r in counting.results(demo_app, "adams"))
    page = client.get("/j/adams/uploads")
    assert f"Imported {choices:,} records as adams-reported_results-1." in page.text
    again = _upload(client, "reported_results", printed)  # the very same file: nothing changes
    assert again.status_code == 303
    assert "Already imported as adams-reported_results-1" in (client.get("/j/adams/uploads").text)
    typed = tmp_path / "typed.csv"
    typed.write_text("contest,choice,votes\nSecretary of Treasure,Denny Vargas,4.5\n")
    refused = _upload(
        client,
        "reported_results",
        typed,
        fields={"replace": "adams-reported_results-1", "confirm_replace": "yes"},
    )
    assert refused.status_code == 400
    assert "typed.csv, line 2, field &#39;votes&#39;" in refused.text
    [upload] = [u for u in uploads_of(demo_app, "adams") if u.kind == "reported_results"]
    assert upload.current


def test_jammed_tape_shows_findings_and_phantoms(
    election_client: httpx.Client, election_app: App
) -> None:
    login(election_client, "adams-admin", DEMO_PASSWORD)
    page = election_client.get("/j/adams/accounting")
    report = counting.accounting(election_app, "adams")
    assert report.phantoms.count > 0
    assert f'data-testid="phantoms">{report.phantoms.count:,}<' in page.text
    assert escape(report.reconciliation.summary.explanation) in page.text
    for finding in report.reconciliation.findings:
        assert escape(finding.explanation) in page.text
    assert '<tr class="error">' in page.text
    printable = election_client.get("/j/adams/accounting.html")
    assert printable.status_code == 200
    assert f"worst case: {report.phantoms.count}." in " ".join(printable.text.split())


def _status(page: str, upload_id: str) -> str:
    """The status cell of one row of the upload list, as the page shows it."""
    row = page.split(f'<tr data-upload="{upload_id}"', 1)[1].split("</tr>", 1)[0]
    cell = row.split('data-testid="upload-status">', 1)[1].split("</td>", 1)[0]
    return " ".join(cell.replace("<code>", "").replace("</code>", "").split())


def test_tabulator_files_add_up_and_a_replacement_needs_confirmation(
    client: httpx.Client, demo_app: App, arlo: Path, tmp_path: Path
) -> None:
    first, second = split_by_tabulator(
        arlo / CVRS, tmp_path, ("Tabulator A",), ("Tabulator B", "Tabulator C")
    )
    (only_b,) = split_by_tabulator(arlo / CVRS, tmp_path / "fixed", ("Tabulator B",))
    login(client, "adams-admin", DEMO_PASSWORD)
    assert _upload(client, "cvrs", first).status_code == 303
    assert _upload(client, "cvrs", second).status_code == 303
    page = client.get("/j/adams/uploads").text
    assert "Imported 310 records as adams-cvrs-2." in page
    assert _status(page, "adams-cvrs-1") == "current"
    assert _status(page, "adams-cvrs-2") == "current"
    counted = client.get("/j/adams/results").text
    for choice, votes in (("Denny Vargas", "450"), ("Jackie Sweet", "20")):
        assert _row(choice, votes) in counted  # both files counted
    assert '<option value="adams-cvrs-2">adams-cvrs-2 (Tabulator B and Tabulator C.csv)' in page
    assert 'name="confirm_replace"' in page

    size = log_view.size(demo_app)
    unconfirmed = _upload(client, "cvrs", only_b, fields={"replace": "adams-cvrs-2"})
    assert unconfirmed.status_code == 400
    assert "tick the box to confirm that the new file replaces upload adams-cvrs-2" in (
        unconfirmed.text
    )
    assert log_view.size(demo_app) == size
    assert len(uploads_of(demo_app, "adams")) == 2

    duplicate = _upload(client, "cvrs", only_b)  # B is already counted
    assert duplicate.status_code == 400
    assert "Tabulator B and Tabulator C.csv (upload adams-cvrs-2) and Tabulator B.csv" in (
        duplicate.text
    )

    confirmed = _upload(
        client, "cvrs", only_b, fields={"replace": "adams-cvrs-2", "confirm_replace": "yes"}
    )
    assert confirmed.status_code == 303
    page = client.get("/j/adams/uploads").text
    assert "replacing adams-cvrs-2 (which no longer counts)" in page
    replaced = next(u for u in uploads_of(demo_app, "adams") if u.id == "adams-cvrs-2")
    assert _status(page, "adams-cvrs-2") == (  # in the office's local time, UTC in the title
        f"replaced by adams-cvrs-3 on {when(replaced.replaced_at)} (adams-admin)"
    )
    assert _status(page, "adams-cvrs-3") == "current"
    assert '<option value="adams-cvrs-2">' not in page  # only current uploads can be replaced
    last = [e.entry.event_type for e in log_view.entries(demo_app, size, 5)]
    assert last == ["upload.cvrs", "upload.replaced"]
