"""Network monitoring through the real service on both backends, with the real ESnet captures."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon
from votetrail.services.verify import verify

PCAPS = "netmon/esnet-curated-pcaps"
LINE = (
    "2026-11-03T10:00:{s:02d}.000000+00:00 fw kernel: DROP IN=eth0 OUT= "
    "SRC=203.0.113.9 DST=198.51.100.7 LEN=60 PROTO=TCP SPT=40000 DPT={port} SYN\n"
)


def _iptables(count: int, start: int = 0) -> str:
    return "".join(LINE.format(s=(start + n) % 60, port=1000 + start + n) for n in range(count))


def test_masscan_names_the_scanner_and_reingest_changes_nothing(
    demo_app: App, shared_data: Path
) -> None:
    folder = shared_data / PCAPS / "attacks/scanners/masscan"
    files = sorted(folder.glob("*.pcap"))
    first = netmon.ingest(demo_app, "analyst", files)
    assert all(f.created for f in first.files)
    found = netmon.incidents(demo_app)
    vertical = [i for i in found if i["kind"] == "vertical"]
    assert vertical
    assert all(i["sources"] == ["172.31.15.102"] for i in vertical)
    assert all("172.31.15.102" not in i["targets"] for i in vertical)
    again = netmon.ingest(demo_app, "analyst", files)
    assert not any(f.created for f in again.files)
    assert netmon.incidents(demo_app) == found
    assert verify(demo_app, [], None).ok


@pytest.mark.parametrize(
    "capture", ["nmap_80_vanilla.pcap", "nmap_80_w_service_detection.pcap", "nmap_80_all.pcap"]
)
def test_nmap_names_the_prober_never_the_host_that_answers(
    demo_app: App, shared_data: Path, capture: str
) -> None:
    """The README's command is `nmap -p 80 ... 130.211.223.103`, run from 10.87.1.10."""
    netmon.ingest(demo_app, "analyst", [shared_data / PCAPS / "attacks/scanners/nmap" / capture])
    (incident,) = netmon.incidents(demo_app)
    assert incident["sources"] == ["10.87.1.10"]
    assert incident["targets"] == ["130.211.223.103"]
    assert incident["kind"] == "probe"


def test_whois_raises_nothing(demo_app: App, shared_data: Path) -> None:
    result = netmon.ingest(
        demo_app, "analyst", [shared_data / PCAPS / "protocols/whois/whois.pcap"]
    )
    assert result.files[0].incidents == 0
    assert netmon.incidents(demo_app) == []


def test_bad_lines_are_reported_and_the_rest_read(demo_app: App, tmp_path: Path) -> None:
    log = tmp_path / "kern.log"
    log.write_text(_iptables(30) + LINE.format(s=1, port="x") + _iptables(5, 30))
    result = netmon.ingest(demo_app, "analyst", [log])
    (read,) = result.files
    assert read.bad == 1
    assert read.events == 35
    assert read.problems[0].startswith(f"{log}:31:")
    assert verify(demo_app, [], None).ok


def test_watch_follows_a_growing_rotating_log(demo_app: App, tmp_path: Path) -> None:
    log = tmp_path / "kern.log"
    log.write_text(_iptables(3))
    done = threading.Event()

    def writer() -> None:
        time.sleep(0.1)
        with log.open("a") as handle:
            handle.write(_iptables(20, 3))
        time.sleep(0.2)
        log.rename(tmp_path / "kern.log.1")
        log.write_text(_iptables(10, 23))
        time.sleep(0.3)
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    result = netmon.watch(demo_app, "analyst", log, poll=0.02, flush_seconds=0.05, stop=done.is_set)
    thread.join()
    assert result.lines == 33
    assert result.rotations == 1
    assert result.ingests
    assert result.incidents
    assert any(i["sources"] == ["203.0.113.9"] for i in netmon.incidents(demo_app))
    assert verify(demo_app, [], None).ok
