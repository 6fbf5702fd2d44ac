"""``votetrail netmon`` end to end: ingest real captures, list incidents, verify the log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail_on
from votetrail.services.context import App


def test_ingest_then_incidents_json_contract(
    capsys: pytest.CaptureFixture[str], demo_app: App, shared_data: Path
) -> None:
    pcap = (
        shared_data / "netmon/esnet-curated-pcaps/attacks/scanners/masscan/tcp_0_1000_20190821.pcap"
    )
    done = votetrail_on(capsys, demo_app, "netmon", "ingest", str(pcap))
    assert done.code == 0
    assert "1 incidents" in done.out
    again = votetrail_on(capsys, demo_app, "netmon", "ingest", str(pcap))
    assert "nothing changed" in again.out
    listed = votetrail_on(capsys, demo_app, "netmon", "incidents", "--day", "2019-08-21")
    (incident,) = json.loads(listed.out)
    assert incident["sources"] == ["172.31.15.102"]
    assert incident["kind"] == "vertical"
    assert incident["targets"] == ["198.124.152.15"]
    assert incident["ports"] == 1001
    assert incident["first_seen"].startswith("2019-08-21T")
    assert incident["last_seen"]
    other_day = votetrail_on(capsys, demo_app, "netmon", "incidents", "--day", "2019-08-22")
    assert json.loads(other_day.out) == []
    as_csv = votetrail_on(capsys, demo_app, "netmon", "incidents", "--format", "csv")
    assert "172.31.15.102" in as_csv.out
    assert votetrail_on(capsys, demo_app, "verify").code == 0
