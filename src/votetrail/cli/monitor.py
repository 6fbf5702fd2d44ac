"""``votetrail monitor`` and ``votetrail witness``: watching an office's log from outside.

Exit codes of ``monitor`` (docs/monitor.md): 0 the log still extends what was
seen, 1 alarm (fork, rewind, bad signature, replaced key), 2 usage or local
problem (no pinned key, unreadable state file), 3 the server could not be
reached or answered nonsense (which proves nothing either way), 4 consistent
but fewer than ``--min-witnesses`` trusted witnesses cosigned it yet.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from votetrail.cli.options import DatabaseUrl, DataDir
from votetrail.core.ledger.cosignature import CosignerKey, CosignerVerifier
from votetrail.errors import ConfigurationError, SigningKeyError
from votetrail.formats.monitor_state import read_witness_key, write_witness_key
from votetrail.services import witnesses
from votetrail.services.context import open_app
from votetrail.services.monitor import monitor

witness_cli = typer.Typer(
    help="Witnesses: cosigners of this office's checkpoints (C2SP tlog-cosignature).",
    no_args_is_help=True,
)
out = Console(soft_wrap=True)

Actor = Annotated[str, typer.Option(help="Who is doing this, for the log.")]


def monitor_command(
    url: Annotated[
        str, typer.Argument(help="The office's site, e.g. https://elections.example.gov")
    ],
    state: Annotated[
        Path,
        typer.Option(help="Where this monitor remembers the last checkpoint it verified."),
    ] = Path("votetrail-monitor.json"),
    verifier_key: Annotated[
        str | None,
        typer.Option(
            help="The office's verifier key (name+id+base64), as it published it; needed on the "
            "first run, checked against the state file after.",
        ),
    ] = None,
    witness: Annotated[
        Path | None,
        typer.Option(
            help="A witness private key file (from `votetrail witness keygen`): cosign each "
            "checkpoint verified and send the cosignature to the office.",
        ),
    ] = None,
    trust_witness: Annotated[
        list[str] | None,
        typer.Option(help="A witness public key you trust (name+id+base64); repeatable."),
    ] = None,
    min_witnesses: Annotated[
        int,
        typer.Option(
            min=0, help="Exit 4 unless this many trusted witnesses cosigned the checkpoint."
        ),
    ] = 0,
) -> None:
    """Check the log still extends what this monitor saw; exit 1 if it forked or rewound."""
    key = None if witness is None else read_witness_key(witness)
    trusted = [_witness_key(text) for text in trust_witness or []]
    if min_witnesses > len(trusted):
        raise ConfigurationError(
            f"--min-witnesses {min_witnesses} needs at least that many --trust-witness keys"
        )
    report = monitor(
        url, state, verifier_key, key, trusted_witnesses=trusted, min_witnesses=min_witnesses
    )
    size = report.checkpoint.size
    if report.previous_size is None:
        line = f"OK: first checkpoint pinned, size {size}."
    elif report.previous_size == size:
        line = f"OK: the log is unchanged at size {size}."
    else:
        line = f"OK: the log grew from {report.previous_size} to {size} entries, proven consistent."
    if report.cosigned_as is not None:
        line += f" Cosigned as {report.cosigned_as}."
    if report.witnessed_by:
        line += f" Witnessed by {', '.join(report.witnessed_by)}."
    out.print(line, highlight=False, markup=False)


def _witness_key(text: str) -> CosignerVerifier:
    try:
        return CosignerVerifier.parse(text)
    except SigningKeyError as exc:
        raise ConfigurationError(f"--trust-witness: {exc}") from None


@witness_cli.command("keygen")
def keygen_command(
    name: Annotated[str, typer.Argument(help="The witness's name, e.g. witness.example.org/w1")],
    output: Annotated[Path, typer.Option(help="Private key file to create (mode 0600).")],
) -> None:
    """Make a witness key; prints the public key to give to the office."""
    key = CosignerKey(name, secrets.token_bytes(32))
    write_witness_key(output, key)
    out.print(key.verifier.encode(), highlight=False, markup=False)


@witness_cli.command("add")
def add_command(
    key: Annotated[str, typer.Argument(help="The witness's public key: name+id+base64.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    actor: Actor = "cli",
) -> None:
    """Accept cosignatures from this witness (logged as witness.added)."""
    added = witnesses.add_witness(open_app(data_dir, database_url), actor, key)
    out.print(f"Witness {added.name} added.", highlight=False, markup=False)


@witness_cli.command("remove")
def remove_command(
    name: Annotated[str, typer.Argument(help="The witness's name.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    actor: Actor = "cli",
) -> None:
    """Stop accepting and serving this witness's cosignatures (logged as witness.removed)."""
    witnesses.remove_witness(open_app(data_dir, database_url), actor, name)
    out.print(f"Witness {name} removed.", highlight=False, markup=False)


@witness_cli.command("list")
def list_command(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Print the witness keys this office accepts, one per line."""
    for witness in witnesses.witnesses(open_app(data_dir, database_url)):
        out.print(witness.encode(), highlight=False, markup=False)


__all__ = ["monitor_command", "witness_cli"]
