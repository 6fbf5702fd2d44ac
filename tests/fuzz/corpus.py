"""Build the seed corpus of every fuzz target: ``python -m tests.fuzz.corpus DIR``.

One folder per target holding its written sample and the first bytes of the
real files in ``../shared/data`` (read in place; the corpus lives outside the
repository's tracked files, under ``.fuzz/`` by default).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from tests.fuzz.targets import TARGETS, seeds


def build(root: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for target in TARGETS.values():
        folder = root / target.name
        folder.mkdir(parents=True, exist_ok=True)
        found = seeds(target)
        for _, data in found:
            (folder / hashlib.sha256(data).hexdigest()[:16]).write_bytes(data)
        counts[target.name] = len(found)
    return counts


if __name__ == "__main__":
    for name, count in build(Path(sys.argv[1] if len(sys.argv) > 1 else ".fuzz/corpus")).items():
        print(f"{name}: {count} seeds")
