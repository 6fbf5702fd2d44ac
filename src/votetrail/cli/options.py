"""Options every command shares, and writing a command's output to stdout or a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from votetrail.errors import InvalidInput

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="VOTETRAIL_DATA_DIR",
        help="Folder holding the SQLite file and the signing key [default: ./votetrail-data].",
        show_default=False,
    ),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="VOTETRAIL_DATABASE_URL",
        help="A PostgreSQL URL (driver postgresql+psycopg, then user, host, database); "
        "default: SQLite in the data dir.",
        show_default=False,
    ),
]


def write_text(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write: {exc.strerror}", where=str(output)) from None
