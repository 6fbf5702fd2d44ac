"""The L&A command line with a ranked-choice contest: the round table, and a compare that names
the round where a tabulator's CVRs go wrong (a Dominion JSON export, the layout of RCTab's
Alaska sample: see ``tests/formats/lat/dominion_ranked.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import votetrail
from tests.core.lat.test_ranked_deck import ranked_definition
from tests.formats.lat.dominion_ranked import Ranking, write_dominion_zip
from tests.formats.lat.test_pdf import shown
from votetrail.core.lat.deck import DeckBallot, generate_deck
from votetrail.formats.election.yaml import write_yaml

DEFINITION = ranked_definition()
DECK = generate_deck(DEFINITION)


@pytest.fixture
def definition_file(tmp_path: Path) -> Path:
    path = tmp_path / "ranked.yaml"
    path.write_text(write_yaml(DEFINITION), encoding="utf-8")
    return path


def test_the_deck_prints_its_round_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, definition_file: Path
) -> None:
    rounds = votetrail(capsys, "lat", "deck", str(definition_file), "--format", "rounds")
    assert rounds.code == 0
    lines = rounds.out.splitlines()
    assert lines[0] == "Mayor (ranked choice)"
    assert lines[1].split() == ["Round", "1", "Round", "2", "Round", "3"]
    assert lines[2].split()[:3] == ["Ada", "Lane", "6"]
    assert "Round 1: Ada Lane eliminated: " in rounds.out
    csv_out = votetrail(capsys, "lat", "deck", str(definition_file), "--format", "csv")
    assert "Rank 1: Ada Lane; rank 2: Bo Reyes; rank 3: Cy Park" in csv_out.out
    pdf = tmp_path / "deck.pdf"
    made = votetrail(
        capsys, "lat", "deck", str(definition_file), "--format", "pdf", "--output", str(pdf)
    )
    assert made.code == 0
    text = shown(pdf.read_bytes())
    assert "Expected rounds (ranked-choice contests)" in text
    assert "Rank 1: Ada Lane; rank 2: Bo Reyes; rank 3: Cy Park" in text


def _no_transfer(ballot: DeckBallot, contest: str, ranking: Ranking) -> Ranking:
    return ranking[:1] if ranking and ranking[0] == ("c0",) else ranking


def test_compare_passes_the_decks_cvrs_and_names_the_round_of_a_fault(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, definition_file: Path
) -> None:
    good = write_dominion_zip(tmp_path / "good.zip", DEFINITION, DECK.ballots)
    passed = votetrail(capsys, "lat", "compare", str(definition_file), str(good))
    assert passed.code == 0, passed.out
    bad = write_dominion_zip(tmp_path / "bad.zip", DEFINITION, DECK.ballots, change=_no_transfer)
    failed = votetrail(capsys, "lat", "compare", str(definition_file), str(bad))
    assert failed.code == 1
    assert "Round 2 of Mayor: " in failed.out
    assert "were not transferred after Ada Lane's elimination" in failed.out
