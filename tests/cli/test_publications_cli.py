"""``votetrail publish`` and the offline ``votetrail verify-document``, on both backends.

The bundle is made by the real ``publication bundle`` command; the offline
check then runs with no database at all (no --data-dir is given to it).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import votetrail, votetrail_on
from tests.web.server import serving
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD

PDF = b"%PDF-1.4\n% official results\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def published(
    demo_app: App,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Path, Path, str]:
    """A PDF published by Adams' clerk through the CLI, its bundle and the verifier key."""
    monkeypatch.setenv("VOTETRAIL_PASSWORD", DEMO_PASSWORD)
    document = tmp_path / "results.pdf"
    document.write_bytes(PDF)
    done = votetrail_on(
        capsys, demo_app, "publish", str(document), "--title", "Official results",
        "--kind", "results", "--jurisdiction", "adams", "--user", "adams-admin",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert "Published adams-pub-1" in done.out
    # The log grows after publishing: the bundle's proof is not a trivial one-leaf tree.
    _publish_text(capsys, demo_app, "Later notice")
    bundle = tmp_path / "results.pdf.bundle.json"
    made = votetrail_on(
        capsys, demo_app, "publication", "bundle", "adams-pub-1", "--output", str(bundle)
    )
    assert made.code == 0, made.err
    key = votetrail_on(capsys, demo_app, "ledger", "verifier-key").out.strip()
    return document, bundle, key


def _publish_text(capsys: pytest.CaptureFixture[str], app: App, title: str) -> None:
    """One more publication, so the log grows past the bundle's checkpoint."""
    done = votetrail_on(
        capsys, app, "publish", "--text", title, "--title", title,
        "--kind", "notice", "--jurisdiction", "adams", "--user", "adams-admin",
    )  # fmt: skip
    assert done.code == 0, done.err


def _flipped(encoded: str, at: int) -> str:
    """Base64 ``encoded`` with one bit of byte ``at`` changed."""
    raw = bytearray(base64.b64decode(encoded))
    raw[at] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def _edit(bundle: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(bundle.read_text())
    change(data)
    bundle.write_text(json.dumps(data))


def _check(
    capsys: pytest.CaptureFixture[str], document: Path, key: str, *extra: str
) -> tuple[int, str]:
    result = votetrail(capsys, "verify-document", str(document), "--verifier-key", key, *extra)
    return result.code, result.out + result.err


def test_good_bundle(published: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    document, _, key = published
    code, said = _check(capsys, document, key)
    assert code == 0, said
    assert "Published by Adams County on" in said
    assert "as 'Official results', log entry" in said
    assert "proof checked against checkpoint of size" in said


def test_wrong_file(
    published: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, bundle, key = published
    changed = tmp_path / "copy.pdf"
    changed.write_bytes(PDF.replace(b"official", b"officiaL"))
    code, said = _check(capsys, changed, key, "--bundle", str(bundle))
    assert code == 1
    assert "This file is not the document published as 'Official results'" in said


def test_altered_proof(
    published: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    document, bundle, key = published

    def flip(data: dict[str, Any]) -> None:
        path = data["inclusion_proof"]["inclusion_path"]
        path[0] = _flipped(path[0], 0)

    _edit(bundle, flip)
    code, said = _check(capsys, document, key)
    assert code == 1
    assert "Refused: the inclusion proof does not lead from log entry" in said


def test_altered_signature(
    published: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    document, bundle, key = published

    def flip(data: dict[str, Any]) -> None:
        body, _, signature_line = data["checkpoint"].rpartition("\n— ")
        name, blob = signature_line.rstrip("\n").split(" ", 1)
        data["checkpoint"] = f"{body}\n— {name} {_flipped(blob, -1)}\n"

    _edit(bundle, flip)
    code, said = _check(capsys, document, key)
    assert code == 1
    assert "Refused: the bundle's checkpoint is not validly signed by the office's key" in said


def test_altered_checkpoint_size_is_refused(
    published: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A checkpoint rewritten to match a forged proof fails its signature."""
    document, bundle, key = published

    def grow(data: dict[str, Any]) -> None:
        lines = data["checkpoint"].split("\n")
        lines[1] = str(int(lines[1]) + 1)
        data["checkpoint"] = "\n".join(lines)
        data["inclusion_proof"]["tree_size"] += 1

    _edit(bundle, grow)
    code, said = _check(capsys, document, key)
    assert code == 1
    assert "not validly signed" in said


def test_other_offices_key_is_refused(
    published: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    document, _, key = published
    name, key_id, blob = key.split("+", 2)
    other = f"{name}+{key_id}+{_flipped(blob, 5)}"
    code, said = _check(capsys, document, other)
    assert code == 1
    assert "verifier key" in said


def test_newer_checkpoint_from_the_live_site(
    published: tuple[Path, Path, str],
    demo_app: App,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An old bundle checked against the office's /checkpoint now: consistency is fetched."""
    document, _, key = published
    _publish_text(capsys, demo_app, "Even later")
    with serving(demo_app) as site:
        code, said = _check(capsys, document, key, "--checkpoint", f"{site}/checkpoint")
    assert code == 0, said
    size = int(votetrail_on(capsys, demo_app, "ledger", "checkpoint").out.split("\n")[1])
    assert f"proof checked against checkpoint of size {size}." in said


def test_newer_checkpoint_file_needs_the_url(
    published: tuple[Path, Path, str],
    demo_app: App,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    document, bundle, key = published
    same = tmp_path / "same.txt"
    same.write_text(json.loads(bundle.read_text())["checkpoint"])
    assert _check(capsys, document, key, "--checkpoint", str(same))[0] == 0
    _publish_text(capsys, demo_app, "Even later")
    newer = tmp_path / "newer.txt"
    newer.write_text(votetrail_on(capsys, demo_app, "ledger", "checkpoint").out)
    code, said = _check(capsys, document, key, "--checkpoint", str(newer))
    assert code == 1
    assert "newer than the bundle's" in said
