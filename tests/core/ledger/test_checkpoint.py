"""Checkpoint bodies follow https://c2sp.org/tlog-checkpoint to the byte.

Witnesses and monitors written against the C2SP spec parse our checkpoints,
and we parse theirs; a stray space or a leading zero would make two honest
parties disagree about what was signed. Parsing is strict so a malformed body
is an error, never a silently different checkpoint.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.note import parse_signed_note
from votetrail.errors import VerificationFailed

# The eight-leaf RFC 6962 test tree root (transparency-dev/merkle testonly/constants.go).
ROOT8 = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
ROOT8_B64 = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="
EMPTY_ROOT_B64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

# The example in C2SP/C2SP tlog-checkpoint.md (commit 2793893976c835db049c194d8f2c4f946dcb70ba).
SPEC_EXAMPLE = (
    "example.com/behind-the-sofa\n"
    + "20852163\n"
    + "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    + "\n"
    + "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5"
    + "/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)


def test_body_is_exactly_origin_size_root() -> None:
    """Three lines, each ending in a newline, standard padded base64 for the root."""
    body = Checkpoint("example.org/votetrail", 8, ROOT8).body()
    assert body == "example.org/votetrail\n8\n" + ROOT8_B64 + "\n"
    assert base64.b64decode(ROOT8_B64) == ROOT8


def test_empty_tree_body() -> None:
    """Size 0 is written as a single zero, with the hash of the empty string as root."""
    body = Checkpoint("log", 0, hashlib.sha256(b"").digest()).body()
    assert body == f"log\n0\n{EMPTY_ROOT_B64}\n"
    assert Checkpoint.parse(body).size == 0


def test_parse_round_trip() -> None:
    """parse(body()) gives back the same checkpoint and body() of a parse is the input."""
    cp = Checkpoint("example.org/votetrail", 123456789, ROOT8)
    assert Checkpoint.parse(cp.body()) == cp
    assert Checkpoint.parse(cp.body()).body() == cp.body()


def test_extension_lines_are_kept_in_order() -> None:
    """Extension lines follow the root, one per line, and survive a round trip."""
    cp = Checkpoint("o", 3, ROOT8, ("ext one", "ext two"))
    assert cp.body() == f"o\n3\n{ROOT8_B64}\next one\next two\n"
    assert Checkpoint.parse(cp.body()) == cp
    assert Checkpoint.parse(cp.body()).extensions == ("ext one", "ext two")


def test_spec_example_parses() -> None:
    """The spec's own example checkpoint is read as origin, size and 32-byte root."""
    text, signatures = parse_signed_note(SPEC_EXAMPLE)
    cp = Checkpoint.parse(text)
    assert cp.origin == "example.com/behind-the-sofa"
    assert cp.size == 20852163
    assert cp.root_hash.hex() == (
        "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62"
    )
    assert cp.extensions == ()
    assert cp.body() == text
    assert [s.name for s in signatures] == ["example.com/behind-the-sofa"]


@pytest.mark.parametrize(
    "size", ["08", "00", "+8", "-1", " 8", "8 ", "0x8", "8.0", "1_000", "", "\uff18", "\u0668"]
)
def test_size_must_be_plain_ascii_decimal(size: str) -> None:
    """No leading zeros, signs, spaces, separators or non-ASCII digits (Python's int() takes
    several of these, the spec does not)."""
    with pytest.raises(VerificationFailed):
        Checkpoint.parse(f"o\n{size}\n{ROOT8_B64}\n")


@pytest.mark.parametrize(
    "root",
    [
        pytest.param(ROOT8_B64.rstrip("="), id="missing-padding"),
        pytest.param(ROOT8_B64[:-2] + "!=", id="not-base64-alphabet"),
        pytest.param(ROOT8_B64[:10] + " " + ROOT8_B64[10:], id="inner-space"),
        pytest.param(ROOT8_B64.replace("+", "-").replace("/", "_"), id="url-safe-alphabet"),
        pytest.param(base64.b64encode(ROOT8[:31]).decode(), id="31-bytes"),
        pytest.param(base64.b64encode(ROOT8 + b"\x00").decode(), id="33-bytes"),
        pytest.param(base64.b64encode(ROOT8 * 2).decode(), id="64-bytes"),
    ],
)
def test_root_must_be_base64_of_32_bytes(root: str) -> None:
    """Only standard, padded base64 of exactly a SHA-256 hash is a root."""
    with pytest.raises(VerificationFailed):
        Checkpoint.parse(f"o\n8\n{root}\n")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"o\n8\n{ROOT8_B64}", id="missing-final-newline"),
        pytest.param(f"o\n8\n{ROOT8_B64}\n\n", id="trailing-empty-line"),
        pytest.param(f"\n8\n{ROOT8_B64}\n", id="empty-origin"),
        pytest.param(f"o\n\n8\n{ROOT8_B64}\n", id="empty-line-after-origin"),
        pytest.param(f"o\n8\n{ROOT8_B64}\n\next\n", id="empty-line-before-extension"),
        pytest.param(f"o\n8\n{ROOT8_B64}\next\n\n", id="empty-extension-at-end"),
        pytest.param("o\n8\n", id="no-root"),
        pytest.param("", id="empty"),
        pytest.param("\n", id="only-newline"),
    ],
)
def test_malformed_bodies_are_refused(body: str) -> None:
    """The spec's "at least three non-empty lines", each ending in a newline."""
    with pytest.raises(VerificationFailed):
        Checkpoint.parse(body)


lines = st.text(st.characters(codec="utf-8", exclude_characters="\n"), min_size=1)


@given(
    lines,
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
    st.lists(lines, max_size=3),
)
def test_any_valid_checkpoint_round_trips(
    origin: str, size: int, root: bytes, extensions: list[str]
) -> None:
    """Every checkpoint the spec allows survives body() then parse() unchanged."""
    cp = Checkpoint(origin, size, root, tuple(extensions))
    assert Checkpoint.parse(cp.body()) == cp
