"""Firewall block lists built from the sources of incidents.

A block list must never lock the office out of its own networks, so the
allowlist is applied *after* widening and collapsing: any collapsed network
that overlaps an allowed one is cut around it (``address_exclude``) rather
than dropped or kept whole. Sources are deduplicated and merged with
:func:`ipaddress.collapse_addresses`, which only ever yields exactly the
union of its inputs, so nothing outside the (widened) sources is blocked.

Writers, each accepted as-is by its tool:

* :func:`nftables` – a file for ``nft -f``: declares table ``inet filter``
  with interval sets ``votetrail_block_v4`` / ``votetrail_block_v6`` (a set
  holds one address family), flushes them and adds the elements; ``nft -f``
  applies a file as one transaction, so the sets are replaced atomically;
* :func:`ipset_restore` – for ``ipset restore``: ``hash:net`` sets
  ``votetrail-block`` (``family inet``) and ``votetrail-block6``
  (``family inet6``), created with ``-exist``, flushed and refilled;
* :func:`pfsense_url_table` – a pfSense "URL Table (IPs)" alias: ``#``
  comment header, then one CIDR per line, IPv4 then IPv6;
* :func:`plain_cidrs` – one CIDR per line, nothing else.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, collapse_addresses, ip_network
from typing import TypeVar

from votetrail.core.netmon.incidents import Incident
from votetrail.errors import InvalidInput

Network = IPv4Network | IPv6Network

NFT_TABLE = "inet filter"
NFT_SET_V4 = "votetrail_block_v4"
NFT_SET_V6 = "votetrail_block_v6"
IPSET_V4 = "votetrail-block"
IPSET_V6 = "votetrail-block6"

_N = TypeVar("_N", IPv4Network, IPv6Network)


@dataclass(frozen=True, slots=True)
class BlockList:
    """Collapsed networks to block, per address family, in address order."""

    v4: tuple[IPv4Network, ...]
    v6: tuple[IPv6Network, ...]

    @property
    def networks(self) -> tuple[Network, ...]:
        """All networks, IPv4 first."""
        return (*self.v4, *self.v6)


def build_blocklist(
    incidents: Iterable[Incident],
    allow: Sequence[Network] = (),
    *,
    skip_labels: Collection[str] = (),
    prefix_v4: int = 32,
    prefix_v6: int = 128,
) -> BlockList:
    """Block every source of ``incidents`` except what ``allow`` covers.

    ``skip_labels`` leaves out incidents carrying any of those labels (for
    example ``research scanner``). ``prefix_v4``/``prefix_v6`` widen each
    source to its enclosing network first, e.g. 24 to block a distributed
    scan's whole /24; the defaults block single addresses.
    """
    if not 0 < prefix_v4 <= 32 or not 0 < prefix_v6 <= 128:
        raise InvalidInput(
            f"block prefix lengths must be 1–32 (IPv4) and 1–128 (IPv6), "
            f"not /{prefix_v4} and /{prefix_v6}"
        )
    v4: set[IPv4Network] = set()
    v6: set[IPv6Network] = set()
    for incident in incidents:
        if any(label in skip_labels for label in incident.labels):
            continue
        for source in incident.sources:
            network = ip_network(source)
            if isinstance(network, IPv4Network):
                v4.add(network.supernet(new_prefix=prefix_v4))
            else:
                v6.add(network.supernet(new_prefix=prefix_v6))
    allow_v4 = [a for a in allow if isinstance(a, IPv4Network)]
    allow_v6 = [a for a in allow if isinstance(a, IPv6Network)]
    return BlockList(
        v4=tuple(collapse_addresses(_without(collapse_addresses(v4), allow_v4))),
        v6=tuple(collapse_addresses(_without(collapse_addresses(v6), allow_v6))),
    )


def _without(networks: Iterable[_N], allow: Sequence[_N]) -> list[_N]:
    """``networks`` minus every allowed network, cutting around partial overlaps."""
    remaining = list(networks)
    for allowed in allow:
        kept: list[_N] = []
        for network in remaining:
            if network.subnet_of(allowed):
                continue
            if allowed.subnet_of(network):
                kept.extend(network.address_exclude(allowed))
            else:
                kept.append(network)
        remaining = kept
    return remaining


def nftables(blocklist: BlockList) -> str:
    """A file for ``nft -f`` that replaces both sets' contents in one transaction."""
    lines = [
        "# votetrail block list: load with `nft -f FILE`",
        f"table {NFT_TABLE} {{",
        f"\tset {NFT_SET_V4} {{ type ipv4_addr; flags interval; }}",
        f"\tset {NFT_SET_V6} {{ type ipv6_addr; flags interval; }}",
        "}",
        f"flush set {NFT_TABLE} {NFT_SET_V4}",
        f"flush set {NFT_TABLE} {NFT_SET_V6}",
    ]
    for name, networks in ((NFT_SET_V4, blocklist.v4), (NFT_SET_V6, blocklist.v6)):
        if networks:
            elements = ", ".join(str(n) for n in networks)
            lines.append(f"add element {NFT_TABLE} {name} {{ {elements} }}")
    return "\n".join(lines) + "\n"


def ipset_restore(blocklist: BlockList) -> str:
    """Input for ``ipset restore``: one ``hash:net`` set per family, emptied and refilled."""
    lines: list[str] = []
    families: tuple[tuple[str, str, Sequence[Network]], ...] = (
        (IPSET_V4, "inet", blocklist.v4),
        (IPSET_V6, "inet6", blocklist.v6),
    )
    for name, family, networks in families:
        lines.append(f"create {name} hash:net family {family} -exist")
        lines.append(f"flush {name}")
        lines.extend(f"add {name} {n} -exist" for n in networks)
    return "\n".join(lines) + "\n"


def pfsense_url_table(blocklist: BlockList, title: str = "votetrail block list") -> str:
    """A pfSense URL Table (IPs) alias: comment header, then one CIDR per line."""
    header = [
        f"# {_one_line(title)}",
        f"# {len(blocklist.v4)} IPv4 and {len(blocklist.v6)} IPv6 networks",
    ]
    return "\n".join([*header, *(str(n) for n in blocklist.networks)]) + "\n"


def plain_cidrs(blocklist: BlockList) -> str:
    """One CIDR per line, IPv4 then IPv6, for any tool that reads a bare list."""
    return "".join(f"{n}\n" for n in blocklist.networks)


def _one_line(text: str) -> str:
    """Text safe inside a ``#`` comment: a newline would start a line the firewall reads."""
    return " ".join(text.split())
