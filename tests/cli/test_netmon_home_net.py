"""``votetrail netmon ingest --home-net`` and ``[netmon] home_net``: the office's networks.

The iptables line layout is that of Elastic's iptables test logs (see
``tests/formats/netmon/logs/test_iptables_field.py``); addresses are our own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail_on
from votetrail.services.context import App

LINE = (
    "Dec  6 07:{minute:02d}:{second:02d} gw kernel: [UFW BLOCK] IN=eth0 OUT= SRC={source} "
    "DST={target} LEN=60 PROTO=TCP SPT=40000 DPT={port} WINDOW=1 RES=0x00 SYN URGP=0\n"
)


def _outward(path: Path, desktop: str) -> Path:
    """An inside desktop tries 40 outside hosts on 443, all blocked."""
    path.write_text(
        "".join(
            LINE.format(
                minute=i // 6,
                second=i % 6 * 10,
                source=desktop,
                target=f"198.51.100.{i + 1}",
                port=443,
            )
            for i in range(40)
        ),
        encoding="utf-8",
    )
    return path


def _kinds(capsys: pytest.CaptureFixture[str], app: App) -> list[str]:
    listed = votetrail_on(capsys, app, "netmon", "incidents")
    assert listed.code == 0, listed.err
    return sorted(i["kind"] for i in json.loads(listed.out))


def test_home_net_option_and_settings_make_outbound_sweeps_internal(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    by_option = votetrail_on(
        capsys,
        demo_app,
        "netmon",
        "ingest",
        "--home-net",
        "10.0.0.0/24",
        str(_outward(tmp_path / "a.log", "10.0.0.5")),
    )
    assert by_option.code == 0, by_option.err
    assert "40 events, 0 ignored, 0 bad, 1 incidents" in by_option.out
    assert _kinds(capsys, demo_app) == ["internal"]

    settings = tmp_path / "netmon.toml"
    settings.write_text('[netmon]\nhome_net = ["10.0.1.0/24", "fd00::/8"]\n')
    log = str(_outward(tmp_path / "b.log", "10.0.1.7"))
    by_file = votetrail_on(capsys, demo_app, "netmon", "ingest", "--config", str(settings), log)
    assert by_file.code == 0, by_file.err
    assert _kinds(capsys, demo_app) == ["internal", "internal"]


def test_bad_home_networks_are_refused_in_words(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    log = str(_outward(tmp_path / "a.log", "10.0.0.5"))
    bad = votetrail_on(capsys, demo_app, "netmon", "ingest", "--home-net", "10.0.0.300/24", log)
    assert bad.code != 0
    assert "--home-net: '10.0.0.300/24' is not a network; write a CIDR" in bad.err
    assert "Traceback" not in bad.err

    settings = tmp_path / "netmon.toml"
    for body, message in (
        ('[netmon]\nhome_nets = ["10.0.0.0/8"]\n', "netmon.home_nets: is not a setting"),
        ('[netmon]\nhome_net = "10.0.0.0/8"\n', "netmon.home_net: must be a list of CIDRs"),
        ('[netmon]\nhome_net = ["ten"]\n', "netmon.home_net: 'ten' is not a network"),
        ("netmon = 3\n", "[netmon] must be a table"),
    ):
        settings.write_text(body)
        refused = votetrail_on(capsys, demo_app, "netmon", "ingest", "--config", str(settings), log)
        assert refused.code != 0
        assert str(settings) in refused.err
        assert message in refused.err
    assert _kinds(capsys, demo_app) == []
