"""The SHA-256 of a file as officials handed it over, for every domain that logs one.

County uploads, voter files, network logs, L&A definitions and tabulator
reports are all logged by the hash of their bytes, so observers can check a
copy they were given. The file is read in 1 MB blocks, never whole.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from votetrail.errors import InvalidInput


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    return digest.hexdigest()
