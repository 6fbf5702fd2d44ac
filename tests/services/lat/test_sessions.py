"""Public L&A tests through the real services, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.services.voters.fixtures import who
from votetrail.core.lat.deck import generate_deck
from votetrail.errors import InvalidInput, PermissionDenied
from votetrail.formats.election.yaml import write_yaml
from votetrail.formats.lat.deck_files import write_deck_cvrs, write_expected_csv
from votetrail.formats.lat.results import read_tabulator_report
from votetrail.services.context import App
from votetrail.services.demo.lat import demo_definition, load_demo_lat
from votetrail.services.lat import definitions as lat_definitions
from votetrail.services.lat import records as lat_records
from votetrail.services.lat import sessions as lat_sessions
from votetrail.services.setup import DEMO_COUNTIES
from votetrail.services.verify import verify
from votetrail.store.models import LEDGER_ENTRIES

DEFINITION = demo_definition("adams", "Adams County")
DECK = generate_deck(DEFINITION)
P1 = ["Adams P-1"]


def _definition_file(tmp_path: Path) -> Path:
    path = tmp_path / "adams.yaml"
    path.write_text(write_yaml(DEFINITION), encoding="utf-8")
    return path


def _cvrs(tmp_path: Path, serial: str, tag: str = "") -> Path:
    """Device ``serial``'s CVR export of precinct P-1's deck (the cards name the device)."""
    path = tmp_path / f"{serial}{'-' + tag if tag else ''}-cvrs.json"
    write_deck_cvrs(DECK, path, serial, P1)
    return path


def _totals(tmp_path: Path, name: str, change: dict[tuple[str, str], int]) -> Path:
    """The expected totals CSV for precinct P-1 with some figures replaced."""
    buffer = io.StringIO()
    write_expected_csv(DECK, buffer, P1)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    for row in rows:
        key = (row["contest"], row["choice"])
        if key in change:
            row["votes"] = str(change[key])
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    return path


def _expected(choice: str) -> int:
    return DECK.expected(P1)["governor"].votes[choice]


def _open(app: App, tmp_path: Path, phase: str = "pre", on: date = date(2026, 10, 20)) -> str:
    officer = who(app, "adams-admin")
    loaded = lat_definitions.load_definition_file(app, officer, "adams", _definition_file(tmp_path))
    return lat_sessions.open_session(
        app, officer, "adams", loaded.id, phase, on, "Election office", ["Jo Ortiz"]
    )


def _events(app: App) -> list[str]:
    with app.engine.connect() as conn:
        return list(
            conn.execute(select(LEDGER_ENTRIES.c.event_type).order_by(LEDGER_ENTRIES.c.seq))
            .scalars()
            .all()
        )


def test_a_pre_election_test_is_recorded_compared_and_signed(demo_app: App, tmp_path: Path) -> None:
    officer = who(demo_app, "adams-admin")
    definition_file = _definition_file(tmp_path)
    first = lat_definitions.load_definition_file(demo_app, officer, "adams", definition_file)
    again = lat_definitions.load_definition_file(demo_app, officer, "adams", definition_file)
    assert first.created
    assert not again.created
    assert again.id == first.id
    session_id = lat_sessions.open_session(
        demo_app, officer, "adams", first.id, "pre", date(2026, 10, 20), "Office", ["Jo Ortiz"]
    )
    lat_sessions.add_device(demo_app, officer, session_id, "ICP-1", "precinct scanner", "S1", P1)
    lat_sessions.add_device(demo_app, officer, session_id, "ICP-2", "precinct scanner", "S2", P1)
    good = lat_sessions.record_result(
        demo_app, officer, session_id, "ICP-1", _cvrs(tmp_path, "ICP-1")
    )
    assert good.passed
    assert good.created
    swapped = _totals(
        tmp_path,
        "swapped.csv",
        {
            ("governor", "avery-quinn"): _expected("blake-rivera"),
            ("governor", "blake-rivera"): _expected("avery-quinn"),
        },
    )
    bad = lat_sessions.record_result(demo_app, officer, session_id, "ICP-2", swapped)
    assert not bad.passed
    assert [d.kind for d in bad.discrepancies] == ["swap"]
    sentence = bad.discrepancies[0].sentence
    assert "Avery Quinn" in sentence
    assert "Blake Rivera" in sentence
    assert "swapped" in sentence
    repeat = lat_sessions.record_result(demo_app, officer, session_id, "ICP-2", swapped)
    assert not repeat.created
    assert repeat.id == bad.id
    fixed = lat_sessions.record_result(
        demo_app, officer, session_id, "ICP-2", _cvrs(tmp_path, "ICP-2")
    )
    assert fixed.passed
    assert fixed.id.endswith("run-2")
    lat_sessions.seal_device(demo_app, officer, session_id, "ICP-1", "S1-after")
    lat_sessions.leave_unsealed(demo_app, officer, session_id, "ICP-2", "Back to the vendor")
    lat_sessions.sign_session(demo_app, officer, session_id, ["Clerk", "Deputy"], "We certify.")
    with pytest.raises(InvalidInput, match="signed off and is closed"):
        lat_sessions.record_result(
            demo_app, officer, session_id, "ICP-1", _cvrs(tmp_path, "ICP-1", "3")
        )

    view = lat_records.session(demo_app, session_id)
    assert view.status == "signed"
    assert view.outcome == "passed"
    assert [d.outcome for d in view.devices] == ["passed", "passed"]
    assert view.devices[1].results[0].passed is False
    assert "swapped" in view.devices[1].results[0].discrepancies[0]
    assert view.officials == ["Clerk", "Deputy"]
    assert view.log_entry is not None
    events = _events(demo_app)
    assert events.count("lat.result_recorded") == 3
    for name in ("lat.definition_loaded", "lat.session_opened", "lat.session_signed"):
        assert events.count(name) == 1
    assert verify(demo_app).ok
    pdf = lat_records.certificate_bytes(demo_app, session_id, "https://example.org/lat/x")
    assert pdf.startswith(b"%PDF")
    deck = lat_records.deck_pdf_bytes(demo_app, view)
    kept = list((demo_app.data_dir / "lat-decks").glob(f"{session_id}-*.pdf"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == deck
    assert lat_records.deck_pdf_bytes(demo_app, view) == deck


def test_post_election_test_compares_with_the_same_devices_pre_election_test(
    demo_app: App, tmp_path: Path
) -> None:
    officer = who(demo_app, "adams-admin")
    pre = _open(demo_app, tmp_path)
    lat_sessions.add_device(demo_app, officer, pre, "ICP-1", "precinct scanner", "S1", P1)
    lat_sessions.add_device(demo_app, officer, pre, "ICP-2", "precinct scanner", "S2", P1)
    for serial in ("ICP-1", "ICP-2"):
        lat_sessions.record_result(demo_app, officer, pre, serial, _cvrs(tmp_path, serial))
        lat_sessions.seal_device(demo_app, officer, pre, serial, f"{serial}-sealed")
    lat_sessions.sign_session(demo_app, officer, pre, ["Clerk"], "We certify.")

    post = _open(demo_app, tmp_path, "post", date(2026, 11, 12))
    lat_sessions.add_device(
        demo_app, officer, post, "ICP-1", "precinct scanner", "ICP-1-sealed", P1
    )
    lat_sessions.add_device(demo_app, officer, post, "ICP-2", "precinct scanner", "S-other", P1)
    lat_sessions.add_device(demo_app, officer, post, "ICP-9", "precinct scanner", "S9", P1)
    same = lat_sessions.record_result(
        demo_app, officer, post, "ICP-1", _cvrs(tmp_path, "ICP-1", "p1")
    )
    assert same.passed, same.discrepancies
    broken_seal = lat_sessions.record_result(
        demo_app, officer, post, "ICP-2", _cvrs(tmp_path, "ICP-2", "p2")
    )
    assert not broken_seal.passed
    assert [d.kind for d in broken_seal.discrepancies] == ["seal"]
    assert "ICP-2-sealed" in broken_seal.discrepancies[0].sentence
    assert "S-other" in broken_seal.discrepancies[0].sentence
    never_tested = lat_sessions.record_result(
        demo_app, officer, post, "ICP-9", _cvrs(tmp_path, "ICP-9", "p9")
    )
    assert [d.kind for d in never_tested.discrepancies] == ["no_baseline"]

    view = lat_records.session(demo_app, post)
    first = view.devices[0].results[0]
    assert first.baseline_result_id is not None
    assert first.baseline_result_id.startswith(pre)


def test_a_post_election_count_that_differs_from_the_pre_election_one_is_explained(
    demo_app: App, tmp_path: Path
) -> None:
    officer = who(demo_app, "adams-admin")
    pre = _open(demo_app, tmp_path)
    lat_sessions.add_device(demo_app, officer, pre, "ICP-1", "precinct scanner", "S1", P1)
    lat_sessions.record_result(demo_app, officer, pre, "ICP-1", _cvrs(tmp_path, "ICP-1", "pre"))
    lat_sessions.seal_device(demo_app, officer, pre, "ICP-1", "S1b")
    lat_sessions.sign_session(demo_app, officer, pre, ["Clerk"], "We certify.")
    post = _open(demo_app, tmp_path, "post", date(2026, 11, 12))
    lat_sessions.add_device(demo_app, officer, post, "ICP-1", "precinct scanner", "S1b", P1)
    flipped = _totals(
        tmp_path,
        "flipped.csv",
        {
            ("governor", "avery-quinn"): _expected("avery-quinn") - 1,
            ("governor", "blake-rivera"): _expected("blake-rivera") + 1,
        },
    )
    result = lat_sessions.record_result(demo_app, officer, post, "ICP-1", flipped)
    assert not result.passed
    sentences = [d.sentence for d in result.discrepancies]
    assert any("the pre-election test" in s for s in sentences), sentences
    assert {d.kind for d in result.discrepancies} == {"moved_vote"}


def test_another_countys_official_is_refused_and_logged(demo_app: App, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        lat_definitions.load_definition_file(
            demo_app, who(demo_app, "baker-admin"), "adams", _definition_file(tmp_path)
        )
    session_id = _open(demo_app, tmp_path)
    with pytest.raises(PermissionDenied):
        lat_sessions.add_device(
            demo_app, who(demo_app, "adams-board"), session_id, "ICP-1", "scanner", "S", P1
        )
    assert _events(demo_app).count("access.denied") == 2


def test_bad_input_changes_nothing(demo_app: App, tmp_path: Path) -> None:
    officer = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    before = len(_events(demo_app))
    with pytest.raises(InvalidInput, match="not a precinct"):
        lat_sessions.add_device(demo_app, officer, session_id, "ICP-1", "scanner", "S", ["Nowhere"])
    lat_sessions.add_device(demo_app, officer, session_id, "ICP-1", "scanner", "S", P1)
    broken = tmp_path / "broken.csv"
    broken.write_text("contest,choice,votes\ngovernor,avery-quinn,many\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"broken\.csv"):
        lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", broken)
    with pytest.raises(InvalidInput, match="has not been run"):
        lat_sessions.sign_session(demo_app, officer, session_id, ["Clerk"], "We certify.")
    assert len(_events(demo_app)) == before + 1


def test_a_result_edited_behind_the_applications_back_is_named(
    demo_app: App, tmp_path: Path
) -> None:
    officer = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    lat_sessions.add_device(demo_app, officer, session_id, "ICP-1", "scanner", "S", P1)
    swapped = _totals(
        tmp_path,
        "swapped.csv",
        {
            ("governor", "avery-quinn"): _expected("blake-rivera"),
            ("governor", "blake-rivera"): _expected("avery-quinn"),
        },
    )
    result = lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", swapped)
    assert verify(demo_app).ok
    with demo_app.engine.begin() as conn:
        conn.execute(
            text("UPDATE lat_results SET passed = :yes, discrepancies = '[]' WHERE id = :id"),
            {"yes": True, "id": result.id},
        )
    report = verify(demo_app)
    assert not report.ok
    assert any(
        f"lat_result {result.id!r} was changed without an event" in p for p in report.problems
    )


def test_the_demo_tests_show_a_failure_fixed_and_a_clean_post_election_test(
    demo_app: App,
) -> None:
    load_demo_lat(demo_app, list(DEMO_COUNTIES))
    load_demo_lat(demo_app, list(DEMO_COUNTIES))
    views = {(v.jurisdiction, v.phase): v for v in lat_records.sessions(demo_app)}
    assert set(views) == {("adams", "pre"), ("adams", "post"), ("baker", "pre"), ("clark", "pre")}
    adams_pre = views[("adams", "pre")]
    assert adams_pre.outcome == "passed"
    icp2 = adams_pre.devices[1]
    assert [r.passed for r in icp2.results] == [False, True]
    assert views[("adams", "post")].outcome == "passed"
    assert views[("clark", "pre")].outcome == "in progress"
    assert views[("clark", "pre")].status == "open"
    assert verify(demo_app).ok
    assert "swapped" in icp2.results[0].discrepancies[0]


def test_a_fixed_device_can_pass_with_a_report_it_gave_before(
    demo_app: App, tmp_path: Path
) -> None:
    """Reports are deterministic: the passing file after a failed run is a new run."""
    officer = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    lat_sessions.add_device(demo_app, officer, session_id, "ICP-1", "scanner", "S", P1)
    good = _cvrs(tmp_path, "ICP-1")
    swapped = _totals(
        tmp_path,
        "swapped.csv",
        {
            ("governor", "avery-quinn"): _expected("blake-rivera"),
            ("governor", "blake-rivera"): _expected("avery-quinn"),
        },
    )
    assert lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", good).passed
    assert not lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", swapped).passed
    again = lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", good)
    assert again.created
    assert again.passed
    assert again.id.endswith("run-3")
    assert lat_records.session(demo_app, session_id).devices[0].outcome == "passed"


def test_only_a_signed_earlier_pre_election_test_is_the_baseline(
    demo_app: App, tmp_path: Path
) -> None:
    officer = who(demo_app, "adams-admin")
    unsigned = _open(demo_app, tmp_path, on=date(2026, 10, 1))
    lat_sessions.add_device(demo_app, officer, unsigned, "ICP-1", "scanner", "S1", P1)
    lat_sessions.record_result(demo_app, officer, unsigned, "ICP-1", _cvrs(tmp_path, "ICP-1", "u"))
    lat_sessions.seal_device(demo_app, officer, unsigned, "ICP-1", "S2")
    later = _open(demo_app, tmp_path, on=date(2026, 12, 1))
    lat_sessions.add_device(demo_app, officer, later, "ICP-1", "scanner", "S1", P1)
    lat_sessions.record_result(demo_app, officer, later, "ICP-1", _cvrs(tmp_path, "ICP-1", "l"))
    lat_sessions.seal_device(demo_app, officer, later, "ICP-1", "S2")
    lat_sessions.sign_session(demo_app, officer, later, ["Clerk"], "We certify.")
    post = _open(demo_app, tmp_path, "post", date(2026, 11, 12))
    lat_sessions.add_device(demo_app, officer, post, "ICP-1", "scanner", "S2", P1)
    result = lat_sessions.record_result(
        demo_app, officer, post, "ICP-1", _cvrs(tmp_path, "ICP-1", "p")
    )
    assert [d.kind for d in result.discrepancies] == ["no_baseline"]


def test_a_serial_that_would_break_the_devices_address_is_refused(
    demo_app: App, tmp_path: Path
) -> None:
    officer = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    for serial in ("ICP/1", "..", "."):
        with pytest.raises(InvalidInput, match="serial number"):
            lat_sessions.add_device(demo_app, officer, session_id, serial, "scanner", "S", P1)


P2 = ["Adams P-2"]


def _lat_results(app: App) -> int:
    with app.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM lat_results")).scalar_one())


def test_one_report_file_is_refused_for_a_second_device(demo_app: App, tmp_path: Path) -> None:
    officer = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    for serial in ("ICP-1", "ICP-2"):
        lat_sessions.add_device(demo_app, officer, session_id, serial, "scanner", "S", P1)
    totals = _totals(tmp_path, "totals.csv", {})  # says nothing about its device
    assert lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", totals).passed
    before = (_lat_results(demo_app), len(_events(demo_app)))
    with pytest.raises(InvalidInput) as refused:
        lat_sessions.record_result(demo_app, officer, session_id, "ICP-2", totals)
    message = str(refused.value)
    assert f"already recorded as the report of device ICP-1 in L&A test {session_id}" in message
    assert "totals.csv" in message
    assert (_lat_results(demo_app), len(_events(demo_app))) == before
    # The same device's own report again is the same run, as before.
    again = lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", totals)
    assert not again.created


def test_the_same_bytes_under_another_name_or_in_another_county_are_refused(
    demo_app: App, tmp_path: Path
) -> None:
    """A copy renamed is the same file, and a serial is one county's: both are refused."""
    adams = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    lat_sessions.add_device(demo_app, adams, session_id, "ICP-1", "scanner", "S", P1)
    lat_sessions.add_device(demo_app, adams, session_id, "ICP-2", "scanner", "S", P1)
    totals = _totals(tmp_path, "totals.csv", {})
    assert lat_sessions.record_result(demo_app, adams, session_id, "ICP-1", totals).passed
    renamed = tmp_path / "icp-2 totals.csv"
    renamed.write_bytes(totals.read_bytes())
    with pytest.raises(InvalidInput, match="already recorded as the report of device ICP-1"):
        lat_sessions.record_result(demo_app, adams, session_id, "ICP-2", renamed, "icp-2.csv")
    baker = who(demo_app, "baker-admin")
    source = tmp_path / "baker.yaml"
    source.write_text(write_yaml(demo_definition("baker", "Baker County")), encoding="utf-8")
    loaded = lat_definitions.load_definition_file(demo_app, baker, "baker", source)
    other = lat_sessions.open_session(
        demo_app, baker, "baker", loaded.id, "pre", date(2026, 10, 20), "Office", []
    )
    lat_sessions.add_device(demo_app, baker, other, "ICP-1", "scanner", "S", ["Baker P-1"])
    before = (_lat_results(demo_app), len(_events(demo_app)))
    with pytest.raises(InvalidInput) as refused:
        lat_sessions.record_result(demo_app, baker, other, "ICP-1", renamed)
    assert f"device ICP-1 in L&A test {session_id}" in str(refused.value)
    assert (_lat_results(demo_app), len(_events(demo_app))) == before


def test_a_report_that_names_another_device_or_precinct_fails(
    demo_app: App, tmp_path: Path
) -> None:
    officer = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    lat_sessions.add_device(demo_app, officer, session_id, "ICP-1", "scanner", "S", P1)
    others = _cvrs(tmp_path, "ICP-2")  # ICP-2's export of precinct P-1's deck
    result = lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", others)
    assert not result.passed
    assert [d.kind for d in result.discrepancies] == ["wrong_device"]
    assert result.discrepancies[0].sentence == (
        "The report says it comes from device 'ICP-2', not from ICP-1, the device under test."
    )
    wrong_precinct = tmp_path / "icp1-p2.json"
    write_deck_cvrs(DECK, wrong_precinct, "ICP-1", P2)
    result = lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", wrong_precinct)
    assert not result.passed
    sentences = [d.sentence for d in result.discrepancies]
    assert {d.kind for d in result.discrepancies} == {"wrong_precinct"}
    assert (
        "The report is of precinct Adams P-2, which device ICP-1 does not count "
        "(it counts Adams P-1)." in sentences
    )
    assert (
        "The report matches the test deck of precinct Adams P-2, not of precinct Adams P-1, "
        "which this device counts: the tabulator may be programmed for the wrong precinct, "
        "or that precinct's test ballots were run through it." in sentences
    )


def test_another_precincts_totals_are_a_discrepancy(demo_app: App, tmp_path: Path) -> None:
    """Two precincts with the same ballot style: P-2's totals no longer pass for P-1."""
    officer = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    lat_sessions.add_device(demo_app, officer, session_id, "ICP-1", "scanner", "S", P1)
    buffer = io.StringIO()
    write_expected_csv(DECK, buffer, P2)
    report = tmp_path / "p2 totals.csv"
    report.write_text(buffer.getvalue(), encoding="utf-8")
    assert DECK.expected(P1) != DECK.expected(P2)
    result = lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", report)
    assert not result.passed
    [mixup] = result.discrepancies
    assert mixup.kind == "wrong_precinct"
    assert mixup.sentence.startswith(
        "The report matches the test deck of precinct Adams P-2, not of precinct Adams P-1"
    )


def test_signing_needs_a_seal_or_a_recorded_reason_for_every_device(
    demo_app: App, tmp_path: Path
) -> None:
    officer = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    for serial in ("ICP-1", "ICP-2"):
        lat_sessions.add_device(demo_app, officer, session_id, serial, "scanner", "S", P1)
        lat_sessions.record_result(demo_app, officer, session_id, serial, _cvrs(tmp_path, serial))
    lat_sessions.seal_device(demo_app, officer, session_id, "ICP-1", "S-after")
    with pytest.raises(InvalidInput, match="device ICP-2: has no seal recorded after the test"):
        lat_sessions.sign_session(demo_app, officer, session_id, ["Clerk"], "We certify.")
    with pytest.raises(InvalidInput, match="sealed with seal S-after"):
        lat_sessions.leave_unsealed(demo_app, officer, session_id, "ICP-1", "No seals left")
    with pytest.raises(InvalidInput, match="must not be empty"):
        lat_sessions.leave_unsealed(demo_app, officer, session_id, "ICP-2", "   ")
    lat_sessions.leave_unsealed(demo_app, officer, session_id, "ICP-2", "Kept for the vendor")
    lat_sessions.sign_session(demo_app, officer, session_id, ["Clerk"], "We certify.")
    assert _events(demo_app).count("lat.device_left_unsealed") == 1
    view = lat_records.session(demo_app, session_id)
    assert [d.unsealed_reason for d in view.devices] == [None, "Kept for the vendor"]
    assert verify(demo_app).ok
    with demo_app.engine.begin() as conn:
        conn.execute(text("UPDATE lat_unsealed_devices SET reason = 'Sealed, honest'"))
    assert any("lat_unsealed_device" in p for p in verify(demo_app).problems)


def test_a_seal_recorded_before_the_last_run_is_not_the_seal_after_the_test(
    demo_app: App, tmp_path: Path
) -> None:
    """Sealed, then run again: the seal was broken for that run, so it cannot be certified."""
    officer = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    lat_sessions.add_device(demo_app, officer, session_id, "ICP-1", "scanner", "S", P1)
    lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", _cvrs(tmp_path, "ICP-1"))
    lat_sessions.seal_device(demo_app, officer, session_id, "ICP-1", "S-after")
    rerun = _totals(tmp_path, "rerun.csv", {})
    assert lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", rerun).created
    with pytest.raises(InvalidInput, match="sealed with seal S-after before its last run"):
        lat_sessions.sign_session(demo_app, officer, session_id, ["Clerk"], "We certify.")
    lat_sessions.seal_device(demo_app, officer, session_id, "ICP-1", "S-after-2")
    lat_sessions.sign_session(demo_app, officer, session_id, ["Clerk"], "We certify.")
    [device] = lat_records.session(demo_app, session_id).devices
    assert device.seal_after == "S-after-2"


def test_an_open_test_has_no_certificate(demo_app: App, tmp_path: Path) -> None:
    officer = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    lat_sessions.add_device(demo_app, officer, session_id, "ICP-1", "scanner", "S", P1)
    lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", _cvrs(tmp_path, "ICP-1"))
    with pytest.raises(InvalidInput, match="is not signed: in progress"):
        lat_records.certificate_bytes(demo_app, session_id)


def test_a_report_changed_while_it_is_recorded_is_logged_as_it_was_compared(
    demo_app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file was hashed, then read again: a change in between was compared under the old hash."""
    officer = who(demo_app, "adams-admin")
    session_id = _open(demo_app, tmp_path)
    lat_sessions.add_device(demo_app, officer, session_id, "ICP-1", "precinct scanner", "S1", P1)
    report = _cvrs(tmp_path, "ICP-1")
    passing = report.read_bytes()
    swapped = _totals(
        tmp_path,
        "swapped.csv",
        {
            ("governor", "avery-quinn"): _expected("blake-rivera"),
            ("governor", "blake-rivera"): _expected("avery-quinn"),
        },
    ).read_bytes()
    read = read_tabulator_report

    def changed_meanwhile(path: Path, definition: Any) -> Any:
        report.write_bytes(swapped)  # someone rewrites the original after it was hashed
        return read(path, definition)

    monkeypatch.setattr(lat_sessions, "read_tabulator_report", changed_meanwhile)
    recorded = lat_sessions.record_result(demo_app, officer, session_id, "ICP-1", report)
    assert recorded.passed
    with demo_app.engine.connect() as conn:
        logged = conn.execute(
            text("SELECT file_sha256, file_name FROM lat_results WHERE id = :i"), {"i": recorded.id}
        ).one()
    assert logged.file_sha256 == hashlib.sha256(passing).hexdigest()
    assert logged.file_name == report.name
