"""Which reader a network log needs, decided from its first bytes and lines.

Operators hand over whatever their equipment writes, often without telling
which product it came from. Captures are known by their magic number; text
logs by voting over their first :data:`SNIFF_LINES` non-blank lines, each
format's ``looks_like`` test saying yes or no per line, so a few lines of
other programs' messages at the top of a syslog file do not mislead. The
tests look at different marks (Zeek's ``#fields`` or ``id.orig_h``,
Suricata's ``event_type``, journald's ``MESSAGE``, the kernel's ``IN=``/
``OUT=``), so formats rarely both claim a line; a tie goes to the format
listed first in :class:`NetlogFormat`. Once
chosen, the reader still judges every line alone: lines of another kind are
counted as ignored, malformed ones of its own kind as bad.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, tzinfo
from enum import StrEnum
from itertools import islice
from pathlib import Path

from votetrail.core.netmon.events import ConnectionEvent
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.logs import filterlog, iptables, pfirewall, suricata, vpc_flow
from votetrail.formats.netmon.logs.common import ReadReport, open_text
from votetrail.formats.netmon.logs.iptables_prefixes import DEFAULT_PREFIXES, Prefixes
from votetrail.formats.netmon.logs.pcap import PCAP_MAGICS, PCAPNG_MAGIC, read_pcap
from votetrail.formats.netmon.logs.zeek import read_zeek

SNIFF_LINES = 50


class NetlogFormat(StrEnum):
    """The log formats votetrail reads."""

    PCAP = "pcap"
    ZEEK = "zeek"
    IPTABLES = "iptables"
    VPC_FLOW = "vpc-flow"
    SURICATA = "suricata"
    FILTERLOG = "filterlog"
    PFIREWALL = "pfirewall"


def _zeek(line: str) -> bool:
    if line.startswith(("#separator", "#fields", "#path\tconn")):
        return True
    return line.startswith("{") and '"id.orig_h"' in line and '"conn_state"' in line


def _journald_firewall(line: str) -> bool:
    if not line.startswith("{") or '"MESSAGE"' not in line:
        return False
    try:
        message = json.loads(line).get("MESSAGE")
    except (ValueError, AttributeError):
        return False
    return isinstance(message, str) and iptables.looks_like(message)


_TEXT_TESTS: dict[NetlogFormat, Callable[[str], bool]] = {
    NetlogFormat.ZEEK: _zeek,
    NetlogFormat.IPTABLES: lambda line: iptables.looks_like(line) or _journald_firewall(line),
    NetlogFormat.VPC_FLOW: vpc_flow.looks_like,
    NetlogFormat.SURICATA: suricata.looks_like,
    NetlogFormat.FILTERLOG: filterlog.looks_like,
    NetlogFormat.PFIREWALL: pfirewall.looks_like,
}


def detect_format(path: Path) -> NetlogFormat:
    """The format of a log file; a file that is none of them is refused with its name."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise InvalidInput(f"cannot read the log: {exc.strerror}", where=str(path)) from None
    if magic in PCAP_MAGICS or magic == PCAPNG_MAGIC:
        return NetlogFormat.PCAP
    votes = dict.fromkeys(_TEXT_TESTS, 0)
    with open_text(path) as text:
        lines = (line.rstrip("\r\n") for line in text if line.strip())
        for line in islice(lines, SNIFF_LINES):
            for name, test in _TEXT_TESTS.items():
                votes[name] += test(line)
    best = max(votes, key=lambda name: votes[name])
    if votes[best] == 0:
        known = ", ".join(name.value for name in NetlogFormat)
        raise InvalidInput(f"not a network log votetrail reads ({known})", where=str(path))
    return best


def read_netlog(
    path: Path,
    report: ReadReport | None = None,
    *,
    year: int | None = None,
    zone: tzinfo = UTC,
    prefixes: Prefixes = DEFAULT_PREFIXES,
) -> Iterator[ConnectionEvent]:
    """Detect the format of ``path`` and stream its events; problems go to ``report``.

    ``year`` and ``zone`` complete BSD syslog stamps, which carry neither;
    ``zone`` is also the zone of pfirewall.log's local times; ``prefixes``
    are the site's rules for iptables log prefixes.
    """
    report = report if report is not None else ReadReport(str(path))
    found = detect_format(path)
    if found is NetlogFormat.PCAP:
        return read_pcap(path, report)
    if found is NetlogFormat.ZEEK:
        return read_zeek(path, report)
    if found is NetlogFormat.IPTABLES:
        return iptables.read_iptables(path, report, year=year, zone=zone, prefixes=prefixes)
    if found is NetlogFormat.SURICATA:
        return suricata.read_suricata(path, report)
    if found is NetlogFormat.FILTERLOG:
        return filterlog.read_filterlog(path, report, year=year, zone=zone)
    if found is NetlogFormat.PFIREWALL:
        return pfirewall.read_pfirewall(path, report, zone=zone)
    return vpc_flow.read_vpc_flow(path, report)
