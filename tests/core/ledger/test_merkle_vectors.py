"""The transparency-dev/merkle golden proof probes, run against our verifiers.

Upstream publishes 196 JSON probes (``testdata/inclusion/**`` and
``testdata/consistency/**`` of https://github.com/transparency-dev/merkle,
copied unmodified into ``shared/data/merkle-vectors/transparency-dev-merkle``;
see ``merkle-vectors/README.md`` for the snapshot commit). Each is one proof
that the Go verifier accepts or, with ``wantErr``, rejects; a verifier that
disagrees on any of them would accept proofs the rest of the ecosystem refuses
or the reverse. One test per file, so a failure names the probe.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.shared_data import shared_data_dir
from votetrail.core.ledger import merkle

VECTOR_DIR = Path("merkle-vectors") / "transparency-dev-merkle" / "testdata"
EXPECTED_FILES = 196


def _vector_files(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.json"))


FILES = _vector_files(shared_data_dir() / VECTOR_DIR)
# Without the data there is nothing to parametrize over; a single placeholder
# still asks for ``shared_data`` so the run skips (or, under CI, fails) visibly.
PARAMS = [pytest.param(name, id=name) for name in FILES] or [
    pytest.param(None, id="shared-data-missing")
]


def _b64(text: str) -> bytes:
    """Standard base64; the probes use "" for an empty byte string."""
    return base64.b64decode(text, validate=True)


def _verify(probe: dict[str, Any]) -> bool:
    proof = [_b64(p) for p in probe["proof"] or []]
    if "leafIdx" in probe:
        return merkle.verify_inclusion_hash(
            _b64(probe["leafHash"]),
            probe["leafIdx"],
            probe["treeSize"],
            proof,
            _b64(probe["root"]),
        )
    if "size1" in probe:
        return merkle.verify_consistency(
            probe["size1"], probe["size2"], _b64(probe["root1"]), _b64(probe["root2"]), proof
        )
    raise AssertionError(f"neither an inclusion nor a consistency probe: {sorted(probe)}")


def test_every_vector_file_is_present(shared_data: Path) -> None:
    """All 196 files are there and all of them were collected, so none can go missing."""
    on_disk = _vector_files(shared_data / VECTOR_DIR)
    assert len(on_disk) == EXPECTED_FILES
    assert on_disk == FILES
    kinds = {name.split("/", 1)[0] for name in on_disk}
    assert kinds == {"inclusion", "consistency"}


@pytest.mark.parametrize("name", PARAMS)
def test_probe(shared_data: Path, name: str | None) -> None:
    """A probe upstream accepts verifies here; one it rejects (wantErr) is rejected here."""
    if name is None:
        pytest.fail(f"no JSON probes under {shared_data / VECTOR_DIR}")
    probe = json.loads((shared_data / VECTOR_DIR / name).read_text(encoding="utf-8"))
    assert isinstance(probe, dict)
    assert isinstance(probe["wantErr"], bool)
    got = _verify(probe)
    assert got is (not probe["wantErr"]), f"{name}: {probe['desc']}"


def test_happy_paths_are_the_only_valid_numbered_probes(shared_data: Path) -> None:
    """Guards the harness itself: it must see the five valid and many invalid probes per kind.

    If ``_verify`` silently returned a constant, every test_probe case of one
    polarity would still pass; counting both polarities catches that.
    """
    valid: list[str] = []
    for name in _vector_files(shared_data / VECTOR_DIR):
        probe = json.loads((shared_data / VECTOR_DIR / name).read_text(encoding="utf-8"))
        if not probe["wantErr"]:
            valid.append(name)
    numbered = [n for n in valid if n.split("/")[1] in {"0", "1", "2", "3", "4"}]
    assert sorted(numbered) == sorted(
        f"{kind}/{i}/happy-path.json" for kind in ("inclusion", "consistency") for i in range(5)
    )
    assert len(valid) == 12
