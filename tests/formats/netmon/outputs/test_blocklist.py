"""Block lists: deduplication, collapsing, the allowlist and each format's exact text."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network

import pytest

from tests.formats.netmon.outputs.samples import RESEARCH, incident
from votetrail.core.netmon.incidents import RESEARCH_SCANNER, IncidentKind
from votetrail.errors import InvalidInput
from votetrail.formats.netmon.outputs.blocklist import (
    BlockList,
    build_blocklist,
    ipset_restore,
    nftables,
    pfsense_url_table,
    plain_cidrs,
)

SLASH_30 = tuple(f"192.0.2.{i}" for i in range(4))
EXAMPLE = [
    incident(kind=IncidentKind.DISTRIBUTED, sources=SLASH_30),
    incident(sources=("192.0.2.1", "198.51.100.9")),
    incident(sources=("2001:db8::1",)),
]


def small() -> BlockList:
    return build_blocklist(EXAMPLE)


def test_sources_are_deduplicated_and_collapsed() -> None:
    assert small() == BlockList(
        v4=(IPv4Network("192.0.2.0/30"), IPv4Network("198.51.100.9/32")),
        v6=(IPv6Network("2001:db8::1/128"),),
    )


def test_allowlist_removes_covered_sources() -> None:
    blocked = build_blocklist(EXAMPLE, allow=[ip_network("198.51.100.0/24")])
    assert blocked.v4 == (IPv4Network("192.0.2.0/30"),)


def test_allowlist_cuts_around_a_widened_network() -> None:
    blocked = build_blocklist(
        [incident(sources=("192.0.2.200",))],
        allow=[ip_network("192.0.2.0/25")],
        prefix_v4=24,
    )
    assert blocked.v4 == (IPv4Network("192.0.2.128/25"),)


def test_widening_blocks_the_whole_network() -> None:
    blocked = build_blocklist(EXAMPLE, prefix_v4=24, prefix_v6=64)
    assert blocked.v4 == (IPv4Network("192.0.2.0/24"), IPv4Network("198.51.100.0/24"))
    assert blocked.v6 == (IPv6Network("2001:db8::/64"),)


def test_labelled_research_scanners_can_be_skipped() -> None:
    assert build_blocklist([RESEARCH]).v4 == (IPv4Network("198.18.0.1/32"),)
    assert build_blocklist([RESEARCH], skip_labels={RESEARCH_SCANNER}).v4 == ()


@pytest.mark.parametrize(("v4", "v6"), [(0, 128), (33, 128), (24, 0), (24, 129)])
def test_impossible_prefix_is_refused(v4: int, v6: int) -> None:
    with pytest.raises(InvalidInput, match="prefix"):
        build_blocklist(EXAMPLE, prefix_v4=v4, prefix_v6=v6)


def test_nftables_text() -> None:
    assert nftables(small()) == (
        "# votetrail block list: load with `nft -f FILE`\n"
        "table inet filter {\n"
        "\tset votetrail_block_v4 { type ipv4_addr; flags interval; }\n"
        "\tset votetrail_block_v6 { type ipv6_addr; flags interval; }\n"
        "}\n"
        "flush set inet filter votetrail_block_v4\n"
        "flush set inet filter votetrail_block_v6\n"
        "add element inet filter votetrail_block_v4 { 192.0.2.0/30, 198.51.100.9/32 }\n"
        "add element inet filter votetrail_block_v6 { 2001:db8::1/128 }\n"
    )


def test_nftables_leaves_out_an_empty_family() -> None:
    text = nftables(build_blocklist([incident()]))
    assert "add element inet filter votetrail_block_v6" not in text
    assert "flush set inet filter votetrail_block_v6" in text


def test_ipset_text() -> None:
    assert ipset_restore(small()) == (
        "create votetrail-block hash:net family inet -exist\n"
        "flush votetrail-block\n"
        "add votetrail-block 192.0.2.0/30 -exist\n"
        "add votetrail-block 198.51.100.9/32 -exist\n"
        "create votetrail-block6 hash:net family inet6 -exist\n"
        "flush votetrail-block6\n"
        "add votetrail-block6 2001:db8::1/128 -exist\n"
    )


def test_pfsense_text() -> None:
    assert pfsense_url_table(small(), title="office\nblock") == (
        "# office block\n"
        "# 2 IPv4 and 1 IPv6 networks\n"
        "192.0.2.0/30\n"
        "198.51.100.9/32\n"
        "2001:db8::1/128\n"
    )


def test_plain_text() -> None:
    assert plain_cidrs(small()) == "192.0.2.0/30\n198.51.100.9/32\n2001:db8::1/128\n"
    assert plain_cidrs(build_blocklist([])) == ""
