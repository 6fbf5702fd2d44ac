"""Format detection: by magic number for captures, by a vote of the first lines for text."""

from __future__ import annotations

from pathlib import Path

import pytest

from votetrail.errors import InvalidInput
from votetrail.formats.netmon.logs.detect import NetlogFormat, detect_format, read_netlog


def test_unknown_text_is_refused_with_the_file_name(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("dear clerk,\nthis is not a log\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"notes\.txt: not a network log"):
        detect_format(odd)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        list(read_netlog(tmp_path / "absent.log"))


def test_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInput):
        detect_format(empty)


def test_a_syslog_file_with_other_messages_first_is_still_a_firewall_log(tmp_path: Path) -> None:
    log = tmp_path / "syslog"
    chatter = [f"Nov 29 11:59:{n:02} web1 systemd[1]: Started job {n}." for n in range(30)]
    firewall = (
        "Nov 29 12:00:01 web1 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.9 "
        "DST=10.0.0.5 PROTO=TCP SPT=40000 DPT=22 SYN"
    )
    log.write_text("\n".join([*chatter, firewall]) + "\n", encoding="utf-8")
    assert detect_format(log) is NetlogFormat.IPTABLES
    assert [e.port for e in read_netlog(log, year=2026)] == [22]
