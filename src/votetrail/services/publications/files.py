"""The published bytes, kept in the data directory under their SHA-256.

A publication is served as it was published, so its bytes are kept: in
``<data dir>/publications/<first two hex digits>/<sha256>``. Storing by hash
makes a second publication of the same bytes share the file and leaves
nothing to rename; a file stored for a publish that then failed is harmless
(no row names it). Files stream through in 1 MB blocks, never read whole.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from votetrail.errors import InvalidInput

FOLDER = "publications"
_BLOCK = 1 << 20


def path_of(data_dir: Path, sha256: str) -> Path:
    return data_dir / FOLDER / sha256[:2] / sha256


def store_stream(data_dir: Path, source: BinaryIO) -> tuple[str, int]:
    """Copy ``source`` into the store while hashing it; its SHA-256 and size."""
    root = data_dir / FOLDER
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, partial = tempfile.mkstemp(dir=root, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            for block in iter(lambda: source.read(_BLOCK), b""):
                digest.update(block)
                size += len(block)
                out.write(block)
        sha256 = digest.hexdigest()
        final = path_of(data_dir, sha256)
        final.parent.mkdir(exist_ok=True)
        os.replace(partial, final)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return sha256, size


def store_file(data_dir: Path, path: Path) -> tuple[str, int]:
    try:
        with path.open("rb") as source:
            return store_stream(data_dir, source)
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=path.name) from None


def hash_stored(path: Path) -> tuple[str, int] | None:
    """SHA-256 and size of a stored file as it is now, or None if it is gone."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(_BLOCK), b""):
                digest.update(block)
                size += len(block)
    except OSError:
        return None
    return digest.hexdigest(), size
