"""Signed notes: checked by a verifier written here from the C2SP spec, and by Go's vectors.

A checkpoint is only worth publishing if tools that never saw votetrail can
check it. ``independent_open`` below follows https://c2sp.org/signed-note with
plain string operations, hashlib and ``cryptography``'s Ed25519 directly; it
never calls votetrail's verification path. The Go ``note`` package's own test
vectors then pin key strings and signatures byte for byte (Ed25519 is
deterministic, so the same key and text must give the same signature).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.note import (
    NoteSigner,
    NoteVerifier,
    key_id,
    open_note,
    parse_signed_note,
    sign_note,
)
from votetrail.errors import SigningKeyError, VerificationFailed

# golang/mod sumdb/note/note_test.go (commit 02c991387e35f9e4c0a9b7ce137717055f8d716d):
# TestNewSigner / TestSign / TestOpen / TestVerifierList.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotp"
    + "RZb6KE6RyyBwJnAM=\n"
)
GO_ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox3"
    + "3WWd1RvMc+QQ=\n"
)
GO_SIGNED = GO_TEXT + "\n" + GO_PETER_SIG

ORIGIN = "example.org/votetrail"
SEED = hashlib.sha256(b"votetrail-test-key-0").digest()
ROOT8 = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")


def independent_key(vkey: str) -> tuple[str, int, bytes]:
    """Parse ``name+hexid+base64(0x01||pubkey)`` and check the ID: name, id, public key."""
    name, hex_id, blob = vkey.split("+", 2)  # base64 may contain '+'
    raw = base64.b64decode(blob, validate=True)
    assert len(hex_id) == 8
    assert len(raw) == 33
    assert raw[0] == 0x01
    public = raw[1:]
    wanted = int.from_bytes(hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4])
    assert int(hex_id, 16) == wanted
    return name, wanted, public


def independent_open(note: str, vkey: str) -> str:
    """Return the text if ``vkey`` signed it; raise otherwise. Spec rules only."""
    name, kid, public = independent_key(vkey)
    assert note.endswith("\n")
    cut = note.rindex("\n\n")
    text, block = note[: cut + 1], note[cut + 2 :]
    assert all(c == "\n" or ord(c) >= 0x20 for c in note)
    verified = False
    for line in block.removesuffix("\n").split("\n"):
        dash, signer, b64 = line.split(" ")
        assert dash == "\u2014"
        blob = base64.b64decode(b64, validate=True)
        if signer == name and int.from_bytes(blob[:4]) == kid:
            Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], text.encode())
            verified = True
    assert verified, "no signature by the trusted key"
    return text


SIGNER = NoteSigner(ORIGIN, SEED)
BODY = Checkpoint(ORIGIN, 8, ROOT8).body()
SIGNED = sign_note(BODY, [SIGNER])


def test_independent_verifier_accepts_our_checkpoint() -> None:
    """A checkpoint signed by votetrail passes a verifier that shares none of its code."""
    assert independent_open(SIGNED, SIGNER.verifier.encode()) == BODY
    assert open_note(SIGNED, [SIGNER.verifier]) == BODY
    assert SIGNED.startswith(BODY + "\n\u2014 ")
    with pytest.raises(InvalidSignature):  # the independent verifier is not a rubber stamp
        independent_open(SIGNED.replace("\n8\n", "\n9\n"), SIGNER.verifier.encode())


def test_verifier_key_string_names_the_same_key() -> None:
    """The published verifier key carries the seed's public key and the spec's key ID."""
    public = Ed25519PrivateKey.from_private_bytes(SEED).public_key()
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    vkey = SIGNER.verifier.encode()
    assert independent_key(vkey) == (ORIGIN, key_id(ORIGIN, raw), raw)
    assert NoteVerifier.parse(vkey) == NoteVerifier(ORIGIN, raw) == SIGNER.verifier


def test_signature_line_layout() -> None:
    """After the blank line: exactly ``— name base64(keyid || 64-byte signature)\\n``."""
    line = SIGNED.split("\n\n")[1]
    dash, name, b64 = line.removesuffix("\n").split(" ")
    assert (dash, name, line.count("\n")) == ("\u2014", ORIGIN, 1)
    blob = base64.b64decode(b64, validate=True)
    assert len(blob) == 4 + 64
    assert int.from_bytes(blob[:4]) == SIGNER.verifier.key_id


def test_go_vector_signature_is_reproduced() -> None:
    """Go's PeterNeumann key signs Go's text to exactly Go's signed note."""
    seed = base64.b64decode(GO_SKEY.split("+", 4)[4])[1:]
    peter = NoteSigner("PeterNeumann", seed)
    assert peter.encode() == GO_SKEY
    assert peter.verifier.encode() == GO_VKEY
    assert sign_note(GO_TEXT, [peter]) == GO_SIGNED
    assert independent_open(GO_SIGNED, GO_VKEY) == GO_TEXT
    # Go's private key has a '+' inside its base64; it must still parse.
    assert NoteSigner.parse(GO_SKEY) == peter
    assert NoteVerifier.parse(GO_VKEY).key_id == 0xC74F20A3
    assert NoteVerifier.parse(GO_ENOCH_VKEY).key_id == 0xAF0CFE78


def test_go_two_signature_note() -> None:
    """Go's TestOpen: unknown signatures are ignored, a note with no known one is refused."""
    note = GO_TEXT + "\n" + GO_PETER_SIG + GO_ENOCH_SIG
    peter, enoch = NoteVerifier.parse(GO_VKEY), NoteVerifier.parse(GO_ENOCH_VKEY)
    assert open_note(note, [peter]) == GO_TEXT
    assert open_note(note, [enoch]) == GO_TEXT
    assert open_note(note, [peter, enoch]) == GO_TEXT
    with pytest.raises(VerificationFailed, match="trusted"):
        open_note(note, [])
    _, sigs = parse_signed_note(note)
    assert [(s.name, s.key_id) for s in sigs] == [
        ("PeterNeumann", 0xC74F20A3),
        ("EnochRoot", 0xAF0CFE78),
    ]


@pytest.mark.parametrize(
    "note",
    [
        pytest.param(GO_TEXT, id="no-sigs"),
        pytest.param(GO_TEXT + "\n", id="blank-only"),
        pytest.param(GO_TEXT + "\n" + GO_PETER_SIG[:-1], id="no-final-newline"),
        pytest.param("\x01" + GO_SIGNED, id="control-char"),
        pytest.param(GO_SIGNED.replace("PeterNeumann", "Peter Neumann"), id="name-with-space"),
        pytest.param(GO_SIGNED + "Unexpected line.\n", id="stray-line"),
        # Go: text + "\n" + peterSig[:60] + "ABCD" + peterSig[60:]
        pytest.param(GO_SIGNED[:160] + "ABCD" + GO_SIGNED[160:], id="bad-signature"),
    ],
)
def test_go_bad_messages_are_refused(note: str) -> None:
    """Go's TestOpen malformed notes and corrupted signature are refused here too."""
    with pytest.raises(VerificationFailed):
        open_note(note, [NoteVerifier.parse(GO_VKEY)])


def _tamper_text(note: str) -> str:
    return note.replace("\n8\n", "\n9\n", 1)


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(_tamper_text, id="tampered-text"),
        pytest.param(lambda n: n.replace("\u2014 ", "- ", 1), id="hyphen-not-em-dash"),
        pytest.param(lambda n: n.replace("\u2014 ", "\u2014  ", 1), id="double-space"),
        pytest.param(lambda n: n[:-5] + "!!!=\n", id="bad-base64"),
        pytest.param(lambda n: n.rsplit(" ", 1)[0] + " AAAA\n", id="signature-too-short"),
        pytest.param(lambda n: n.replace("\n\n", "\n", 1), id="no-blank-line"),
        pytest.param(lambda n: n.replace(f" {ORIGIN} ", " ", 1), id="no-key-name"),
    ],
)
def test_mangled_notes_are_refused(mangle: Callable[[str], str]) -> None:
    """Any edit to the text or the signature lines makes open_note refuse the note."""
    with pytest.raises(VerificationFailed):
        open_note(mangle(SIGNED), [SIGNER.verifier])


def test_wrong_key_or_name_is_refused() -> None:
    """Another key under our name, or our key under another name, verifies nothing."""
    wrong_key = NoteSigner(ORIGIN, hashlib.sha256(b"another key").digest()).verifier
    wrong_name = NoteVerifier("example.org/other", SIGNER.verifier.public_key)
    for verifier in (wrong_key, wrong_name):
        with pytest.raises(VerificationFailed, match="trusted"):
            open_note(SIGNED, [verifier])


def test_bad_signature_from_known_key_rejects_whole_note() -> None:
    """Spec: a known key's failing signature sinks the note even next to a good one."""
    body, line = SIGNED.split("\n\n")
    forged = NoteSigner(ORIGIN, hashlib.sha256(b"forger").digest()).sign(body.encode() + b"\n")
    kid = SIGNER.verifier.key_id.to_bytes(4, "big")
    bad_line = f"\u2014 {ORIGIN} {base64.b64encode(kid + forged).decode()}\n"
    with pytest.raises(VerificationFailed, match="does not verify"):
        open_note(f"{body}\n\n{line}{bad_line}", [SIGNER.verifier])
    with pytest.raises(VerificationFailed, match="does not verify"):
        open_note(f"{body}\n\n{bad_line}", [SIGNER.verifier])


@pytest.mark.parametrize(
    "seed_label", [b"votetrail-test-key-0", b"votetrail-test-key-1", b"votetrail-test-key-2"]
)
def test_key_strings_round_trip(seed_label: bytes) -> None:
    """encode/parse are inverses, including keys whose base64 contains '+' (seeds 1 and 2)."""
    key = NoteSigner(ORIGIN, hashlib.sha256(seed_label).digest())
    assert NoteSigner.parse(key.encode()) == key
    assert NoteVerifier.parse(key.verifier.encode()) == key.verifier


@pytest.mark.parametrize(
    "text",
    [
        GO_SKEY.replace("PRIVATE+KEY", "PRIVATE+KEX"),
        GO_SKEY.replace("c74f20a3", "c74f20a4"),
        GO_SKEY.replace("c74f20a3", "c74f20g3"),
        GO_SKEY.replace("PeterNeumann", "PeterNeumanm"),
        GO_SKEY[:-1],
        GO_SKEY[:-4] + "KDF",
        GO_SKEY.replace("+AYEK", "+AoEK"),
        "PRIVATE+KEY+PeterNeumann+c74f20a3",
        "",
    ],
)
def test_corrupt_signing_keys_are_refused(text: str) -> None:
    """Wrong prefix, ID, name, base64, algorithm byte or length: SigningKeyError."""
    with pytest.raises(SigningKeyError):
        NoteSigner.parse(text)


def test_every_go_verifier_key_mangling_is_refused() -> None:
    """Go's TestNewVerifier: every proper substring and every one-character bump fails,
    as do its wrong-length and unknown-algorithm keys with adjusted IDs."""
    n = len(GO_VKEY)
    mangled = {GO_VKEY[i:j] for i in range(n) for j in range(i + 1, n + 1)} - {GO_VKEY}
    mangled |= {GO_VKEY[:i] + chr(ord(c) + 1) + GO_VKEY[i + 1 :] for i, c in enumerate(GO_VKEY)}
    mangled |= {
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    }
    accepted = []
    for key in sorted(mangled):
        try:
            NoteVerifier.parse(key)
        except SigningKeyError:
            continue
        accepted.append(key)
    assert accepted == []


@pytest.mark.parametrize(
    ("name", "seed"), [("", SEED), ("a b", SEED), ("a+b", SEED), (ORIGIN, SEED[:31])]
)
def test_bad_signer_arguments(name: str, seed: bytes) -> None:
    """Names with spaces or '+' and seeds that are not 32 bytes are refused up front."""
    with pytest.raises(SigningKeyError):
        NoteSigner(name, seed)


@pytest.mark.parametrize("name", ["a+b", "a\x01b"])
def test_signature_line_with_invalid_key_name_is_malformed(name: str) -> None:
    """Spec: key names have no '+', and a note has no control characters anywhere.

    Go's ``note.Open`` calls such a note malformed, even when the bad line
    belongs to an unknown key; it must not be opened.
    """
    note = GO_SIGNED + f"\u2014 {name} AAAAAAA=\n"
    with pytest.raises(VerificationFailed):
        open_note(note, [NoteVerifier.parse(GO_VKEY)])
