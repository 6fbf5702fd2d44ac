"""The audit's contests read from ``votetrail results`` output, CSV or JSON, told by content."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.formats.files import refused, write
from votetrail.core.audit.assertions import ContestKind
from votetrail.core.tally.tabulate import ContestResult
from votetrail.formats.audit.inputs import read_contests
from votetrail.formats.tally.results import contract_json, write_csv

RESULTS = [
    ContestResult("Mayor", 1, 20, 1, 2, {"-Ann": 10, "Bo": 7}),
    ContestResult("Council", 2, 10, 0, 3, {"Cy": 8, "Di": 6, "Ed": 3}),
]


def _csv(tmp_path: Path) -> Path:
    out = io.StringIO()
    write_csv(RESULTS, out)
    return write(tmp_path, out.getvalue(), "results.csv")


def test_results_csv_is_a_contests_file(tmp_path: Path) -> None:
    mayor, council = read_contests(_csv(tmp_path))
    # '-Ann' was written defused ('-Ann in the file) and reads back as the CVRs name her.
    assert (mayor.id, dict(mayor.votes), mayor.ballots, mayor.vote_for) == (
        "Mayor",
        {"-Ann": 10, "Bo": 7},
        20,
        1,
    )
    assert mayor.kind is ContestKind.PLURALITY
    assert (council.vote_for, council.kind, council.ballots) == (2, ContestKind.VOTE_FOR_N, 10)
    assert council.winners == ("Cy", "Di")


def test_results_json_is_told_by_content_not_name(tmp_path: Path) -> None:
    text = json.dumps(contract_json(RESULTS))
    mayor, council = read_contests(write(tmp_path, text, "results.txt"))
    assert (mayor.ballots, dict(council.votes), council.vote_for) == (
        20,
        {"Cy": 8, "Di": 6, "Ed": 3},
        2,
    )


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "contest,choice,votes\nMayor,Ann,10\nMayor,overvotes,1\n",
            "line 1",
            "`votetrail results --format csv` writes",
        ),
        (
            "contest,choice,votes,votes_allowed,ballots\nMayor,Ann,10,1,20\nMayor,Bo,7,1,21\n",
            "line 3, contest 'Mayor'",
            "disagrees with line 2 on votes_allowed or ballots",
        ),
        (
            "contest,choice,votes,votes_allowed,ballots\nMayor,Ann,ten,1,20\n",
            "line 2, field 'votes'",
            "'ten' is not a whole number",
        ),
        (
            "contest,choice,votes,votes_allowed,ballots\nMayor,Ann,10,1,20\n",
            "line 2",
            "fewer than the 1 choices",
        ),
    ],
)
def test_bad_results_csv_names_line_and_field(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    path = write(tmp_path, text, "results.csv")
    error = refused(read_contests, path)
    assert error.where == f"{path}, {where}"
    assert message in str(error)


def test_results_json_with_a_bad_tally_names_the_contest(tmp_path: Path) -> None:
    document = contract_json(RESULTS)
    document["contests"][1]["tally"]["Cy"] = "eight"
    path = write(tmp_path, json.dumps(document), "results.json")
    error = refused(read_contests, path)
    assert error.where == f"{path}, contests[1]"
    assert "'tally' must map choices to whole numbers" in str(error)
