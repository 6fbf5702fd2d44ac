"""The office's home networks through the real service: watch stores internal findings.

Internal incidents are stored as ordinary incident rows (kind ``internal``);
``verify`` must still re-hash them.
"""

from __future__ import annotations

import threading
import time
from ipaddress import ip_network
from pathlib import Path

from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon
from votetrail.services.verify import verify

LINE = (
    "2026-11-03T10:{m:02d}:{s:02d}.000000+00:00 fw kernel: DROP IN=eth0 OUT= "
    "SRC=10.0.0.5 DST=198.51.100.{host} LEN=60 PROTO=TCP SPT=40000 DPT=443 SYN\n"
)


def test_watch_with_home_networks_stores_an_internal_finding(demo_app: App, tmp_path: Path) -> None:
    log = tmp_path / "kern.log"
    log.write_text("".join(LINE.format(m=n // 6, s=n % 6 * 10, host=n + 1) for n in range(40)))
    done = threading.Event()

    def stopper() -> None:
        time.sleep(0.3)
        done.set()

    thread = threading.Thread(target=stopper)
    thread.start()
    result = netmon.watch(
        demo_app,
        "analyst",
        log,
        poll=0.02,
        flush_seconds=0.05,
        stop=done.is_set,
        home_networks=[ip_network("10.0.0.0/8")],
    )
    thread.join()
    assert result.incidents
    found = netmon.incidents(demo_app)
    assert [(i["kind"], i["severity"], i["sources"]) for i in found] == [
        ("internal", "high", ["10.0.0.5"])
    ]
    assert verify(demo_app, [], None).ok
