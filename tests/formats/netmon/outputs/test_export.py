"""The JSON contract and the CSV layout of exported incidents."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from tests.formats.netmon.outputs.samples import ALL, HIGH, incident
from votetrail.formats.netmon.outputs.export import CSV_COLUMNS, incidents_csv, incidents_json

CONTRACT_TYPES: dict[str, type] = {
    "id": str,
    "kind": str,
    "severity": str,
    "sources": list,
    "targets": list,
    "ports": int,
    "port_list": list,
    "first_seen": str,
    "last_seen": str,
    "connections": int,
    "accepted": int,
    "blocked": int,
    "labels": list,
}


def test_json_is_a_list_with_the_contract_keys_and_types() -> None:
    records = json.loads(incidents_json(ALL))
    assert isinstance(records, list)
    assert len(records) == len(ALL)
    for record in records:
        assert set(record) == set(CONTRACT_TYPES)
        for key, kind in CONTRACT_TYPES.items():
            assert type(record[key]) is kind, key
        assert all(isinstance(s, str) for s in record["sources"])
        assert all(isinstance(p, int) for p in record["port_list"])


def test_ports_is_the_count_and_port_list_the_ports() -> None:
    [record] = json.loads(incidents_json([HIGH]))
    assert record["ports"] == 4
    assert record["port_list"] == [22, 445, 3389, 5900]
    assert record["sources"] == ["2001:db8::5"]
    assert record["kind"] == "mixed"
    assert record["severity"] == "high"


def test_times_are_iso_8601_with_offset() -> None:
    [record] = json.loads(incidents_json([HIGH]))
    assert record["first_seen"] == "2026-11-03T09:00:00+00:00"
    assert datetime.fromisoformat(record["last_seen"]) == HIGH.last_seen


def test_empty_export_is_an_empty_list() -> None:
    assert json.loads(incidents_json([])) == []


def test_csv_header_and_row() -> None:
    text = incidents_csv([HIGH])
    assert text.splitlines()[0] == (
        "id,kind,severity,first_seen,last_seen,sources,targets,ports,port_list,"
        "connections,accepted,blocked,labels"
    )
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert tuple(row) == CSV_COLUMNS
    assert row["ports"] == "4"
    assert row["port_list"] == "22 445 3389 5900"
    assert row["accepted"] == "12"


def test_csv_defuses_formula_labels() -> None:
    text = incidents_csv([incident(labels=("=HYPERLINK(1)",))])
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["labels"] == "'=HYPERLINK(1)"
