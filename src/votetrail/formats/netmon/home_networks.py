"""The office's own networks: the ``[netmon]`` table of the settings file and ``--home-net``.

Direction needs them: a scan is unsolicited traffic *into* these networks (or
between hosts inside them), and a host inside that sweeps is reported as an
internal host behaving like a scanner, not as an attacker
(:mod:`votetrail.core.netmon.detector`). None configured means direction is
not known and every source is judged as before (see docs/netmon.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from votetrail.errors import InvalidInput
from votetrail.formats.netmon.settings_file import settings_table

Network = IPv4Network | IPv6Network
_KNOWN = ("home_net",)


def parse_networks(texts: Iterable[str], where: str) -> tuple[Network, ...]:
    """CIDRs as networks; a bad one is refused in words, naming ``where`` and the text."""
    found: list[Network] = []
    for text in texts:
        try:
            found.append(ip_network(text.strip(), strict=False))
        except ValueError:
            raise InvalidInput(
                f"{text!r} is not a network; write a CIDR such as 192.0.2.0/24 or 2001:db8::/32",
                where=where,
            ) from None
    return tuple(dict.fromkeys(found))


def load_home_networks(path: Path) -> tuple[Network, ...]:
    """``home_net`` of the ``[netmon]`` table; an unknown key or wrong type refuses the file."""
    table = settings_table(path, "netmon")
    networks: tuple[Network, ...] = ()
    for key, value in table.items():
        where = f"{path}: netmon.{key}"
        if key not in _KNOWN:
            raise InvalidInput(f"is not a setting; known: {', '.join(_KNOWN)}", where=where)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput("must be a list of CIDRs (text)", where=where)
        networks = parse_networks(value, where)
    return networks
