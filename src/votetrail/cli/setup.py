"""``votetrail init``, apart from cli/main.py because its default origin comes from the setup
service, which imports SQLAlchemy and Alembic: ``votetrail --help`` must not wait for them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from votetrail.cli.options import DatabaseUrl, DataDir
from votetrail.errors import InvalidInput
from votetrail.services.setup import DEFAULT_ORIGIN, init

out = Console(soft_wrap=True)


def init_command(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    origin: Annotated[
        str, typer.Option(help="The log's name in checkpoints, e.g. elections.example.gov/log.")
    ] = DEFAULT_ORIGIN,
    state_id: Annotated[str | None, typer.Option(help="Short id of the state, e.g. 'co'.")] = None,
    state_name: Annotated[str | None, typer.Option(help="The state's full name.")] = None,
) -> None:
    """Create (or upgrade) the database and signing key."""
    if (state_id is None) != (state_name is None):
        raise InvalidInput("give both --state-id and --state-name, or neither")
    state = (state_id, state_name) if state_id and state_name else None
    result = init(data_dir, database_url, origin, state)
    verb = "Created" if result.created else "Checked and upgraded"
    out.print(f"{verb} the log {result.app.origin} in {result.app.data_dir}")
    out.print(f"Verifier key: {result.app.signer.verifier.encode()}")
