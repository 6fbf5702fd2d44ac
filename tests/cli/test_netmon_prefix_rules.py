"""``votetrail netmon ingest``: a site's iptables prefix rules from a settings file and options.

The prefix layouts are those of Elastic's iptables test logs (see
``tests/formats/netmon/logs/test_iptables_field.py``); the site words here are our own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import votetrail_on
from votetrail.services.context import App

LINE = (
    "Dec  6 07:{minute:02d}:00 gw kernel: {prefix}IN=eth0 OUT= SRC=203.0.113.{host} "
    "DST=10.0.0.5 LEN=60 PROTO=TCP SPT=40000 DPT={port} WINDOW=1 RES=0x00 SYN URGP=0\n"
)


def _log(path: Path, prefix: str, host: int) -> Path:
    lines = [LINE.format(minute=m, prefix=prefix, host=host, port=20 + m) for m in range(3)]
    lines.append(LINE.format(minute=5, prefix="[ 12.5] ", host=host, port=99))  # no prefix
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_prefix_rules_from_settings_file_and_options(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    plain = votetrail_on(
        capsys, demo_app, "netmon", "ingest", str(_log(tmp_path / "a.log", "SITE-X: ", 1))
    )
    assert "4 lines, 1 events, 0 ignored, 3 bad" in plain.out
    assert "log prefix 'SITE-X:' says neither blocked nor allowed" in plain.err

    settings = tmp_path / "netmon.toml"
    settings.write_text('[iptables]\nblocked = ["SITE-X"]\nunprefixed = "ignored"\n')
    ruled = votetrail_on(
        capsys,
        demo_app,
        "netmon",
        "ingest",
        "--config",
        str(settings),
        str(_log(tmp_path / "b.log", "SITE-X: ", 2)),
    )
    assert ruled.code == 0, ruled.err
    assert "4 lines, 3 events, 1 ignored, 0 bad" in ruled.out

    options = votetrail_on(
        capsys,
        demo_app,
        "netmon",
        "ingest",
        "--allowed-prefix",
        "site-ok",
        "--unprefixed",
        "bad",
        str(_log(tmp_path / "c.log", "[SITE-OK] ", 3)),
    )
    assert "4 lines, 3 events, 0 ignored, 1 bad" in options.out
    assert "no log prefix" in options.err


def test_a_wrong_setting_is_refused_before_anything_is_read(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    settings = tmp_path / "netmon.toml"
    settings.write_text('[iptables]\nblock = ["SITE-X"]\n')
    log = str(_log(tmp_path / "a.log", "SITE-X: ", 1))
    wrong = votetrail_on(capsys, demo_app, "netmon", "ingest", "--config", str(settings), log)
    assert wrong.code != 0
    assert f"{settings}: iptables.block: is not a setting" in wrong.err
    choice = votetrail_on(capsys, demo_app, "netmon", "ingest", "--unprefixed", "maybe", log)
    assert choice.code != 0
    assert "--unprefixed: must be one of blocked, allowed, ignored, bad" in choice.err
