"""RAIRE on a stored IRV contest: ``votetrail audit irv-assertions`` and ``irv-risk``.

The CVR file is synthetic, in Dominion's CSV layout for ranked contests
(``Mayor (Number of positions=1, Number of ranks=3)`` over ``Ada(1)``,
``Ada(2)`` ..., the layout of Boulder 2023's export as rlauxe reads it; see
tests/services/counting/test_ranked_import.py). Each test runs on SQLite and
PostgreSQL (``demo_app``).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import votetrail_on
from votetrail.core.rcv.irv_votes import IrvVotes
from votetrail.core.rcv.raire import raire
from votetrail.errors import InvalidInput, NotFound
from votetrail.formats.audit.ranked_sample import read_ranked_comparison_sample
from votetrail.services.context import App
from votetrail.services.counting.uploads import import_cvrs
from votetrail.services.rcv.raire import irv_assertions

MAYOR = "Mayor (Number of positions=1, Number of ranks=3)"
NAMES = ("Ada", "Bo", "Cy", "Di")
# Ada 9, Bo 7, Cy 6 first preferences; Cy's go 3 to Bo and 3 to Ada: Ada beats Bo 12 to 10.
# Cy would beat Ada 13 to 9 in a final, so Cy trailing Bo by one vote in round 1 is what
# decides it: the audit's difficulty is 24 cards / 1 vote. Di is on the ballot and ranked by
# no one: the proof must still rule Di out.
RANKINGS = (
    [("Ada",)] * 9
    + [("Bo", "Cy")] * 7
    + [("Cy", "Bo")] * 3
    + [("Cy", "Ada", "Bo")] * 3
    + [("Ada;Bo",), ()]  # an overvote at rank 1, and a blank
)


def dominion_csv(path: Path) -> Path:
    columns = [f"{name}({rank})" for name in NAMES for rank in (1, 2, 3)]
    rows = [
        ["Election", "5.17.17.1", *[""] * (len(columns) + 1)],
        ["", "", "", *[MAYOR] * len(columns)],
        ["", "", "", *columns],
        ["TabulatorNum", "BatchId", "RecordId", *[""] * len(columns)],
    ]
    for record, ranking in enumerate(RANKINGS, start=1):
        marked = {
            f"{name}({rank})"
            for rank, names in enumerate(ranking, start=1)
            for name in names.split(";")
        }
        rows.append(["1", "1", str(record), *("1" if c in marked else "0" for c in columns)])
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def test_assertions_from_stored_cvrs_match_the_core(demo_app: App, tmp_path: Path) -> None:
    import_cvrs(demo_app, "tester", "adams", [dominion_csv(tmp_path / "cvr.csv")])
    result = irv_assertions(demo_app, "Mayor")
    assert result.winner == "Ada"
    assert result.ballots == len(RANKINGS)
    counts = Counter(tuple(r) if not r or ";" not in r[0] else () for r in RANKINGS)
    expected = raire(
        IrvVotes.from_counts(counts, candidates=list(NAMES)), "Ada", contest_id="Mayor"
    )
    assert [a.id for a in result.assertions] == [a.id for a in expected.assertions]
    assert result.difficulty == expected.difficulty == len(RANKINGS) / 1
    assert {a.id: a.margin_votes for a in result.assertions} == {
        "Mayor:NEB Ada>Di": 9,  # nobody ranked Di
        "Mayor:NEB Bo>Cy": 1,
        "Mayor:NEN Ada>Bo if {Ada,Bo}": 2,
        "Mayor:NEN Ada>Cy if {Ada,Bo,Cy}": 3,
    }
    with pytest.raises(InvalidInput, match="not the IRV winner 'Ada'"):
        irv_assertions(demo_app, "Mayor", winner="Bo")
    with pytest.raises(NotFound, match="no ranked-choice contest 'Council'"):
        irv_assertions(demo_app, "Council")


def irv_risk_json(
    capsys: pytest.CaptureFixture[str], app: App, sample: Path, *options: str
) -> dict[str, Any]:
    shown = votetrail_on(
        capsys, app, "audit", "irv-risk", "--contest", "Mayor", "--sample", str(sample),
        "--format", "json", *options,
    )  # fmt: skip
    assert shown.code == 0, shown.err
    result: dict[str, Any] = json.loads(shown.out)
    return result


def test_audit_commands_accept_an_irv_contest(
    demo_app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_cvrs(demo_app, "tester", "adams", [dominion_csv(tmp_path / "cvr.csv")])
    shown = votetrail_on(
        capsys, demo_app, "audit", "irv-assertions", "--contest", "Mayor", "--format", "json"
    )
    assert shown.code == 0, shown.err
    listed = json.loads(shown.out)
    assert (listed["winner"], listed["ballots"], listed["margin_votes"]) == ("Ada", 24, 1)
    final = next(a for a in listed["assertions"] if a["continuing"] == "Ada;Bo")
    assert (final["winner_tally"], final["loser_tally"]) == (12, 10)
    assert listed["round_size"] == 24  # a 1-vote margin in 24 cards: every card
    assert final["sample_size"] == 24

    sample = tmp_path / "sample.csv"
    rows = ["Ballot,Contest,CVR,Audit"]
    rows += [f"b{i},Mayor,Ada,Ada" for i in range(30)]
    rows += ["x,Council,Yes,No"]  # another contest's row is skipped
    sample.write_text("\n".join(rows) + "\n", encoding="utf-8")
    measured = irv_risk_json(capsys, demo_app, sample, "--ballots", "2400", "--with-replacement")
    assert measured["cards_sampled"] == 30
    assert measured["decision"] == "continue"  # a 2-vote margin in 2,400 cards: far from done
    assert 0.05 < measured["max_risk"] <= 1

    flipped = tmp_path / "flipped.csv"
    flipped.write_text(
        "Ballot,Contest,CVR,Audit\n"
        + "".join(f"b{i},Mayor,Cy > Ada > Bo,Cy > Bo\n" for i in range(24)),
        encoding="utf-8",
    )
    wrong = irv_risk_json(capsys, demo_app, flipped, "--method", "kaplan-markov")
    assert wrong["decision"] == "full_hand_count"


def test_ranked_sample_cells_and_their_errors(tmp_path: Path) -> None:
    sample = tmp_path / "s.csv"
    sample.write_text(
        "Ballot,Contest,CVR,Audit\n"
        "1,Mayor,Ada > > Bo,Ada;Bo > Cy\n"
        "2,Mayor,MISSING,NOT ON BALLOT\n"
        "3,Mayor,,Bo > Ada > Bo\n",
        encoding="utf-8",
    )
    assert read_ranked_comparison_sample(sample, "Mayor") == [
        (("Ada", "Bo"), ()),  # skipped rank passed over; overvote ends the list
        (None, ()),
        ((), ("Bo", "Ada")),
    ]
    sample.write_text("Ballot,Contest,CVR,Audit\n1,Mayor,Ada;Ada,Ada\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"s.csv, line 2, field 'CVR': names a candidate twice"):
        read_ranked_comparison_sample(sample, "Mayor")
    with pytest.raises(InvalidInput, match="has no row for contest 'Sheriff'"):
        read_ranked_comparison_sample(sample, "Sheriff")
