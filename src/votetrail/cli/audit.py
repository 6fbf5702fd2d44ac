"""The ``votetrail audit`` commands: the steps of a risk-limiting audit, one command each.

Each command is a thin shell over one service call; expected errors propagate
to ``cli.main.run``, which prints them, so none are caught here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from votetrail.errors import InvalidInput
from votetrail.services.audit.evidence import verify_evidence
from votetrail.services.audit.sampling import (
    SampleFormat,
    draw_sample,
    manifest_sources,
    write_sample,
)

audit_cli = typer.Typer(
    help="Risk-limiting audits: draw the sample of paper ballots to check.",
    no_args_is_help=True,
)


@audit_cli.callback()
def audit() -> None:
    """Risk-limiting audits of the paper ballots."""
    # A callback keeps `audit` a group even while it has one command, so
    # `votetrail audit sample` works whichever commands are added later.


@audit_cli.command("sample")
def sample_command(
    manifest: Annotated[
        list[Path],
        typer.Option(
            help="A ballot manifest CSV; repeat for each jurisdiction.", show_default=False
        ),
    ],
    seed: Annotated[str, typer.Option(help="The public random seed: 20 digits rolled in public.")],
    size: Annotated[int, typer.Option(help="How many ballots (draws) to sample.")],
    jurisdiction: Annotated[
        list[str] | None,
        typer.Option(
            help="Jurisdiction name, once per --manifest in the same order; by default "
            "taken from the file name '<Jurisdiction> - ballot manifest.csv'.",
            show_default=False,
        ),
    ] = None,
    with_replacement: Annotated[
        bool,
        typer.Option(
            "--with-replacement", help="Sample with replacement (a ballot may be drawn again)."
        ),
    ] = False,
    fmt: Annotated[SampleFormat, typer.Option("--format", help="Output format.")] = (
        SampleFormat.CSV
    ),
    output: Annotated[
        Path | None, typer.Option(help="Write here instead of stdout.", show_default=False)
    ] = None,
) -> None:
    """Draw the sample with Rivest's consistent sampler, in ticket order, one row per draw."""
    sources = manifest_sources(manifest, jurisdiction or [])
    drawn = draw_sample(sources, seed, size, with_replacement=with_replacement)
    if output is None:
        write_sample(drawn.ballots, fmt, sys.stdout)
    else:
        try:
            with output.open("w", encoding="utf-8", newline="") as handle:
                write_sample(drawn.ballots, fmt, handle)
        except OSError as exc:
            raise InvalidInput(f"cannot write: {exc.strerror}", where=str(output)) from None
    distinct = len({ballot.ballot_id for ballot in drawn.ballots})
    typer.echo(
        f"Drew {_count(len(drawn.ballots), 'ticket')} ({_count(distinct, 'distinct ballot')}) "
        f"from {_count(drawn.population, 'ballot')} in {_count(drawn.manifests, 'manifest')}.",
        err=True,
    )


@audit_cli.command("verify")
def verify_command(
    evidence: Annotated[Path, typer.Argument(help="The audit's evidence.zip, as downloaded.")],
) -> None:
    """Recompute the sample and every round's risk from evidence.zip; exit 1 naming differences."""
    checked = verify_evidence(evidence)
    found, result = checked.evidence, checked.result
    if result.differences:
        for difference in result.differences:
            typer.echo(difference)
        typer.echo(
            f"FAILED: {_count(len(result.differences), 'difference')} between {evidence} "
            "and its recomputation.",
            err=True,
        )
        raise typer.Exit(1)
    decisions = ", ".join(f"{c}: {d}" for c, d in result.final_decision.items())
    typer.echo(
        f"OK: audit {found.audit_id} of {found.election} ({found.method.value}, risk limit "
        f"{found.risk_limit}): {_count(result.draws, 'draw')} in "
        f"{_count(result.rounds, 'round')} re-drawn from {_count(len(found.frame), 'ballot')} "
        f"with seed {found.seed}; risk of {_count(len(found.contests), 'contest')} "
        f"recomputed in every round; {decisions or 'no rounds yet'}."
    )
    for contest, risks in result.assertion_risk.items():
        typer.echo(f"IRV contest {contest}: {_count(len(risks), 'RAIRE assertion')} recomputed")
        for assertion, risk in risks.items():
            typer.echo(f"  {assertion}: risk {risk:.6g}")


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")
