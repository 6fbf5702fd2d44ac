"""The crashes fuzzing found, one input each: now refused with InvalidInput naming the file.

Each input is the smallest form of what ``make fuzz`` / the mutation test
produced (docs/reliability.md "Fuzzing" lists them); on the code before the
fix each raised something other than InvalidInput.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.fuzz import samples
from tests.fuzz.targets import TARGETS, run_one
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.detect import read_netlog
from votetrail.formats.netmon.logs.vpc_flow import read_vpc_flow


def _zip_with(member: str, data: bytes, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr(member, data)
    return buffer.getvalue()


def _refused(name: str, data: bytes, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="input"):
        TARGETS[name].read(_put(tmp_path, TARGETS[name].suffix, data))
    run_one(TARGETS[name], data, tmp_path)  # and the oracle agrees


def _put(tmp_path: Path, suffix: str, data: bytes) -> Path:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    return path


def test_yaml_with_a_control_character(tmp_path: Path) -> None:
    _refused("election-definition-yaml", samples.YAML_DEFINITION.encode() + b"\x01", tmp_path)


@pytest.mark.parametrize("name", ["home-networks", "iptables-prefixes"])
def test_settings_file_that_is_not_utf8(name: str, tmp_path: Path) -> None:
    _refused(name, b"[netmon]\nhome_net = ['\xff']\n", tmp_path)


def test_vpc_flow_time_past_any_clock(tmp_path: Path) -> None:
    text = samples.VPC_FLOW.replace("1732881600 1732881660 REJECT", "99999999999999 1 REJECT")
    path = _put(tmp_path, ".log", text.encode())
    report = ReadReport(str(path))
    assert list(read_vpc_flow(path, report)) == []
    assert [p.line for p in report.problems] == [2]
    assert "time" in report.problems[0].reason


@pytest.mark.parametrize("encoding", ["utf-9", "utf-7"])
@pytest.mark.parametrize("name", ["cvr-hart-xml", "voters-vri"])
def test_xml_declaring_an_unusable_encoding(name: str, encoding: str, tmp_path: Path) -> None:
    """A made-up encoding raised LookupError; a multi-byte one (utf-7) ValueError."""
    data = f'<?xml version="1.0" encoding="{encoding}"?>\n<Cvr xmlns="urn:x"/>'.encode()
    _refused(name, data, tmp_path)


def test_nist_cvr_xml_declaring_an_unknown_encoding(tmp_path: Path) -> None:
    data = (
        b'<?xml version="1.0" encoding="wtf-8"?>\n'
        b'<CastVoteRecordReport xmlns="http://itl.nist.gov/ns/voting/1500-103/v1"/>'
    )
    _refused("cvr-nist", data, tmp_path)


@pytest.mark.parametrize("name", ["cvr-ess-xlsx", "audit-evidence"])
def test_zip_member_with_an_unsupported_compression(name: str, tmp_path: Path) -> None:
    member = "audit.json" if name == "audit-evidence" else "xl/workbook.xml"
    data = bytearray(_zip_with(member, b"<x/>" * 50))
    method = data.index(b"PK\x01\x02") + 10  # the central directory's compression method
    data[method : method + 2] = (99).to_bytes(2, "little")
    local = 8
    data[local : local + 2] = (99).to_bytes(2, "little")
    _refused(name, bytes(data), tmp_path)


@pytest.mark.parametrize("name", ["audit-evidence", "cvr-ess-xlsx"])
def test_zip_needing_a_newer_version(name: str, tmp_path: Path) -> None:
    """``zipfile`` raised NotImplementedError opening it (for a CVR, while detecting its format)."""
    member = "audit.json" if name == "audit-evidence" else "xl/workbook.xml"
    data = bytearray(_zip_with(member, b"{}"))
    needed = data.index(b"PK\x01\x02") + 6  # "version needed to extract" in the directory
    data[needed : needed + 2] = (236).to_bytes(2, "little")
    _refused(name, bytes(data), tmp_path)


def test_network_log_with_a_damaged_gzip_stream(tmp_path: Path) -> None:
    """The gzip magic then a bad header or stream: BadGzipFile/zlib.error escaped mid-read."""
    whole = gzip.compress(samples.IPTABLES.encode())
    for data in (b"\x1f\x8b=2Kll" + samples.IPTABLES.encode(), whole[:-12] + b"\x00" * 12):
        _refused("netlog-iptables", data, tmp_path)


def test_exchange_token_file_that_is_not_utf8(tmp_path: Path) -> None:
    _refused("voters-exchange", samples.EXCHANGE.encode() + b"V-3,\xff,,\n", tmp_path)


@pytest.mark.parametrize("field", ["tcp", "flow"])
def test_suricata_field_that_is_not_an_object(field: str, tmp_path: Path) -> None:
    """``"tcp": "stats"`` raised AttributeError; now that line is a problem in the report."""
    record = json.loads(samples.SURICATA.splitlines()[0])
    record[field] = "stats"
    path = _put(tmp_path, ".json", (json.dumps(record) + "\n").encode())
    report = ReadReport(str(path))
    assert list(read_netlog(path, report, year=2026)) == []
    assert [p.line for p in report.problems] == [1]
    assert field in report.problems[0].reason
