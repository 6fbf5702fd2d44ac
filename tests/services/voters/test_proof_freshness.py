"""A voter proof shows the record current as of the checkpoint it names, not merely once current.

Issue 12 item 2: a version-1 proof re-attached to the newest checkpoint with a
valid inclusion path used to pass as "the current record". Every test runs on
SQLite and PostgreSQL through the real services and the real command.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import votetrail
from tests.services.voters.fixtures import load, who
from votetrail.core.voters.record import Address
from votetrail.core.voters.transactions import Change, Kind
from votetrail.errors import PermissionDenied
from votetrail.services.context import App
from votetrail.services.voters import proofs as voter_proofs
from votetrail.services.voters import records as voters
from votetrail.services.voters.proofs import _entry_json, check_bundle, is_stale, prove
from votetrail.store import ledger

VOTER = "ADAMS000004"


def _move(app: App, voter_id: str, n: int) -> None:
    voters.change(
        app,
        who(app, "adams-admin"),
        voter_id,
        Change(
            Kind.ADDRESS,
            reason="voter reported a move",
            source_ref=f"DMV-{n}",
            values={"residence": Address(f"{n} Oak Ave", "Springfield", "CO", "80002")},
        ),
    )


def _reattach(app: App, old: dict[str, Any], *, with_trail: bool) -> dict[str, Any]:
    """The attack: the old bundle under the newest checkpoint, with a valid inclusion path.

    ``with_trail`` also hands over the true log entries between the old map
    update and the new checkpoint (they are public), as a careful forger would.
    """
    forged: dict[str, Any] = json.loads(json.dumps(old))
    index = old["map_entry"]["index"]
    with app.engine.connect() as conn:
        size, _ = ledger.head(conn)
        note = ledger.latest_checkpoint(conn)
        assert note is not None
        forged["checkpoint"] = note
        forged["inclusion_path"] = [
            base64.b64encode(h).decode() for h in ledger.inclusion(conn, index, size)
        ]
        if with_trail:
            forged["later_entries"] = [
                _entry_json(i, e) for i, e in ledger.entries(conn, index + 1, size - index - 1)
            ]
    return forged


def test_an_old_proof_reattached_to_the_newest_checkpoint_is_stale(demo_app: App) -> None:
    """Fails on the old code: check_bundle returned [] for the re-attached version-1 proof."""
    load(demo_app)
    key = demo_app.signer.verifier.encode()
    old = prove(demo_app, VOTER)
    assert check_bundle(old, key) == []
    _move(demo_app, VOTER, 1)
    for with_trail in (False, True):
        forged = _reattach(demo_app, old, with_trail=with_trail)
        problems = check_bundle(forged, key)
        assert is_stale(problems), problems
        # The inclusion path itself is valid: only the freshness check catches it.
        assert "the log entry is not included in the signed checkpoint" not in problems
    problems = check_bundle(_reattach(demo_app, old, with_trail=True), key)
    assert any(p.startswith("stale: log entry #") and "voters.map_updated" in p for p in problems)
    fresh = prove(demo_app, VOTER)
    assert fresh["record"]["version"] == 2
    assert check_bundle(fresh, key) == []


def test_a_proof_of_an_untouched_voter_stays_good_after_others_change(demo_app: App) -> None:
    """An old proof is stale after ANY map update, even one about another voter: say so."""
    load(demo_app)
    key = demo_app.signer.verifier.encode()
    old = prove(demo_app, "ADAMS000010")
    _move(demo_app, VOTER, 1)
    assert is_stale(check_bundle(_reattach(demo_app, old, with_trail=True), key))
    assert check_bundle(old, key) == []  # still true of the checkpoint it names
    assert check_bundle(prove(demo_app, "ADAMS000010"), key) == []


def test_a_record_of_another_voter_under_this_voters_proof_is_refused(demo_app: App) -> None:
    """The bundle names the voter twice, in the record and beside it: both must agree."""
    load(demo_app)
    key = demo_app.signer.verifier.encode()
    bundle = prove(demo_app, VOTER)
    bundle["record"]["voter_id"] = "ADAMS000005"
    assert "the record is another voter's" in check_bundle(bundle, key)


def test_a_trail_with_an_entry_left_out_is_not_accepted(demo_app: App) -> None:
    load(demo_app)
    _move(demo_app, VOTER, 1)
    with pytest.raises(PermissionDenied):
        _move_as(demo_app, "baker-admin", VOTER, 1)  # logged after the map update
    key = demo_app.signer.verifier.encode()
    bundle = prove(demo_app, VOTER)
    assert check_bundle(bundle, key) == []
    assert bundle["later_entries"][-1]["type"] == "access.denied"
    bundle["later_entries"] = bundle["later_entries"][:-1]
    assert is_stale(check_bundle(bundle, key))


def test_far_behind_checkpoints_still_prove_freshness(
    demo_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With many entries after the last map update, the proof names a nearer checkpoint."""
    load(demo_app)
    _move(demo_app, VOTER, 1)
    with demo_app.engine.connect() as conn:
        map_seq = max(i for i, e in ledger.entries(conn, 0, 10_000) if e.record_type == "voter_map")
    for n in range(3):  # refused requests are logged, the map does not change
        with pytest.raises(PermissionDenied):
            _move_as(demo_app, "baker-admin", VOTER, n)
    monkeypatch.setattr(voter_proofs, "MAX_TRAIL", 1)
    bundle = prove(demo_app, VOTER)
    size = int(bundle["checkpoint"].split("\n")[1])
    assert map_seq < size <= map_seq + 2
    assert check_bundle(bundle, demo_app.signer.verifier.encode()) == []


def _move_as(app: App, user: str, voter_id: str, n: int) -> None:
    voters.change(
        app,
        who(app, user),
        voter_id,
        Change(Kind.PARTY, reason="asked", source_ref=f"F-{n}", values={"party": f"P{n}"}),
    )


def test_check_proof_command_says_stale_and_fails(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    load(demo_app)
    old = prove(demo_app, VOTER)
    _move(demo_app, VOTER, 1)
    key = tmp_path / "verifier.key"
    key.write_text(demo_app.signer.verifier.encode() + "\n")
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps(_reattach(demo_app, old, with_trail=True)))
    result = votetrail(capsys, "voters", "check-proof", str(stale), "--verifier-key", str(key))
    assert result.code != 0
    assert "STALE" in result.out + result.err
    fresh = tmp_path / "fresh.json"
    fresh.write_text(json.dumps(prove(demo_app, VOTER)))
    result = votetrail(capsys, "voters", "check-proof", str(fresh), "--verifier-key", str(key))
    assert result.code == 0, result.out + result.err
    assert f"OK: {VOTER} version 2 is the current record" in result.out
