"""What the format tests share: a file written from a test's text, and a reader's refusal.

Every reader test builds small files by hand and checks that a broken one is
refused with a message naming the file, line and field. Each test file used to
define its own ``write()`` and ``refused()``; they differed only in the reader
called, so they live here once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import ParamSpec, Protocol

import pytest

from votetrail.errors import InvalidInput

P = ParamSpec("P")


class _Export(Protocol):
    """A CVR export opened by one of the vendor readers: its records stream on demand."""

    def records(self) -> Iterable[object]: ...


def write(folder: Path, text: str, name: str) -> Path:
    """``text`` as the file ``folder/name``, byte for byte (no newline translation).

    Line endings matter to the readers (a Dominion export ends lines in CR LF),
    so what the test wrote is exactly what the reader gets, on every platform.
    """
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def refused(read: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> InvalidInput:
    """The ``InvalidInput`` that ``read(*args, **kwargs)`` raises, read to the end.

    Readers stream, so a bad line deep in a file is only met while iterating:
    an iterator the reader returns is drained before the test fails for want
    of a refusal.
    """
    with pytest.raises(InvalidInput) as caught:
        _read_to_the_end(read, *args, **kwargs)
    return caught.value


def _read_to_the_end(read: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> None:
    result = read(*args, **kwargs)
    if isinstance(result, Iterator):
        list(result)


def records_of(opener: Callable[[Path], _Export]) -> Callable[[Path], Iterable[object]]:
    """A reader that opens a CVR export and streams its records, for :func:`refused`."""

    def read(path: Path) -> Iterable[object]:
        return opener(path).records()

    return read
