"""ElectionGuard 2.0 manifests: the Rust implementation's layout and the Kotlin one's ``name`` list.

The fixtures in ``tests/fixtures/field/election/`` are written with our own
values and reproduce layouts seen in public repositories:

* ``eg2-rust-manifest.json``: microsoft/electionguard-rust
  ``example_artifacts/public/election_manifest.json`` (commit
  f5c8c1b5a4bd62bd2163d8943a0273fbcf4cddd4) and the schema
  ``doc/specs/ElectionGuard_2.0_jsonschema/election_manifest.json`` (commit
  8520592679487dd3afbb148fccb641bae27e6b4b): ``label``, ``contests`` with
  ``contest_options`` and ``selection_limit`` (a number or
  ``"CONTEST_LIMIT"``), ``ballot_styles`` listing contests by number. The
  2.1.0 schema (``doc/specs/ElectionGuard_2.1.0_jsonschema/election_manifest.json``,
  commit ca8c6400ef34435e5f2ddc25e7b0bd67102d250e) renames
  ``contest_options`` to ``options``. The limits' meaning is from
  ``src/eg/src/selection_limits.rs`` (commit 520651138110a13f777409e96606454df928ceac).
* ``eg2-kotlin-manifest.json``: votingworks/electionguard-kotlin-multiplatform
  ``egklib/src/commonMain/kotlin/electionguard/json2/ManifestJson.kt`` (commit
  ba0e412763879fd4c40ad74cea8119e0b0046fe0): the 1.x field names, but the
  election's ``name`` is a bare list of ``{value, language}`` and every other
  name is plain text.

The 1.x manifests keep their tests in ``test_definitions.py`` (on
``../shared/data/election-definitions/electionguard-python``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from votetrail.core.lat.deck import generate_deck
from votetrail.core.lat.definition import BallotStyle, Choice, Party, Precinct
from votetrail.errors import InvalidInput
from votetrail.formats.election.read import read_definition, read_definition_bytes
from votetrail.formats.election.yaml import parse_yaml, write_yaml

FIELD = Path(__file__).resolve().parents[2] / "fixtures" / "field" / "election"
RUST = FIELD / "eg2-rust-manifest.json"
KOTLIN = FIELD / "eg2-kotlin-manifest.json"
Doc = dict[str, Any]


def rust_manifest() -> Doc:
    document: Doc = json.loads(RUST.read_text(encoding="utf-8"))
    return document


def write_json(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_rust_layout_reads_contests_choices_and_limits() -> None:
    definition = read_definition(RUST)
    assert definition.source_format == "ElectionGuard 2.0 manifest"
    assert (definition.title, definition.date, definition.place) == (
        "Elm Hollow Borough Municipal Election 2027",
        None,
        None,
    )
    # Contests and options are numbered from 1 in manifest order, as ElectionGuard 2.0 does.
    assert [(c.id, c.title) for c in definition.contests] == [
        ("1", "Mayor of Elm Hollow"),
        ("2", "Library Board Trustees"),
        ("3", "Question 1 Streetlight Bond"),
        ("4", "Harbor Commission At-Large"),
        ("5", "Judge Hal Amsel to be retained"),
    ]
    mayor = definition.contest("1")
    assert mayor.choices == (
        Choice("1", "Rosa Quintero (Harbor Party)"),
        Choice("2", "Dale Whitcombe (Ridge Party)"),
        Choice("3", "Priya Natarajan (Independent)"),
    )
    assert {c.kind for c in definition.contests} == {"candidate"}
    # Default 1; 2 as given; 2147483647 capped at the two options; an option's own
    # limit of 40 capped at its contest's 1.
    assert [c.votes_allowed for c in definition.contests] == [1, 2, 1, 2, 1]


def test_rust_layout_styles_stand_for_their_precincts() -> None:
    definition = read_definition(RUST)
    assert definition.ballot_styles == (
        BallotStyle("1", ("1",), ("1", "2", "3", "5")),
        BallotStyle("2", ("2",), ("1", "3", "4")),
        BallotStyle("3", ("3",), ("1",)),
    )
    assert definition.precincts == (
        Precinct("1", "Ward 1 ballot"),
        Precinct("2", "Ward 2 ballot"),
        Precinct("3", "Overseas ballot"),
    )
    assert definition.untested_contests() == []
    deck = generate_deck(definition, ["2"])
    assert {(b.ballot_style, b.precinct) for b in deck.ballots} == {("2", "2")}
    assert {contest for b in deck.ballots for contest in b.votes} == {"1", "3", "4"}


def test_rust_layout_of_2_1_says_options(tmp_path: Path) -> None:
    document = rust_manifest()
    for contest in document["contests"]:
        contest["options"] = contest.pop("contest_options")
    assert read_definition(write_json(tmp_path, document)) == read_definition(RUST)


def test_rust_layout_round_trips_through_yaml() -> None:
    definition = read_definition(RUST)
    back = parse_yaml(write_yaml(definition), "converted.yaml")
    assert dataclasses.replace(back, source_format=definition.source_format) == definition


def test_rust_layout_is_recognised_by_content() -> None:
    upload = read_definition_bytes(RUST.read_bytes(), "definition.txt")
    assert upload.source_format == "ElectionGuard 2.0 manifest"


def test_kotlin_name_list_reads_the_english_title() -> None:
    definition = read_definition(KOTLIN)
    assert definition.source_format == "ElectionGuard manifest"
    assert (definition.title, definition.date) == (
        "Elm Hollow Borough Municipal Election",
        "2027-11-02",
    )
    assert definition.parties == (Party("harbor", "Harbor Party"), Party("ridge", "Ridge Party"))
    assert [p.id for p in definition.precincts] == ["ward-1", "ward-2"]
    mayor = definition.contest("mayor")
    assert mayor.choices[0] == Choice("quintero", "Rosa Quintero", "harbor")
    assert mayor.choices[-1] == Choice("mayor-write-in", "mayor-write-in", write_in=True)
    assert definition.ballot_styles[1] == BallotStyle(
        "style-ward-2", ("ward-2",), ("mayor", "streetlight-bond")
    )


def test_kotlin_name_list_prefers_english_wherever_it_is(tmp_path: Path) -> None:
    document = json.loads(KOTLIN.read_text(encoding="utf-8"))
    document["name"].reverse()
    assert read_definition(write_json(tmp_path, document)).title == (
        "Elm Hollow Borough Municipal Election"
    )
    document["name"] = [{"value": "Elección Municipal", "language": "es"}]
    assert read_definition(write_json(tmp_path, document)).title == "Elección Municipal"
    document["name"] = [{"value": 5, "language": "en"}]
    with pytest.raises(InvalidInput, match=r"manifest\.json: name\[0\]\.value: must be text"):
        read_definition(write_json(tmp_path, document))


def _option(contest: int, option: int, limit: object) -> Callable[[Doc], None]:
    def change(document: Doc) -> None:
        document["contests"][contest]["contest_options"][option]["selection_limit"] = limit

    return change


def _style_contests(style: int, numbers: object) -> Callable[[Doc], None]:
    def change(document: Doc) -> None:
        document["ballot_styles"][style]["contests"] = numbers

    return change


def _no_options(document: Doc) -> None:
    del document["contests"][1]["contest_options"]


def _contest_limit(document: Doc) -> None:
    document["contests"][0]["selection_limit"] = "CONTEST_LIMIT"


REFUSED = [
    pytest.param(
        _option(3, 0, "CONTEST_LIMIT"),
        r"contests\[3\]\.contest_options\[0\]\.selection_limit: lets a voter give this option "
        r"up to 2147483647 votes \(cumulative voting\); votetrail's decks and counts give an "
        r"option one vote at most",
        id="cumulative-contest-limit",
    ),
    pytest.param(
        _option(1, 2, 3),
        r"contests\[1\]\.contest_options\[2\]\.selection_limit: lets a voter give this option "
        r"up to 2 votes",
        id="cumulative-capped-by-contest",
    ),
    pytest.param(
        _option(0, 1, 0),
        r"contests\[0\]\.contest_options\[1\]\.selection_limit: allows no votes for this option",
        id="option-zero",
    ),
    pytest.param(
        _option(0, 1, "two"),
        r"contests\[0\]\.contest_options\[1\]\.selection_limit: must be a whole number from 0 "
        r'or "CONTEST_LIMIT", not \'two\'',
        id="option-limit-text",
    ),
    pytest.param(
        _contest_limit,
        r"contests\[0\]\.selection_limit: must be a whole number from 0, not 'CONTEST_LIMIT'",
        id="contest-limit-text",
    ),
    pytest.param(
        _no_options,
        r'contests\[1\]: missing "contest_options" \(or "options"\)',
        id="no-options",
    ),
    pytest.param(
        _style_contests(1, [1, 6]),
        r"ballot_styles\[1\]\.contests\[1\]: names contest 6, but the manifest has 5 contests",
        id="style-contest-out-of-range",
    ),
    pytest.param(
        _style_contests(0, [1, 2, 2]),
        r"ballot_styles\[0\]\.contests\[2\]: names contest 2 twice",
        id="style-contest-twice",
    ),
    pytest.param(
        _style_contests(2, ["1"]),
        r"ballot_styles\[2\]\.contests\[0\]: must be a contest number \(from 1\), not '1'",
        id="style-contest-text",
    ),
    pytest.param(
        _style_contests(2, None),
        r'ballot_styles\[2\]: missing "contests"',
        id="style-no-contests",
    ),
]


@pytest.mark.parametrize(("change", "message"), REFUSED)
def test_rust_layout_refusals_name_file_field_and_reason(
    tmp_path: Path, change: Callable[[Doc], None], message: str
) -> None:
    document = rust_manifest()
    change(document)
    path = write_json(tmp_path, document)
    with pytest.raises(InvalidInput, match=message) as caught:
        read_definition(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_formats_listed_in_a_refusal_name_both_electionguard_generations(tmp_path: Path) -> None:
    path = write_json(tmp_path, {"contests": [], "title": "x"})
    with pytest.raises(InvalidInput) as caught:
        read_definition(path)
    assert "ElectionGuard 1.x manifest" in str(caught.value)
    assert "ElectionGuard 2.0 manifest (label, ballot_styles and contests with options)" in str(
        caught.value
    )
