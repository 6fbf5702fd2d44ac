"""An ES&S Excel CVR export imports through the county upload (issue 17).

The real file is Minneapolis's 2013 Park Board workbook from RCTab's suite
(BrightSpots/rcv test_data ``_shared/2013_minneapolis_park_cvr.xlsx`` at commit
2167c240ddd25e40427cc3e7e1ecf46ef62f0b7f, ../shared/data/cvr/rctab through
``shared_data``): imported with ``import_cvrs`` on SQLite and PostgreSQL, its
stored rankings must give RCTab's own round-1 tally in that case's expected
report. The case's labels are the file's words: ``undervote`` is a skipped
rank, ``overvote`` an overvote (the case skips to the next rank), ``UWI`` the
undeclared write-in RCTab calls ``Undeclared Write-ins``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail_on
from tests.formats.cvr.test_ess_xlsx import MINNEAPOLIS
from tests.rcv.test_rctab_config import SUITE
from tests.rcv.test_rctab_sources import first_round, write_xlsx
from votetrail.core.rcv.ballots import UNDECLARED_WRITE_IN, RankedBallot
from votetrail.errors import NotFound
from votetrail.formats.rcv.config import read_config
from votetrail.services.context import App
from votetrail.services.counting.results import results
from votetrail.services.counting.uploads import import_cvrs
from votetrail.services.rcv.ballots import ranked_ballots, ranked_contests

PARK = "PARK AND RECREATION COMMISSIONER AT LARGE MINNEAPOLIS"
UWI = "UWI"
"""The case's ``undeclaredWriteInLabel``."""


def test_minneapolis_workbook_imports_with_rctabs_first_round(
    demo_app: App, shared_data: Path
) -> None:
    case = shared_data / SUITE / "2013_minneapolis_park"
    workbook = shared_data / SUITE / "_shared" / "2013_minneapolis_park_cvr.xlsx"
    report = json.loads((case / "2013_minneapolis_park_expected_detailed_report.json").read_text())
    rules = read_config(case / "2013_minneapolis_park_config.json").rules

    imported = import_cvrs(demo_app, "tester", "adams", [workbook])
    assert imported.records == int(report["summary"]["totalNumBallots"])
    assert imported.files[0]["format"] == "ES&S CVR Excel workbook"
    assert results(demo_app, "adams") == []  # a ranked contest is never plurality totals
    (contest,) = ranked_contests(demo_app, "adams")
    assert (contest.name, contest.ranks, contest.votes_allowed) == (PARK, 3, 1)

    stored = ranked_ballots(demo_app, "adams", PARK)
    ballots = [
        RankedBallot(
            b.id,
            tuple(tuple(UNDECLARED_WRITE_IN if m == UWI else m for m in r) for r in b.ranks),
        )
        for b in stored
    ]
    assert sum(1 for b in ballots if not b.ranks) == report["summary"]["undervotes"]
    expected = {c: Decimal(v) for c, v in report["results"][0]["tally"].items()}
    counted = first_round(rules, ballots)
    assert {c: Decimal(counted.get(c, 0)) for c in expected} == expected
    assert set(counted) <= set(expected)
    assert stored[0].id == "2013_minneapolis_park_cvr.xlsx-1"  # RCTab's name for row 2
    assert stored[0].precinct == "MINNEAPOLIS W-11 P-05"


def test_the_cli_imports_a_workbook_and_refuses_a_broken_one(
    demo_app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_xlsx(
        tmp_path / "mpls.xlsx",
        [MINNEAPOLIS, ["W-1 P-1", "Ada", "Bo", "undervote", 1], ["W-1 P-2", "Bo", "", "", 1]],
    )
    done = votetrail_on(capsys, demo_app, "cvr", "import", str(good), "--jurisdiction", "adams")
    assert done.code == 0, done.err
    assert "mpls.xlsx: ES&S CVR Excel workbook, 2 records" in done.out
    assert "Left out" not in done.out + done.err

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[:200])  # cut short in the middle of the ZIP
    failed = votetrail_on(capsys, demo_app, "cvr", "import", str(broken), "--jurisdiction", "baker")
    assert failed.code != 0
    assert f"{broken}: is not an Excel workbook (.xlsx)" in failed.err
    assert "Traceback" not in failed.err
    with pytest.raises(NotFound):
        ranked_ballots(demo_app, "baker", "MAYOR")  # nothing of the broken file was stored
