"""``votetrail voters``: the voter list, its change history and list maintenance."""

from __future__ import annotations

import typer

voters_cli = typer.Typer(
    help="Voter registration: import, change, history, proofs, duplicates.",
    no_args_is_help=True,
)
