"""One connection attempt, as every log reader hands it to the detectors.

Firewalls, Zeek, Suricata, flow logs and packet captures all reduce to this:
who tried to reach whom, on which port, when, and whether it was let in and
whether the other side answered. Detectors never see a vendor format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from ipaddress import IPv4Address, IPv6Address


class Outcome(StrEnum):
    """What became of the attempt, as far as the log can tell."""

    ESTABLISHED = "established"
    """The target answered and a connection was made (e.g. a TCP handshake completed)."""
    PROBED = "probed"
    """The target answered and the initiator reset the connection without sending a byte.

    That is how port scanners probe: a SYN ("half-open") scan resets right
    after the SYN-ACK, a connect scan right after completing the handshake.
    Ordinary clients send a request, or close with FIN.
    """
    REJECTED = "rejected"
    """The target answered but refused (e.g. TCP RST, ICMP unreachable)."""
    UNANSWERED = "unanswered"
    """No answer was seen (a probe into silence)."""
    BLOCKED = "blocked"
    """A firewall dropped or rejected it before the target."""


@dataclass(frozen=True, slots=True)
class ConnectionEvent:
    """One attempt from ``source`` to ``target:port`` over ``protocol`` at ``time`` (aware, UTC)."""

    time: datetime
    source: IPv4Address | IPv6Address
    target: IPv4Address | IPv6Address
    port: int
    protocol: str
    """``tcp``, ``udp`` or ``icmp`` (lower case)."""
    outcome: Outcome
    accepted: bool
    """True when the firewall let it through (even if the target then refused)."""
