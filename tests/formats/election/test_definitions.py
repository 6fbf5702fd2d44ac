"""Election-definition readers: the real VotingWorks and ElectionGuard files, NIST and YAML.

The facts asserted for the shared files were checked by reading the files
themselves (``../shared/data/election-definitions``), not taken from the readers.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from votetrail.core.lat.definition import (
    NO,
    WRITE_IN,
    YES,
    BallotStyle,
    Choice,
    Contest,
    ElectionDefinition,
    Party,
    Precinct,
)
from votetrail.errors import InvalidInput
from votetrail.formats.election.read import read_definition, read_definition_bytes
from votetrail.formats.election.yaml import parse_yaml, write_yaml

VX = "election-definitions/ballot-encoder"
EG = "election-definitions/electionguard-python"
VX_FILES = (
    "electionSample.json",
    "electionSampleLongContent.json",
    "electionWithMsEitherNeither.json",
)
EG_FILES = (
    "election_manifest_simple.json",
    "manifest-full.json",
    "manifest-hamilton-general.json",
    "manifest-minimal.json",
    "manifest-small.json",
)
Doc = dict[str, Any]


def write_json(tmp_path: Path, name: str, document: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


# --- VotingWorks ---------------------------------------------------------------------------


def test_vx_sample_counts_and_heading(shared_data: Path) -> None:
    definition = read_definition(shared_data / VX / "electionSample.json")
    assert definition.source_format == "VotingWorks election.json"
    assert (definition.title, definition.date) == ("General Election", "2020-11-03")
    assert definition.place == "State of Hamilton, Franklin County"
    assert (len(definition.contests), len(definition.ballot_styles)) == (22, 3)
    assert definition.precincts == (
        Precinct("23", "Center Springfield"),
        Precinct("21", "North Springfield"),
        Precinct("20", "South Springfield"),
    )
    assert len(definition.parties) == 9
    assert definition.parties[1] == Party("1", "People’s")


def test_vx_sample_candidates_and_write_in(shared_data: Path) -> None:
    definition = read_definition(shared_data / VX / "electionSample.json")
    commissioners = definition.contest("county-commissioners")
    assert (commissioners.kind, commissioners.votes_allowed) == ("candidate", 4)
    assert len(commissioners.choices) == 12  # 11 candidates and the one write-in position
    assert commissioners.choices[0] == Choice("argent", "Camille Argent", "0")
    assert commissioners.choices[-1] == Choice(WRITE_IN, "Write-in", write_in=True)
    assert commissioners.district == "district-2"
    president = definition.contest("president")
    assert len(president.choices) == 6
    assert not any(choice.write_in for choice in president.choices)
    assert president.choices[0] == Choice(
        "barchi-hallaren", "Joseph Barchi and Joseph Hallaren", "0"
    )


def test_vx_sample_yes_no_and_measure_on_no_style(shared_data: Path) -> None:
    definition = read_definition(shared_data / VX / "electionSample.json")
    question = definition.contest("question-a")
    assert (question.kind, question.votes_allowed) == ("yesno", 1)
    assert question.choices == (Choice(YES, "Yes"), Choice(NO, "No"))
    # measure-666 belongs to the Liberty party (2), which no ballot style is for.
    assert [contest.id for contest in definition.untested_contests()] == ["measure-666"]


def test_vx_sample_styles_and_primary(shared_data: Path) -> None:
    definition = read_definition(shared_data / VX / "electionSample.json")
    styles = {style.id: style for style in definition.ballot_styles}
    assert styles["7C"] == BallotStyle(
        "7C", ("20",), ("primary-constitution-head-of-party",), party="3"
    )
    primary = definition.contest("primary-constitution-head-of-party")
    assert primary.party == "3"
    assert primary.choices[1] == Choice("bob", "Bob Smith", None)
    assert styles["12"].precincts == ("23", "21")
    assert len(styles["12"].contests) == 20
    assert "primary-constitution-head-of-party" not in styles["12"].contests
    assert styles["5"].contests == (
        "president",
        "representative-district-6",
        "lieutenant-governor",
        "state-senator-district-31",
        "state-assembly-district-54",
        "county-registrar-of-wills",
        "judicial-robert-demergue",
        "question-a",
        "question-b",
        "proposition-1",
        "102",
    )
    assert [style.id for style in definition.styles_of_precinct("21")] == ["12", "5"]


def test_vx_long_content(shared_data: Path) -> None:
    definition = read_definition(shared_data / VX / "electionSampleLongContent.json")
    assert (len(definition.contests), len(definition.ballot_styles)) == (22, 3)
    assert len(definition.contest("governor").choices) == 26
    assert len(definition.contest("county-commissioners").choices) == 16


def test_vx_either_neither_is_split_in_two(shared_data: Path) -> None:
    definition = read_definition(shared_data / VX / "electionWithMsEitherNeither.json")
    assert (definition.title, definition.date) == (
        "Mock General Election Choctaw 2020",
        "2020-08-26",
    )
    assert definition.place == "State of Mississippi, Choctaw County"
    # 10 candidate contests, 2 yes/no measures and the either-neither pair.
    assert (len(definition.contests), len(definition.ballot_styles)) == (14, 5)
    assert len(definition.precincts) == 13
    either = definition.contest("750000015")
    assert either == Contest(
        "750000015",
        "Ballot Measure 1: VOTE FOR APPROVAL OF EITHER, OR AGAINST BOTH",
        "yesno",
        1,
        (
            Choice(
                "750000088",
                "FOR APPROVAL OF EITHER Initiative No. 65 OR Alternative Measure No. 65 A",
            ),
            Choice(
                "750000089",
                "AGAINST BOTH Initiative Measure No. 65 AND Alternative Measure No. 65 A",
            ),
        ),
        district="100000275",
    )
    pick = definition.contest("750000016")
    assert pick.title == "Ballot Measure 1: AND VOTE FOR ONE"
    assert pick.choices == (
        Choice("750000090", "FOR Initiative Measure No. 65"),
        Choice("750000091", "FOR Alternative Measure 65 A"),
    )
    with pytest.raises(KeyError):
        definition.contest("750000015-either-neither")
    style = definition.ballot_styles[0]
    assert style.id == "4"
    assert style.precincts == ("6538", "6524", "6527")
    assert style.contests[-4:] == ("750000017", "750000018", "750000015", "750000016")


def test_vx_yes_no_options_keep_their_ids(shared_data: Path) -> None:
    definition = read_definition(shared_data / VX / "electionWithMsEitherNeither.json")
    measure = definition.contest("750000017")
    assert measure.choices == (Choice("750000094", "YES"), Choice("750000095", "NO"))
    president = definition.contest("775020876")
    assert president.choices[-1].write_in
    assert len(president.choices) == 4


def test_vx_current_vxsuite_shape(tmp_path: Path) -> None:
    """VxSuite: county object, partyIds, groupId and the layout keys, which are ignored."""
    document = {
        "type": "general",
        "title": "Lincoln Municipal General Election",
        "state": "State of Hamilton",
        "county": {"id": "county-1", "name": "Franklin County"},
        "date": "2021-06-06",
        "seal": "<svg/>",
        "parties": [{"id": "party-1", "name": "Democrat", "fullName": "Democratic Party"}],
        "districts": [{"id": "district-1", "name": "City"}],
        "precincts": [{"id": "precinct-1", "name": "North Lincoln"}],
        "contests": [
            {
                "id": "mayor",
                "type": "candidate",
                "districtId": "district-1",
                "title": "Mayor",
                "seats": 1,
                "allowWriteIns": True,
                "candidates": [
                    {"id": "sherlock", "name": "Sherlock Holmes", "partyIds": ["party-1"]}
                ],
            },
            {
                "id": "prop-1",
                "type": "yesno",
                "districtId": "district-1",
                "title": "Proposition 1",
                "description": "…",
                "yesOption": {"id": "prop-1-yes", "label": "Yes"},
                "noOption": {"id": "prop-1-no", "label": "No"},
            },
        ],
        "ballotStyles": [
            {
                "id": "1_en",
                "groupId": "1",
                "precincts": ["precinct-1"],
                "districts": ["district-1"],
                "languages": ["en"],
            }
        ],
        "ballotLayout": {"paperSize": "letter"},
        "ballotStrings": {},
    }
    definition = read_definition(write_json(tmp_path, "election.json", document))
    assert definition.place == "State of Hamilton, Franklin County"
    assert definition.contest("mayor").choices == (
        Choice("sherlock", "Sherlock Holmes", "party-1"),
        Choice(WRITE_IN, "Write-in", write_in=True),
    )
    assert definition.contest("prop-1").choices == (
        Choice("prop-1-yes", "Yes"),
        Choice("prop-1-no", "No"),
    )
    assert definition.ballot_styles == (BallotStyle("1_en", ("precinct-1",), ("mayor", "prop-1")),)


# --- ElectionGuard -------------------------------------------------------------------------


def test_eg_hamilton_styles_and_precinct_derivation(shared_data: Path) -> None:
    definition = read_definition(shared_data / EG / "manifest-hamilton-general.json")
    assert definition.source_format == "ElectionGuard manifest"
    assert (definition.title, definition.date) == (
        "Hamiltion County General Election",
        "2020-03-01",
    )
    assert definition.place == "Hamilton County"
    assert (len(definition.contests), len(definition.ballot_styles)) == (8, 11)
    # Units typed "precinct" where a style has one; else the style's last (most local) unit.
    assert [p.id for p in definition.precincts] == [
        "congress-district-5",
        "congress-district-7",
        "lacroix-township-precinct-1",
        "arlington-township-precinct-1",
        "harris-township",
    ]
    styles = {style.id: style for style in definition.ballot_styles}
    assert styles["congress-district-7-hamilton-county"].precincts == ("congress-district-7",)
    assert styles["congress-district-5-harris"].precincts == ("harris-township",)
    assert styles["congress-district-7-lacroix-exeter"] == BallotStyle(
        "congress-district-7-lacroix-exeter",
        ("lacroix-township-precinct-1",),
        (
            "president-vice-president-contest",
            "ozark-governor",
            "congress-district-7-contest",
            "exeter-utility-district-referendum-contest",
        ),
    )
    assert len(list(definition.styles_of_precinct("arlington-township-precinct-1"))) == 5
    assert definition.untested_contests() == []


def test_eg_hamilton_choices(shared_data: Path) -> None:
    definition = read_definition(shared_data / EG / "manifest-hamilton-general.json")
    board = definition.contest("pismo-beach-school-board-contest")
    assert (board.kind, board.votes_allowed, board.title) == (
        "candidate",
        3,
        "Pismo Beach School Board",
    )
    assert [c.id for c in board.choices if c.write_in] == ["write-in-1", "write-in-2", "write-in-3"]
    assert board.choices[0] == Choice("moore", "Helen Moore")
    president = definition.contest("president-vice-president-contest")
    assert president.choices[0] == Choice(
        "barchi-hallaren", "Joseph Barchi and Joseph Hallaren", "whig"
    )
    # "write-in" is not among this manifest's candidates: named by its id, a write-in by its id.
    assert president.choices[-1] == Choice("write-in", "write-in", write_in=True)
    # The selection names candidate "soliz", which the manifest does not define.
    assert definition.contest("congress-district-5-contest").choices[0] == Choice("soliz", "soliz")
    levy = definition.contest("exeter-utility-district-referendum-contest")
    assert levy.kind == "yesno"
    assert [c.name for c in levy.choices] == ["Yes", "No"]
    retain = definition.contest("arlington-chief-justice-retain-demergue")
    assert (retain.kind, [c.name for c in retain.choices]) == ("yesno", ["Retain", "Reject"])
    governor = definition.contest("ozark-governor")
    assert len(governor.choices) == 27
    assert governor.choices[6].id == "wallace"


@pytest.mark.parametrize("name", ["election_manifest_simple.json", "manifest-full.json"])
def test_eg_jefferson_primary(shared_data: Path, name: str) -> None:
    definition = read_definition(shared_data / EG / name)
    assert definition.title == "Jefferson County Spring Primary"
    assert [p.id for p in definition.precincts] == [
        "jefferson-county",
        "harrison-township",
        "rutledge-elementary",
    ]
    justice = definition.contest("justice-supreme-court")
    assert justice.votes_allowed == 2
    assert [c.id for c in justice.choices] == [
        "john-adams",
        "benjamin-franklin",
        "john-hancock",
        "write-in",
    ]
    assert justice.choices[-1] == Choice("write-in", "Write In Candidate", write_in=True)
    pineapple = definition.contest("referendum-pineapple")
    assert pineapple.kind == "yesno"
    assert pineapple.district == "harrison-township"
    styles = {style.id: style for style in definition.ballot_styles}
    # No unit is typed "precinct": the last unit of each style is its precinct.
    assert styles["harrison-township-precinct-east-ballot-style"].precincts == (
        "rutledge-elementary",
    )
    assert styles["jefferson-county-ballot-style"].contests == ("justice-supreme-court",)


def test_eg_minimal_and_small(shared_data: Path) -> None:
    minimal = read_definition(shared_data / EG / "manifest-minimal.json")
    assert minimal.place is None  # its one unit is a "municipality"
    (contest,) = minimal.contests
    assert [c.name for c in contest.choices] == [
        "referendum-pineapple-affirmative",
        "referendum-pineapple-negative",
    ]
    assert minimal.parties == (Party("N/A", "N/A"),)
    small = read_definition(shared_data / EG / "manifest-small.json")
    assert (len(small.contests), len(small.ballot_styles)) == (3, 2)
    assert small.contest("ozark-school-board-race").votes_allowed == 2
    assert small.ballot_styles[1] == BallotStyle(
        "franklin-county-ozark-schools",
        ("ozark-school-district",),
        ("congressional-race-01", "referendum-pineapple", "ozark-school-board-race"),
    )


# --- NIST SP 1500-100 ----------------------------------------------------------------------


def _text(content: str) -> Doc:
    return {
        "@type": "ElectionResults.InternationalizedText",
        "Text": [{"@type": "ElectionResults.LanguageString", "Content": content, "Language": "en"}],
    }


def _unit(unit_id: str, kind: str, name: str) -> Doc:
    return {
        "@id": unit_id,
        "@type": "ElectionResults.ReportingUnit",
        "Type": kind,
        "Name": _text(name),
    }


def _candidate(candidate_id: str, name: str, party: str | None = None) -> Doc:
    found: Doc = {
        "@id": candidate_id,
        "@type": "ElectionResults.Candidate",
        "BallotName": _text(name),
    }
    if party:
        found["PartyId"] = party
    return found


def _selection(selection_id: str, *candidates: str, write_in: bool = False) -> Doc:
    return {
        "@id": selection_id,
        "@type": "ElectionResults.CandidateSelection",
        "CandidateIds": list(candidates),
        "IsWriteIn": write_in,
    }


def _measure_selection(selection_id: str, text: str) -> Doc:
    return {
        "@id": selection_id,
        "@type": "ElectionResults.BallotMeasureSelection",
        "Selection": _text(text),
    }


def _ordered(*contest_ids: str) -> list[Doc]:
    return [{"@type": "ElectionResults.OrderedContest", "ContestId": c} for c in contest_ids]


def nist_report() -> Doc:
    """A pre-election report as an EMS would export it: a ticket, write-ins, measures, a primary."""
    return {
        "@type": "ElectionResults.ElectionReport",
        "Format": "precinct-level",
        "GeneratedDate": "2026-09-01T09:00:00-05:00",
        "Issuer": "Adams County Elections",
        "IssuerAbbreviation": "ADAMS",
        "SequenceStart": 1,
        "SequenceEnd": 1,
        "Status": "pre-election",
        "VendorApplicationId": "EMS 5.2",
        "GpUnit": [
            _unit("gp-adams", "county", "Adams County"),
            _unit("gp-school-3", "school", "School District 3"),
            _unit("gp-p101", "precinct", "Precinct 101"),
            _unit("gp-p102", "precinct", "Precinct 102"),
            _unit("gp-p102a", "split-precinct", "Precinct 102 (part A)"),
        ],
        "Party": [
            {"@id": "party-dem", "@type": "ElectionResults.Party", "Name": _text("Democratic")},
            {"@id": "party-rep", "@type": "ElectionResults.Party", "Name": _text("Republican")},
        ],
        "Election": [
            {
                "@type": "ElectionResults.Election",
                "Name": _text("2026 General Election"),
                "StartDate": "2026-11-03",
                "EndDate": "2026-11-03",
                "Type": "general",
                "ElectionScopeId": "gp-adams",
                "Candidate": [
                    _candidate("cand-gov-d", "Avery Quinn", "party-dem"),
                    _candidate("cand-lg-d", "Jordan Park", "party-dem"),
                    _candidate("cand-gov-r", "Blake Rivera", "party-rep"),
                    _candidate("cand-lg-r", "Casey Moore", "party-rep"),
                    _candidate("cand-board-1", "Dana Ortiz"),
                    _candidate("cand-board-2", "Eli Brooks"),
                    _candidate("cand-board-3", "Frances Hale"),
                    _candidate("cand-chair-1", "Gale Ivers", "party-dem"),
                    _candidate("cand-chair-2", "Hollis Jun", "party-dem"),
                ],
                "Contest": [
                    {
                        "@id": "contest-gov",
                        "@type": "ElectionResults.CandidateContest",
                        "Name": "Governor and Lieutenant Governor",
                        "ElectionDistrictId": "gp-adams",
                        "VotesAllowed": 1,
                        "SequenceOrder": 1,
                        "ContestSelection": [
                            _selection("sel-gov-d", "cand-gov-d", "cand-lg-d"),
                            _selection("sel-gov-r", "cand-gov-r", "cand-lg-r"),
                            _selection("sel-gov-wi", write_in=True),
                        ],
                    },
                    {
                        "@id": "contest-board",
                        "@type": "ElectionResults.CandidateContest",
                        "Name": "School Board",
                        "ElectionDistrictId": "gp-school-3",
                        "VotesAllowed": 2,
                        "SequenceOrder": 2,
                        "ContestSelection": [
                            _selection("sel-board-1", "cand-board-1"),
                            _selection("sel-board-2", "cand-board-2"),
                            _selection("sel-board-3", "cand-board-3"),
                            _selection("sel-board-wi-1", write_in=True),
                            _selection("sel-board-wi-2", write_in=True),
                        ],
                    },
                    {
                        "@id": "contest-measure-a",
                        "@type": "ElectionResults.BallotMeasureContest",
                        "Name": "County Measure A",
                        "ElectionDistrictId": "gp-adams",
                        "SequenceOrder": 3,
                        "ContestSelection": [
                            _measure_selection("sel-a-yes", "Yes"),
                            _measure_selection("sel-a-no", "No"),
                        ],
                    },
                    {
                        "@id": "contest-retain",
                        "@type": "ElectionResults.RetentionContest",
                        "Name": "Retain Judge Lane?",
                        "ElectionDistrictId": "gp-adams",
                        "CandidateId": "cand-board-1",
                        "SequenceOrder": 4,
                        "ContestSelection": [
                            _measure_selection("sel-retain-yes", "Retain"),
                            _measure_selection("sel-retain-no", "Do not retain"),
                        ],
                    },
                    {
                        "@id": "contest-dem-chair",
                        "@type": "ElectionResults.CandidateContest",
                        "Name": "Democratic County Chair",
                        "ElectionDistrictId": "gp-adams",
                        "PrimaryPartyIds": ["party-dem"],
                        "VotesAllowed": 1,
                        "SequenceOrder": 5,
                        "ContestSelection": [
                            _selection("sel-chair-1", "cand-chair-1"),
                            _selection("sel-chair-2", "cand-chair-2"),
                        ],
                    },
                ],
                "BallotStyle": [
                    {
                        "@type": "ElectionResults.BallotStyle",
                        "GpUnitIds": ["gp-adams", "gp-p101"],
                        "ExternalIdentifier": [
                            {
                                "@type": "ElectionResults.ExternalIdentifier",
                                "Type": "fips",
                                "Value": "08001",
                            },
                            {
                                "@type": "ElectionResults.ExternalIdentifier",
                                "Type": "local-level",
                                "Value": "101",
                            },
                        ],
                        "OrderedContent": [
                            {
                                "@type": "ElectionResults.OrderedHeader",
                                "HeaderId": "hdr-state",
                                "OrderedContent": _ordered("contest-gov"),
                            },
                            *_ordered("contest-measure-a", "contest-retain"),
                        ],
                    },
                    {
                        "@type": "ElectionResults.BallotStyle",
                        "GpUnitIds": ["gp-adams", "gp-school-3", "gp-p102a"],
                        "ExternalIdentifier": [
                            {
                                "@type": "ElectionResults.ExternalIdentifier",
                                "Type": "other",
                                "OtherType": "ballot-type",
                                "Value": "102A",
                            },
                        ],
                        "OrderedContent": _ordered(
                            "contest-gov", "contest-board", "contest-measure-a", "contest-retain"
                        ),
                    },
                    {
                        "@type": "ElectionResults.BallotStyle",
                        "GpUnitIds": ["gp-p101", "gp-p102"],
                        "PartyIds": ["party-dem"],
                        "OrderedContent": _ordered("contest-dem-chair"),
                    },
                    {
                        "@type": "ElectionResults.BallotStyle",
                        "GpUnitIds": ["gp-school-3"],
                        "OrderedContent": _ordered("contest-board"),
                    },
                ],
            }
        ],
    }


def test_nist_report_definition(tmp_path: Path) -> None:
    definition = read_definition(write_json(tmp_path, "adams-err.json", nist_report()))
    assert definition.source_format == "NIST SP 1500-100 election report"
    assert (definition.title, definition.date, definition.place) == (
        "2026 General Election",
        "2026-11-03",
        "Adams County",
    )
    assert definition.parties == (
        Party("party-dem", "Democratic"),
        Party("party-rep", "Republican"),
    )
    governor = definition.contest("contest-gov")
    assert governor.choices == (
        Choice("sel-gov-d", "Avery Quinn and Jordan Park", "party-dem"),
        Choice("sel-gov-r", "Blake Rivera and Casey Moore", "party-rep"),
        Choice(WRITE_IN, "Write-in", write_in=True),
    )
    board = definition.contest("contest-board")
    assert (board.votes_allowed, board.district) == (2, "gp-school-3")
    assert [c.id for c in board.choices] == [
        "cand-board-1",
        "cand-board-2",
        "cand-board-3",
        WRITE_IN,
    ]
    assert board.choices[0] == Choice("cand-board-1", "Dana Ortiz")
    measure = definition.contest("contest-measure-a")
    assert (measure.kind, measure.votes_allowed) == ("yesno", 1)
    assert measure.choices == (Choice("sel-a-yes", "Yes"), Choice("sel-a-no", "No"))
    retain = definition.contest("contest-retain")
    assert (retain.kind, [c.name for c in retain.choices]) == ("yesno", ["Retain", "Do not retain"])
    chair = definition.contest("contest-dem-chair")
    assert (chair.party, chair.kind) == ("party-dem", "candidate")


def test_nist_report_styles_and_precincts(tmp_path: Path) -> None:
    definition = read_definition(write_json(tmp_path, "adams-err.json", nist_report()))
    assert definition.ballot_styles == (
        BallotStyle("101", ("gp-p101",), ("contest-gov", "contest-measure-a", "contest-retain")),
        BallotStyle(
            "102A",
            ("gp-p102a",),
            ("contest-gov", "contest-board", "contest-measure-a", "contest-retain"),
        ),
        BallotStyle("style-3", ("gp-p101", "gp-p102"), ("contest-dem-chair",), "party-dem"),
        # No precinct among its units: the units themselves.
        BallotStyle("style-4", ("gp-school-3",), ("contest-board",)),
    )
    assert definition.precincts == (
        Precinct("gp-school-3", "School District 3"),
        Precinct("gp-p101", "Precinct 101"),
        Precinct("gp-p102", "Precinct 102"),
        Precinct("gp-p102a", "Precinct 102 (part A)"),
    )


def test_nist_results_export_is_refused_for_want_of_styles(tmp_path: Path) -> None:
    report = nist_report()
    del report["Election"][0]["BallotStyle"]
    with pytest.raises(InvalidInput, match=r'Election\[0\]: missing "BallotStyle"'):
        read_definition(write_json(tmp_path, "results.json", report))


# --- malformed input -----------------------------------------------------------------------


def _vx_minimal() -> Doc:
    return {
        "title": "T",
        "state": "S",
        "county": "C",
        "date": "2026-11-03",
        "parties": [],
        "districts": [{"id": "d1", "name": "D1"}],
        "precincts": [{"id": "p1", "name": "P1"}],
        "contests": [
            {
                "id": "mayor",
                "type": "candidate",
                "districtId": "d1",
                "title": "Mayor",
                "seats": 1,
                "allowWriteIns": False,
                "candidates": [{"id": "a", "name": "A"}],
            }
        ],
        "ballotStyles": [{"id": "1", "precincts": ["p1"], "districts": ["d1"]}],
    }


def _eg_minimal() -> Doc:
    return {
        "election_scope_id": "scope",
        "start_date": "2026-11-03T07:00:00-05:00",
        "geopolitical_units": [{"object_id": "county", "name": "County", "type": "county"}],
        "parties": [],
        "candidates": [{"object_id": "a", "name": {"text": [{"value": "A", "language": "en"}]}}],
        "contests": [
            {
                "object_id": "mayor",
                "sequence_order": 0,
                "electoral_district_id": "county",
                "vote_variation": "one_of_m",
                "votes_allowed": 1,
                "name": "Mayor",
                "ballot_selections": [
                    {"object_id": "a-sel", "sequence_order": 0, "candidate_id": "a"}
                ],
            }
        ],
        "ballot_styles": [{"object_id": "s1", "geopolitical_unit_ids": ["county"]}],
    }


def _set(path: tuple[str | int, ...], value: object) -> Callable[[Doc], None]:
    def change(document: Doc) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _delete(path: tuple[str | int, ...]) -> Callable[[Doc], None]:
    def change(document: Doc) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


BROKEN = [
    pytest.param(
        _vx_minimal, _delete(("contests", 0, "id")), r'contests\[0\]: missing "id"', id="vx-no-id"
    ),
    pytest.param(
        _vx_minimal,
        _set(("contests", 0, "seats"), "one"),
        r"contests\[0\]\.seats: must be a whole",
        id="vx-seats",
    ),
    pytest.param(
        _vx_minimal,
        _set(("contests", 0, "candidates", 0), "A"),
        r"contests\[0\]\.candidates\[0\]: must be an object",
        id="vx-candidate-text",
    ),
    pytest.param(
        _vx_minimal,
        _set(("ballotStyles", 0, "districts"), "d1"),
        r"ballotStyles\[0\]\.districts: must be a list",
        id="vx-districts",
    ),
    pytest.param(
        _vx_minimal,
        _set(("contests",), {"mayor": {}}),
        r"contests: must be a list",
        id="vx-contests-object",
    ),
    pytest.param(
        _vx_minimal,
        _set(("contests", 0, "type"), "rcv"),
        r"contests\[0\]\.type: 'rcv' is not a contest type",
        id="vx-type",
    ),
    pytest.param(
        _vx_minimal,
        _set(("contests", 0, "allowWriteIns"), "yes"),
        r"allowWriteIns: must be true or false",
        id="vx-flag",
    ),
    pytest.param(
        _vx_minimal,
        _set(("ballotStyles", 0, "precincts"), ["p9"]),
        r"ballot style '1'.*precinct 'p9'",
        id="vx-precinct",
    ),
    pytest.param(
        _eg_minimal,
        _delete(("contests", 0, "ballot_selections", 0, "candidate_id")),
        r'contests\[0\]\.ballot_selections\[0\]: missing "candidate_id"',
        id="eg-no-candidate",
    ),
    pytest.param(
        _eg_minimal,
        _set(("ballot_styles", 0, "geopolitical_unit_ids"), ["town"]),
        r"ballot_styles\[0\]\.geopolitical_unit_ids\[0\]: names geopolitical unit 'town'",
        id="eg-unit",
    ),
    pytest.param(
        _eg_minimal,
        _set(("contests", 0, "votes_allowed"), "1"),
        r"contests\[0\]\.votes_allowed: must be a whole number",
        id="eg-votes",
    ),
    pytest.param(
        _eg_minimal,
        _set(("candidates", 0, "name"), 7),
        r"candidates\[0\]\.name: must be an object",
        id="eg-name",
    ),
    pytest.param(
        _eg_minimal,
        _set(("geopolitical_units",), None),
        r'top level: missing "geopolitical_units"',
        id="eg-no-units",
    ),
    pytest.param(
        nist_report,
        lambda d: d["Election"].append(copy.deepcopy(d["Election"][0])),
        r"Election: holds 2 elections",
        id="nist-two-elections",
    ),
    pytest.param(
        nist_report,
        _set(("Election", 0, "Contest", 0, "ContestSelection", 0, "CandidateIds"), ["nobody"]),
        r"Contest\[0\]\.ContestSelection\[0\]\.CandidateIds\[0\]: names candidate 'nobody'",
        id="nist-candidate",
    ),
    pytest.param(
        nist_report,
        _set(("Election", 0, "Contest", 2, "@type"), "ElectionResults.Straw"),
        r"Contest\[2\]\.@type: 'Straw' is not a contest type",
        id="nist-contest-type",
    ),
    pytest.param(
        nist_report,
        _set(
            ("Election", 0, "Contest", 2, "ContestSelection", 0, "@type"),
            "ElectionResults.CandidateSelection",
        ),
        r"ContestSelection\[0\]\.@type: must be an ElectionResults\.BallotMeasureSelection",
        id="nist-selection-type",
    ),
    pytest.param(
        nist_report,
        _set(("Election", 0, "BallotStyle", 0, "GpUnitIds"), ["gp-mars"]),
        r"BallotStyle\[0\]\.GpUnitIds\[0\]: names GpUnit 'gp-mars'",
        id="nist-unit",
    ),
    pytest.param(
        nist_report,
        _set(("Election", 0, "Contest", 1, "VotesAllowed"), None),
        None,
        id="nist-votes-default",
    ),
]


@pytest.mark.parametrize(("make", "change", "message"), BROKEN)
def test_malformed_input_names_file_and_field(
    tmp_path: Path, make: Callable[[], Doc], change: Callable[[Doc], None], message: str | None
) -> None:
    document = make()
    read_definition(write_json(tmp_path, "ok.json", document))  # the unbroken document reads
    change(document)
    path = write_json(tmp_path, "broken.json", document)
    if message is None:
        read_definition(path)
        return
    with pytest.raises(InvalidInput, match=message) as caught:
        read_definition(path)
    assert str(caught.value).startswith(f"{path}: ")


# --- detection -----------------------------------------------------------------------------


def test_detection_refuses_other_json_naming_the_formats(tmp_path: Path) -> None:
    path = write_json(tmp_path, "cvr.json", {"Version": "5.10", "Sessions": []})
    with pytest.raises(InvalidInput) as caught:
        read_definition(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: is not an election definition votetrail can read")
    assert "top-level keys: Sessions, Version" in message
    for name in (
        "NIST SP 1500-100",
        "VotingWorks election.json",
        "ElectionGuard",
        "votetrail YAML",
    ):
        assert name in message


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"[1, 2]", "not an object"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"just some notes\n", "neither JSON nor such YAML"),
        (
            b'{"title": "x",\n "contests": [,]}',
            r"upload.txt: line 2: is not valid JSON .*column 15",
        ),
    ],
)
def test_detection_refuses_non_definitions(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        read_definition_bytes(data, "upload.txt")


def test_detection_by_content_not_name(shared_data: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "definition.txt"
    renamed.write_bytes((shared_data / VX / "electionSample.json").read_bytes())
    assert read_definition(renamed).source_format == "VotingWorks election.json"
    manifest = (shared_data / EG / "manifest-small.json").read_bytes()
    assert read_definition_bytes(manifest, "upload").source_format == "ElectionGuard manifest"
    yaml_text = write_yaml(read_definition(renamed)).encode()
    assert read_definition_bytes(yaml_text, "definition.txt").source_format == "votetrail YAML"
    nist = json.dumps(nist_report()).encode()
    assert read_definition_bytes(nist, "x.yaml").source_format.startswith("NIST")


def test_missing_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read the file"):
        read_definition(tmp_path / "absent.json")


# --- votetrail YAML ------------------------------------------------------------------------

ADAMS = """\
election: 2026 General Election
date: 2026-11-03
place: Adams County
parties:
  - {id: dem, name: Democratic}
  - {id: rep, name: Republican}
precincts:
  - {id: "0012", name: Ward 1}
  - {id: p2, name: Ward 2}
contests:
  - id: mayor
    title: Mayor
    vote_for: 1
    write_in: true
    candidates:
      - {id: smith, name: Ann Smith, party: dem}
      - {id: jones, name: Bo Jones, party: rep}
  - id: council
    title: City Council
    vote_for: 2
    candidates:
      - {id: lee, name: Kim Lee}
      - {id: diaz, name: Rosa Diaz}
      - {id: wong, name: Al Wong}
  - id: measure-1
    title: Measure 1
    type: yesno
  - id: recall
    title: Recall Question
    type: yesno
    options:
      - {id: yes, name: Yes}
      - {id: no, name: No}
      - {id: abstain, name: Abstain}
  - id: dem-chair
    title: Democratic Party Chair
    party: dem
    candidates: [{id: ivers, name: Gale Ivers, party: dem}]
ballot_styles:
  - id: 1
    precincts: [0012, p2]
    contests: [mayor, council, measure-1, recall]
  - id: "1-dem"
    party: dem
    precincts: [p2]
    contests: [mayor, dem-chair]
"""


def test_yaml_reads_the_clerk_schema(tmp_path: Path) -> None:
    path = tmp_path / "adams.yaml"
    path.write_text(ADAMS, encoding="utf-8")
    definition = read_definition(path)
    assert definition.source_format == "votetrail YAML"
    assert (definition.title, definition.date, definition.place) == (
        "2026 General Election",
        "2026-11-03",
        "Adams County",
    )
    # Plain values stay the text typed: 0012 is not the octal number 10, yes is not true.
    assert definition.precincts[0] == Precinct("0012", "Ward 1")
    assert definition.ballot_styles[0] == BallotStyle(
        "1", ("0012", "p2"), ("mayor", "council", "measure-1", "recall")
    )
    mayor = definition.contest("mayor")
    assert mayor.choices == (
        Choice("smith", "Ann Smith", "dem"),
        Choice("jones", "Bo Jones", "rep"),
        Choice(WRITE_IN, "Write-in", write_in=True),
    )
    assert definition.contest("council").votes_allowed == 2
    assert definition.contest("measure-1").choices == (Choice(YES, "Yes"), Choice(NO, "No"))
    assert [c.id for c in definition.contest("recall").choices] == ["yes", "no", "abstain"]
    assert definition.contest("dem-chair").party == "dem"
    assert definition.ballot_styles[1].party == "dem"


def test_yaml_round_trip_of_the_clerk_file() -> None:
    definition = parse_yaml(ADAMS, "adams.yaml")
    assert parse_yaml(write_yaml(definition), "again.yaml") == definition


@pytest.mark.parametrize("name", [f"{VX}/{f}" for f in VX_FILES] + [f"{EG}/{f}" for f in EG_FILES])
def test_yaml_round_trip_of_every_shared_definition(shared_data: Path, name: str) -> None:
    definition = read_definition(shared_data / name)
    text = write_yaml(definition)
    assert f"# converted from {definition.source_format}" in text
    back = parse_yaml(text, "converted.yaml")
    assert back.source_format == "votetrail YAML"
    assert dataclasses.replace(back, source_format=definition.source_format) == definition


def test_yaml_round_trip_keeps_unusual_choices() -> None:
    definition = ElectionDefinition(
        title="Odd: \"quotes\" and 'yes'",
        date=None,
        source_format="votetrail YAML",
        contests=(
            Contest(
                "c1",
                "Two write-ins, first",
                "candidate",
                2,
                (
                    Choice("wi-1", "Write-in 1", write_in=True),
                    Choice("true", "Yes", "no"),
                    Choice(WRITE_IN, "Write-in", write_in=True),
                ),
                district="0012",
            ),
            Contest(
                "c2", "Options", "yesno", 1, (Choice("for", "For"), Choice("against", "Against"))
            ),
        ),
        ballot_styles=(BallotStyle("007", ("on",), ("c1", "c2"), "null"),),
        precincts=(Precinct("on", "1.50"),),
    )
    assert parse_yaml(write_yaml(definition), "odd.yaml") == definition


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("    vote_for: 2\n", "    vote-for: 2\n"),
            r'adams\.yaml: contests\[1\]: unknown field "vote-for"',
        ),
        (
            ("    vote_for: 2\n", "    vote_for: two\n"),
            r"adams\.yaml: contests\[1\]\.vote_for: must be a whole number",
        ),
        (
            ("      - {id: diaz, name: Rosa Diaz}", "      - {name: Rosa Diaz}"),
            r'adams\.yaml: contests\[1\]\.candidates\[1\]: missing "id"',
        ),
        (
            ("  - id: council\n", "  - id: mayor\n"),
            r'adams\.yaml: contests\[1\]\.id: contest id "mayor" is already used by contests\[0\]',
        ),
        (
            ("      - {id: wong,", "      - {id: lee,"),
            r'contests\[1\]\.candidates\[2\]\.id: choice id "lee" is already used',
        ),
        (
            ("  - {id: p2, name: Ward 2}", "  - {id: '0012', name: Ward 2}"),
            r'precincts\[1\]\.id: precinct id "0012" is already used',
        ),
        (
            ("contests: [mayor, dem-chair]", "contests: [mayor, dem-chiar]"),
            r'adams\.yaml: ballot_styles\[1\]\.contests\[1\]: no contest "dem-chiar" is defined',
        ),
        (
            ("precincts: [p2]", "precincts: [p3]"),
            r'ballot_styles\[1\]\.precincts\[0\]: no precinct "p3" is defined',
        ),
        (
            ("    type: yesno\n  - id: recall", "    type: ranked\n  - id: recall"),
            r'contests\[2\]\.type: must be "candidate" or "yesno"',
        ),
        (
            ("    write_in: true\n", "    write_in: maybe\n"),
            r"contests\[0\]\.write_in: must be true or false",
        ),
        (
            ("date: 2026-11-03", "date: 11/03/2026"),
            r"adams\.yaml: date: must be a date written YYYY-MM-DD",
        ),
        (
            ("place: Adams County\n", "place: Adams County\nplace: Adams\n"),
            r"adams\.yaml: line 4: YAML syntax error: the key 'place' appears twice",
        ),
        (
            ("    title: City Council\n", "   title: City Council\n"),
            r"adams\.yaml: line 19: YAML syntax error",
        ),
        (
            ("  - {id: dem, name: Democratic}", "  - {id: dem, name: Democratic"),
            r"adams\.yaml: line [0-9]+: YAML syntax error",
        ),
    ],
)
def test_yaml_errors_name_the_field(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in ADAMS
    with pytest.raises(InvalidInput, match=message):
        parse_yaml(ADAMS.replace(old, new, 1), "adams.yaml")


def test_yaml_syntax_error_line_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("election: x\ncontests:\n  - id: a\n   title: b\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"bad\.yml: line 4: YAML syntax error"):
        read_definition(path)


def test_yaml_not_a_mapping() -> None:
    with pytest.raises(InvalidInput, match=r"^x\.yaml: must be an object"):
        read_definition_bytes(b"- one\n- two\n", "x.yaml")
    with pytest.raises(InvalidInput, match=r'^x\.yaml: top level: missing "election"'):
        read_definition_bytes(b"date: 2026-11-03\n", "x.yaml")
