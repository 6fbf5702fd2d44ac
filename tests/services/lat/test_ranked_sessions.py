"""An L&A test of a ranked-choice contest through the real services, on SQLite and PostgreSQL.

The device's report is a Dominion JSON CVR export of the deck (the layout of
RCTab's Alaska sample, see ``tests/formats/lat/dominion_ranked.py``), read by
votetrail's own Dominion reader: once as a correct device writes it, once with
one ballot's second choice lost, which must fail with the round that shows it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.core.lat.test_ranked_deck import ranked_definition
from tests.formats.lat.dominion_ranked import Ranking, write_dominion_zip
from tests.services.voters.fixtures import who
from votetrail.core.lat.deck import DeckBallot, generate_deck
from votetrail.formats.election.yaml import write_yaml
from votetrail.services.context import App
from votetrail.services.lat import definitions as lat_definitions
from votetrail.services.lat import records as lat_records
from votetrail.services.lat import sessions as lat_sessions
from votetrail.services.verify import verify

DEFINITION = ranked_definition()
DECK = generate_deck(DEFINITION)
LOST = next(
    b.number
    for b in DECK.ballots
    if b.rankings.get("mayor", ((),))[0] == ("c0",) and len(b.rankings["mayor"]) > 1
)


def _lose_second_choice(ballot: DeckBallot, contest: str, ranking: Ranking) -> Ranking:
    return ranking[:1] if ballot.number == LOST else ranking


def test_a_ranked_contest_passes_and_a_lost_transfer_fails_with_its_round(
    demo_app: App, tmp_path: Path
) -> None:
    officer = who(demo_app, "adams-admin")
    definition_file = tmp_path / "ranked.yaml"
    definition_file.write_text(write_yaml(DEFINITION), encoding="utf-8")
    loaded = lat_definitions.load_definition_file(demo_app, officer, "adams", definition_file)
    session_id = lat_sessions.open_session(
        demo_app, officer, "adams", loaded.id, "pre", date(2026, 10, 20), "Office", ["Jo Ortiz"]
    )
    for serial in ("ICC-1", "ICC-2"):
        lat_sessions.add_device(demo_app, officer, session_id, serial, "central scanner", "S")

    good = write_dominion_zip(tmp_path / "good.zip", DEFINITION, DECK.ballots)
    passed = lat_sessions.record_result(demo_app, officer, session_id, "ICC-1", good)
    assert passed.passed, [d.sentence for d in passed.discrepancies]

    bad = write_dominion_zip(
        tmp_path / "bad.zip", DEFINITION, DECK.ballots, tabulator=43, change=_lose_second_choice
    )
    failed = lat_sessions.record_result(demo_app, officer, session_id, "ICC-2", bad)
    assert not failed.passed
    assert [d.kind for d in failed.discrepancies] == ["rounds"]
    sentence = failed.discrepancies[0].sentence
    assert sentence.startswith("Round 2 of Mayor: ")
    assert "one ballot's second choice for" in sentence
    assert sentence.endswith("was not transferred after Ada Lane's elimination.")

    view = lat_records.session(demo_app, session_id)
    assert [d.outcome for d in view.devices] == ["passed", "failed"]
    assert view.devices[1].results[0].discrepancies == [sentence]
    tables = lat_definitions.round_tables(demo_app, loaded.id)
    assert [t.contest for t in tables] == ["mayor"]
    assert verify(demo_app).ok
