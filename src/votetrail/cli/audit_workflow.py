"""``votetrail audit create|seed|draw|retrieval``: running an audit from the command line.

The same services the web workflow will call, acting as an official's account
(``--user``, password from ``VOTETRAIL_PASSWORD`` or asked for), so the state
administrator can run the ceremony and the draw from a shell and a county can
fetch its own retrieval list, under the same rules as the web.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from votetrail.cli.audit import audit_cli
from votetrail.cli.options import DatabaseUrl, DataDir
from votetrail.cli.voter_auth import User, sign_in
from votetrail.errors import InvalidInput
from votetrail.services.audit.draw import draw_round, offered_sizes
from votetrail.services.audit.retrieval import retrieval_list, write_retrieval_list
from votetrail.services.audit.seed import set_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import open_app

__all__ = ["audit_cli"]

AuditId = Annotated[str, typer.Option("--audit", help="The audit's id, e.g. audit-1.")]


@audit_cli.command("create")
def create_command(
    election: Annotated[str, typer.Option(help="The election audited.")],
    method: Annotated[AuditMethod, typer.Option(help="How ballots are checked.")],
    targeted: Annotated[
        list[str],
        typer.Option(
            help="A contest that must be confirmed; repeat for each. A ranked-choice (IRV) "
            "contest is audited by its RAIRE assertions, in a ballot-comparison audit only."
        ),
    ],
    county: Annotated[list[str], typer.Option(help="A county in the audit; repeat for each.")],
    user: User,
    risk_limit: Annotated[str, typer.Option(help="The risk limit, e.g. 0.05.")] = "0.05",
    opportunistic: Annotated[
        list[str] | None,
        typer.Option(help="A contest audited opportunistically; repeat for each."),
    ] = None,
    with_replacement: Annotated[
        bool, typer.Option("--with-replacement", help="Draw ballots with replacement.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Set up an audit (state administrator); prints its id."""
    app = open_app(data_dir, database_url)
    setup = AuditSetup(
        election, method, risk_limit, targeted, opportunistic or [], county, with_replacement
    )
    typer.echo(create_audit(app, sign_in(app, user), setup))


@audit_cli.command("seed")
def seed_command(
    audit_id: AuditId,
    seed: Annotated[str, typer.Option(help="The 20 digits rolled in public.")],
    witness: Annotated[list[str], typer.Option(help="A witness's name; repeat for each.")],
    user: User,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Record the public seed and its witnesses, once; it can never be changed."""
    app = open_app(data_dir, database_url)
    set_seed(app, sign_in(app, user), audit_id, seed, witness)
    typer.echo(f"Seed of {audit_id} recorded with {len(witness)} witness(es).")


@audit_cli.command("draw")
def draw_command(
    audit_id: AuditId,
    user: User,
    size: Annotated[
        int | None,
        typer.Option(help="Ballots to draw this round; omit to see the sizes offered."),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Draw the next round's sample and log it; without --size, list the offered sizes."""
    app = open_app(data_dir, database_url)
    principal = sign_in(app, user)
    if size is None:
        typer.echo("size,chance_of_finishing,basis")
        for offer in offered_sizes(app, audit_id):
            chance = "if no discrepancy" if offer.chance is None else f"{offer.chance:.0%}"
            typer.echo(f"{offer.size},{chance},{offer.basis}")
        return
    drawn = draw_round(app, principal, audit_id, size)
    counts = ", ".join(f"{c} {n}" for c, n in sorted(drawn.per_county.items()))
    typer.echo(
        f"Round {drawn.number} of {audit_id}: drew {len(drawn.tickets)} tickets from "
        f"{drawn.frame_size} ballots ({counts})."
    )


@audit_cli.command("retrieval")
def retrieval_command(
    audit_id: AuditId,
    county: Annotated[str, typer.Option(help="The county whose ballots to pull.")],
    user: User,
    round_number: Annotated[
        int | None, typer.Option("--round", help="One round only; default every round.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write the CSV here instead of stdout.")
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The county's retrieval list as CSV, sorted for the warehouse, with ticket numbers."""
    app = open_app(data_dir, database_url)
    rows = retrieval_list(app, sign_in(app, user), audit_id, county, round_number)
    if output is None:
        write_retrieval_list(rows, sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", newline="") as handle:
            write_retrieval_list(rows, handle)
    except OSError as exc:
        raise InvalidInput(f"cannot write: {exc.strerror}", where=str(output)) from None
