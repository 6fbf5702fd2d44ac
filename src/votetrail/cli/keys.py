"""``votetrail key rotate``: hand the log over to a new signing key."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from votetrail.cli.options import DatabaseUrl, DataDir
from votetrail.services.context import open_app
from votetrail.services.key_rotation import rotate

key_cli = typer.Typer(help="The log's signing key.")
out = Console(soft_wrap=True)


@key_cli.command("rotate")
def rotate_command(
    actor: Annotated[str, typer.Option(help="Who rotates the key, as logged.")] = "system",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Make a new signing key; the old key signs the handover (stop the web server first)."""
    app = open_app(data_dir, database_url)
    old = app.signer.verifier.encode()
    new = rotate(app, actor)
    out.print(f"Rotated the signing key of {app.origin}.")
    out.print(f"Old verifier key: {old}")
    out.print(f"New verifier key: {new.encode()}")
    out.print("Publish the new key; monitors that pinned the old one follow the signed rotation.")
