"""`votetrail monitor` watching a live server: quiet while the log grows, loud when it is rewritten.

The server is a real uvicorn on a loopback port (``tests/web/server.py``); the
tests rewrite history behind its back in the database, as an insider with the
signing key would, and re-sign. The witness test checks the cosignature with
its own reading of C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature,
read at C2SP/C2SP commit 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9), using
``cryptography`` directly and none of votetrail's note code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete, insert, update

from tests.cli.helpers import Result, votetrail, votetrail_on
from tests.ports import free_port
from tests.web.server import serving
from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.merkle import leaf_hash, root
from votetrail.core.ledger.note import NoteSigner, sign_note
from votetrail.services.context import App
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store import ledger
from votetrail.store.models import CHECKPOINTS, LEDGER_ENTRIES, LEDGER_HEAD, LEDGER_NODES


def _monitor(capsys: pytest.CaptureFixture[str], url: str, state: Path, *extra: str) -> Result:
    return votetrail(capsys, "monitor", url, "--state", str(state), *extra)


def _key(app: App) -> str:
    return app.signer.verifier.encode()


def _grow(app: App, text: str) -> None:
    with unit_of_work(app, "state-admin") as uow:
        uow.note("log.annotation", {"text": text}, None)


def _leaves(app: App) -> list[bytes]:
    with app.engine.connect() as conn:
        size, _ = ledger.head(conn)
        return [entry.leaf() for _, entry in ledger.entries(conn, 0, size)]


def _rewrite_entry(app: App, seq: int) -> bytes:
    """Change one logged entry and rebuild every stored hash from the forged leaves.

    Afterwards the server's own proofs and appends describe the forged history;
    returns the forged root of the whole log.
    """
    with app.engine.begin() as conn:
        conn.execute(
            update(LEDGER_ENTRIES).where(LEDGER_ENTRIES.c.seq == seq).values(payload_hash="0" * 64)
        )
    leaves = _leaves(app)
    with app.engine.begin() as conn:
        conn.execute(delete(LEDGER_NODES))
        level = 0
        while 1 << level <= len(leaves):
            width = 1 << level
            rows = [
                {"level": level, "idx": i, "hash": root(leaves[i * width : (i + 1) * width])}
                for i in range(len(leaves) // width)
            ]
            conn.execute(insert(LEDGER_NODES), rows)
            level += 1
        forged = root(leaves)
        conn.execute(update(LEDGER_HEAD).values(root_hash=forged))
    assert leaf_hash(leaves[0]) == root(leaves[:1])
    return forged


def _resign(app: App, size: int, root_hash: bytes, signer: NoteSigner | None = None) -> None:
    """Replace the stored checkpoint of ``size`` with one signed now (by the office key)."""
    note = sign_note(Checkpoint(app.origin, size, root_hash).body(), [signer or app.signer])
    with app.engine.begin() as conn:
        conn.execute(
            update(CHECKPOINTS)
            .where(CHECKPOINTS.c.size == size)
            .values(root_hash=root_hash, note=note, signed_at=iso_utc(app.clock()))
        )


def test_monitor_passes_while_the_log_grows(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    state = tmp_path / "monitor.json"
    with serving(demo_app) as url:
        first = _monitor(capsys, url, state)
        assert first.code == 2
        assert "the first run needs --verifier-key" in first.err
        assert not state.exists()

        pinned = _monitor(capsys, url, state, "--verifier-key", _key(demo_app))
        assert pinned.code == 0, pinned.err
        assert "OK: first checkpoint pinned, size 12." in pinned.out

        _grow(demo_app, "canvass begins")
        _grow(demo_app, "canvass continues")
        grown = _monitor(capsys, url, state)
        assert grown.code == 0, grown.err
        assert "grew from 12 to 14 entries, proven consistent" in grown.out

        same = _monitor(capsys, url, state)
        assert same.code == 0, same.err
        assert "unchanged at size 14" in same.out
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["verifier_key"] == _key(demo_app)
    assert "\n14\n" in saved["checkpoint"]
    assert state.stat().st_mode & 0o077 == 0


def _fork_at_the_same_size(app: App) -> str:
    _resign(app, 12, _rewrite_entry(app, 3))
    return "the log forked: at size 12 its root was"


def _fork_then_grow(app: App) -> str:
    _rewrite_entry(app, 5)
    _grow(app, "signed by the office over the forged history")
    return "does not show the tree of size 13 extends the tree of size 12"


def _truncate(app: App) -> str:
    with app.engine.begin() as conn:
        size, root_hash, _ = ledger.checkpoints(conn)[-2]
        conn.execute(delete(CHECKPOINTS).where(CHECKPOINTS.c.size > size))
        conn.execute(delete(LEDGER_ENTRIES).where(LEDGER_ENTRIES.c.seq >= size))
        for level in range(8):
            conn.execute(
                delete(LEDGER_NODES).where(
                    (LEDGER_NODES.c.level == level) & (LEDGER_NODES.c.idx >= size >> level)
                )
            )
        conn.execute(update(LEDGER_HEAD).values(size=size, root_hash=root_hash))
    return f"the log rewound: it was 12 entries long and is now {size}"


def _sign_with_another_key(app: App) -> str:
    _resign(app, 12, _rewrite_entry(app, 2), NoteSigner(app.origin, bytes(range(32))))
    return "is not validly signed by demo.votetrail.localhost/log"


@pytest.mark.parametrize(
    "tamper", [_fork_at_the_same_size, _fork_then_grow, _truncate, _sign_with_another_key]
)
def test_monitor_raises_the_alarm_when_history_is_rewritten(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path, tamper: Callable[[App], str]
) -> None:
    state = tmp_path / "monitor.json"
    with serving(demo_app) as url:
        assert _monitor(capsys, url, state, "--verifier-key", _key(demo_app)).code == 0
        sentence = tamper(demo_app)
        alarm = _monitor(capsys, url, state)
        assert alarm.code == 1
        assert sentence in alarm.err
        # The state still holds the honest checkpoint: the alarm repeats until someone looks.
        assert _monitor(capsys, url, state).code == 1


def test_an_unreachable_server_is_not_a_fork(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    result = _monitor(capsys, down, tmp_path / "m.json", "--verifier-key", "a+00000000+AQ==")
    assert result.code == 2  # the key is checked before anything is fetched
    key = NoteSigner("example.org/log", bytes(32)).verifier.encode()
    result = _monitor(capsys, down, tmp_path / "m.json", "--verifier-key", key)
    assert result.code == 3
    assert f"cannot reach {down}/verifier-key" in result.err
    assert "forked" not in result.err


def test_a_corrupt_state_file_is_named(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    state = tmp_path / "monitor.json"
    state.write_text('{"format": "votetrail-monitor-state/1",\n "url": 7}', encoding="utf-8")
    with serving(demo_app) as url:
        result = _monitor(capsys, url, state)
    assert result.code == 2
    assert f"{state}: field url: missing or not text" in result.err


def test_the_pinned_key_is_not_swapped_silently(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    state = tmp_path / "monitor.json"
    other = NoteSigner(demo_app.origin, bytes(range(32))).verifier.encode()
    with serving(demo_app) as url:
        wrong_first = _monitor(capsys, url, state, "--verifier-key", other)
        assert wrong_first.code == 2
        assert "check which key the office really published" in wrong_first.err
        assert not state.exists()
        assert _monitor(capsys, url, state, "--verifier-key", _key(demo_app)).code == 0
        swapped = _monitor(capsys, url, state, "--verifier-key", other)
        elsewhere = _monitor(capsys, url + "/other", state)
    assert swapped.code == 2
    assert "--verifier-key differs from the key pinned in the state file" in swapped.err
    assert elsewhere.code == 2
    assert f"the state file watches {url}, not {url}/other" in elsewhere.err


def _independent_cosignature_time(note: str, vkey: str) -> int:
    """Check a witness's line per C2SP tlog-cosignature, from the spec alone; return its time."""
    name, hex_id, blob = vkey.strip().split("+", 2)
    raw = base64.b64decode(blob)
    assert raw[0] == 0x04
    assert len(raw) == 33
    public = raw[1:]
    key_id = hashlib.sha256(name.encode() + b"\n" + b"\x04" + public).digest()[:4]
    assert key_id.hex() == hex_id
    body = note[: note.index("\n\n") + 1]
    found = []
    for line in note[len(body) + 1 :].splitlines():
        dash, signer, signature = line.split(" ")
        assert dash == "\u2014"
        decoded = base64.b64decode(signature)
        if signer != name or decoded[:4] != key_id:
            continue
        assert len(decoded) == 4 + 8 + 64
        stamp = int.from_bytes(decoded[4:12], "big")
        message = b"cosignature/v1\ntime " + str(stamp).encode() + b"\n" + body.encode()
        Ed25519PublicKey.from_public_bytes(public).verify(decoded[12:], message)
        found.append(stamp)
    assert len(found) == 1, f"expected one cosignature by {name} in {note!r}"
    return found[0]


def test_a_witness_cosignature_verifies_independently_and_is_served(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    key_file = tmp_path / "witness.key"
    made = votetrail(
        capsys, "witness", "keygen", "witness.example.org/w1", "--output", str(key_file)
    )
    assert made.code == 0, made.err
    vkey = made.out.strip()
    assert key_file.stat().st_mode & 0o077 == 0
    assert (
        votetrail_on(capsys, demo_app, "witness", "add", vkey, "--actor", "state-admin").code == 0
    )
    listed = votetrail_on(capsys, demo_app, "witness", "list")
    assert listed.out.strip() == vkey

    state = tmp_path / "monitor.json"
    before = int(time.time())
    with serving(demo_app) as url:
        run = _monitor(
            capsys, url, state, "--verifier-key", _key(demo_app), "--witness", str(key_file)
        )
        assert run.code == 0, run.err
        assert "Cosigned as witness.example.org/w1." in run.out
        served = httpx.get(f"{url}/checkpoint").text
        size = int(served.split("\n")[1])
        by_size = httpx.get(f"{url}/checkpoints/{size}").text
        keys = httpx.get(f"{url}/checkpoint/witnesses").text
    stamp = _independent_cosignature_time(served, vkey)
    assert before <= stamp <= int(time.time())
    assert by_size == served
    assert keys.strip() == vkey
    # The office's own signature is still there and still first.
    assert served.split("\n\n", 1)[1].startswith(f"\u2014 {demo_app.origin} ")


def test_the_server_refuses_bad_cosignatures(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    from votetrail.core.ledger.cosignature import CosignerKey

    trusted = CosignerKey("witness.example.org/w1", bytes([7]) * 32)
    stranger = CosignerKey("witness.example.org/w1", bytes([8]) * 32)
    assert votetrail_on(capsys, demo_app, "witness", "add", trusted.verifier.encode()).code == 0
    with serving(demo_app) as url:
        note = httpx.get(f"{url}/checkpoint").text
        body = note[: note.index("\n\n") + 1]
        now = int(time.time())

        def post(text: str) -> httpx.Response:
            return httpx.post(f"{url}/checkpoint/cosignatures", content=text.encode())

        unknown = post(note + stranger.cosign(body, now))
        assert unknown.status_code == 400
        assert (
            "no signature line is from a witness this office has configured"
            in (unknown.json()["error"])
        )

        other = Checkpoint.parse(body)
        never = Checkpoint(other.origin, other.size, bytes(32)).body()
        unsigned = post(sign_note(never, [demo_app.signer]) + trusted.cosign(never, now))
        assert unsigned.status_code == 400
        assert "this office never signed that checkpoint" in unsigned.json()["error"]

        malformed = post("hello\n")
        assert malformed.status_code == 400
        assert "not a signed checkpoint" in malformed.json()["error"]

        dash, name, blob = trusted.cosign(body, now).split(" ")
        signed = base64.b64decode(blob)
        restamped = signed[:4] + (now + 1).to_bytes(8, "big") + signed[12:]
        forged = [dash, name, base64.b64encode(restamped).decode() + "\n"]
        bad = post(note + " ".join(forged))
        assert bad.status_code == 400
        assert "cosignature by witness.example.org/w1 does not verify" in bad.json()["error"]

        good = post(note + trusted.cosign(body, now))
        assert good.status_code == 200, good.text
        assert good.json() == {"accepted": ["witness.example.org/w1"]}
        assert trusted.cosign(body, now) in httpx.get(f"{url}/checkpoint").text

        removed = votetrail_on(capsys, demo_app, "witness", "remove", "witness.example.org/w1")
        assert removed.code == 0
        size = Checkpoint.parse(body).size
        assert trusted.cosign(body, now) not in httpx.get(f"{url}/checkpoints/{size}").text
        assert post(note + trusted.cosign(body, now)).status_code == 400
    with demo_app.engine.connect() as conn:
        _, last = ledger.entries(conn, ledger.head(conn)[0] - 1, 1)[0]
    assert (last.event_type, last.record_id) == ("witness.removed", "witness.example.org/w1")


def test_a_reader_requires_k_witnesses(
    capsys: pytest.CaptureFixture[str], demo_app: App, tmp_path: Path
) -> None:
    from votetrail.core.ledger.cosignature import CosignerKey
    from votetrail.formats.monitor_state import write_witness_key
    from votetrail.store.models import COSIGNATURES

    keys = [CosignerKey(f"w{n}.example.org", bytes([n]) * 32) for n in (1, 2)]
    trust: list[str] = []
    for n, key in enumerate(keys):
        write_witness_key(tmp_path / f"w{n}.key", key)
        assert votetrail_on(capsys, demo_app, "witness", "add", key.verifier.encode()).code == 0
        trust += ["--trust-witness", key.verifier.encode()]
    pin = ["--verifier-key", _key(demo_app)]
    reader = tmp_path / "reader.json"
    with serving(demo_app) as url:
        early = _monitor(capsys, url, reader, *pin, *trust, "--min-witnesses", "2")
        assert early.code == 4
        assert "only 0 of the 2 required witnesses have cosigned it so far" in early.err
        for n in range(2):
            run = _monitor(
                capsys, url, tmp_path / f"w{n}.json", *pin, "--witness", str(tmp_path / f"w{n}.key")
            )
            assert run.code == 0, run.err
        late = _monitor(capsys, url, reader, *trust, "--min-witnesses", "2")
        assert late.code == 0, late.err
        assert "Witnessed by w1.example.org, w2.example.org." in late.out
        # A line the office serves in a trusted witness's name that does not verify: an alarm.
        with demo_app.engine.begin() as conn:
            row = conn.execute(COSIGNATURES.select().limit(1)).one()
            dash, name, blob = row.line.split(" ")
            signed = bytearray(base64.b64decode(blob))
            signed[-1] ^= 1
            forged = f"{dash} {name} {base64.b64encode(bytes(signed)).decode()}\n"
            conn.execute(
                update(COSIGNATURES).where(COSIGNATURES.c.witness_name == name).values(line=forged)
            )
        alarm = _monitor(capsys, url, reader, *trust, "--min-witnesses", "1")
    assert alarm.code == 1
    assert "the office serves a forged witness cosignature" in alarm.err
