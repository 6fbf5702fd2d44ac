"""Ranked-choice contests are read as ranks by every CVR reader, never counted as plurality.

Each reader is tried on a real ranked export from RCTab's own test suite in the
shared data (``cvr/rctab``, BrightSpots/rcv ``src/test/resources/network/
brightspots/rcv/test_data/`` at 2167c240: Alaska's Dominion JSON, Portland's
Clear Ballot CSV, NIST CDF JSON and XML, Travis County's Hart XML), whose
first-choice totals must equal round 1 of RCTab's expected report (cases whose
configuration relabels candidates, e.g. ``undeclaredWriteInLabel``, are left to
the RCTab adapters); on a synthetic mixed file in the format's layout (the
plurality contest reads exactly as before issue 17, the ranked one into
``ranks``); and on a ranked layout it cannot read, which is refused naming the
contest. Dominion JSON is laid out as the Alaska export (``NumOfRanks``,
``Rank`` per mark), Hart's one-digit-per-rank ``Value`` as RCTab's
``HartCvrReader`` reads it, Clear Ballot's ``<contest>:<rank>:Number of
Winners <N>`` headings as the Portland file, NIST ``Rank`` on
``SelectionPosition`` as RCTab's CDF files, ES&S ``Choice N`` headings as
RCTab's ES&S samples and ``Nth Choice`` as Maine's.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from tests.formats.cvr import test_dominion_json as dominion
from tests.formats.cvr import test_hart as hart
from votetrail.core.rcv.ballots import OVERVOTE
from votetrail.core.tally.records import ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.hart import open_hart_cvr
from votetrail.formats.cvr.read import open_cvr_file

RCTAB = Path("cvr") / "rctab"
CANNOT = "votetrail cannot read this file's rankings"
Ranks = tuple[tuple[str, ...], ...]


def refusal(path: Path) -> str:
    with pytest.raises(InvalidInput) as caught:
        list(open_cvr_file(path).records())
    return str(caught.value)


def first_round(ballots: Iterable[Ranks], rules: dict[str, Any]) -> tuple[dict[str, int], int]:
    """RCTab's round-1 tally and overvotes, for the rules these cases use (test-only, simple).

    Each ballot counts for its first rank holding one candidate, skipping empty
    ranks up to ``maxSkippedRanksAllowed``; an overvoted rank exhausts the
    ballot (``exhaustImmediately``) or is passed over (``alwaysSkipToNextRank``).
    """
    skips = rules["maxSkippedRanksAllowed"]
    most_skipped = 10**9 if skips in ("max", "unlimited") else int(skips)
    limit = rules["maxRankingsAllowed"]
    most_ranks = 10**9 if limit == "max" else int(limit)
    tally: Counter[str] = Counter()
    overvotes = 0
    for ranks in ballots:
        skipped = 0
        for rank in ranks[:most_ranks]:
            if not rank:
                skipped += 1
                if skipped > most_skipped:
                    break
                continue
            if len(rank) > 1 or rank == (OVERVOTE,):
                if rules["overvoteRule"] == "exhaustImmediately":
                    overvotes += 1
                    break
                continue
            tally[rank[0]] += 1
            break
    return dict(tally), overvotes


def expected_round_1(shared_data: Path, case: str) -> tuple[dict[str, Any], dict[str, int], int]:
    """The case's rules, and its expected report's round-1 tally (non-zero) and overvotes."""
    folder = shared_data / RCTAB / case
    config = json.loads((folder / f"{case}_config.json").read_text(encoding="utf-8"))
    report = json.loads(
        (folder / f"{case}_expected_detailed_report.json").read_text(encoding="utf-8")
    )
    first = report["results"][0]
    tally = {name: int(float(v)) for name, v in first["tally"].items() if float(v)}
    return config["rules"], tally, int(first["inactiveBallots"]["overvotes"])


MIXED = [
    ContestDefinition("Mayor", 1, ("Ada", "Bo")),
    ContestDefinition("Council", 1, ("Cy", "Di"), ranks=2),
]


def read_mixed(path: Path) -> list[dict[str, Ranks]]:
    """The rankings of a mixed file whose plurality Mayor reads exactly as before issue 17."""
    opened = open_cvr_file(path)
    assert opened.contests == MIXED
    records = list(opened.records())
    assert [dict(r.marks) for r in records] == [{"Mayor": ("Ada",)}, {"Mayor": ("Bo",)}]
    return [dict(r.ranks) for r in records]


def ranked_of(path: Path, contest: str) -> list[Ranks]:
    return [dict(r.ranks)[contest] for r in open_cvr_file(path).records() if contest in r.ranks]


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


MAYOR = ContestDefinition("Mayor", 1, ("Ada", "Bo"), ranks=2)


def test_dominion_csv_ranked_only_reads_the_ranks(tmp_path: Path) -> None:
    opened = open_cvr_file(dominion_csv(tmp_path, plurality=False))
    assert opened.contests == [MAYOR]
    assert [(r.marks, r.ranks) for r in opened.records()] == [
        ({}, {"Mayor": (("Ada",), ("Bo",))})
    ] * 2


def test_dominion_csv_mixed_file_imports_both(tmp_path: Path) -> None:
    opened = open_cvr_file(dominion_csv(tmp_path, plurality=True))
    assert opened.contests == [MAYOR, ContestDefinition("Council", 1, ("Cy", "Di"))]
    records = list(opened.records())
    assert [dict(r.marks) for r in records] == [{"Council": ("Di",)}] * 2  # as before issue 17
    assert [dict(r.ranks) for r in records] == [{"Mayor": (("Ada",), ("Bo",))}] * 2


def test_dominion_csv_rank_heading_it_cannot_read_is_refused(tmp_path: Path) -> None:
    path = dominion_csv(tmp_path, plurality=True)
    path.write_text(path.read_text(encoding="utf-8").replace("Bo(2)", "Bo"), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        open_cvr_file(path)
    message = str(caught.value)
    assert "contest 'Mayor' is ranked-choice (its heading gives Number of ranks=2)" in message
    assert "choice heading 'Bo' does not end with its rank" in message
    assert CANNOT in message
    assert "line 3" in message


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


def test_dominion_json_alaska_first_choices_are_rctab_round_1(shared_data: Path) -> None:
    """Alaska's 2020 export: ``IsVote`` is false on every rank after the first, yet each ranks."""
    export = shared_data / RCTAB / "_shared/dominion_alaska/alaska_input_data/CvrExport.json"
    opened = open_cvr_file(export)
    (contest,) = opened.contests
    assert (contest.name, contest.ranks, contest.votes_allowed) == (
        "PRESIDENT OF THE UNITED STATES",
        5,
        1,
    )
    # The case's undeclaredWriteInLabel is candidate 12, "(undeclared)" in the manifest.
    ballots = [
        tuple(tuple("Undeclared Write-ins" if c == "(undeclared)" else c for c in r) for r in b)
        for b in ranked_of(export, contest.name)
    ]
    rules, tally, overvotes = expected_round_1(shared_data, "dominion_alaska")
    assert first_round(ballots, rules) == (tally, overvotes)
    assert sum(len(b) > 1 for b in ballots) > 900  # the later ranks are read too


def test_dominion_json_mixed_file_imports_both(tmp_path: Path) -> None:
    opened = open_cvr_file(dominion_zip(tmp_path / "cvrs.zip", {2: 3}, RANKED_SESSIONS))
    assert [(c.name, c.ranks) for c in opened.contests] == [("Mayor", None), ("Council", 3)]
    records = list(opened.records())
    assert [dict(r.marks) for r in records] == [  # as before issue 17
        {"Mayor": ("Ada Ames",)},
        {"Mayor": ("Bo Bell",)},
    ]
    assert [dict(r.ranks) for r in records] == [
        {"Council": (("Cy Cole",), ("Di Dunn",), ("Ed Eng",))},
        {},
    ]


def test_dominion_json_rank_past_num_of_ranks_is_refused(tmp_path: Path) -> None:
    message = refusal(dominion_zip(tmp_path / "cvrs.zip", {2: 2}, RANKED_SESSIONS))
    assert "rank 3 is not one of the ranks of contest 'Council' (1 to 2)" in message
    assert "field 'Rank'" in message


def test_dominion_json_rank_above_1_where_the_manifest_ranks_nothing(tmp_path: Path) -> None:
    message = refusal(dominion_zip(tmp_path / "cvrs.zip", {}, RANKED_SESSIONS))
    assert "a mark has Rank 2, so contest 'Council' is ranked-choice" in message
    assert "its number of ranks is unknown" in message
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
    assert [(c.name, c.ranked) for c in opened.contests] == [("Mayor", False), ("Council", False)]
    records = list(opened.records())
    assert len(records) == 4
    assert all(not r.ranks for r in records)


# Hart


def hart_option(name: str, value: str) -> str:
    return f"<Option><Name>{name}</Name><Id>o-{name}</Id><Value>{value}</Value></Option>"


def test_hart_ranked_only_reads_the_ranks(tmp_path: Path) -> None:
    ranked = hart.contest("Mayor", [hart_option("Ada", "100"), hart_option("Bo", "011")])
    path = hart.build(tmp_path / "hart.zip", {"g-1.xml": hart.cvr("g-1", "B1", 1, [ranked])})
    opened = open_cvr_file(path)
    assert opened.contests == [ContestDefinition("Mayor", 1, ("Ada", "Bo"), ranks=3)]
    (record,) = opened.records()
    assert record.ranks == {"Mayor": (("Ada",), ("Bo",), ("Bo",))}  # a duplicate, kept


def test_hart_mixed_file_imports_both(tmp_path: Path) -> None:
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
    assert read_mixed(hart.build(tmp_path / "hart.zip", sheets)) == [
        {"Council": (("Di",), ("Cy",))},
        {"Council": (("Cy",),)},
    ]


def test_hart_value_it_cannot_read_in_a_ranked_contest_is_refused(tmp_path: Path) -> None:
    ranked = hart.contest("Mayor", [hart_option("Ada", "100"), hart_option("Bo", "2")])
    path = hart.build(tmp_path / "hart.zip", {"g-1.xml": hart.cvr("g-1", "B1", 1, [ranked])})
    message = refusal(path)
    assert "contest 'Mayor' is ranked-choice" in message
    assert "option 'Bo' has Value '2'" in message
    assert CANNOT in message
    assert "g-1.xml, contest 'Mayor', field 'Value'" in message


def test_hart_travis_county_first_choices_are_rctab_round_1(
    shared_data: Path, tmp_path: Path
) -> None:
    """Travis County's officers contest gives one digit per rank: ranked only by the config.

    RCTab's case names the contest in its configuration; the export alone reads
    as a vote-for-3 plurality contest, so the caller says it is ranked.
    """
    archive = tmp_path / "hart.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for sheet in sorted((shared_data / RCTAB / "_shared/hart_cvr_archive").glob("*.xml")):
            out.write(sheet, sheet.name)
    name = "TRAVIS COUNTY OFFICERS"
    assert next(c for c in open_cvr_file(archive).contests if c.name == name).votes_allowed == 3
    opened = open_hart_cvr(archive, ranked_contests=[name])
    ranked = {c.name: c.ranks for c in opened.contests if c.ranked}
    # Two contests rank with several digits in the file itself; Travis is ranked as told.
    assert ranked == {"CEDAR PARK SCHOOL BOARD": 6, "PFLUGERVILLE COUNTY OFFICERS": 10, name: 1}
    ballots = [dict(r.ranks)[name] for r in opened.records() if name in r.ranks]
    rules, tally, overvotes = expected_round_1(shared_data, "hart_travis_county_officers")
    assert first_round(ballots, rules) == (tally, overvotes)


def test_hart_one_digit_values_still_read(tmp_path: Path) -> None:
    opened = open_cvr_file(hart.build(tmp_path / "hart.zip"))
    assert not any(c.ranked for c in opened.contests)
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


def test_clear_ballot_portland_first_choices_are_rctab_round_1(shared_data: Path) -> None:
    case = "clear_ballot_with_inline_comma"
    path = shared_data / RCTAB / case / f"{case}_cvr.csv"
    opened = open_cvr_file(path)
    assert [(c.name, c.ranks) for c in opened.contests] == [("City of Portland, Auditor", 2)]
    rules, tally, overvotes = expected_round_1(shared_data, case)
    assert first_round(ranked_of(path, "City of Portland, Auditor"), rules) == (tally, overvotes)


def test_clear_ballot_mixed_file_imports_both(tmp_path: Path) -> None:
    headings = [
        "Choice_1_1:Mayor:Vote For 1:Ada:NON",
        "Choice_2_1:Mayor:Vote For 1:Bo:NON",
        cb_ranked("Council", 1, "Cy"),
        cb_ranked("Council", 2, "Cy"),
        cb_ranked("Council", 1, "Di"),
        cb_ranked("Council", 2, "Di"),
    ]
    rows = ["1,B1,1,b-1,p,bs,ps,T1,s,r,1,0,1,0,0,1", "2,B1,2,b-2,p,bs,ps,T1,s,r,0,1,1,1,1,0"]
    assert read_mixed(clear_ballot(tmp_path, headings, rows)) == [
        {"Council": (("Cy",), ("Di",))},
        {"Council": (("Cy", "Di"), ("Cy",))},  # an overvote at rank 1, kept as marked
    ]


def test_clear_ballot_rank_1_only_reads_as_plurality(tmp_path: Path) -> None:
    headings = [cb_ranked("Mayor", 1, "Ada"), cb_ranked("Mayor", 1, "Bo")]
    opened = open_cvr_file(clear_ballot(tmp_path, headings, ["1,B1,1,b-1,p,bs,ps,T1,s,r,0,1"]))
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


@pytest.mark.parametrize(
    ("case", "source"),
    [
        ("test_set_0_skipped_first_choice", "test_set_0_skipped_first_choice_cvr.json"),
        ("test_set_1_exhaust_at_overvote", "test_set_1_exhaust_at_overvote_cvr.json"),
        ("test_set_4_skipped_choice_next", "test_set_4_skipped_choice_next_cvr.json"),
        ("test_set_7_duplicate_skip_to_next", "test_set_7_duplicate_skip_to_next_cvr.json"),
        ("unisyn_xml_cdf_city_chief_of_police", "../unisyn_cvrs/"),
    ],
)
def test_nist_first_choices_are_rctab_round_1(shared_data: Path, case: str, source: str) -> None:
    """CDF JSON, and Unisyn's XML in the draft schema's namespace, as RCTab reads them."""
    folder = shared_data / RCTAB / case
    config = json.loads((folder / f"{case}_config.json").read_text(encoding="utf-8"))
    (wanted,) = {s["contestId"] for s in config["cvrFileSources"]}
    paths = [folder / s["filePath"] for s in config["cvrFileSources"]]
    ballots: list[Ranks] = []
    for path in paths:
        opened = open_cvr_file(path)
        assert wanted in [c.name for c in opened.contests if c.ranked]
        ballots += [dict(r.ranks)[wanted] for r in opened.records() if wanted in r.ranks]
    rules, tally, overvotes = expected_round_1(shared_data, case)
    assert first_round(ballots, rules) == (tally, overvotes)


def test_nist_mixed_file_imports_both(tmp_path: Path) -> None:
    opened = open_cvr_file(nist_file(tmp_path, nist_report({"mayor": [1], "council": [1, 2]})))
    assert opened.contests == [
        ContestDefinition("Mayor", 1, ("Ann", "Bob")),
        ContestDefinition("Council", 1, ("Ann", "Bob"), ranks=2),
    ]
    (record,) = opened.records()
    assert dict(record.marks) == {"Mayor": ("Ann",)}
    assert dict(record.ranks) == {"Council": (("Ann",), ("Bob",))}


def test_nist_vote_variation_rcv_is_ranked(tmp_path: Path) -> None:
    report = nist_report({"mayor": [1], "council": [1]}, variation="rcv")
    opened = open_cvr_file(nist_file(tmp_path, report))
    assert [(c.name, c.ranks) for c in opened.contests] == [("Mayor", None), ("Council", 1)]
    (record,) = opened.records()
    assert dict(record.ranks) == {"Council": (("Ann",),)}


def test_nist_ranked_position_without_a_rank_is_refused(tmp_path: Path) -> None:
    report = nist_report({"mayor": [1], "council": [1, 2]})
    positions = report["CVR"][0]["CVRSnapshot"][0]["CVRContest"][1]["CVRContestSelection"]
    del positions[0]["SelectionPosition"][0]["Rank"]
    message = refusal(nist_file(tmp_path, report))
    assert "contest 'council'" in message
    assert "has no Rank of 1 or more" in message


def test_nist_rank_1_on_every_plurality_position_still_reads(tmp_path: Path) -> None:
    opened = open_cvr_file(nist_file(tmp_path, nist_report({"mayor": [1], "council": [1, 1]})))
    (record,) = opened.records()
    assert dict(record.marks) == {"Mayor": ("Ann",), "Council": ("Ann", "Bob")}  # an overvote


# ES&S


def ess(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cvr.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_ess_ranked_only_reads_the_ranks(tmp_path: Path) -> None:
    path = ess(tmp_path, "Cast Vote Record,Precinct,Choice 1,Choice 2\r\n1,p1,Ada,Bo\r\n")
    opened = open_cvr_file(path)
    assert opened.contests == [ContestDefinition("Choice 1", 1, ("Ada", "Bo"), ranks=2)]
    (record,) = opened.records()
    assert dict(record.ranks) == {"Choice 1": (("Ada",), ("Bo",))}


def test_ess_mixed_file_imports_both(tmp_path: Path) -> None:
    text = (
        "Cast Vote Record,Precinct,Mayor,Council 1st Choice,Council 2nd Choice,"
        "Council 3rd Choice\r\n"
        "1,p1,Ada,Cy,Di,\r\n"
        "2,p1,Bo,undervote,overvote,Cy\r\n"
        "3,p1,Bo,,,\r\n"
    )
    opened = open_cvr_file(ess(tmp_path, text))
    assert opened.contests == [
        ContestDefinition("Mayor", 1, ("Ada", "Bo")),
        ContestDefinition("Council", 1, ("Cy", "Di"), ranks=3),
    ]
    records = list(opened.records())
    assert [dict(r.marks) for r in records] == [
        {"Mayor": ("Ada",)},
        {"Mayor": ("Bo",)},
        {"Mayor": ("Bo",)},
    ]
    assert [dict(r.ranks) for r in records] == [
        {"Council": (("Cy",), ("Di",))},
        {"Council": ((), (OVERVOTE,), ("Cy",))},  # skipped, the file's overvote, then Cy
        {},  # every rank empty: the contest is not on this ballot
    ]


def test_ess_choice_n_of_m_gives_the_number_of_ranks(tmp_path: Path) -> None:
    text = "Cast Vote Record,Mayor Choice 1 of 5,Mayor Choice 2 of 5\r\n1,Ada,Bo\r\n"
    opened = open_cvr_file(ess(tmp_path, text))
    assert [(c.name, c.ranks) for c in opened.contests] == [("Mayor", 5)]


def test_ess_two_columns_for_one_rank_are_refused(tmp_path: Path) -> None:
    text = "Cast Vote Record,Mayor 1st Choice,Mayor Choice 1,Mayor 2nd Choice\r\n1,Ada,Bo,Cy\r\n"
    message = refusal(ess(tmp_path, text))
    assert "contest 'Mayor' is ranked-choice" in message
    assert "two of its columns give one rank" in message
    assert CANNOT in message


def test_ess_a_lone_first_choice_column_is_plurality(tmp_path: Path) -> None:
    opened = open_cvr_file(
        ess(tmp_path, "Cast Vote Record,Precinct,Mayor 1st Choice\r\n1,p,Ada\r\n")
    )
    assert [c.name for c in opened.contests] == ["Mayor 1st Choice"]
