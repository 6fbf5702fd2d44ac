"""Reading compressed files without letting them expand without limit.

A 1 MB ZIP can hold a gigabyte of XML and a 0.5 MB gzip log a gigabyte of
text. Every reader that decompresses goes through here: members are read
as a stream, counting the bytes that come out, and refused with the file
and member named as soon as they pass :data:`MAX_RATIO` times their
compressed size (after the first :data:`RATIO_GRACE` bytes, so small files
that compress well pass) or the reader's cap on the member's size. A refused
member has cost at most one read buffer of memory.

The caps are generous for real exports: CVR documents and logs compress
about 5 to 30 times; a run of zeros compresses about a thousand times.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from votetrail.errors import InvalidInput

MiB = 1 << 20

MAX_RATIO = 200
"""Decompressed bytes per compressed byte beyond which a member is taken for a bomb."""

RATIO_GRACE = MiB
"""Output a member may reach before the ratio is checked."""

MAX_STREAMED_BYTES = 16 * 1024 * MiB
"""Cap on a member read as a stream (a gzip log), line by line."""

CHUNK = 64 * 1024


class ExpansionGuard(io.RawIOBase):
    """A read-only stream over decompressed bytes that refuses too many of them.

    ``compressed`` is the member's compressed size (what the ratio divides by),
    ``limit`` the most bytes it may give; ``where`` names file and member.
    """

    def __init__(self, inner: IO[bytes], where: str, *, compressed: int, limit: int) -> None:
        super().__init__()
        self._inner = inner
        self.where = where
        self.compressed = max(compressed, 1)
        self.limit = limit
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        data = self._inner.read(min(len(view), CHUNK))
        self._count(len(data))
        view[: len(data)] = data
        return len(data)

    def _count(self, size: int) -> None:
        self.produced += size
        if self.produced > self.limit:
            raise InvalidInput(
                f"expands to more than {_megabytes(self.limit)} when decompressed; "
                "split it into smaller files",
                where=self.where,
            )
        if self.produced > RATIO_GRACE and self.produced > MAX_RATIO * self.compressed:
            raise InvalidInput(
                f"expands more than {MAX_RATIO} times when decompressed "
                f"({_megabytes(self.compressed, exact=True)} compressed); "
                "it is not an export votetrail reads (a compression bomb?)",
                where=self.where,
            )

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


def _megabytes(size: int, exact: bool = False) -> str:
    if exact and size < MiB:
        return f"{size:,} bytes"
    return f"{size / MiB:,.0f} MB"


def read_member(archive: zipfile.ZipFile, name: str, where: str, limit: int) -> bytes:
    """One ZIP member's bytes, read in chunks and refused past ``limit`` or the ratio.

    The sizes the ZIP declares are not trusted: the bytes are counted as
    they come out.
    """
    return read_all(open_member(archive, name, where, limit), where)


def open_member(archive: zipfile.ZipFile, name: str, where: str, limit: int) -> ExpansionGuard:
    """One ZIP member as a guarded stream (see :func:`read_member`).

    The ratio divides by the compressed size the ZIP declares, but never by
    more than the whole archive's size, which a lying header cannot change.
    """
    info = archive.getinfo(name)
    compressed = info.compress_size
    size = _archive_size(archive)
    if size is not None:
        compressed = min(compressed, size)
    try:
        stream = archive.open(info)
    except NOT_A_ZIP as exc:
        raise InvalidInput(f"is damaged in the ZIP: {exc}", where) from None
    return ExpansionGuard(stream, where, compressed=compressed, limit=limit)


def _archive_size(archive: zipfile.ZipFile) -> int | None:
    try:
        return os.fstat(archive.fp.fileno()).st_size if archive.fp is not None else None
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


DAMAGE = (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError, OSError)
"""What a damaged member raises while it is opened or read.

Besides the ZIP and zlib errors: ``NotImplementedError`` for a compression
method Python lacks, ``RuntimeError`` for an encrypted member and ``OSError``
for a header whose offsets point outside the file (found by fuzzing).
"""

NOT_A_ZIP = (*DAMAGE, UnicodeDecodeError, ValueError)
"""What ``zipfile.ZipFile(path)`` raises for a damaged directory: besides the
above, a name flagged UTF-8 that is not, or a negative size (fuzzing)."""


def read_all(stream: ExpansionGuard, where: str) -> bytes:
    """Everything a guarded stream gives, closing it; damage is named like a bad member."""
    chunks = bytearray()
    try:
        with stream:
            while block := stream.read(CHUNK):
                chunks += block
    except DAMAGE as exc:
        raise InvalidInput(f"is damaged in the ZIP: {exc}", where) from None
    return bytes(chunks)


@contextmanager
def extracted(archive: zipfile.ZipFile, name: str, where: str, limit: int) -> Iterator[IO[bytes]]:
    """A member copied, guarded, into an anonymous temporary file (e.g. a ZIP inside a ZIP).

    A nested ZIP must be seekable to be opened, and reading it straight from
    its parent would decompress it again at every seek; on disk it costs no
    memory. The file is deleted when the block ends.
    """
    with tempfile.TemporaryFile() as copy:
        try:
            with open_member(archive, name, where, limit) as stream:
                shutil.copyfileobj(stream, copy, CHUNK)
        except DAMAGE as exc:
            raise InvalidInput(f"is damaged in the ZIP: {exc}", where) from None
        copy.seek(0)
        yield copy


def check_size(size: int, where: str, limit: int) -> None:
    """Refuse a plain (uncompressed) file that a reader would hold whole, by its size."""
    if size > limit:
        raise InvalidInput(
            f"is larger than {_megabytes(limit)}; split it into smaller files", where=where
        )
