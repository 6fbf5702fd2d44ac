"""``votetrail netmon`` end to end: ingest real captures, list incidents, verify the log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail_on
from tests.receivers import HookServer, SmtpServer
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


def test_report_and_blocklists_from_real_scans(
    capsys: pytest.CaptureFixture[str], demo_app: App, shared_data: Path, tmp_path: Path
) -> None:
    scanners = shared_data / "netmon/esnet-curated-pcaps/attacks/scanners"
    for name in ("masscan/tcp_0_1000_20190821.pcap", "masscan/udp_0_1000_20190821.pcap"):
        assert votetrail_on(capsys, demo_app, "netmon", "ingest", str(scanners / name)).code == 0
    page = tmp_path / "report.html"
    made = votetrail_on(
        capsys, demo_app, "netmon", "report", "--day", "2019-08-21", "--output", str(page)
    )
    assert made.code == 0, made.err
    html = page.read_text(encoding="utf-8")
    assert "172.31.15.102" in html
    assert '<p class="headline">2 scans on Wednesday, Aug 21, 2019</p>' in html
    # The same scanner swept TCP and UDP: two incidents, told apart by their protocol.
    rows = [r for r in html.split("<tr") if "172.31.15.102" in r and "<td>" in r]
    assert sorted(r.split("<td>")[5].split("</td>")[0] for r in rows) == ["TCP", "UDP"]
    assert html.count("<rect") >= 24
    cidrs = votetrail_on(capsys, demo_app, "netmon", "blocklist")
    assert cidrs.out.split() == ["172.31.15.102/32"]
    allowed = votetrail_on(capsys, demo_app, "netmon", "blocklist", "--allow", "172.16.0.0/12")
    assert allowed.out.split() == []
    nft = votetrail_on(capsys, demo_app, "netmon", "blocklist", "--format", "nftables")
    assert "172.31.15.102" in nft.out
    assert "198.124.152.15" not in nft.out
    bad = votetrail_on(capsys, demo_app, "netmon", "blocklist", "--allow", "not-a-network")
    assert bad.code == 1
    assert "allow list" in bad.err


def test_ingest_alerts_on_what_got_through(
    capsys: pytest.CaptureFixture[str],
    demo_app: App,
    shared_data: Path,
    smtp: SmtpServer,
    hook: HookServer,
) -> None:
    """The masscan target answered on non-public ports: that scan got through, so it alerts."""
    pcap = (
        shared_data / "netmon/esnet-curated-pcaps/attacks/scanners/masscan/tcp_0_1000_20190821.pcap"
    )
    host, port = smtp.server_address[:2]
    hook_host, hook_port = hook.server_address[:2]
    done = votetrail_on(
        capsys,
        demo_app,
        "netmon",
        "ingest",
        str(pcap),
        "--alert-smtp",
        f"{host!s}:{port}",
        "--alert-to",
        "soc@office.example",
        "--alert-webhook",
        f"http://{hook_host!s}:{hook_port}/hook",
    )
    assert done.code == 0, done.err
    (incident,) = json.loads(votetrail_on(capsys, demo_app, "netmon", "incidents").out)
    expected = 1 if incident["severity"] == "high" else 0
    assert f"Alerts sent: {expected} e-mails, {expected} webhook calls." in done.out
    assert len(smtp.messages) == expected
    assert [body["id"] for body in hook.bodies] == [incident["id"]] * expected
    no_relay = votetrail_on(capsys, demo_app, "netmon", "ingest", str(pcap), "--alert-smtp", "x")
    assert no_relay.code == 1
    assert "--alert-smtp 'x'" in no_relay.err
