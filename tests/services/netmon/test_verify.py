"""Raw SQL edits of network incidents and their ingests, and `votetrail verify` naming each.

Every column of ``netmon_incidents`` and ``netmon_ingests`` is edited in turn
(read from the schema, so a new column cannot be left out), rows are deleted,
and the real command must exit 1 naming the incident or ingest and what
changed. An incident replaced by a later ingest stays verifiable, and the
older version cannot be put back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.cli.helpers import votetrail_on
from tests.services.netmon.test_days import midnight_scan
from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon
from votetrail.store.models import NETMON_INCIDENTS, NETMON_INGESTS

INCIDENT_COLUMNS = [c.name for c in NETMON_INCIDENTS.c]
INGEST_COLUMNS = [c.name for c in NETMON_INGESTS.c]


def _verify(capsys: pytest.CaptureFixture[str], app: App) -> tuple[int, str]:
    result = votetrail_on(capsys, app, "verify")
    return result.code, result.out + result.err


def _sql(app: App, statement: str, **values: Any) -> None:
    with app.engine.begin() as conn:
        conn.execute(text(statement), values)


def _incident(app: App) -> Any:
    with app.engine.connect() as conn:
        return conn.execute(select(NETMON_INCIDENTS)).one()


@pytest.fixture
def scanned(demo_app: App, tmp_path: Path) -> App:
    """The demo state after one ingest that stored one incident."""
    netmon.ingest(demo_app, "analyst", [midnight_scan(tmp_path)])
    return demo_app


def _other_value(app: App, column: str, row: Any) -> str:
    """A different value a raw edit could put in the column (a real ingest id for the key)."""
    if column == "ingest_id":
        (other,) = netmon.ingest(app, "analyst", [midnight_scan(app.data_dir.parent, 2, 0)]).files
        return other.id
    if column == "data":
        return str(row.data).replace(
            '"2026-11-04T00:00:00.000000Z":20', '"2026-11-04T00:00:00.000000Z":2'
        )
    if column == "id":
        return "0" * 16
    return f"{row._mapping[column]}x"


@pytest.mark.parametrize("column", INCIDENT_COLUMNS)
def test_every_incident_column_edited_is_named(
    capsys: pytest.CaptureFixture[str], scanned: App, column: str
) -> None:
    assert _verify(capsys, scanned)[0] == 0
    row = _incident(scanned)
    value = _other_value(scanned, column, row)
    _sql(scanned, f"UPDATE netmon_incidents SET {column} = :v WHERE id = :id", v=value, id=row.id)
    code, output = _verify(capsys, scanned)
    assert code == 1, output
    if column == "id":
        assert f"netmon incident '{value}' exists but no logged ingest stored it" in output
        assert f"netmon incident '{row.id}' was deleted" in output
    else:
        assert f"netmon incident '{row.id}': column {column} was changed" in output


def test_moving_attempts_to_another_day_is_named(
    capsys: pytest.CaptureFixture[str], scanned: App
) -> None:
    """The per-hour counts live in the hashed data: shifting them is an edit of data."""
    row = _incident(scanned)
    moved = row.data.replace('"2026-11-03T23:00:00.000000Z":30', '"2026-11-03T22:00:00.000000Z":30')
    assert moved != row.data
    _sql(scanned, "UPDATE netmon_incidents SET data = :v", v=moved)
    code, output = _verify(capsys, scanned)
    assert code == 1
    assert f"netmon incident '{row.id}': column data was changed after ingest" in output


def test_deleted_incident_is_named(capsys: pytest.CaptureFixture[str], scanned: App) -> None:
    row = _incident(scanned)
    _sql(scanned, "DELETE FROM netmon_incidents")
    code, output = _verify(capsys, scanned)
    assert code == 1
    assert f"netmon incident '{row.id}' was deleted (ingest '{row.ingest_id}' stored it" in output


def test_inserted_incident_is_named(capsys: pytest.CaptureFixture[str], scanned: App) -> None:
    row = dict(_incident(scanned)._mapping)
    row["id"] = "feedfacefeedface"
    with scanned.engine.begin() as conn:
        conn.execute(NETMON_INCIDENTS.insert().values(**row))
    code, output = _verify(capsys, scanned)
    assert code == 1
    assert "netmon incident 'feedfacefeedface' exists but no logged ingest stored it" in output


@pytest.mark.parametrize("column", [c for c in INGEST_COLUMNS if c != "id"])
def test_every_ingest_column_edited_is_named(
    capsys: pytest.CaptureFixture[str], scanned: App, column: str
) -> None:
    values = {"jurisdiction_id": None, "incident_ids": "{}"}
    _sql(scanned, f"UPDATE netmon_ingests SET {column} = :v", v=values.get(column, 7))
    code, output = _verify(capsys, scanned)
    assert code == 1
    assert "netmon_ingest 'netmon-1' was changed without an event" in output


def test_deleted_ingest_is_named(capsys: pytest.CaptureFixture[str], scanned: App) -> None:
    row = _incident(scanned)
    _sql(scanned, "DELETE FROM netmon_incidents")
    _sql(scanned, "DELETE FROM netmon_source_days")
    _sql(scanned, "DELETE FROM netmon_day_totals")
    _sql(scanned, "DELETE FROM netmon_ingests")
    code, output = _verify(capsys, scanned)
    assert code == 1
    assert "netmon_ingest 'netmon-1' was deleted without an event" in output
    assert f"netmon incident '{row.id}' was deleted" not in output  # its ingest is gone too


def test_a_replaced_incident_verifies_and_its_old_version_cannot_return(
    capsys: pytest.CaptureFixture[str], scanned: App, tmp_path: Path
) -> None:
    """A longer log of the same scan replaces the row; the first ingest's version stays out."""
    old = _incident(scanned)
    longer = tmp_path / "longer"
    longer.mkdir()
    netmon.ingest(scanned, "analyst", [midnight_scan(longer, 30, 40)])
    new = _incident(scanned)
    assert (new.id, new.ingest_id) == (old.id, "netmon-2")
    assert new.data != old.data
    assert _verify(capsys, scanned)[0] == 0

    _sql(scanned, "UPDATE netmon_incidents SET data = :d, ingest_id = :i", d=old.data, i="netmon-1")
    code, output = _verify(capsys, scanned)
    assert code == 1
    assert (
        f"netmon incident '{old.id}': column ingest_id was changed: it says 'netmon-1' "
        "but the latest ingest that stored it is 'netmon-2'"
    ) in output
    assert f"netmon incident '{old.id}': column data was changed after ingest 'netmon-2'" in output
