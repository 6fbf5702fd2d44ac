"""``votetrail audit batch-sample|batch-sample-size|batch-risk``: batch comparison from files.

The same three questions as the ballot-level commands (which batches to count,
how many draws, what is the risk now), for voting systems that report
subtotals per batch and no cast vote records. The statistics are MACRO (see
docs/audit.md, "Batch-comparison audits").
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, fields
from pathlib import Path
from typing import Annotated, TextIO

import typer

from votetrail.cli.audit_stats import (
    Contests,
    FormatOption,
    OutputFormat,
    RiskLimitOption,
    _write,
    audit_cli,
)
from votetrail.errors import InvalidInput
from votetrail.formats.audit.batches import (
    read_batch_draws,
    read_hand_tallies,
    read_reported_batches,
)
from votetrail.formats.audit.inputs import read_contests
from votetrail.formats.csv_out import write_dicts
from votetrail.services.audit.batches import (
    SampledBatch,
    batch_audit,
    batch_sample_size,
    draw_batches,
    measure_batch_risk,
)

__all__ = ["audit_cli"]

Batches = Annotated[
    Path,
    typer.Option(
        help="Reported batch tallies: CSV with County, Batch, Contest, Choice, Votes, Cards.",
        show_default=False,
    ),
]
BatchContests = Annotated[
    Path,
    typer.Option(
        help="The audited contests: what `votetrail results` writes (CSV or JSON), or a "
        "contests file (CSV: Contest, Choice, Votes, Ballots, Vote For; or JSON).",
        show_default=False,
    ),
]
SAMPLE_COLUMNS = [field.name for field in fields(SampledBatch)]


def _write_draws(draws: list[SampledBatch], fmt: OutputFormat, out: TextIO) -> None:
    rows = [asdict(draw) for draw in draws]
    if fmt is OutputFormat.JSON:
        json.dump(rows, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        write_dicts(out, rows, SAMPLE_COLUMNS)


@audit_cli.command("batch-sample")
def batch_sample_command(
    contests: BatchContests,
    batches: Batches,
    seed: Annotated[str, typer.Option(help="The public random seed: 20 digits rolled in public.")],
    size: Annotated[int, typer.Option(help="How many batches to draw (with replacement).")],
    fmt: FormatOption = OutputFormat.CSV,
    output: Annotated[
        Path | None, typer.Option(help="Write here instead of stdout.", show_default=False)
    ] = None,
) -> None:
    """Draw batches with chance proportional to their error bound (PPEB), one row per draw."""
    audit = batch_audit(read_contests(contests), read_reported_batches(batches))
    draws = draw_batches(audit, seed, size)
    if output is None:
        _write_draws(draws, fmt, sys.stdout)
    else:
        try:
            with output.open("w", encoding="utf-8", newline="") as handle:
                _write_draws(draws, fmt, handle)
        except OSError as exc:
            raise InvalidInput(f"cannot write: {exc.strerror}", where=str(output)) from None
    distinct = len({(d.county, d.batch) for d in draws})
    typer.echo(
        f"Drew {len(draws)} batches ({distinct} distinct) from {len(audit.keys)} reported.",
        err=True,
    )


@audit_cli.command("batch-sample-size")
def batch_sample_size_command(
    contests: BatchContests,
    batches: Batches,
    risk_limit: RiskLimitOption = 0.05,
    fmt: FormatOption = OutputFormat.CSV,
) -> None:
    """Draws the first round needs if no drawn batch has an error (MACRO, all contests)."""
    audit = batch_audit(read_contests(contests), read_reported_batches(batches))
    size = batch_sample_size(audit, risk_limit)
    _write(
        [asdict(size)],
        {"method": "macro", "risk_limit": risk_limit},
        fmt,
        key="sizes",
    )


@audit_cli.command("batch-risk")
def batch_risk_command(
    contests: Contests,
    batches: Batches,
    sample: Annotated[
        Path,
        typer.Option(
            help="The draws, in order, as batch-sample wrote them (columns county, batch).",
            show_default=False,
        ),
    ],
    tallies: Annotated[
        Path,
        typer.Option(
            help="Hand tallies of drawn batches: CSV (County,Batch,Contest,Choice,Votes).",
            show_default=False,
        ),
    ],
    risk_limit: RiskLimitOption = 0.05,
    fmt: FormatOption = OutputFormat.CSV,
) -> None:
    """Each contest's measured risk (MACRO) and the decision: confirmed, continue, hand count."""
    audit = batch_audit(read_contests(contests), read_reported_batches(batches))
    report = measure_batch_risk(
        audit, read_batch_draws(sample), sample, read_hand_tallies(tallies), risk_limit
    )
    rows = [{**asdict(risk), "decision": risk.decision.value} for risk in report.risks]
    _write(
        rows,
        {
            "method": "macro",
            "risk_limit": risk_limit,
            "max_risk": report.max_risk,
            "decision": report.decision.value,
            "draws": report.draws,
            "draws_counted": report.draws_counted,
            "batches_counted": report.batches_counted,
        },
        fmt,
        key="contests",
    )
