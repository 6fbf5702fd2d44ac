"""`votetrail ledger ...` prints what outside tools can check."""

from __future__ import annotations

import base64
import json

import pytest

from tests.cli.helpers import votetrail_on
from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.merkle import verify_consistency, verify_inclusion
from votetrail.core.ledger.note import NoteVerifier, open_note
from votetrail.services.context import App


def test_checkpoint_key_and_proofs(capsys: pytest.CaptureFixture[str], demo_app: App) -> None:
    note = votetrail_on(capsys, demo_app, "ledger", "checkpoint")
    key = votetrail_on(capsys, demo_app, "ledger", "verifier-key")
    assert note.code == key.code == 0
    assert key.out.startswith("demo.votetrail.localhost/log+")
    checkpoint = Checkpoint.parse(open_note(note.out, [NoteVerifier.parse(key.out)]))
    assert checkpoint.size == 12

    inclusion = votetrail_on(capsys, demo_app, "ledger", "prove", "--index", "4")
    proof = json.loads(inclusion.out)
    assert verify_inclusion(
        base64.b64decode(proof["leaf"]),
        4,
        12,
        [base64.b64decode(h) for h in proof["inclusion_path"]],
        checkpoint.root_hash,
    )
    consistency = votetrail_on(capsys, demo_app, "ledger", "prove", "--old-size", "5")
    proof = json.loads(consistency.out)
    assert verify_consistency(
        5,
        12,
        base64.b64decode(proof["first_hash"]),
        checkpoint.root_hash,
        [base64.b64decode(h) for h in proof["consistency_path"]],
    )


def test_entries_listing(capsys: pytest.CaptureFixture[str], demo_app: App) -> None:
    listing = votetrail_on(capsys, demo_app, "ledger", "entries", "--start", "2", "--limit", "3")
    assert listing.code == 0
    lines = listing.out.splitlines()
    assert len(lines) == 3
    assert "jurisdiction.created" in lines[0]
    assert "jurisdiction:adams" in lines[0]
    as_json = votetrail_on(capsys, demo_app, "ledger", "entries", "--json", "--limit", "2")
    rows = [json.loads(line) for line in as_json.out.splitlines()]
    assert [r["type"] for r in rows] == ["log.created", "jurisdiction.created"]


def test_prove_needs_exactly_one_question(
    capsys: pytest.CaptureFixture[str], demo_app: App
) -> None:
    result = votetrail_on(capsys, demo_app, "ledger", "prove")
    assert result.code == 1
    assert result.err.strip() == "error: give exactly one of --index or --old-size"
    beyond = votetrail_on(capsys, demo_app, "ledger", "prove", "--index", "40")
    assert beyond.code == 1
    assert "entry 40 is not in a log of size 12" in beyond.err


def test_admin_commands_go_through_the_log(
    capsys: pytest.CaptureFixture[str], demo_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    added = votetrail_on(capsys, demo_app, "admin", "add-county", "dunn", "Dunn County")
    assert added.code == 0, added.err
    monkeypatch.setenv("VOTETRAIL_PASSWORD", "a-long-enough-password")
    user = votetrail_on(capsys, demo_app, "admin", "add-user", "dunn-admin", "county_admin", "dunn")
    assert user.code == 0, user.err
    bad_role = votetrail_on(capsys, demo_app, "admin", "add-user", "x-admin", "mayor", "dunn")
    assert bad_role.code == 1
    assert "role 'mayor': must be one of" in bad_role.err
    for name in ("anonymous", "system"):  # the log's names for visitors and setup
        reserved = votetrail_on(capsys, demo_app, "admin", "add-user", name, "county_admin", "dunn")
        assert reserved.code == 1
        assert "the log's name for visitors or votetrail itself" in reserved.err
    assert votetrail_on(capsys, demo_app, "verify").code == 0
    tail = votetrail_on(capsys, demo_app, "ledger", "entries", "--start", "12")
    assert "jurisdiction.created" in tail.out
    assert "user:dunn-admin" in tail.out
