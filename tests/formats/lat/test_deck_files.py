"""Deck files: the JSON contract, the marking CSV, expected totals, and the expected CVRs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tests.formats.lat.definitions import COUNCIL, GOVERNOR, general, primary, votingworks_like
from votetrail.core.lat.deck import Deck, DeckBallot, Purpose, generate_deck
from votetrail.core.lat.definition import WRITE_IN, BallotStyle, ElectionDefinition, Precinct, check
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.read import open_cvr_file
from votetrail.formats.lat.deck_files import (
    DECK_CSV_COLUMNS,
    marking_instruction,
    write_deck_csv,
    write_deck_cvrs,
    write_deck_json,
    write_expected_csv,
)
from votetrail.formats.lat.results import read_tabulator_report

DEFINITIONS: dict[str, Callable[[], ElectionDefinition]] = {
    "general": general,
    "votingworks": votingworks_like,
    "primary": primary,
}


def hand_made_deck() -> Deck:
    """A few ballots written out by hand: a full vote-for-3, a write-in, an overvote, blanks."""
    definition = check(
        ElectionDefinition(
            "Hand",
            None,
            "test",
            (GOVERNOR, COUNCIL),
            (BallotStyle("A", ("P",), ("governor", "council")),),
            (Precinct("P", "Only"),),
        ),
        "hand",
    )
    votes: list[tuple[dict[str, tuple[str, ...]], Purpose]] = [
        ({"governor": ("avery-quinn",), "council": ("c1", "c2", "c3")}, "votes"),
        ({"governor": (WRITE_IN,), "council": ("c5",)}, "votes"),
        ({"governor": (), "council": ()}, "blank"),
        ({"governor": ("avery-quinn", WRITE_IN), "council": ("c1", "c2", "c3", "c4")}, "overvote"),
    ]
    return Deck(
        definition,
        tuple(
            DeckBallot("A", "P", marks, number, purpose)
            for number, (marks, purpose) in enumerate(votes, start=1)
        ),
    )


def test_deck_json_is_the_contract() -> None:
    deck = generate_deck(general())
    buffer = io.StringIO()
    write_deck_json(deck, buffer)
    assert buffer.getvalue().endswith("}\n")
    assert json.loads(buffer.getvalue()) == deck.contract()
    assert "Zoë" not in buffer.getvalue()  # ids only; names are not in the contract
    assert json.loads(buffer.getvalue())["ballots"][0] == deck.contract()["ballots"][0]


def test_deck_csv_rows_and_instructions() -> None:
    deck = hand_made_deck()
    buffer = io.StringIO()
    write_deck_csv(deck, buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == DECK_CSV_COLUMNS
    assert len(rows) == 8  # four ballots, two contests each
    assert rows[1] == {
        "ballot": "1",
        "ballot_style": "A",
        "precinct": "P",
        "purpose": "votes",
        "contest": "council",
        "contest_title": "City Council",
        "marks": "c1|c2|c3",
        "mark_names": "Ann Smith; Bob Jones; Zoë Ávila",
        "instruction": "Mark Ann Smith, Bob Jones, Zoë Ávila",
    }
    assert rows[2]["instruction"] == "Write in TEST WRITE-IN"
    assert rows[2]["mark_names"] == "Write-in"
    assert rows[4]["instruction"] == "Leave blank"
    assert rows[4]["marks"] == ""
    assert rows[6]["instruction"] == "Overvote: mark Avery Quinn; write in TEST WRITE-IN"
    assert rows[7]["instruction"] == "Overvote: mark Ann Smith, Bob Jones, Zoë Ávila, Dee O’Neil"


def test_instruction_mixes_names_and_a_write_in() -> None:
    contest = votingworks_like().contest("mayor")
    assert marking_instruction(contest, ("sherlock", WRITE_IN)) == (
        "Mark Sherlock Holmes; write in TEST WRITE-IN"
    )


def test_expected_csv_layout() -> None:
    deck = hand_made_deck()
    buffer = io.StringIO()
    write_expected_csv(deck, buffer)
    assert buffer.getvalue().splitlines()[:7] == [
        "contest,choice,votes",
        "governor,avery-quinn,1",
        "governor,blake-rivera,0",
        "governor,write-in,1",
        "governor,overvotes,1",
        "governor,undervotes,1",
        "governor,ballots,4",
    ]


@pytest.mark.parametrize("by_style", [False, True])
@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_expected_csv_round_trips(tmp_path: Path, name: str, by_style: bool) -> None:
    deck = generate_deck(DEFINITIONS[name]())
    precincts = [deck.definition.precincts[0].id]
    buffer = io.StringIO()
    write_expected_csv(deck, buffer, precincts, by_style=by_style)
    path = tmp_path / "expected.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    report = read_tabulator_report(path, deck.definition)
    assert report.unmatched == ()
    assert report.overall == deck.expected(precincts)
    assert report.by_style == (deck.expected_by_style(precincts) if by_style else None)


@pytest.mark.parametrize("precincts", [None, "first"])
@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_expected_cvrs_round_trip(tmp_path: Path, name: str, precincts: str | None) -> None:
    deck = generate_deck(DEFINITIONS[name]())
    chosen = None if precincts is None else [deck.definition.precincts[0].id]
    path = tmp_path / "cvrs.json"
    write_deck_cvrs(deck, path, "ICP-7", chosen)
    report = read_tabulator_report(path, deck.definition)
    assert report.format == "NIST SP 1500-103 JSON 1.0.0"
    assert report.unmatched == ()
    assert report.cards == len(deck.for_precincts(chosen))
    assert report.overall == deck.expected(chosen)
    assert report.by_style == deck.expected_by_style(chosen)


def test_hand_made_deck_round_trips_through_cvrs(tmp_path: Path) -> None:
    """Overvotes (a write-in among them), a vote-for-3 in full, blanks: all counted as the deck."""
    deck = hand_made_deck()
    path = tmp_path / "cvrs.json"
    write_deck_cvrs(deck, path, "CENTRAL")
    report = read_tabulator_report(path, deck.definition)
    assert report.overall == deck.expected()
    assert report.overall["governor"].overvotes == 1
    assert report.overall["council"].votes == {"c1": 1, "c2": 1, "c3": 1, "c4": 0, "c5": 1}
    assert report.by_style == deck.expected_by_style()


def test_expected_cvrs_carry_the_deck(tmp_path: Path) -> None:
    deck = hand_made_deck()
    path = tmp_path / "cvrs.json"
    write_deck_cvrs(deck, path, "ICP-1")
    records = list(open_cvr_file(path).records())
    assert [r.id for r in records] == ["ICP-1-1", "ICP-1-2", "ICP-1-3", "ICP-1-4"]
    assert {(r.tabulator, r.ballot_type, r.precinct) for r in records} == {("ICP-1", "A", "P")}
    assert records[0].marks == {
        "Governor": ("Avery Quinn",),
        "City Council": ("Ann Smith", "Bob Jones", "Zoë Ávila"),
    }
    assert records[2].marks == {"Governor": (), "City Council": ()}
    assert records[3].marks["Governor"] == ("Avery Quinn", "Write-in")
    data = json.loads(path.read_text(encoding="utf-8"))
    overvoted = data["CVR"][3]["CVRSnapshot"][0]["CVRContest"][0]
    assert overvoted["Status"] == ["overvoted"]
    assert overvoted["CVRContestSelection"][1]["SelectionPosition"][0]["CVRWriteIn"]["Text"] == (
        "TEST WRITE-IN"
    )


def test_expected_cvrs_are_the_same_each_time(tmp_path: Path) -> None:
    deck = generate_deck(general())
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write_deck_cvrs(deck, first, "ICP-1")
    write_deck_cvrs(deck, second, "ICP-1")
    assert first.read_bytes() == second.read_bytes()


def test_contests_titled_alike_are_named_by_id_in_the_cvrs(tmp_path: Path) -> None:
    deck = generate_deck(primary())
    path = tmp_path / "cvrs.json"
    write_deck_cvrs(deck, path, "ICP-1")
    names = {c.name: c.choices for c in open_cvr_file(path).contests}
    assert names == {"gov-dem": ("d1", "d2", "Sam Roe"), "gov-rep": ("Kim Yu", "Lou Ray")}


def test_writing_cvrs_to_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot write the CVRs"):
        write_deck_cvrs(generate_deck(general()), tmp_path / "no" / "x.json", "T")


def test_names_that_a_spreadsheet_would_run_are_written_as_text() -> None:
    """A definition is uploaded by someone; its names must not become spreadsheet formulas."""
    definition = general()
    contest = definition.contests[0]
    first = contest.choices[0]
    hostile = replace(first, name='=HYPERLINK("http://x")')
    changed = replace(
        definition,
        contests=(
            replace(contest, choices=(hostile, *contest.choices[1:])),
            *definition.contests[1:],
        ),
    )
    buffer = io.StringIO()
    write_deck_csv(generate_deck(changed), buffer)
    names = [row["mark_names"] for row in csv.DictReader(io.StringIO(buffer.getvalue()))]
    assert '\'=HYPERLINK("http://x")' in names
    assert not any(name.startswith("=") for name in names)
