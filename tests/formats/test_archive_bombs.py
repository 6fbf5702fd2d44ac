"""Compressed files that expand without limit are refused early, naming the file and member.

Each bomb is 200 MB of zeros, written to its archive in chunks so the test
itself never holds it. Each reader runs in a fresh Python process under
``tracemalloc``: the refusal must come with a peak far below what reading the
member whole would take.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from votetrail.errors import InvalidInput
from votetrail.formats.archives import MAX_RATIO
from votetrail.formats.netmon.logs.common import MAX_LINE, ReadReport
from votetrail.formats.netmon.logs.detect import read_netlog

MiB = 1 << 20
BOMB_MB = 200
PEAK_LIMIT = 80 * MiB
"""Well under the 200 MB a whole read of the member would hold, let alone parse."""

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import sys, tracemalloc
from pathlib import Path
tracemalloc.start()
from votetrail.errors import InvalidInput
path = Path(sys.argv[2])
try:
    if sys.argv[1] == "hart":
        from votetrail.formats.cvr.hart import open_hart_cvr
        open_hart_cvr(path)
    elif sys.argv[1] == "dominion":
        from votetrail.formats.cvr.dominion_json import open_dominion_json
        list(open_dominion_json(path).records())
    else:
        from votetrail.formats.netmon.logs.detect import read_netlog
        list(read_netlog(path))
    message = "accepted"
except InvalidInput as exc:
    message = str(exc)
print(tracemalloc.get_traced_memory()[1])
print(message)
"""


def _probe(kind: str, path: Path) -> tuple[int, str]:
    """(peak traced bytes, the error message or "accepted") of reading ``path``."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, kind, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    peak, message = done.stdout.strip().split("\n", 1)
    return int(peak), message


def _zeros_into(out: object) -> None:
    block = b"\0" * MiB
    for _ in range(BOMB_MB):
        out.write(block)  # type: ignore[attr-defined]


def test_hart_zip_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "hart-export.zip"
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("tabulator-1/sheet-0001.xml", "w", force_zip64=True) as out,
    ):
        _zeros_into(out)
    assert path.stat().st_size < 1 * MiB
    peak, message = _probe("hart", path)
    assert f"{path}, tabulator-1/sheet-0001.xml" in message
    assert "when decompressed" in message
    assert peak < PEAK_LIMIT, peak


def test_hart_bomb_inside_an_inner_zip_is_refused(tmp_path: Path) -> None:
    inner = tmp_path / "T1.zip"
    with (
        zipfile.ZipFile(inner, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("sheet.xml", "w", force_zip64=True) as out,
    ):
        _zeros_into(out)
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.write(inner, "T1.zip")
    peak, message = _probe("hart", path)
    assert f"{path}, T1.zip, sheet.xml" in message
    assert "when decompressed" in message
    assert peak < PEAK_LIMIT, peak


def test_dominion_zip_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "CvrExport.zip"
    contests = {"Version": "5.10", "List": [{"Id": 1, "Description": "Mayor", "VoteFor": 1}]}
    candidates = {"List": [{"Id": 1, "Description": "Ann", "ContestId": 1, "Type": "Regular"}]}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ContestManifest.json", json.dumps(contests))
        archive.writestr("CandidateManifest.json", json.dumps(candidates))
        with archive.open("CvrExport_1.json", "w", force_zip64=True) as out:
            _zeros_into(out)
    peak, message = _probe("dominion", path)
    assert f"{path}, CvrExport_1.json" in message
    assert "when decompressed" in message
    assert peak < PEAK_LIMIT, peak


def test_gzip_log_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "conn.log.gz"
    with gzip.open(path, "wb", compresslevel=9) as out:
        _zeros_into(out)
    assert path.stat().st_size < 1 * MiB
    peak, message = _probe("netlog", path)
    assert message.startswith(f"{path}: expands more than {MAX_RATIO} times")
    assert peak < 32 * MiB, peak


def test_a_gzip_log_that_compresses_well_is_still_read(tmp_path: Path) -> None:
    """Real logs repeat a lot (here a scan: times, ports and ids move on); they pass."""
    path = tmp_path / "conn.log.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for n in range(20_000):
            out.write(
                f'{{"ts":{1700000000 + n * 0.013:.6f},"uid":"C{n:x}","id.orig_h":"198.51.100.7",'
                f'"id.orig_p":{40000 + n % 1000},"id.resp_h":"192.0.2.10",'
                f'"id.resp_p":{n % 1024},"proto":"tcp","conn_state":"S0",'
                '"history":"S","resp_pkts":0}\n'
            )
    report = ReadReport(str(path))
    assert len(list(read_netlog(path, report))) == 20_000
    assert report.bad == 0


def test_an_endless_line_is_one_bad_line(tmp_path: Path) -> None:
    good = "Nov 29 12:00:01 fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.7 DST=192.0.2.10 "
    good += "LEN=60 TTL=50 PROTO=TCP SPT=40000 DPT=22 SYN\n"
    path = tmp_path / "kern.log"
    with path.open("w", encoding="utf-8") as out:
        out.write(good)
        out.write("x" * (3 * MAX_LINE) + "\n")
        out.write(good)
    report = ReadReport(str(path))
    events = list(read_netlog(path, report, year=2026))
    assert len(events) == 2
    assert report.bad == 1
    assert report.problems[0].line == 2
    assert "longer than" in report.problems[0].reason


def test_a_plain_file_too_large_to_parse_whole_is_refused(tmp_path: Path) -> None:
    from votetrail.formats.cvr import hart as hart_cvr

    path = tmp_path / "sheet.xml"
    with path.open("wb") as out:
        out.truncate(hart_cvr.DOCUMENT_LIMIT + 1)
    with pytest.raises(InvalidInput, match="is larger than"):
        hart_cvr.open_hart_cvr(path)
