"""Incidents as JSON and CSV for other programs and for a spreadsheet.

The JSON is a contract other tools (a SIEM, a ticketing hook, the alert
webhook) rely on, so its keys and types are fixed here in one place:
``ports`` is the *count* of distinct destination ports because that is the
number an analyst sorts by, and the ports themselves are in ``port_list``.
Times are ISO 8601 with their UTC offset so no reader has to guess a zone.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from votetrail.core.netmon.incidents import Incident
from votetrail.formats.csv_out import CsvWriter

CSV_COLUMNS = (
    "id",
    "kind",
    "severity",
    "first_seen",
    "last_seen",
    "sources",
    "targets",
    "ports",
    "port_list",
    "connections",
    "accepted",
    "blocked",
    "labels",
)
"""CSV header; list-valued fields are joined with single spaces within one cell."""


def incident_record(incident: Incident) -> dict[str, Any]:
    """One incident as a JSON-ready dict in the contract's shape."""
    return {
        "id": incident.id,
        "kind": incident.kind.value,
        "severity": incident.severity.value,
        "sources": list(incident.sources),
        "targets": list(incident.targets),
        "ports": incident.port_count,
        "port_list": list(incident.ports),
        "first_seen": incident.first_seen.isoformat(),
        "last_seen": incident.last_seen.isoformat(),
        "connections": incident.connections,
        "accepted": incident.accepted,
        "blocked": incident.blocked,
        "labels": list(incident.labels),
    }


def incidents_json(incidents: Sequence[Incident]) -> str:
    """The contract: a JSON list of :func:`incident_record`, in the order given."""
    return json.dumps([incident_record(i) for i in incidents], indent=2) + "\n"


def incidents_csv(incidents: Sequence[Incident]) -> str:
    """One row per incident under :data:`CSV_COLUMNS`, for a spreadsheet.

    Labels come from user configuration, so the cells go through the one CSV
    writer, which defuses what a spreadsheet would evaluate as a formula.
    """
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(CSV_COLUMNS)
    for incident in incidents:
        record = incident_record(incident)
        writer.writerow([_cell(record[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: object) -> object:
    """A CSV cell: lists joined by spaces (the writer defuses text)."""
    return " ".join(str(v) for v in value) if isinstance(value, list) else value
