"""Ranked-choice contests are never counted as plurality: named and left out, or refused.

Each reader is tried three ways: a file whose only contest is ranked (refused,
naming the contest), a mixed file (the plurality contest imports, the ranked
one is named in ``left_out``), and a plurality file carrying the marks a
plurality export writes (``Rank`` 1, a one-digit ``Value``), which still reads.

Real ranked exports come from RCTab's test suite in the shared data
(``cvr/rctab``: Alaska's Dominion JSON, Portland's Clear Ballot CSV, NIST CDF
JSON); the mixed files are synthetic, built in each format's layout: Dominion
JSON as the Alaska export (``NumOfRanks``, ``Rank`` per mark), Hart's
one-digit-per-rank ``Value`` as RCTab's ``HartCvrReader`` reads it, Clear
Ballot's ``<contest>:<rank>:Number of Winners <N>`` headings as the Portland
file, NIST ``Rank`` on ``SelectionPosition`` as RCTab's CDF files, ES&S
``Choice N`` headings as RCTab's ES&S samples and ``Nth Choice`` as Maine's.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import votetrail_on
from tests.formats.cvr import test_dominion_json as dominion
from tests.formats.cvr import test_hart as hart
from votetrail.core.tally.records import ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.read import open_cvr_file
from votetrail.services.context import App
from votetrail.services.counting.uploads import import_cvrs

RCTAB = Path("cvr") / "rctab"
REFUSAL = "ranked-choice; votetrail does not count ranked-choice contests yet"


def refusal(path: Path) -> str:
    with pytest.raises(InvalidInput) as caught:
        list(open_cvr_file(path).records())
    return str(caught.value)


# Dominion CSV

MAYOR_RCV = "Mayor (Number of positions=1, Number of ranks=2)"


def dominion_csv(tmp_path: Path, plurality: bool) -> Path:
    """Boulder 2023's layout: the ranked contest first, one column per choice and rank."""
    ranked = [MAYOR_RCV] * 4
    contests = ["", "", "", *ranked, *(["Council (Vote For=1)"] * 2 if plurality else [])]
    choices = [
        "",
        "",
        "",
        "Ada(1)",
        "Ada(2)",
        "Bo(1)",
        "Bo(2)",
        *(["Cy", "Di"] if plurality else []),
    ]
    parties = ["TabulatorNum", "BatchId", "RecordId", *[""] * (len(contests) - 3)]
    rows = [["Election", "5.17.17.1", *[""] * (len(contests) - 2)], contests, choices, parties]
    for record in (1, 2):
        rows.append(["1", "1", str(record), "1", "0", "0", "1", *(["0", "1"] if plurality else [])])
    path = tmp_path / "cvrs.csv"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def test_dominion_csv_ranked_only_is_refused_naming_the_contest(tmp_path: Path) -> None:
    message = refusal(dominion_csv(tmp_path, plurality=False))
    assert "contest 'Mayor' (its heading gives Number of ranks=2)" in message
    assert REFUSAL in message


def test_dominion_csv_mixed_file_imports_the_plurality_contest(tmp_path: Path) -> None:
    opened = open_cvr_file(dominion_csv(tmp_path, plurality=True))
    assert opened.contests == [ContestDefinition("Council", 1, ("Cy", "Di"))]
    assert opened.left_out == (
        "contest 'Mayor' is ranked-choice (its heading gives Number of ranks=2); "
        "votetrail does not count ranked-choice contests yet, so it is left out of this import",
    )
    assert [dict(r.marks) for r in opened.records()] == [{"Council": ("Di",)}] * 2


# Dominion JSON


def dominion_zip(path: Path, ranks: dict[int, int], exports: dict[str, Any] | None = None) -> Path:
    contests = copy.deepcopy(dominion.CONTESTS)
    for item in contests["List"]:
        item["NumOfRanks"] = ranks.get(item["Id"], 0)
    extra = {"ContestManifest.json": contests}
    return dominion.build_zip(path, exports, extra)


def ranked_mark(candidate: int, rank: int) -> dict[str, Any]:
    return {**dominion.mark(candidate, vote=rank == 1), "Rank": rank}


RANKED_SESSIONS = {
    "CvrExport_0.json": [
        dominion.session(
            1,
            [
                dominion.contest(1, [dominion.mark(10)]),
                dominion.contest(2, [ranked_mark(20, 1), ranked_mark(21, 2), ranked_mark(22, 3)]),
            ],
        ),
        dominion.session(2, [dominion.contest(1, [dominion.mark(11)])]),
    ]
}


def test_dominion_json_ranked_only_is_refused_naming_the_contest(shared_data: Path) -> None:
    export = shared_data / RCTAB / "_shared/dominion_alaska/alaska_input_data/CvrExport.json"
    message = refusal(export)
    assert "contest 'PRESIDENT OF THE UNITED STATES' (NumOfRanks 5" in message
    assert REFUSAL in message


def test_dominion_json_mixed_file_imports_the_plurality_contest(tmp_path: Path) -> None:
    opened = open_cvr_file(dominion_zip(tmp_path / "cvrs.zip", {2: 3}, RANKED_SESSIONS))
    assert [c.name for c in opened.contests] == ["Mayor"]
    assert opened.left_out == (
        "contest 'Council' is ranked-choice (NumOfRanks 3 in ContestManifest.json); "
        "votetrail does not count ranked-choice contests yet, so it is left out of this import",
    )
    assert [dict(r.marks) for r in opened.records()] == [
        {"Mayor": ("Ada Ames",)},
        {"Mayor": ("Bo Bell",)},
    ]


def test_dominion_json_rank_above_1_where_the_manifest_ranks_nothing(tmp_path: Path) -> None:
    message = refusal(dominion_zip(tmp_path / "cvrs.zip", {}, RANKED_SESSIONS))
    assert "a mark has Rank 2, so contest 'Council' is ranked-choice" in message
    assert "field 'Rank'" in message


def test_dominion_json_rank_or_num_of_ranks_not_a_whole_number_is_refused(
    tmp_path: Path,
) -> None:
    """A ``"2"`` is no less a ranking than a 2: never read as an unranked plurality mark."""
    as_text = copy.deepcopy(RANKED_SESSIONS)
    for mark in as_text["CvrExport_0.json"][0]["Original"]["Cards"][0]["Contests"][1]["Marks"]:
        mark["Rank"] = str(mark["Rank"])
    message = refusal(dominion_zip(tmp_path / "text.zip", {}, as_text))
    assert "contest 'Council', field 'Rank'" in message
    assert "not a whole number" in message

    contests = copy.deepcopy(dominion.CONTESTS)
    contests["List"][1]["NumOfRanks"] = "3"
    path = dominion.build_zip(tmp_path / "manifest.zip", None, {"ContestManifest.json": contests})
    with pytest.raises(InvalidInput, match="field 'NumOfRanks'"):
        open_cvr_file(path)


def test_dominion_json_rank_1_on_plurality_marks_still_reads(tmp_path: Path) -> None:
    opened = open_cvr_file(dominion_zip(tmp_path / "cvrs.zip", {1: 1}))  # one rank: plurality
    assert opened.left_out == ()
    assert [c.name for c in opened.contests] == ["Mayor", "Council"]
    assert len(list(opened.records())) == 4


# Hart


def hart_option(name: str, value: str) -> str:
    return f"<Option><Name>{name}</Name><Id>o-{name}</Id><Value>{value}</Value></Option>"


def test_hart_ranked_only_is_refused_naming_the_contest(tmp_path: Path) -> None:
    ranked = hart.contest("Mayor", [hart_option("Ada", "100"), hart_option("Bo", "010")])
    path = hart.build(tmp_path / "hart.zip", {"g-1.xml": hart.cvr("g-1", "B1", 1, [ranked])})
    message = refusal(path)
    assert "contest 'Mayor' (an option's Value is '100', one digit per rank)" in message
    assert REFUSAL in message


def test_hart_mixed_file_imports_the_plurality_contest(tmp_path: Path) -> None:
    sheets = {
        "g-1.xml": hart.cvr(
            "g-1",
            "B1",
            1,
            [
                hart.contest("Mayor", [hart_option("Ada", "1")]),
                hart.contest("Council", [hart_option("Cy", "01"), hart_option("Di", "10")]),
            ],
        ),
        "g-2.xml": hart.cvr(
            "g-2",
            "B1",
            2,
            [  # a ranked contest's undervotes must not be taken for a vote limit
                hart.contest("Mayor", [hart_option("Bo", "1")]),
                hart.contest("Council", [hart_option("Cy", "10")], undervotes=2),
            ],
        ),
    }
    opened = open_cvr_file(hart.build(tmp_path / "hart.zip", sheets))
    assert opened.contests == [ContestDefinition("Mayor", 1, ("Ada", "Bo"))]
    assert opened.left_out == (
        "contest 'Council' is ranked-choice (an option's Value is '01', one digit per rank); "
        "votetrail does not count ranked-choice contests yet, so it is left out of this import",
    )
    assert [dict(r.marks) for r in opened.records()] == [{"Mayor": ("Ada",)}, {"Mayor": ("Bo",)}]


def test_hart_one_digit_values_still_read(tmp_path: Path) -> None:
    opened = open_cvr_file(hart.build(tmp_path / "hart.zip"))
    assert opened.left_out == ()
    assert len(list(opened.records())) == 3


# Clear Ballot

CB_DETAILS = (
    "RowNumber,BoxID,BoxPosition,BallotID,PrecinctID,BallotStyleID,PrecinctStyleName,"
    "ScanComputerName,Status,Remade"
)


def clear_ballot(tmp_path: Path, headings: list[str], rows: list[str]) -> Path:
    path = tmp_path / "cvrs.csv"
    lines = [",".join([CB_DETAILS, *headings]), *rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    return path


def cb_ranked(contest: str, rank: int, choice: str) -> str:
    return f'"Choice_{rank}_1:{contest}:{rank}:Number of Winners 1:{choice}:NON"'


def test_clear_ballot_ranked_only_is_refused_naming_the_contest(shared_data: Path) -> None:
    path = (
        shared_data
        / RCTAB
        / "clear_ballot_with_inline_comma/clear_ballot_with_inline_comma_cvr.csv"
    )
    message = refusal(path)
    assert "contest 'City of Portland, Auditor' (its headings give 2 ranks)" in message
    assert REFUSAL in message


def test_clear_ballot_mixed_file_imports_the_plurality_contest(tmp_path: Path) -> None:
    headings = [
        "Choice_1_1:Mayor:Vote For 1:Ada:NON",
        "Choice_2_1:Mayor:Vote For 1:Bo:NON",
        cb_ranked("Council", 1, "Cy"),
        cb_ranked("Council", 2, "Cy"),
        cb_ranked("Council", 1, "Di"),
        cb_ranked("Council", 2, "Di"),
    ]
    rows = ["1,B1,1,b-1,p,bs,ps,T1,s,r,1,0,1,0,0,1", "2,B1,2,b-2,p,bs,ps,T1,s,r,0,1,0,1,1,0"]
    opened = open_cvr_file(clear_ballot(tmp_path, headings, rows))
    assert opened.contests == [ContestDefinition("Mayor", 1, ("Ada", "Bo"))]
    assert opened.left_out == (
        "contest 'Council' is ranked-choice (its headings give 2 ranks); "
        "votetrail does not count ranked-choice contests yet, so it is left out of this import",
    )
    assert [dict(r.marks) for r in opened.records()] == [{"Mayor": ("Ada",)}, {"Mayor": ("Bo",)}]


def test_clear_ballot_rank_1_only_reads_as_plurality(tmp_path: Path) -> None:
    headings = [cb_ranked("Mayor", 1, "Ada"), cb_ranked("Mayor", 1, "Bo")]
    opened = open_cvr_file(clear_ballot(tmp_path, headings, ["1,B1,1,b-1,p,bs,ps,T1,s,r,0,1"]))
    assert opened.left_out == ()
    assert opened.contests == [ContestDefinition("Mayor", 1, ("Ada", "Bo"))]
    assert [dict(r.marks) for r in opened.records()] == [{"Mayor": ("Bo",)}]


# NIST SP 1500-103


def nist_report(ranks: dict[str, list[int]], variation: str | None = None) -> dict[str, Any]:
    """Mayor and Council, one CVR marking each choice of each contest at the ranks given."""

    def positions(contest: str) -> list[dict[str, Any]]:
        return [
            {
                "@type": "CVR.CVRContestSelection",
                "ContestSelectionId": f"{contest}-{n}",
                "SelectionPosition": [
                    {
                        "@type": "CVR.SelectionPosition",
                        "HasIndication": "yes",
                        "NumberVotes": 1,
                        "Rank": rank,
                    }
                ],
            }
            for n, rank in enumerate(ranks[contest])
        ]

    def contest(contest_id: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = {
            "@id": contest_id,
            "@type": "CVR.CandidateContest",
            "Name": name,
            "VotesAllowed": 1,
            "ContestSelection": [
                {"@id": f"{contest_id}-{n}", "@type": "CVR.ContestSelection", "Selection": s}
                for n, s in enumerate(("Ann", "Bob"))
            ],
        }
        if variation is not None and contest_id == "council":
            found["VoteVariation"] = variation
        return found

    return {
        "@type": "CVR.CastVoteRecordReport",
        "Version": "1.0.0",
        "Election": [
            {
                "@id": "el-1",
                "@type": "CVR.Election",
                "Name": "General",
                "Contest": [contest(c, c.title()) for c in ranks],
            }
        ],
        "CVR": [
            {
                "@type": "CVR.CVR",
                "UniqueId": "1",
                "CurrentSnapshotId": "s-1",
                "CVRSnapshot": [
                    {
                        "@id": "s-1",
                        "@type": "CVR.CVRSnapshot",
                        "Type": "original",
                        "CVRContest": [
                            {
                                "@type": "CVR.CVRContest",
                                "ContestId": c,
                                "CVRContestSelection": positions(c),
                            }
                            for c in ranks
                        ],
                    }
                ],
            }
        ],
    }


def nist_file(tmp_path: Path, report: dict[str, Any]) -> Path:
    path = tmp_path / "cvrs.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def test_nist_ranked_only_is_refused_naming_the_contest(shared_data: Path) -> None:
    path = (
        shared_data
        / RCTAB
        / "test_set_4_skipped_choice_next/test_set_4_skipped_choice_next_cvr.json"
    )
    message = refusal(path)
    assert "contest 'test set 4' (a SelectionPosition has Rank" in message
    assert REFUSAL in message


def test_nist_mixed_file_imports_the_plurality_contest(tmp_path: Path) -> None:
    opened = open_cvr_file(nist_file(tmp_path, nist_report({"mayor": [1], "council": [1, 2]})))
    assert opened.contests == [ContestDefinition("Mayor", 1, ("Ann", "Bob"))]
    assert opened.left_out == (
        "contest 'Council' is ranked-choice (a SelectionPosition has Rank 2); "
        "votetrail does not count ranked-choice contests yet, so it is left out of this import",
    )
    assert [dict(r.marks) for r in opened.records()] == [{"Mayor": ("Ann",)}]


def test_nist_vote_variation_rcv_is_ranked(tmp_path: Path) -> None:
    report = nist_report({"mayor": [1], "council": [1]}, variation="rcv")
    opened = open_cvr_file(nist_file(tmp_path, report))
    assert [c.name for c in opened.contests] == ["Mayor"]
    assert "contest 'Council' is ranked-choice (its VoteVariation is rcv)" in opened.left_out[0]


def test_nist_rank_1_on_every_plurality_position_still_reads(tmp_path: Path) -> None:
    opened = open_cvr_file(nist_file(tmp_path, nist_report({"mayor": [1], "council": [1, 1]})))
    assert opened.left_out == ()
    (record,) = opened.records()
    assert dict(record.marks) == {"Mayor": ("Ann",), "Council": ("Ann", "Bob")}  # an overvote


# ES&S


def ess(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cvr.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_ess_ranked_only_is_refused_naming_the_contest(tmp_path: Path) -> None:
    path = ess(tmp_path, "Cast Vote Record,Precinct,Choice 1,Choice 2\r\n1,p1,Ada,Bo\r\n")
    message = refusal(path)
    assert "contest 'Choice 1' (its columns 'Choice 1', 'Choice 2' rank it)" in message
    assert REFUSAL in message


def test_ess_mixed_file_imports_the_plurality_contest(tmp_path: Path) -> None:
    text = (
        "Cast Vote Record,Precinct,Mayor,Council 1st Choice,Council 2nd Choice\r\n"
        "1,p1,Ada,Cy,Di\r\n"
        "2,p1,Bo,Di,\r\n"
    )
    opened = open_cvr_file(ess(tmp_path, text))
    assert opened.contests == [ContestDefinition("Mayor", 1, ("Ada", "Bo"))]
    assert opened.left_out == (
        "contest 'Council' is ranked-choice (its columns 'Council 1st Choice', "
        "'Council 2nd Choice' rank it); votetrail does not count ranked-choice contests yet, "
        "so it is left out of this import",
    )
    assert [dict(r.marks) for r in opened.records()] == [{"Mayor": ("Ada",)}, {"Mayor": ("Bo",)}]


def test_ess_a_lone_first_choice_column_is_plurality(tmp_path: Path) -> None:
    opened = open_cvr_file(
        ess(tmp_path, "Cast Vote Record,Precinct,Mayor 1st Choice\r\n1,p,Ada\r\n")
    )
    assert opened.left_out == ()
    assert [c.name for c in opened.contests] == ["Mayor 1st Choice"]


# The import


def test_import_stores_logs_and_shows_the_contest_left_out(
    demo_app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mixed = dominion_zip(tmp_path / "mixed.zip", {2: 3}, RANKED_SESSIONS)
    result = import_cvrs(demo_app, "tester", "adams", [mixed])
    assert result.records == 2
    assert result.notices == [
        "mixed.zip: contest 'Council' is ranked-choice (NumOfRanks 3 in ContestManifest.json); "
        "votetrail does not count ranked-choice contests yet, so it is left out of this import"
    ]
    assert result.files[0]["left_out"] == [result.notices[0].removeprefix("mixed.zip: ")]
    with zipfile.ZipFile(mixed) as archive:  # the CLI shows the notice too
        archive.extractall(tmp_path / "unzipped")
    lone = tmp_path / "unzipped" / "CvrExport_0.json"
    shown = votetrail_on(capsys, demo_app, "cvr", "import", str(lone), "--jurisdiction", "baker")
    assert shown.code == 0, shown.err
    assert "Left out: CvrExport_0.json: contest 'Council' is ranked-choice" in shown.err
