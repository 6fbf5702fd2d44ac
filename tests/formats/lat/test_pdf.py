"""The printed deck and certificate: real PDFs that say what they must, byte for byte the same."""

from __future__ import annotations

import re
import zlib
from dataclasses import replace

import pytest

from tests.formats.lat.definitions import general
from votetrail.core.lat.deck import generate_deck
from votetrail.formats.lat.certificate import Certificate, CertificateDevice, CertificateRun
from votetrail.formats.lat.pdf import (
    certificate_pdf,
    deck_pdf,
    latin1,
)

SWAP = (
    "Avery Quinn and Blake Rivera swapped on style 1 (Governor): expected 4 and 8, reported 8 and 4"
)
CERTIFICATE = Certificate(
    jurisdiction="Adams County",
    phase="Pre-election",
    held_on="2026-10-20",
    location="County Building, Room 101",
    election="Demo General Election",
    definition_sha256="3f" * 32,
    devices=[
        CertificateDevice(
            "ICP-1",
            "precinct scanner",
            "S-100",
            "S-200",
            "P-1",
            "passed",
            [CertificateRun(1, "icp-1.json", "ab" * 32, True)],
        ),
        CertificateDevice(
            "ICP-2",
            "precinct scanner",
            "S-101",
            "",
            "P-2, P-3",
            "failed",
            [CertificateRun(1, "icp-2.csv", "cd" * 32, False, [SWAP])],
            unsealed_reason="Sent to the vendor for repair",
        ),
    ],
    observers=["League of Women Voters: Jo Ortiz", "Démocrates: Zoë “Zee” Ávila"],
    officials=["Pat Clerk, County Clerk"],
    statement="We observed the test deck counted on each device listed.",
    log_entry=42,
    session_id="adams-2026-pre-1",
    verify_url="https://votetrail.example/log/42",
)


def shown(pdf: bytes) -> str:
    """The text the page content shows: core-font strings are Latin-1 between ( and ) Tj.

    Page streams are Flate-compressed; each is inflated first (streams that are
    not zlib, such as none here, are read as they are).
    """
    content = b""
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.DOTALL):
        try:
            content += zlib.decompress(stream) + b"\n"
        except zlib.error:
            content += stream + b"\n"
    strings = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content)
    return "\n".join(re.sub(r"\\(.)", r"\1", s.decode("latin-1")) for s in strings)


def test_latin1_replaces_what_the_core_fonts_lack() -> None:
    assert latin1("Dee O’Neil — “Zoë” … 2–3") == 'Dee O\'Neil - "Zoë" ... 2-3'
    assert latin1("東京 Ω") == "?? ?"


def test_deck_pdf_shows_instructions_and_expected_totals() -> None:
    deck = generate_deck(general())
    pdf = deck_pdf(deck, heading="L&A test deck: Demo General Election")
    assert pdf.startswith(b"%PDF")
    text = shown(pdf)
    assert "L&A test deck: Demo General Election" in text
    assert "Adams County, Example" in text
    assert "Ballot 1 - style Style 1, precinct North (P-1) (votes)" in text
    assert "Mark Avery Quinn" in text
    assert "Write in TEST WRITE-IN" in text
    assert "Overvote: mark Ann Smith, Bob Jones, Zoë Ávila, Dee O'Neil" in text
    assert "Expected totals" in text
    assert "Ballot style style-2" in text
    council = deck.expected()["council"]
    lines = text.splitlines()
    at = lines.index("Eve Ng", lines.index("Expected totals"))
    assert lines[at + 1] == str(council.votes["c5"])
    at = lines.index("Undervotes", at)
    assert lines[at + 1] == str(council.undervotes)


def test_deck_pdf_of_some_precincts() -> None:
    deck = generate_deck(general())
    pdf = deck_pdf(deck, heading="Deck", precincts=["P-3"])
    text = shown(pdf)
    assert "precinct South (P-3)" in text
    assert "precinct North (P-1)" not in text
    assert "Ballot style Style 1" not in text


def test_deck_pdf_is_the_same_each_time() -> None:
    deck = generate_deck(general())
    assert deck_pdf(deck, heading="Deck") == deck_pdf(deck, heading="Deck")


def test_certificate_says_what_was_tested() -> None:
    pdf = certificate_pdf(CERTIFICATE)
    assert pdf.startswith(b"%PDF")
    text = shown(pdf)
    assert "Certificate of logic and accuracy testing" in text
    assert "Pre-election test - Adams County" in text
    assert "County Building, Room 101" in text
    assert "3f" * 32 in text
    assert "S-200" in text
    assert "failed" in text
    assert f"- {SWAP}" in text
    assert 'Démocrates: Zoë "Zee" Ávila' in text
    assert "Signed: Pat Clerk, County Clerk" in text
    assert (
        "This certificate is entry 42 of the public log; check it at "
        "https://votetrail.example/log/42." in text
    )


def test_a_test_nobody_signed_has_no_certificate() -> None:
    with pytest.raises(ValueError, match="not signed"):
        certificate_pdf(replace(CERTIFICATE, officials=[], log_entry=None))


def test_certificate_lists_every_run_and_an_earlier_failure() -> None:
    """A device that failed, was fixed and passed is not reported as "Discrepancies: None"."""
    fixed = CertificateDevice(
        "ICP-3",
        "precinct scanner",
        "S-102",
        "S-202",
        "P-4",
        "passed",
        [
            CertificateRun(1, "first.csv", "ef" * 32, False, [SWAP]),
            CertificateRun(2, "second.json", "01" * 32, True),
        ],
    )
    text = shown(certificate_pdf(replace(CERTIFICATE, devices=[CERTIFICATE.devices[0], fixed])))
    assert "Every run of the test deck" in text
    assert "first.csv" in text
    assert "second.json" in text
    assert "FAILED" in text
    assert "ICP-3, run 1 (failed; run again as run 2: passed):" in text
    assert f"- {SWAP}" in text
    assert "None: every run" not in text
    passing = replace(CERTIFICATE, devices=[CERTIFICATE.devices[0]])
    assert "None: every run of every device matched the expected totals." in shown(
        certificate_pdf(passing)
    )


def test_certificate_prints_why_a_device_was_left_unsealed() -> None:
    text = shown(certificate_pdf(CERTIFICATE))
    assert "none: see below" in text
    assert "ICP-2: Sent to the vendor for repair" in text


def test_certificate_without_devices() -> None:
    text = shown(certificate_pdf(replace(CERTIFICATE, devices=[], verify_url="/lat/x")))
    assert "No device was added to this test." in text
    assert "check it at /lat/x on the election office's votetrail site" in text


def test_certificate_is_the_same_each_time() -> None:
    assert certificate_pdf(CERTIFICATE) == certificate_pdf(replace(CERTIFICATE))
    assert certificate_pdf(CERTIFICATE) != certificate_pdf(replace(CERTIFICATE, log_entry=43))
