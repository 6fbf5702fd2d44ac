"""Contest and sample files: read as officials write them, refused with file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from votetrail.core.audit.assertions import ContestKind
from votetrail.core.audit.comparison import ABSENT, NO_CONTEST, votes_for
from votetrail.errors import InvalidInput
from votetrail.formats.audit.inputs import (
    read_comparison_sample,
    read_contests,
    read_polling_sample,
)

CONTESTS = """Contest,Choice,Votes,Ballots,Vote For
Mayor,Alice,"5,200",10000,1
Mayor,Bob,4300,10000,1
Council,Carol,6000,10000,2
Council,Dan,5000,10000,2
Council,Erin,3000,10000,2
"""


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_contests_from_csv(tmp_path: Path) -> None:
    mayor, council = read_contests(_file(tmp_path, "contests.csv", CONTESTS))
    assert (mayor.id, dict(mayor.votes), mayor.ballots) == (
        "Mayor",
        {"Alice": 5200, "Bob": 4300},
        10000,
    )
    assert mayor.kind is ContestKind.PLURALITY
    assert council.kind is ContestKind.VOTE_FOR_N
    assert council.winners == ("Carol", "Dan")


def test_contests_from_json(tmp_path: Path) -> None:
    data = {
        "contests": [
            {
                "id": "Measure A",
                "votes": {"Yes": 700, "No": 300},
                "ballots": 1100,
                "kind": "supermajority",
                "fraction": "2/3",
            }
        ]
    }
    (measure,) = read_contests(_file(tmp_path, "contests.json", json.dumps(data)))
    assert measure.kind is ContestKind.SUPERMAJORITY
    assert measure.winners == ("Yes",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Contest,Choice,Votes\nA,x,1\n", "contests.csv, line 1: has no column 'Ballots'"),
        (
            "Contest,Choice,Votes,Ballots\nA,x,ten,100\n",
            "contests.csv, line 2, field 'Votes': 'ten' is not a whole number",
        ),
        (
            "Contest,Choice,Votes,Ballots\nA,x,-3,100\n",
            "contests.csv, line 2, field 'Votes': '-3' is not a whole number",
        ),
        (
            "Contest,Choice,Votes,Ballots\nA,x,10,100\nA,y,5,200\n",
            "contests.csv, line 3, contest 'A': disagrees with line 2",
        ),
        (
            "Contest,Choice,Votes,Ballots\nA,x,10,100\nA,y,10,100\n",
            "contests.csv, line 2",
        ),
        ("Contest,Choice,Votes,Ballots\n", "contests.csv: has no contests"),
    ],
)
def test_bad_contest_files_name_the_place(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_contests(_file(tmp_path, "contests.csv", text))
    assert message in str(caught.value)


def test_tie_is_refused_with_the_contest_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_contests(
            _file(tmp_path, "c.csv", "Contest,Choice,Votes,Ballots\nA,x,10,100\nA,y,10,100\n")
        )
    assert "'A'" in str(caught.value)


def test_polling_sample_keeps_draw_order_and_generations(tmp_path: Path) -> None:
    text = (
        "Ballot,Contest,Choice,Generation\n"
        "b7,Mayor,Alice,1\n"
        "b2,Mayor,,1\n"
        "b9,,,1\n"
        "b7,Mayor,Alice,2\n"
    )
    ballots = read_polling_sample(_file(tmp_path, "sample.csv", text))
    assert [b.ballot for b in ballots] == ["b7", "b2", "b9", "b7#2"]
    assert ballots[0].votes == {"Mayor": frozenset({"Alice"})}
    assert ballots[1].votes == {"Mayor": frozenset()}
    assert ballots[2].votes == {}


def test_comparison_sample_reads_special_values(tmp_path: Path) -> None:
    text = (
        "Ballot,Contest,CVR,Audit\n"
        "b1,Mayor,Alice,Alice\n"
        "b2,Mayor,Alice,Bob\n"
        "b3,Mayor,Alice,MISSING\n"
        "b4,Mayor,NOT ON BALLOT,NOT ON BALLOT\n"
        "b5,Council,Carol;Dan,Carol\n"
    )
    cards = read_comparison_sample(_file(tmp_path, "cmp.csv", text))
    assert cards[1].paper == votes_for("Bob")
    assert cards[2].paper == ABSENT
    assert cards[3].cvr == NO_CONTEST
    assert cards[4].cvr == votes_for("Carol", "Dan")


def test_bad_sample_rows_name_the_place(tmp_path: Path) -> None:
    path = _file(tmp_path, "cmp.csv", "Ballot,Contest,CVR,Audit\nb1,,Alice,Alice\n")
    with pytest.raises(InvalidInput, match=r"cmp.csv, line 2, field 'Contest': is empty"):
        read_comparison_sample(path)
    path = _file(tmp_path, "s.csv", "Ballot,Contest,Choice\n,Mayor,Alice\n")
    with pytest.raises(InvalidInput, match=r"s.csv, line 2, field 'Ballot': is empty"):
        read_polling_sample(path)
    with pytest.raises(InvalidInput, match=r"missing.csv: cannot be read"):
        read_polling_sample(tmp_path / "missing.csv")
