"""A file mixing plurality and ranked-choice contests imports both (issue 17).

The plurality totals of a mixed file must be exactly those of the same file
without its ranked contest (what votetrail imported before it read ranks), the
ranked contest must never show as plurality totals, its rankings must be
stored in the CVRs the upload's Merkle root covers, so a ranking changed with
raw SQL is caught by ``verify``, and the ranked-choice services read them back.
Each test runs on SQLite and PostgreSQL (``demo_app``). The files are
synthetic, in Dominion's CSV layout for ranked contests (``Mayor (Number of
positions=1, Number of ranks=2)`` over ``Ada(1)``, ``Ada(2)`` ...: Boulder
2023's export as rlauxe reads it), plus Unisyn's real mixed CDF export from
RCTab's suite (``cvr/rctab/unisyn_cvrs`` in the shared data).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.helpers import votetrail_on
from votetrail.core.ledger.canonical import canonical_bytes
from votetrail.core.rcv.ballots import OVERVOTE, RankedBallot
from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.core.tally.tabulate import tabulate
from votetrail.errors import InvalidInput, NotFound
from votetrail.services.context import App
from votetrail.services.counting.results import results
from votetrail.services.counting.uploads import cvr_record, cvr_text, import_cvrs
from votetrail.services.rcv.ballots import ranked_ballots, ranked_contests
from votetrail.services.verify import verify

MAYOR = "Mayor (Number of positions=1, Number of ranks=2)"
COUNCIL = "Council (Vote For=1)"
# TabulatorNum, BatchId, RecordId; Mayor Ada(1) Ada(2) Bo(1) Bo(2); Council Cy Di
CARDS = [
    ["1", "1", "1", "1", "0", "0", "1", "0", "1"],
    ["1", "1", "2", "0", "1", "1", "0", "1", "0"],
    ["1", "1", "3", "1", "0", "1", "0", "0", "1"],  # an overvote at rank 1
    ["1", "1", "4", "0", "0", "0", "0", "1", "1"],  # Mayor blank; Council overvoted
    ["1", "2", "1", "", "", "", "", "0", "1"],  # Mayor not on this card
]


def dominion_csv(path: Path, ranked: bool) -> Path:
    """The mixed export, or (``ranked`` False) the same cards without the ranked contest."""
    keep = slice(None) if ranked else [0, 1, 2, 7, 8]

    def cut(row: list[str]) -> list[str]:
        return row[keep] if isinstance(keep, slice) else [row[i] for i in keep]

    contests = cut(["", "", "", MAYOR, MAYOR, MAYOR, MAYOR, COUNCIL, COUNCIL])
    choices = cut(["", "", "", "Ada(1)", "Ada(2)", "Bo(1)", "Bo(2)", "Cy", "Di"])
    rows = [
        ["Election", "5.17.17.1", *[""] * (len(contests) - 2)],
        contests,
        choices,
        ["TabulatorNum", "BatchId", "RecordId", *[""] * (len(contests) - 3)],
        *(cut(card) for card in CARDS),
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def test_mixed_file_imports_both_with_the_plurality_totals_unchanged(
    demo_app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mixed = import_cvrs(demo_app, "tester", "adams", [dominion_csv(tmp_path / "m.csv", True)])
    plain = import_cvrs(demo_app, "tester", "baker", [dominion_csv(tmp_path / "p.csv", False)])
    assert (mixed.records, plain.records) == (5, 5)
    adams, baker = results(demo_app, "adams"), results(demo_app, "baker")
    assert adams == baker  # the ranked contest changes no plurality number
    (council,) = adams
    assert (council.name, dict(council.tally), council.ballots, council.overvotes) == (
        "Council",
        {"Cy": 1, "Di": 3},
        5,
        1,
    )
    shown = votetrail_on(capsys, demo_app, "results", "--jurisdiction", "adams", "--format", "csv")
    assert shown.code == 0, shown.err
    assert "Council" in shown.out
    assert "Mayor" not in shown.out  # never listed as plurality totals
    assert ranked_contests(demo_app, "adams") == [
        ContestDefinition("Mayor", 1, ("Ada", "Bo"), ranks=2)
    ]
    assert ranked_contests(demo_app, "baker") == []
    assert ranked_ballots(demo_app, "adams", "Mayor") == [
        RankedBallot("1-1-1", (("Ada",), ("Bo",)), None, "1", "adams-cvrs-1"),
        RankedBallot("1-1-2", (("Bo",), ("Ada",)), None, "1", "adams-cvrs-1"),
        RankedBallot("1-1-3", (("Ada", "Bo"),), None, "1", "adams-cvrs-1"),
        RankedBallot("1-1-4", (), None, "1", "adams-cvrs-1"),
    ]
    assert len(ranked_ballots(demo_app, None, "Mayor")) == 4  # statewide
    with pytest.raises(NotFound, match="no ranked-choice contest 'Council'"):
        ranked_ballots(demo_app, "adams", "Council")
    assert verify(demo_app).ok


def test_a_ranking_changed_with_raw_sql_is_caught_by_verify(demo_app: App, tmp_path: Path) -> None:
    import_cvrs(demo_app, "tester", "adams", [dominion_csv(tmp_path / "m.csv", True)])
    assert verify(demo_app).ok
    with demo_app.engine.begin() as conn:
        changed = conn.execute(
            text(
                "UPDATE cvrs SET record = REPLACE(record, :before, :after) "
                "WHERE upload_id = 'adams-cvrs-1' AND position = 0"
            ),
            {"before": '"Mayor":[["Ada"],["Bo"]]', "after": '"Mayor":[["Bo"],["Ada"]]'},
        )
        assert changed.rowcount == 1
    report = verify(demo_app)
    assert "upload 'adams-cvrs-1': its stored records were changed after import" in "\n".join(
        report.problems
    )


def test_real_mixed_cdf_export_imports_every_contest(demo_app: App, shared_data: Path) -> None:
    """Unisyn's export: seven ranked contests and one plurality question, in one file."""
    export = shared_data / "cvr/rctab/unisyn_cvrs/101-RCV-CVT_TEST_3_UNIOVS2103-2.xml"
    imported = import_cvrs(demo_app, "tester", "adams", [export])
    assert imported.files[0]["format"].startswith("NIST SP 1500-103 XML")
    ranked = {c.name: c.ranks for c in ranked_contests(demo_app, "adams")}
    assert ranked["For County Coroner (1/2)"] == 2
    assert len(ranked) == 7
    (question,) = results(demo_app, "adams")
    assert question.name == "Statewide Public Question"
    assert question.ballots == imported.records
    police = ranked_ballots(demo_app, "adams", "For City C Chief of Police (1/3)")
    assert sum(1 for b in police if b.ranks and len(b.ranks[0]) == 1) == 29  # RCTab's round 1


def test_canonical_form_of_ranks_and_plurality_records_unchanged() -> None:
    ranked = CastVoteRecord(
        "1", "T", "B", "1", marks={"Q": ("Yes",)}, ranks={"Z": ((), ("a", "b"), (OVERVOTE,))}
    )
    assert cvr_text(ranked).encode("utf-8") == canonical_bytes(cvr_record(ranked))
    assert '"ranks":{"Z":[[],["a","b"],["\\u0000overvote"]]}' in cvr_text(ranked)
    plain = CastVoteRecord("1", "T", "B", "1", marks={"Q": ("Yes",)})
    assert "ranks" not in cvr_record(plain)  # Merkle roots logged before issue 17 still hold
    assert cvr_text(plain).encode("utf-8") == canonical_bytes(cvr_record(plain))


def test_plurality_tabulation_leaves_ranked_contests_out() -> None:
    contests = [
        ContestDefinition("Q", 1, ("Yes", "No")),
        ContestDefinition("Mayor", 1, ("Ada", "Bo"), ranks=2),
    ]
    record = CastVoteRecord(
        "1", None, None, None, marks={"Q": ("Yes",)}, ranks={"Mayor": (("Ada",),)}
    )
    (counted,) = tabulate([record], contests)
    assert (counted.name, dict(counted.tally)) == ("Q", {"Yes": 1, "No": 0})
    marked = CastVoteRecord("2", None, None, None, marks={"Mayor": ("Ada",)})
    with pytest.raises(InvalidInput, match="plurality marks in ranked-choice contest 'Mayor'"):
        tabulate([marked], contests)
