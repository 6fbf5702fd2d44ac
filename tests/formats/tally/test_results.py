"""Results exports: the contract JSON, NIST ERR v2 JSON (checked against the schema) and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from votetrail.core.tally.tabulate import ContestResult, merge, tabulate
from votetrail.errors import InvalidInput
from votetrail.formats.cvr.dominion_csv import open_dominion_csv
from votetrail.formats.tally.results import (
    ReportHeader,
    contract_json,
    nist_err_json,
    write_csv,
    write_json,
)

ERR_SCHEMA = "nist/ElectionResultsReporting/NIST_V2_election_results_reporting.json"
MAYOR = ContestResult(
    "Mayor", 1, 10, 2, 1, {"Zoë Ávila": 4, "Bob": 3, "Write-In": 0}, frozenset({"Write-In"})
)
COUNCIL = ContestResult("Council", 2, 5, 0, 3, {"Cy": 4, "Di": 3})
HEADER = ReportHeader(
    election_name="Small Election",
    election_date=date(2024, 11, 5),
    generated=datetime(2024, 11, 6, 9, 30, tzinfo=timezone(timedelta(hours=-5))),
    issuer="Office of the Secretary of State",
    issuer_abbreviation="SOS",
    scope_name="State of Example",
)


def small_election(shared_data: Path) -> list[ContestResult]:
    folder = shared_data / "cvr/arlo-fixtures/small-election"
    per = {}
    for path in sorted(folder.glob("* - cvrs.csv")):
        export = open_dominion_csv(path)
        per[path.name] = tabulate(export.records(), export.contests)
    return merge(per)


def test_contract_json_is_the_documented_shape(tmp_path: Path) -> None:
    document = contract_json([MAYOR, COUNCIL])
    path = tmp_path / "results.json"
    write_json(document, path)
    text = path.read_text(encoding="utf-8")
    assert "Zoë Ávila" in text
    assert text.endswith("}\n")
    assert json.loads(text) == {
        "contests": [
            {
                "name": "Mayor",
                "votes_allowed": 1,
                "ballots": 10,
                "overvotes": 2,
                "undervotes": 1,
                "tally": {"Zoë Ávila": 4, "Bob": 3, "Write-In": 0},
            },
            {
                "name": "Council",
                "votes_allowed": 2,
                "ballots": 5,
                "overvotes": 0,
                "undervotes": 3,
                "tally": {"Cy": 4, "Di": 3},
            },
        ]
    }
    assert list(json.loads(text)["contests"][0]["tally"]) == ["Zoë Ávila", "Bob", "Write-In"]


def test_contract_json_of_arlo_small_election_matches_its_spec(shared_data: Path) -> None:
    spec_path = shared_data / "cvr/arlo-fixtures/small-election/small-election.spec.json"
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    document = contract_json(small_election(shared_data))
    assert [(c["name"], c["tally"], c["ballots"]) for c in document["contests"]] == [
        (c["name"], c["tally"], c["total_ballots_cast"]) for c in spec["contests"]
    ]


def check(value: Any, schema: dict[str, Any], defs: dict[str, Any], at: str) -> None:
    """A small JSON Schema (draft 4) check of what ERR uses: $ref, oneOf, enum, type,
    required, properties, additionalProperties, items, minItems and pattern.
    (``jsonschema`` is not installed in this environment.)"""
    if "$ref" in schema:
        check(value, defs[schema["$ref"].rsplit("/", 1)[1]], defs, at)
        return
    if "oneOf" in schema:
        tagged = [
            s for s in schema["oneOf"] if s["$ref"].endswith("." + value["@type"].split(".")[1])
        ]
        assert len(tagged) == 1, f"{at}: @type {value.get('@type')!r} is not allowed here"
        check(value, tagged[0], defs, at)
        return
    if "enum" in schema:
        assert value in schema["enum"], f"{at}: {value!r} not in {schema['enum']}"
    kinds: dict[str, type | tuple[type, ...]] = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
    }
    kind = schema.get("type")
    if kind in kinds:
        assert isinstance(value, kinds[kind]), f"{at}: {value!r} is not {kind}"
    if "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{at}: {value!r} does not match"
    if kind == "array":
        assert isinstance(value, list), f"{at}: not an array"
        assert len(value) >= schema.get("minItems", 0), f"{at}: too few items"
        for index, item in enumerate(value):
            check(item, schema["items"], defs, f"{at}[{index}]")
    if kind == "object" or "properties" in schema:
        assert isinstance(value, dict), f"{at}: not an object"
        missing = set(schema.get("required", ())) - value.keys()
        assert not missing, f"{at}: missing {missing}"
        unknown = value.keys() - schema["properties"].keys()
        assert not unknown or schema.get("additionalProperties", True), f"{at}: {unknown}"
        for key, item in value.items():
            check(item, schema["properties"][key], defs, f"{at}.{key}")


def test_nist_err_json_follows_the_v2_schema(shared_data: Path) -> None:
    schema = json.loads((shared_data / ERR_SCHEMA).read_text(encoding="utf-8"))
    document = nist_err_json(small_election(shared_data), HEADER)
    check(document, schema, schema["definitions"], "ElectionReport")
    with pytest.raises(AssertionError, match="missing"):
        check({**document, "Election": [{}]}, schema, schema["definitions"], "ElectionReport")


def test_nist_err_json_carries_the_counts(shared_data: Path) -> None:
    document = nist_err_json(small_election(shared_data), HEADER)
    assert document["GeneratedDate"] == "2024-11-06T09:30:00-05:00"
    (election,) = document["Election"]
    names = {c["@id"]: c["BallotName"]["Text"][0]["Content"] for c in election["Candidate"]}
    farming = election["Contest"][0]
    assert farming["Name"] == "Minister of Farming"
    assert farming["VotesAllowed"] == 1
    votes = {
        names[s["CandidateIds"][0]]: (s["VoteCounts"][0]["Count"], s["IsWriteIn"])
        for s in farming["ContestSelection"]
    }
    assert votes == {
        "Erin George": (400, False),
        "Alex Hall": (10, False),
        "Write-In": (1, True),
    }
    assert all(s["VoteCounts"][0]["Type"] == "total" for s in farming["ContestSelection"])
    other = farming["OtherCounts"][0]
    assert (other["Overvotes"], other["Undervotes"], other["WriteIns"]) == (45, 44, 1)


def test_nist_err_refuses_a_naive_time_and_unknown_status() -> None:
    naive = replace(HEADER, generated=datetime(2024, 11, 6))
    with pytest.raises(InvalidInput, match="time zone"):
        nist_err_json([MAYOR], naive)
    utc = datetime(2024, 11, 6, tzinfo=UTC)
    final = replace(HEADER, generated=utc, status="final")
    with pytest.raises(InvalidInput, match="'final' is not an ERR results status"):
        nist_err_json([MAYOR], final)


def test_csv_rows() -> None:
    out = io.StringIO()
    write_csv([MAYOR, COUNCIL], out)
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["contest", "choice", "votes", "votes_allowed", "ballots"],
        ["Mayor", "Zoë Ávila", "4", "1", "10"],
        ["Mayor", "Bob", "3", "1", "10"],
        ["Mayor", "Write-In", "0", "1", "10"],
        ["Mayor", "overvotes", "2", "1", "10"],
        ["Mayor", "undervotes", "1", "1", "10"],
        ["Council", "Cy", "4", "2", "5"],
        ["Council", "Di", "3", "2", "5"],
        ["Council", "overvotes", "0", "2", "5"],
        ["Council", "undervotes", "3", "2", "5"],
    ]


def test_write_json_to_a_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot write the results"):
        write_json({"contests": []}, tmp_path / "absent" / "results.json")
