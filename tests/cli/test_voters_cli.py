"""``votetrail voters`` commands end to end: a real voter file, real accounts, real proofs."""

from __future__ import annotations

import csv
import json
import logging
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.helpers import votetrail, votetrail_on
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD

COLUMNS = (
    "voter_id", "county", "first_name", "middle_name", "last_name", "suffix",
    "residence_street", "residence_city", "residence_state", "residence_zip", "precinct",
    "ballot_style", "party", "gender", "status", "registered_on", "dob", "ssn4",
    "drivers_license",
)  # fmt: skip
SECRET_DOB = "1958-03-14"
SECRET_SSN4 = "7305"
SECRET_DL = "K77341208"


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _row(n: int, **changes: str) -> dict[str, str]:
    row = {
        "voter_id": f"A{n:05d}", "county": "adams", "first_name": ("Ana", "Ben", "Cy")[n % 3],
        "middle_name": "", "last_name": ("Ortiz", "Baker", "Chen")[n % 3], "suffix": "",
        "residence_street": f"{n} Main St", "residence_city": "Brighton", "residence_state": "CO",
        "residence_zip": "80601", "precinct": "AD-1", "ballot_style": "BS-1", "party": "UNA",
        "gender": "F", "status": "active", "registered_on": "2012-05-01",
        "dob": SECRET_DOB if n == 1 else f"19{50 + n % 40}-0{1 + n % 9}-1{n % 9}",
        "ssn4": SECRET_SSN4 if n == 1 else "", "drivers_license": SECRET_DL if n == 1 else "",
    }  # fmt: skip
    row.update(changes)
    return row


@pytest.fixture
def voter_file(tmp_path: Path) -> Path:
    return _write(tmp_path / "adams.csv", [_row(n) for n in range(1, 13)])


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOTETRAIL_PASSWORD", DEMO_PASSWORD)


def _all_text(*outputs: str) -> str:
    return "\n".join(outputs)


def _assert_no_pii(output: str) -> None:
    for secret in (SECRET_DOB, "03/14/1958", "19580314", SECRET_DL):
        assert secret not in output
    assert f" {SECRET_SSN4}" not in output
    assert f'"{SECRET_SSN4}"' not in output


def test_import_change_history_prove(
    capsys: pytest.CaptureFixture[str], demo_app: App, voter_file: Path, tmp_path: Path
) -> None:
    seen: list[str] = []

    def run(*args: str) -> tuple[int, str]:
        if args[1] == "check-proof":
            result = votetrail(capsys, *args)
        else:
            result = votetrail_on(capsys, demo_app, *args)
        seen.extend((result.out, result.err))
        return result.code, result.out + result.err

    code, out = run("voters", "import", str(voter_file), "--county", "adams", "--user",
                    "adams-admin")  # fmt: skip
    assert code == 0, out
    assert "Imported 12 voters" in out
    code, out = run("voters", "import", str(voter_file), "--county", "adams", "--user",
                    "adams-admin")  # fmt: skip
    assert code == 0
    assert "nothing changed" in out

    code, out = run(
        "voters", "change", "A00003", "--kind", "address", "--reason", "moved across town",
        "--source", "VR-1", "--street", "9 Elm St", "--city", "Brighton", "--zip", "80601",
        "--user", "adams-admin",
    )  # fmt: skip
    assert code == 0, out
    assert "version 2" in out
    code, out = run("voters", "history", "A00003", "--user", "adams-admin")
    assert "v2" in out
    assert "address (residence) by adams-admin: moved across town [source VR-1]" in out

    proof = tmp_path / "proof.json"
    key = tmp_path / "verifier.key"
    key.write_text(demo_app.signer.verifier.encode() + "\n")
    code, out = run("voters", "prove", "A00001", "--output", str(proof))
    assert code == 0, out
    code, out = run("voters", "check-proof", str(proof), "--verifier-key", str(key))
    assert code == 0, out
    assert "OK: A00001 version 1" in out
    bundle = json.loads(proof.read_text())
    bundle["record"]["last_name"] = "Forged"
    proof.write_text(json.dumps(bundle))
    code, out = run("voters", "check-proof", str(proof), "--verifier-key", str(key))
    assert code != 0
    assert "does not hash to the version hash" in out

    _assert_no_pii(_all_text(*seen, proof.read_text()))


def test_another_county_cannot_change_a_voter(
    capsys: pytest.CaptureFixture[str], demo_app: App, voter_file: Path
) -> None:
    votetrail_on(capsys, demo_app, "voters", "import", str(voter_file), "--county", "adams",
                 "--user", "adams-admin")  # fmt: skip
    result = votetrail_on(
        capsys, demo_app, "voters", "change", "A00002", "--kind", "party", "--reason", "x",
        "--source", "y", "--party", "REP", "--user", "baker-admin",
    )  # fmt: skip
    assert result.code != 0
    assert "baker-admin may not change voters" in result.err
    result = votetrail_on(capsys, demo_app, "voters", "history", "A00002", "--user",
                          "adams-admin")  # fmt: skip
    assert "v2" not in result.out
    result = votetrail_on(capsys, demo_app, "voters", "import", str(voter_file), "--county",
                          "adams", "--user", "baker-admin")  # fmt: skip
    assert result.code != 0
    result = votetrail_on(capsys, demo_app, "voters", "history", "A00002", "--user",
                          "adams-admin", "--json")  # fmt: skip
    assert len(json.loads(result.out)) == 1


def test_wrong_password_is_refused(
    capsys: pytest.CaptureFixture[str], demo_app: App, voter_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("VOTETRAIL_PASSWORD", "not-the-password")
    result = votetrail_on(capsys, demo_app, "voters", "import", str(voter_file), "--county",
                          "adams", "--user", "adams-admin")  # fmt: skip
    assert result.code != 0
    assert "wrong user name or password" in result.err


def test_bad_row_names_file_line_field_and_loads_nothing(
    capsys: pytest.CaptureFixture[str],
    demo_app: App,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    rows = [_row(n) for n in range(1, 6)]
    rows[3]["dob"] = "14/03/1958"  # day first: not a layout the map accepts
    bad = _write(tmp_path / "bad.csv", rows)
    result = votetrail_on(capsys, demo_app, "voters", "import", str(bad), "--county", "adams",
                          "--user", "adams-admin")  # fmt: skip
    assert result.code != 0
    assert "bad.csv:5" in result.err
    assert "dob" in result.err.lower()
    assert "14/03/1958" not in result.err
    assert "14/03/1958" not in caplog.text
    _assert_no_pii(caplog.text)
    with demo_app.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM voters")).scalar() == 0
    rows[3]["dob"] = "1958-03-14"
    good = _write(tmp_path / "bad.csv", rows)
    result = votetrail_on(capsys, demo_app, "voters", "import", str(good), "--county", "adams",
                          "--user", "adams-admin")  # fmt: skip
    assert result.code == 0, result.err


def test_verify_names_a_voter_edited_in_sql(
    capsys: pytest.CaptureFixture[str], demo_app: App, voter_file: Path
) -> None:
    votetrail_on(capsys, demo_app, "voters", "import", str(voter_file), "--county", "adams",
                 "--user", "adams-admin")  # fmt: skip
    assert votetrail_on(capsys, demo_app, "verify").code == 0
    with demo_app.engine.begin() as conn:
        conn.execute(text("UPDATE voters SET res_street = '1 Fraud Rd' WHERE voter_id = 'A00005'"))
    result = votetrail_on(capsys, demo_app, "verify")
    assert result.code == 1
    assert "voter A00005 was changed outside the application" in result.out + result.err
    _assert_no_pii(result.out + result.err)


def test_exports_and_participation(
    capsys: pytest.CaptureFixture[str], demo_app: App, voter_file: Path, tmp_path: Path
) -> None:
    votetrail_on(capsys, demo_app, "voters", "import", str(voter_file), "--county", "adams",
                 "--user", "adams-admin")  # fmt: skip
    books = tmp_path / "books.zip"
    result = votetrail_on(capsys, demo_app, "voters", "poll-book", "--county", "adams",
                          "--election", "2026-general", "--output", str(books), "--user",
                          "adams-admin")  # fmt: skip
    assert result.code == 0, result.err
    with zipfile.ZipFile(books) as archive:
        names = archive.namelist()
        book = archive.read("AD-1.csv").decode()
    assert "AD-1.csv" in names
    assert book.startswith("voter_id,last_name,first_name")
    assert book.count("\n") == 13
    result = votetrail_on(capsys, demo_app, "voters", "export-vri", "--county", "adams",
                          "--user", "adams-admin")  # fmt: skip
    assert result.code == 0, result.err
    assert json.loads(result.out)["@type"] == "VRI.VoterRecordResults"
    voted = tmp_path / "voted.csv"
    voted.write_text("voter_id,method\nA00002,mail\nA00003,in-person\n")
    result = votetrail_on(capsys, demo_app, "voters", "participation", str(voted), "--county",
                          "adams", "--election", "2026-general", "--voted-on", "2026-11-03",
                          "--user", "adams-admin")  # fmt: skip
    assert result.code == 0, result.err
    result = votetrail_on(capsys, demo_app, "voters", "change", "A00002", "--kind", "party",
                          "--reason", "form", "--source", "PC-9", "--party", "REP", "--user",
                          "adams-admin")  # fmt: skip
    assert result.code == 0, result.err
    result = votetrail_on(capsys, demo_app, "voters", "alerts", "--user", "state-admin")
    assert "voted-recently" in result.out
    assert "who voted in 2026-general" in result.out
    refused = votetrail_on(capsys, demo_app, "voters", "alerts", "--user", "adams-admin")
    assert refused.code != 0
    alert_id = result.out.split("voted-recently", 1)[1].split("[", 1)[1].split("]", 1)[0]
    seen = votetrail_on(capsys, demo_app, "voters", "acknowledge", alert_id, "--user",
                        "state-admin")  # fmt: skip
    assert seen.code == 0, seen.err
    assert f"{alert_id} (voted-recently) acknowledged by state-admin" in seen.out
    listed = votetrail_on(capsys, demo_app, "voters", "alerts", "--user", "state-admin")
    assert f"[{alert_id}] (acknowledged by state-admin)" in listed.out
    _assert_no_pii(book + result.out)
