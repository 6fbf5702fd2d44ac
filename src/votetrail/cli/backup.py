"""``votetrail backup`` and ``votetrail restore``.

The passphrase never travels on the command line (where ``ps`` and shell
history would show it): it is read from ``--passphrase-file`` or, failing
that, from the ``VOTETRAIL_BACKUP_PASSPHRASE`` environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from votetrail.cli.options import DatabaseUrl, DataDir
from votetrail.errors import InvalidInput
from votetrail.services.backup import backup, restore
from votetrail.services.context import open_app, resolve_data_dir

PASSPHRASE_ENV = "VOTETRAIL_BACKUP_PASSPHRASE"  # noqa: S105 - a variable name, not a secret

PassphraseFile = Annotated[
    Path | None,
    typer.Option(
        help=f"File whose first line is the backup passphrase (else ${PASSPHRASE_ENV}).",
        show_default=False,
    ),
]

out = Console(soft_wrap=True)


def _passphrase(path: Path | None) -> str:
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise InvalidInput(f"cannot be read: {reason}", where=str(path)) from None
        if not lines or not lines[0]:
            raise InvalidInput("line 1: the passphrase is empty", where=str(path))
        return lines[0]
    value = os.environ.get(PASSPHRASE_ENV)
    if not value:
        raise InvalidInput(
            f"give the passphrase with --passphrase-file or ${PASSPHRASE_ENV} "
            "(never on the command line)"
        )
    return value


def backup_command(
    output: Annotated[Path, typer.Option(help="The sealed backup file to write (must not exist).")],
    passphrase_file: PassphraseFile = None,
    include_signing_key: Annotated[
        bool, typer.Option(help="Also put the log's signing key in the backup.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write a consistent, encrypted snapshot of the database and data directory."""
    passphrase = _passphrase(passphrase_file)
    summary = backup(
        open_app(data_dir, database_url),
        output,
        passphrase,
        include_signing_key=include_signing_key,
    )
    out.print(
        f"Backed up the log {summary.origin} at {summary.size} entries: {summary.rows} rows, "
        f"{summary.files} files, signing key "
        f"{'included' if summary.signing_key else 'NOT included (keep it separately)'}, to {output}"
    )


def restore_command(
    backup_file: Annotated[Path, typer.Argument(help="A file written by `votetrail backup`.")],
    passphrase_file: PassphraseFile = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Restore a backup into an empty database and an empty data directory."""
    passphrase = _passphrase(passphrase_file)
    folder = resolve_data_dir(data_dir)
    summary = restore(backup_file, passphrase, folder, database_url)
    out.print(
        f"Restored the log {summary.origin} ({summary.size} entries, {summary.rows} rows, "
        f"{summary.files} files) into {folder}."
    )
    if not summary.signing_key:
        out.print(
            "The backup holds no signing key: put the log's signing-key.txt into "
            f"{folder} before running votetrail (a new key would not be this log's)."
        )
    out.print(
        "Run `votetrail verify --against` with the newest checkpoint published anywhere: "
        "a backup is older than the log it came from."
    )
