"""Tabulator reports of an L&A deck: totals CSV, NIST results JSON and CVR exports, by the ids."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.formats.files import refused, write
from tests.formats.lat.definitions import general, primary, votingworks_like
from votetrail.core.lat.deck import generate_deck
from votetrail.core.lat.definition import (
    WRITE_IN,
    BallotStyle,
    Choice,
    Contest,
    ElectionDefinition,
    Precinct,
    check,
)
from votetrail.core.lat.report_identity import SelfDescription
from votetrail.core.lat.totals import ContestTotals
from votetrail.core.tally.tabulate import ContestResult, tabulate
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.read import open_cvr_file
from votetrail.formats.lat.deck_files import write_deck_cvrs, write_expected_csv
from votetrail.formats.lat.names import Resolver, normalise
from votetrail.formats.lat.results import read_tabulator_report
from votetrail.formats.tally.results import ReportHeader, nist_err_json, write_csv

KENDALL_PARK = "cvr/arlo-fixtures/small-election/Kendall Park - cvrs.csv"
HEADER = ReportHeader(
    election_name="Demo General Election",
    election_date=date(2026, 11, 3),
    generated=datetime(2026, 10, 20, 10, 0, tzinfo=UTC),
    issuer="Adams County",
    issuer_abbreviation="AC",
    scope_name="Adams County",
    status="pre-election",
)


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "plain"),
    [
        ("Minister of Farming (Vote For=1)", "minister of farming"),
        ("City  Council\tVote For 3", "city council"),
        ("CITY COUNCIL (Vote for not more than 3)", "city council"),
        ("  Governor  ", "governor"),
        ("Measure 1 (vote for=1) ", "measure 1"),
    ],
)
def test_normalise_ignores_case_spacing_and_the_vote_for_suffix(name: str, plain: str) -> None:
    assert normalise(name) == plain


def test_resolver_matches_ids_then_names() -> None:
    resolver = Resolver(general())
    council = resolver.contest("council")
    assert council is not None
    assert council.id == "council"
    assert resolver.contest("CITY COUNCIL (Vote For=3)") is council
    assert resolver.contest("city council") is council
    assert resolver.contest("Dog catcher") is None
    assert resolver.choice(council, "c3") == council.choice("c3")
    assert resolver.choice(council, "ZOË ÁVILA") == council.choice("c3")
    assert resolver.choice(council, "Zoe Avila") is None
    assert resolver.ballot_style("STYLE 1") == "Style 1"
    assert resolver.ballot_style("Style 3") is None


@pytest.mark.parametrize(
    "spelling",
    ["Write-in", "Write-In", "Write In", "write-in", "Write-in 1", "WRITE-IN", "Writein"],
)
def test_write_in_spellings_are_the_write_in_position(spelling: str) -> None:
    definition = votingworks_like()
    resolver = Resolver(definition)
    mayor = definition.contest("mayor")
    assert resolver.choice(mayor, spelling) == mayor.choice(WRITE_IN)


def test_write_in_spelling_in_a_contest_without_one_is_unmatched() -> None:
    definition = general()
    assert Resolver(definition).choice(definition.contest("council"), "Write-in") is None


@pytest.mark.parametrize(
    ("label", "choice"),
    [
        ("Yes", "measure-1-yes"),
        ("YES", "measure-1-yes"),
        ("For", "measure-1-yes"),
        ("no", "measure-1-no"),
        ("Against", "measure-1-no"),
        ("measure-1-no", "measure-1-no"),
    ],
)
def test_yes_no_labels_find_votingworks_options(label: str, choice: str) -> None:
    definition = votingworks_like()
    measure = definition.contest("measure-1")
    assert Resolver(definition).choice(measure, label) == measure.choice(choice)


def test_yes_no_labels_by_option_id_when_names_differ() -> None:
    measure = Contest(
        "m",
        "Measure",
        "yesno",
        1,
        (Choice("m-yes", "Approve the bond"), Choice("m-no", "Reject the bond")),
    )
    definition = check(
        ElectionDefinition(
            "E",
            None,
            "test",
            (measure,),
            (BallotStyle("1", ("p",), ("m",)),),
            (Precinct("p", "P"),),
        ),
        "test",
    )
    resolver = Resolver(definition)
    assert resolver.choice(measure, "For") == measure.choice("m-yes")
    assert resolver.choice(measure, "NO") == measure.choice("m-no")
    assert resolver.choice(measure, "Maybe") is None


def test_names_shared_by_two_contests_or_choices_match_by_id_only() -> None:
    definition = primary()
    resolver = Resolver(definition)
    assert resolver.contest("Governor") is None
    assert "2 contests of that name ('gov-dem', 'gov-rep')" in resolver.contest_problem("Governor")
    assert "only their ids can be matched" in resolver.contest_problem("Governor")
    dem = resolver.contest("gov-dem")
    assert dem is not None
    assert resolver.choice(dem, "Pat Lee") is None
    assert "('d1', 'd2')" in resolver.choice_problem(dem, "pat lee")
    assert resolver.choice(dem, "d2") == dem.choice("d2")
    assert resolver.choice(dem, "Sam Roe") == dem.choice("d3")


# --- totals CSV --------------------------------------------------------------------------------


def test_expected_totals_csv_reads_back_as_the_deck_expects(tmp_path: Path) -> None:
    deck = generate_deck(general())
    buffer = io.StringIO()
    write_expected_csv(deck, buffer)
    report = read_tabulator_report(write(tmp_path, buffer.getvalue(), "totals.csv"), general())
    assert report.format == "totals CSV"
    assert report.overall == deck.expected()
    assert report.by_style is None
    assert report.cards is None
    assert report.unmatched == ()


def test_a_defused_name_reads_back_as_the_definitions(tmp_path: Path) -> None:
    """A contest id that looks like a formula is written with a quote and read without it."""
    plain = general()
    odd = check(
        replace(
            plain,
            contests=tuple(
                replace(c, id="=" + c.id) if c.id == "governor" else c for c in plain.contests
            ),
            ballot_styles=tuple(
                replace(s, contests=tuple("=" + c if c == "governor" else c for c in s.contests))
                for s in plain.ballot_styles
            ),
        ),
        "odd.yaml",
    )
    deck = generate_deck(odd)
    buffer = io.StringIO()
    write_expected_csv(deck, buffer)
    assert "'=governor" in buffer.getvalue()
    report = read_tabulator_report(write(tmp_path, buffer.getvalue(), "totals.csv"), odd)
    assert report.overall == deck.expected()
    assert report.unmatched == ()


def test_totals_csv_by_names_with_vendor_spelling(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Contest,Choice,Votes\n"
        "GOVERNOR,avery quinn,4\n"
        "Governor,Blake  Rivera,8\n"
        "Governor,Write-In,12\n"
        "Governor,overvotes,4\n"
        "City Council (Vote For=3),Dee O’Neil,8\n"
        "City Council (Vote For=3),UNDERVOTES,12\n"
        "county measure a,YES,2\n",
        "totals.csv",
    )
    report = read_tabulator_report(path, general())
    assert report.unmatched == ()
    assert list(report.overall) == ["governor", "measure-a", "council"]  # definition order
    assert report.overall["governor"] == ContestTotals(
        "governor", {"avery-quinn": 4, "blake-rivera": 8, WRITE_IN: 12}, None, 4, None
    )
    assert report.overall["council"] == ContestTotals("council", {"c4": 8}, None, None, 12)
    assert report.overall["measure-a"].votes == {"yes": 2}


def test_totals_csv_by_ballot_style(tmp_path: Path) -> None:
    deck = generate_deck(general())
    buffer = io.StringIO()
    write_expected_csv(deck, buffer, by_style=True)
    report = read_tabulator_report(write(tmp_path, buffer.getvalue(), "t.csv"), general())
    assert report.format == "totals CSV by ballot style"
    assert report.by_style == deck.expected_by_style()
    assert report.overall == deck.expected()


def test_totals_csv_by_style_adds_up_styles(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "contest,choice,votes,ballot_style\n"
        "governor,avery-quinn,1,style 1\n"
        "governor,avery-quinn,2,STYLE-2\n"
        "governor,ballots,5,style 1\n"
        "governor,ballots,6,style-2\n"
        "governor,overvotes,1,style-2\n",
        "t.csv",
    )
    report = read_tabulator_report(path, general())
    assert report.by_style is not None
    assert set(report.by_style) == {"Style 1", "style-2"}
    assert report.overall["governor"] == ContestTotals(
        "governor", {"avery-quinn": 3}, 11, None, None
    )


def test_results_export_csv_feeds_back(tmp_path: Path) -> None:
    """Our own results CSV (names, overvotes and undervotes rows) is a valid tabulator report."""
    results = [
        ContestResult(
            "Governor", 1, 32, 4, 4, {"Avery Quinn": 4, "Blake Rivera": 8, "Write-In": 12}
        ),
        ContestResult("County Measure A", 1, 16, 2, 8, {"Yes": 2, "No": 4}),
    ]
    buffer = io.StringIO()
    write_csv(results, buffer)
    report = read_tabulator_report(write(tmp_path, buffer.getvalue(), "results.csv"), general())
    assert report.unmatched == ()
    assert report.overall["governor"] == ContestTotals(
        "governor", {"avery-quinn": 4, "blake-rivera": 8, WRITE_IN: 12}, None, 4, 4
    )
    assert report.overall["measure-a"] == ContestTotals(
        "measure-a", {"yes": 2, "no": 4}, None, 2, 8
    )


def test_totals_csv_names_what_the_definition_lacks(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "contest,choice,votes\n"
        "Dog catcher,Rex,3\n"
        "Governor,Carol Danvers,1\n"
        "Governor,Avery Quinn,4\n"
        "Dog catcher,Fido,1\n",
        "totals.csv",
    )
    report = read_tabulator_report(path, general())
    assert report.unmatched == (
        "The report names contest 'Dog catcher', which the election definition does not have",
        "The report names choice 'Carol Danvers' in Governor, which the election definition "
        "does not have",
    )
    assert report.overall == {"governor": ContestTotals("governor", {"avery-quinn": 4})}


def test_totals_csv_names_an_unknown_ballot_style(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ballot_style,contest,choice,votes\nStyle 9,governor,avery-quinn,1\n",
        "totals.csv",
    )
    report = read_tabulator_report(path, general())
    assert report.unmatched == (
        "The report names ballot style 'Style 9', which the election definition does not have",
    )
    assert report.by_style == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "governor,avery-quinn,x\n",
            'totals.csv: line 2, column "votes": "x" is not a whole number',
        ),
        ("governor,avery-quinn,2.5\n", 'line 2, column "votes": "2.5" is not a whole number'),
        ("governor,avery-quinn,-3\n", 'line 2, column "votes": "-3" is negative'),
        ("governor,,3\n", 'totals.csv: line 2, column "choice": is empty'),
        ("governor,avery-quinn\n", "totals.csv: line 2: has 2 fields, the header 3"),
        (
            "governor,avery-quinn,1\n\ngovernor,Avery Quinn,2\n",
            "totals.csv: line 4, column \"choice\": Governor, 'Avery Quinn' is already given on "
            "line 2",
        ),
    ],
)
def test_totals_csv_errors_name_line_and_column(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, "contest,choice,votes\n" + body, "totals.csv")
    assert message in str(refused(read_tabulator_report, path, general()))


def test_totals_csv_header_naming_a_column_twice(tmp_path: Path) -> None:
    path = write(tmp_path, "contest,choice,votes,votes\ngovernor,avery-quinn,1,2\n", "totals.csv")
    assert (
        str(refused(read_tabulator_report, path, general()))
        == 'totals.csv: line 1: names column "votes" twice'
    )


def test_a_csv_that_is_no_report_says_what_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "name,count\nAnn,3\n", "list.csv")
    message = str(refused(read_tabulator_report, path, general()))
    assert message.startswith(f"{path}: is not a tabulator report votetrail reads: a totals CSV")
    assert "NIST SP 1500-100 results JSON" in message
    assert "Dominion Democracy Suite CSV" in message


def test_a_json_that_is_no_report_says_what_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, '{"@type": "Something.Else"}', "x.json")
    message = str(refused(read_tabulator_report, path, general()))
    assert "neither NIST SP 1500-100 results JSON" in message
    assert "CVR.CastVoteRecordReport" in message


def test_a_missing_file(tmp_path: Path) -> None:
    assert (
        str(refused(read_tabulator_report, tmp_path / "gone.csv", general()))
        == f"{tmp_path / 'gone.csv'}: no such file"
    )


# --- NIST SP 1500-100 results ------------------------------------------------------------------


def test_nist_results_from_results_export_map_back(tmp_path: Path) -> None:
    """Names as the definition spells them, the write-in flagged as results_export does."""
    results = [
        ContestResult(
            "Governor",
            1,
            32,
            4,
            5,
            {"Avery Quinn": 4, "Blake Rivera": 8, "Write-In": 11},
            frozenset({"Write-In"}),
        ),
        ContestResult("County Measure A", 1, 16, 2, 8, {"Yes": 2, "No": 4}),
        ContestResult(
            "City Council",
            3,
            16,
            2,
            12,
            {"Ann Smith": 2, "Bob Jones": 4, "Zoë Ávila": 6, "Dee O’Neil": 8, "Eve Ng": 10},
        ),
    ]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(nist_err_json(results, HEADER)), encoding="utf-8")
    report = read_tabulator_report(path, general())
    assert report.format == "NIST SP 1500-100 v2 results JSON"
    assert report.unmatched == ()
    assert report.by_style is None
    assert report.overall == {
        "governor": ContestTotals(
            "governor", {"avery-quinn": 4, "blake-rivera": 8, WRITE_IN: 11}, None, 4, 5
        ),
        "measure-a": ContestTotals("measure-a", {"yes": 2, "no": 4}, None, 2, 8),
        "council": ContestTotals(
            "council", {"c1": 2, "c2": 4, "c3": 6, "c4": 8, "c5": 10}, None, 2, 12
        ),
    }


def _text(content: str) -> dict[str, Any]:
    return {"@type": "ElectionResults.InternationalizedText", "Text": [{"Content": content}]}


def _counts(*entries: tuple[str, str, int]) -> list[dict[str, Any]]:
    return [
        {"@type": "ElectionResults.VoteCounts", "GpUnitId": unit, "Type": kind, "Count": n}
        for unit, kind, n in entries
    ]


def test_nist_results_with_places_count_types_and_measures(tmp_path: Path) -> None:
    """Precinct rows under a county row, and a total next to its parts, are not added twice."""
    report_data = {
        "@type": "ElectionResults.ElectionReport",
        "Election": [
            {
                "ElectionScopeId": "county",
                "Candidate": [
                    {"@id": "c-aq", "BallotName": _text("Avery Quinn")},
                    {"@id": "c-br", "BallotName": _text("BLAKE RIVERA")},
                ],
                "BallotCounts": [
                    {"GpUnitId": "county", "Type": "total", "BallotsCast": 48},
                    {"GpUnitId": "p1", "Type": "total", "BallotsCast": 16},
                ],
                "Contest": [
                    {
                        "@id": "gov",
                        "@type": "ElectionResults.CandidateContest",
                        "Name": "Governor (Vote For=1)",
                        "ContestSelection": [
                            {
                                "@id": "s1",
                                "CandidateIds": ["c-aq"],
                                "VoteCounts": _counts(
                                    ("county", "total", 4),
                                    ("p1", "total", 2),
                                    ("p2", "total", 2),
                                ),
                            },
                            {
                                "@id": "s2",
                                "CandidateIds": ["c-br"],
                                "VoteCounts": _counts(
                                    ("p1", "early", 1),
                                    ("p1", "election-day", 3),
                                    ("p2", "total", 4),
                                ),
                            },
                            {
                                "@id": "s3",
                                "IsWriteIn": True,
                                "VoteCounts": _counts(
                                    ("p1", "early", 5),
                                    ("p1", "election-day", 1),
                                    ("p1", "total", 6),
                                ),
                            },
                        ],
                        "OtherCounts": [
                            {"GpUnitId": "p1", "Overvotes": 1, "Undervotes": 2},
                            {"GpUnitId": "p2", "Overvotes": 3, "Undervotes": 0},
                        ],
                    },
                    {
                        "@id": "bm",
                        "@type": "ElectionResults.BallotMeasureContest",
                        "Name": "County Measure A",
                        "ContestSelection": [
                            {
                                "@type": "ElectionResults.BallotMeasureSelection",
                                "Selection": _text("For"),
                                "VoteCounts": _counts(("county", "total", 2)),
                            },
                            {
                                "@type": "ElectionResults.BallotMeasureSelection",
                                "Selection": _text("Against"),
                                "VoteCounts": _counts(("county", "total", 4)),
                            },
                        ],
                        "SummaryCounts": [{"GpUnitId": "county", "BallotsCast": 16}],
                    },
                    {"@id": "dog", "Name": "Dog catcher", "ContestSelection": []},
                ],
            }
        ],
    }
    path = tmp_path / "results.json"
    path.write_text(json.dumps(report_data), encoding="utf-8")
    report = read_tabulator_report(path, general())
    assert report.cards == 48
    assert report.overall["governor"] == ContestTotals(
        "governor", {"avery-quinn": 4, "blake-rivera": 8, WRITE_IN: 6}, None, 4, 2
    )
    assert report.overall["measure-a"] == ContestTotals("measure-a", {"yes": 2, "no": 4}, 16)
    assert report.unmatched == (
        "The report names contest 'Dog catcher', which the election definition does not have",
    )


def test_nist_results_without_the_type_are_still_recognised(tmp_path: Path) -> None:
    data = {
        "Election": [
            {
                "Contest": [
                    {
                        "Name": "Governor",
                        "ContestSelection": [
                            {"@id": "avery-quinn", "VoteCounts": [{"GpUnitId": "x", "Count": 7}]}
                        ],
                    }
                ]
            }
        ]
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    report = read_tabulator_report(path, general())
    assert report.overall["governor"].votes == {"avery-quinn": 7}


def test_nist_results_with_a_bad_count(tmp_path: Path) -> None:
    data = {
        "@type": "ElectionResults.ElectionReport",
        "Election": [
            {
                "Contest": [
                    {
                        "@id": "gov",
                        "Name": "Governor",
                        "ContestSelection": [
                            {"@id": "avery-quinn", "VoteCounts": [{"GpUnitId": "x", "Count": -2}]}
                        ],
                    }
                ]
            }
        ],
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert str(refused(read_tabulator_report, path, general())) == (
        f"{path}, Election, contest 'gov', selection 'avery-quinn', field 'Count': -2 is negative"
    )


# --- CVR exports -------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def dominion_definition(path: Path) -> ElectionDefinition:
    """A definition as the county would have it: own ids, titles in capitals, styles in capitals.

    Built from the export's own contests and cards so the names differ from
    the vendor's only the ways a real definition's do.
    """
    cvr_file = open_cvr_file(path)
    contests = tuple(
        Contest(
            _slug(contest.name),
            f"{contest.name.upper()}  (Vote For={contest.votes_allowed})",
            "candidate",
            contest.votes_allowed,
            tuple(
                Choice(WRITE_IN, "Write-in position", write_in=True)
                if choice in contest.write_ins
                else Choice(_slug(choice), choice)
                for choice in contest.choices
            ),
        )
        for contest in cvr_file.contests
    )
    carried: dict[str, dict[str, None]] = {}
    precincts: dict[str, set[str]] = {}
    for record in cvr_file.records():
        assert record.ballot_type is not None
        assert record.precinct is not None
        style = record.ballot_type.upper()
        carried.setdefault(style, {}).update(dict.fromkeys(_slug(n) for n in record.marks))
        precincts.setdefault(style, set()).add(record.precinct)
    ordered = [c.id for c in contests]
    return check(
        ElectionDefinition(
            title="Small Election",
            date=None,
            source_format="test",
            contests=contests,
            ballot_styles=tuple(
                BallotStyle(
                    style,
                    tuple(sorted(precincts[style])),
                    tuple(c for c in ordered if c in carried[style]),
                )
                for style in sorted(carried)
            ),
            precincts=tuple(
                Precinct(p, p) for p in sorted({p for ps in precincts.values() for p in ps})
            ),
        ),
        "dominion",
    )


def test_a_dominion_export_maps_to_the_definition(shared_data: Path) -> None:
    path = shared_data / KENDALL_PARK
    definition = dominion_definition(path)
    report = read_tabulator_report(path, definition)
    assert report.format == "Dominion Democracy Suite CSV 5.2.16.1"
    assert report.unmatched == ()
    assert report.cards == 500
    export = open_cvr_file(path)
    results = {r.name: r for r in tabulate(export.records(), export.contests)}
    assert [_slug(name) for name in results] == list(report.overall)
    for name, result in results.items():
        totals = report.overall[_slug(name)]
        contest = definition.contest(_slug(name))
        assert totals.ballots == result.ballots
        assert totals.overvotes == result.overvotes
        assert totals.undervotes == result.undervotes
        assert {contest.choice(c).name for c in totals.votes if c != WRITE_IN} <= set(result.tally)
        expected = {
            (WRITE_IN if choice in result.write_ins else _slug(choice)): votes
            for choice, votes in result.tally.items()
        }
        assert dict(totals.votes) == expected
    assert report.by_style is not None
    assert set(report.by_style) == {style.id for style in definition.ballot_styles}
    added: Counter[tuple[str, str]] = Counter()
    for style_totals in report.by_style.values():
        for contest_id, part in style_totals.items():
            added.update({(contest_id, c): v for c, v in part.votes.items()})
    assert added == Counter(
        {(c, choice): v for c, part in report.overall.items() for choice, v in part.votes.items()}
    )


def test_a_dominion_export_with_a_contest_the_definition_lacks(shared_data: Path) -> None:
    path = shared_data / KENDALL_PARK
    full = dominion_definition(path)
    kept = tuple(c for c in full.contests if c.id != "secretary-of-treasure")
    definition = ElectionDefinition(
        full.title,
        full.date,
        full.source_format,
        kept,
        tuple(
            BallotStyle(
                s.id, s.precincts, tuple(c for c in s.contests if c in {k.id for k in kept})
            )
            for s in full.ballot_styles
        ),
        full.precincts,
    )
    report = read_tabulator_report(path, definition)
    assert report.unmatched == (
        "The report names contest 'Secretary of Treasure', which the election definition "
        "does not have",
    )
    assert "secretary-of-treasure" not in report.overall
    assert (
        report.overall["master-of-magic"]
        == read_tabulator_report(path, full).overall["master-of-magic"]
    )


def test_a_folder_is_not_a_report(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="is a folder"):
        read_tabulator_report(tmp_path, general())


# --- what a report says about itself ------------------------------------------------------------


def test_nist_results_say_their_device_precinct_and_election(tmp_path: Path) -> None:
    data = {
        "@type": "ElectionResults.ElectionReport",
        "GpUnit": [
            {"@id": "county", "@type": "ElectionResults.ReportingUnit", "Type": "county"},
            {"@id": "P-1", "@type": "ElectionResults.ReportingUnit", "Type": "precinct"},
            {
                "@id": "gp-9",
                "@type": "ElectionResults.ReportingUnit",
                "Type": "precinct",
                "Name": _text("Far Away"),
            },
            {"@id": "dev", "@type": "ElectionResults.ReportingDevice", "SerialNumber": "ICP-7"},
        ],
        "Election": [
            {
                "Name": _text("Demo  general election"),
                "ElectionScopeId": "county",
                "Contest": [
                    {
                        "@id": "gov",
                        "Name": "Governor",
                        "ContestSelection": [
                            {
                                "@id": "avery-quinn",
                                "VoteCounts": _counts(("P-1", "total", 1), ("dev", "total", 1)),
                            }
                        ],
                    }
                ],
            }
        ],
    }
    path = write(tmp_path, json.dumps(data), "results.json")
    about = read_tabulator_report(path, general()).about
    assert about == SelfDescription(
        devices=("ICP-7",), precincts=("P-1",), election="Demo general election"
    )


def test_deck_cvrs_say_their_device_precinct_and_election(tmp_path: Path) -> None:
    definition = general()
    path = tmp_path / "cvrs.json"
    write_deck_cvrs(generate_deck(definition), path, "ICP-3", ["P-1"])
    about = read_tabulator_report(path, definition).about
    assert about == SelfDescription(
        devices=("ICP-3",), precincts=("P-1",), election=definition.title
    )


def test_a_vendor_export_gives_tabulator_numbers_not_serials(shared_data: Path) -> None:
    path = shared_data / KENDALL_PARK
    about = read_tabulator_report(path, dominion_definition(path)).about
    assert about.devices == ()
    assert about.tabulators  # Dominion's TabulatorNum, checked only to be one tabulator
    assert about.election is None


def test_a_totals_csv_says_nothing_about_itself(tmp_path: Path) -> None:
    buffer = io.StringIO()
    write_expected_csv(generate_deck(general()), buffer)
    path = write(tmp_path, buffer.getvalue(), "totals.csv")
    assert read_tabulator_report(path, general()).about == SelfDescription()


def test_a_figure_too_long_to_be_a_count_is_refused_not_a_crash(tmp_path: Path) -> None:
    """A typed sheet, a write-in number or a JSON number of thousands of digits.

    ``int()`` refuses more than 4,300 digits with a ValueError, which the web
    answered with a 500; each is now a refusal naming the file (or a choice the
    definition lacks).
    """
    digits = "9" * 5000
    sheet = write(tmp_path, f"contest,choice,votes\ngovernor,avery-quinn,{digits}\n", "t.csv")
    assert "is not a whole number of at most 15 digits" in str(
        refused(read_tabulator_report, sheet, general())
    )
    long_sheet = write(tmp_path, "contest,choice,votes\ngovernor,avery-quinn,1" + "0" * 15, "l.csv")
    assert "is not a whole number" in str(refused(read_tabulator_report, long_sheet, general()))
    write_in = write(tmp_path, f"contest,choice,votes\ngovernor,Write-in {digits},1\n", "w.csv")
    [unmatched] = read_tabulator_report(write_in, general()).unmatched
    assert unmatched.startswith("The report names choice 'Write-in 999")
    results = write(
        tmp_path, '{"@type": "ElectionResults.ElectionReport", "Count": ' + digits + "}", "r.json"
    )
    assert "a number too long" in str(refused(read_tabulator_report, results, general()))
