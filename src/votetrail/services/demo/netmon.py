"""A day of the state office's network monitoring: a generated Zeek conn.log, ingested.

The security analyst's page is empty until a log is read, so the demo writes
one day (``DAY``, UTC) of what the office's gateway sees and reads it through
``services/netmon/ingest.py``, as ``votetrail netmon ingest`` does, with the
office's network ``203.0.113.0/24`` as its home network. The day holds:

* internet background noise: about 600 outside sources, each trying one to a
  few of the usual ports (SSH, Telnet, SMB, RDP, databases …) on addresses of
  the office, unanswered or refused, a few hours apart, so none of them is a
  scan by itself;
* one fast vertical scanner (``FAST_SCANNER``) sweeping hundreds of ports of
  the web server in a few minutes; the public web ports answer;
* two slow scanners of one /24 (``SLOW_SCANNERS``) sharing out the ports of
  the VPN gateway, each trying one port about every hour all day, below every
  fast rule, found by the slow-scan rule and grouped as one network's work;
* visitors of the public web server and the office's own desktops browsing
  out, all answered: ordinary traffic that counts as no attempt.

The layout is Zeek's TSV conn.log (``#fields`` and ``#types`` headers, the 21
default columns), as in the CTU-Normal captures the netmon tests read.
Addresses are from ranges reserved for documentation and benchmarking
(RFC 5737, RFC 2544), so the demo names no real host. A seeded generator
makes the same file every time, so a second demo start finds it read already
(same SHA-256) and changes nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network
from pathlib import Path

from votetrail.services.context import App
from votetrail.services.netmon.ingest import IngestResult, ingest

DAY = datetime(2026, 11, 3, tzinfo=UTC)
"""The monitored day: the demo election's day."""
HOME = "203.0.113.0/24"
ANALYST = "analyst"
LOG_NAME = "office-gateway.conn.log"
WEB_SERVER = "203.0.113.10"
VPN_GATEWAY = "203.0.113.20"
FAST_SCANNER = "192.0.2.77"
SLOW_SCANNERS = ("198.51.100.23", "198.51.100.87")
BACKGROUND_SOURCES = 600
PORTS = (22, 23, 445, 3389, 1433, 3306, 5900, 8080, 2323, 5060, 21, 25, 135, 139, 6379, 9200)
"""What background noise tries, the commonest first (it favours the first ones)."""
_APART = (5_700.0, 7_200.0)
"""Seconds between a background source's tries: longer than the detector remembers a
quiet source (an hour, swept every half hour), so a few tries never add up to a scan."""
_HOSTS = [f"203.0.113.{n}" for n in range(1, 255)]
_DESKTOPS = [f"203.0.113.{n}" for n in range(100, 130)]
_SERVERS = ("198.51.100.200", "198.51.100.201", "192.0.2.53")
_HEADER = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
    "#path\tconn\n#open\t{open}\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\t"
    "string\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"
)
_OUTCOMES = {
    # conn_state, history, orig_pkts, resp_pkts, orig_bytes, resp_bytes
    "unanswered": ("S0", "S", 1, 0, 0, 0),
    "refused": ("REJ", "Sr", 1, 1, 0, 0),
    "answered": ("SF", "ShADadFf", 8, 7, 517, 4830),
}
Row = tuple[float, str, str, int, str]
"""(seconds into the day, source, target, port, outcome)"""


def _background(rng: random.Random) -> list[Row]:
    """Outside sources trying a few ports each, hours apart: noise, not scans."""
    rows: list[Row] = []
    weights = [len(PORTS) - i for i in range(len(PORTS))]
    block = ip_network("198.18.0.0/15")
    offsets = rng.sample([k for k in range(block.num_addresses) if k % 256 not in (0, 255)],
                         BACKGROUND_SOURCES)  # fmt: skip
    for offset in offsets:
        source = str(block[offset])
        tries = rng.choices((1, 2, 3, 4, 5, 6), weights=(18, 24, 24, 18, 10, 6))[0]
        start = rng.uniform(0, 86_400 - tries * _APART[1])
        for k in range(tries):
            at = start + k * rng.uniform(*_APART)
            port = rng.choices(PORTS, weights=weights)[0]
            outcome = "refused" if rng.random() < 0.15 else "unanswered"
            rows.append((at, source, rng.choice(_HOSTS), port, outcome))
    return rows


def _fast_scan(rng: random.Random) -> list[Row]:
    """Ports 1 to 300 of the web server, shuffled, in about four minutes."""
    ports = list(range(1, 301))
    rng.shuffle(ports)
    start = 9 * 3_600 + 17 * 60
    rows: list[Row] = []
    for n, port in enumerate(ports):
        outcome = "answered" if port in (80, 443) else rng.choice(("unanswered", "refused"))
        rows.append((start + n * 0.8, FAST_SCANNER, WEB_SERVER, port, outcome))
    return rows


def _slow_scans(rng: random.Random) -> list[Row]:
    """The slow scanners share out the VPN gateway's ports: each tries one every ~55 minutes.

    One host's ports, not many hosts: a new host every hour would be four failed
    first contacts within the detector's memory, a random-walk scan instead.
    """
    ports = rng.sample(range(1_024, 10_000), 24 * len(SLOW_SCANNERS))
    rows: list[Row] = []
    for n, source in enumerate(SLOW_SCANNERS):
        at = 600.0 + n * 1_500
        for port in ports[n :: len(SLOW_SCANNERS)]:
            rows.append((at, source, VPN_GATEWAY, port, "unanswered"))
            at += rng.uniform(3_000, 3_500)
    return rows


def _ordinary(rng: random.Random) -> list[Row]:
    """Visitors of the public web server and the desktops' own browsing: all answered."""
    rows: list[Row] = []
    for _ in range(400):
        visitor = f"192.0.2.{rng.randint(100, 200)}"
        rows.append((rng.uniform(0, 86_400), visitor, WEB_SERVER, 443, "answered"))
    for _ in range(1_200):
        at = rng.uniform(7 * 3_600, 18 * 3_600)
        rows.append((at, rng.choice(_DESKTOPS), rng.choice(_SERVERS), 443, "answered"))
    return rows


def _line(rng: random.Random, row: Row) -> str:
    seconds, source, target, port, outcome = row
    state, history, orig_pkts, resp_pkts, orig_bytes, resp_bytes = _OUTCOMES[outcome]
    moment = DAY.timestamp() + seconds
    values = [
        f"{moment:.6f}",
        f"C{rng.getrandbits(64):016x}",
        source,
        str(rng.randint(32_768, 60_999)),
        target,
        str(port),
        "tcp",
        "ssl" if outcome == "answered" and port == 443 else "-",
        f"{rng.uniform(0.01, 2.0):.6f}" if outcome == "answered" else "-",
        str(orig_bytes),
        str(resp_bytes),
        state,
        "T" if source.startswith("203.0.113.") else "F",
        "T" if target.startswith("203.0.113.") else "F",
        "0",
        history,
        str(orig_pkts),
        str(orig_pkts * 40 + orig_bytes),
        str(resp_pkts),
        str(resp_pkts * 40 + resp_bytes),
        "(empty)",
    ]
    return "\t".join(values) + "\n"


def write_conn_log(path: Path) -> Path:
    """The day's conn.log, the same bytes every time (seeded)."""
    rng = random.Random(20261103)  # noqa: S311 - reproducible demo data, not secrecy
    rows = _background(rng) + _fast_scan(rng) + _slow_scans(rng) + _ordinary(rng)
    rows.sort(key=lambda r: r[0])
    opened = (DAY + timedelta(seconds=7)).strftime("%Y-%m-%d-%H-%M-%S")
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(_HEADER.format(open=opened))
        out.writelines(_line(rng, row) for row in rows)
        closed = (DAY + timedelta(days=1, seconds=3)).strftime("%Y-%m-%d-%H-%M-%S")
        out.write(f"#close\t{closed}\n")
    return path


def load_demo_netmon(app: App) -> IngestResult:
    """Write the day's log into the demo files and read it as the security analyst."""
    folder = app.data_dir / "demo-files"
    folder.mkdir(exist_ok=True)
    log = write_conn_log(folder / LOG_NAME)
    return ingest(app, ANALYST, [log], home_networks=[ip_network(HOME)])
