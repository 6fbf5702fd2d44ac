"""Ranked-choice contests in election definitions: read where the format can say so, else refused.

NIST SP 1500-100 says a contest is ranked with ``VoteVariation`` ``rcv`` (the
enumeration in ``../shared/data/nist/ElectionResultsReporting``) but has no
field for the number of ranks, so votetrail reads it from an
``ExternalIdentifier`` of ``OtherType`` ``number-of-ranks``; ElectionGuard's
``vote_variation`` ``rcv`` cannot say it at all. votetrail YAML has ``ranks``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.formats.election.test_definitions import nist_report, write_json
from votetrail.errors import InvalidInput
from votetrail.formats.election.read import read_definition, read_definition_bytes
from votetrail.formats.election.yaml import write_yaml

YAML = b"""election: Ranked
precincts: [{id: p1}]
contests:
  - id: mayor
    title: Mayor
    ranks: 3
    candidates: [{id: a, name: Ada}, {id: b, name: Bo}, {id: c, name: Cy}]
ballot_styles: [{id: "1", precincts: [p1], contests: [mayor]}]
"""


def _board(report: dict[str, Any]) -> dict[str, Any]:
    contests = report["Election"][0]["Contest"]
    return next(c for c in contests if c["@id"] == "contest-board")


def test_the_nist_schema_has_the_fields_read(shared_data: Path) -> None:
    schema = json.loads(
        (
            shared_data / "nist/ElectionResultsReporting/NIST_V2_election_results_reporting.json"
        ).read_text(encoding="utf-8")
    )["definitions"]
    assert "rcv" in schema["ElectionResults.VoteVariation"]["enum"]
    contest = schema["ElectionResults.CandidateContest"]["properties"]
    assert {"VoteVariation", "NumberElected", "ExternalIdentifier"} <= set(contest)
    assert "OtherType" in schema["ElectionResults.ExternalIdentifier"]["properties"]


def test_yaml_ranks_are_read_and_written_back() -> None:
    definition = read_definition_bytes(YAML, "ranked.yaml")
    mayor = definition.contest("mayor")
    assert mayor.ranked
    assert mayor.ranks == 3
    assert mayor.votes_allowed == 1
    again = read_definition_bytes(write_yaml(definition).encode(), "again.yaml")
    assert again.contest("mayor").ranks == 3


def test_nist_rcv_with_its_number_of_ranks(tmp_path: Path) -> None:
    report = nist_report()
    board = _board(report)
    board.update(VoteVariation="rcv", NumberElected=1)
    board["ExternalIdentifier"] = [{"Type": "other", "OtherType": "number-of-ranks", "Value": "3"}]
    definition = read_definition(write_json(tmp_path, "rcv.json", report))
    contest = definition.contest("contest-board")
    assert contest.ranks == 3
    assert contest.votes_allowed == 1  # the seats, not VotesAllowed (2)
    plain = read_definition(write_json(tmp_path, "plain.json", nist_report()))
    assert plain.contest("contest-board").ranks is None


def test_nist_rcv_without_a_number_of_ranks_is_refused(tmp_path: Path) -> None:
    report = nist_report()
    _board(report)["VoteVariation"] = "rcv"
    with pytest.raises(InvalidInput) as caught:
        read_definition(write_json(tmp_path, "rcv.json", report))
    message = str(caught.value)
    assert "rcv.json" in message
    assert "VoteVariation" in message
    assert "number-of-ranks" in message


@pytest.mark.parametrize("variation", ["borda", "cumulative", "range"])
def test_nist_contests_counted_otherwise_are_refused(tmp_path: Path, variation: str) -> None:
    report = nist_report()
    _board(report)["VoteVariation"] = variation
    with pytest.raises(InvalidInput, match=f"is a {variation} contest"):
        read_definition(write_json(tmp_path, "other.json", report))


def test_electionguard_rcv_is_refused(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "election-definitions/electionguard-python/manifest-minimal.json"
    manifest = json.loads(source.read_text(encoding="utf-8"))
    changed = copy.deepcopy(manifest)
    changed["contests"][0]["vote_variation"] = "rcv"
    with pytest.raises(InvalidInput) as caught:
        read_definition(write_json(tmp_path, "eg.json", changed))
    assert "cannot say how many ranks" in str(caught.value)
    assert "vote_variation" in str(caught.value)
    assert read_definition(source).contests[0].ranks is None
