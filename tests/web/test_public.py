"""The public portal: checkpoint, log pages and proofs, checked with the RFC algorithms."""

from __future__ import annotations

import base64

import httpx

from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.merkle import verify_consistency, verify_inclusion
from votetrail.core.ledger.note import NoteVerifier, open_note


def _b(text: str) -> bytes:
    return base64.b64decode(text)


def test_checkpoint_is_a_signed_note_under_the_published_key(client: httpx.Client) -> None:
    note = client.get("/checkpoint")
    assert note.status_code == 200
    assert note.headers["content-type"].startswith("text/plain")
    key = NoteVerifier.parse(client.get("/verifier-key").text)
    checkpoint = Checkpoint.parse(open_note(note.text, [key]))
    assert checkpoint.origin == "demo.votetrail.localhost/log"
    assert checkpoint.size == 12


def test_every_entry_proves_inclusion_in_the_checkpoint(client: httpx.Client) -> None:
    key = NoteVerifier.parse(client.get("/verifier-key").text)
    checkpoint = Checkpoint.parse(open_note(client.get("/checkpoint").text, [key]))
    for index in range(checkpoint.size):
        proof = client.get(f"/log/proof/inclusion/{index}").json()
        assert proof["tree_size"] == checkpoint.size
        assert verify_inclusion(
            _b(proof["leaf"]),
            index,
            checkpoint.size,
            [_b(h) for h in proof["inclusion_path"]],
            checkpoint.root_hash,
        )


def test_consistency_proofs_link_old_and_new_roots(client: httpx.Client) -> None:
    for old in range(1, 13):
        proof = client.get(f"/log/proof/consistency/{old}/12").json()
        assert verify_consistency(
            old,
            12,
            _b(proof["first_hash"]),
            _b(proof["second_hash"]),
            [_b(h) for h in proof["consistency_path"]],
        )


def test_log_pages_as_html_and_json(client: httpx.Client) -> None:
    page = client.get("/log")
    assert page.status_code == 200
    assert "user.created" in page.text
    data = client.get("/log", params={"start": 0, "format": "json"}).json()
    assert data["tree_size"] == 12
    assert [e["index"] for e in data["entries"]] == list(range(12))
    assert data["entries"][0]["type"] == "log.created"
    one = client.get("/log/entries/3").json()
    assert one == data["entries"][3]


def test_public_errors_have_one_shape(client: httpx.Client) -> None:
    missing = client.get("/log/proof/inclusion/99")
    assert missing.status_code == 404
    assert missing.json() == {"error": "entry 99 is not in a log of size 12", "status": 404}
    bad = client.get("/log/proof/consistency/abc")
    assert bad.status_code == 400
    assert bad.json() == {"error": "old: must be a whole number", "status": 400}
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert "no page at /no/such/page" in page.text


def test_security_headers_on_every_response(client: httpx.Client) -> None:
    for path in ("/", "/checkpoint", "/log/proof/inclusion/0", "/nope"):
        response = client.get(path)
        assert response.headers["x-frame-options"] == "DENY"
        assert "default-src 'self'" in response.headers["content-security-policy"]
