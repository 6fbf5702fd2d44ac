"""Files posted from a browser, saved where a service can read them, then deleted.

Both the county uploads and the analyst's log uploads need the same care: keep
the name the official's computer gave the file (imports record it), refuse
names that could escape the folder, and rewrite errors so they name the file as
the official knows it rather than a temporary path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from starlette.datastructures import UploadFile

from votetrail.errors import InvalidInput

T = TypeVar("T")


def file_name(raw: str | None) -> str:
    """The file's own name, without any folder a browser may have sent."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in ("", ".", ".."):
        raise InvalidInput("choose a file to upload")
    if any(ord(c) < 32 for c in name) or len(name.encode("utf-8")) > 200:
        raise InvalidInput("rename the file to a shorter, plain name", where=f"file {name!r}")
    return name


def _save(files: Sequence[UploadFile], folder: Path) -> list[Path]:
    if not files:
        raise InvalidInput("choose a file to upload")
    paths: list[Path] = []
    for upload in files:
        path = folder / file_name(upload.filename)
        if path in paths:
            raise InvalidInput("was chosen twice", where=path.name)
        upload.file.seek(0)
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)
        paths.append(path)
    return paths


@contextmanager
def _folder(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as temp:
        yield Path(temp)


def with_saved_files(files: Sequence[UploadFile], use: Callable[[list[Path]], T]) -> T:
    """Save the posted files, hand their paths to ``use``, delete them whatever happens."""
    with _folder("votetrail-upload-") as folder:
        try:
            return use(_save(files, folder))
        except InvalidInput as exc:
            raise InvalidInput(str(exc).replace(f"{folder}{os.sep}", "")) from None
