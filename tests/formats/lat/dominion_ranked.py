"""A test deck written as a Dominion Democracy Suite JSON CVR export with ranked contests.

Layout as in RCTab's Alaska sample (BrightSpots/rcv,
``src/test/resources/network/brightspots/rcv/test_data/dominion_alaska/alaska_input_data``,
commit 2167c240ddd25e40427cc3e7e1ecf46ef62f0b7f; also ``../shared/data/cvr/rctab/_shared/
dominion_alaska``): a ZIP of ``ContestManifest.json`` (``VoteFor``, ``NumOfRanks``),
``CandidateManifest.json`` and ``CvrExport.json`` whose ``Sessions`` hold ``Original`` readings
with ``Cards`` of ``Contests`` and ``Marks`` (``CandidateId``, ``Rank``, ``IsVote`` true on
rank 1 only, as Alaska's export has it). Values here are this test's own.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from votetrail.core.lat.deck import DeckBallot
from votetrail.core.lat.definition import ElectionDefinition

Ranking = tuple[tuple[str, ...], ...]
VERSION = "5.10.11.24"


def write_dominion_zip(
    path: Path,
    definition: ElectionDefinition,
    ballots: Sequence[DeckBallot],
    *,
    tabulator: int = 42,
    change: Callable[[DeckBallot, str, Ranking], Ranking] | None = None,
) -> Path:
    """The ballots as the tabulator would export them; ``change`` alters a card's ranking."""
    contests = [c for c in definition.contests]
    contest_ids = {c.id: n for n, c in enumerate(contests, start=1)}
    candidate_ids: dict[tuple[str, str], int] = {}
    candidates: list[dict[str, Any]] = []
    for contest in contests:
        for choice in contest.choices:
            number = len(candidates) + 1
            candidate_ids[contest.id, choice.id] = number
            candidates.append(
                {
                    "Description": choice.name,
                    "Id": number,
                    "ExternalId": "",
                    "ContestId": contest_ids[contest.id],
                    "Type": "WriteIn" if choice.write_in else "Regular",
                }
            )
    manifest = {
        "Version": VERSION,
        "List": [
            {
                "Description": c.title,
                "Id": contest_ids[c.id],
                "ExternalId": "",
                "DistrictId": 1,
                "VoteFor": c.votes_allowed,
                "NumOfRanks": c.ranks or 0,
            }
            for c in contests
        ],
    }
    sessions = []
    for ballot in ballots:
        entries = []
        for contest_id, marks in ballot.votes.items():
            entries.append(
                {
                    "Id": contest_ids[contest_id],
                    "Overvotes": 0,
                    "Undervotes": 0,
                    "Marks": [
                        {
                            "CandidateId": candidate_ids[contest_id, m],
                            "Rank": 1,
                            "IsAmbiguous": False,
                            "IsVote": True,
                        }
                        for m in marks
                    ],
                }
            )
        for contest_id, ranking in ballot.rankings.items():
            if change is not None:
                ranking = change(ballot, contest_id, ranking)
            entries.append(
                {
                    "Id": contest_ids[contest_id],
                    "Overvotes": 0,
                    "Undervotes": 0,
                    "Marks": [
                        {
                            "CandidateId": candidate_ids[contest_id, choice],
                            "Rank": rank,
                            "IsAmbiguous": False,
                            "IsVote": rank == 1,
                        }
                        for rank, marks in enumerate(ranking, start=1)
                        for choice in marks
                    ],
                }
            )
        sessions.append(
            {
                "TabulatorId": tabulator,
                "BatchId": 1,
                "RecordId": ballot.number,
                "CountingGroupId": 1,
                "Original": {
                    "PrecinctPortionId": ballot.precinct,
                    "BallotTypeId": ballot.ballot_style,
                    "IsCurrent": True,
                    "Cards": [{"Id": ballot.number, "Contests": entries}],
                },
            }
        )
    export = {"Version": VERSION, "ElectionId": definition.title, "Sessions": sessions}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ContestManifest.json", json.dumps(manifest))
        archive.writestr(
            "CandidateManifest.json", json.dumps({"Version": VERSION, "List": candidates})
        )
        archive.writestr("CvrExport.json", json.dumps(export))
    return path
