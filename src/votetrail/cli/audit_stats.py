"""``votetrail audit sample-size`` and ``votetrail audit risk``: the statistics of each round.

Both read the reported contests and, when given, the sample audited so far,
and print one row per assertion (CSV or JSON) so the numbers can be published
beside the audit's other records.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from votetrail.cli.audit import audit_cli
from votetrail.formats.audit.inputs import (
    read_comparison_sample,
    read_contests,
    read_polling_sample,
)
from votetrail.formats.csv_out import write_dicts
from votetrail.services.audit.rounds import Method, measure_risk, sample_sizes

__all__ = ["audit_cli"]


class OutputFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


Contests = Annotated[
    Path,
    typer.Option(
        help="Reported contests: what `votetrail results` writes (CSV or JSON), or a "
        "contests file (CSV: Contest, Choice, Votes, Ballots, Vote For; or JSON).",
        show_default=False,
    ),
]
MethodOption = Annotated[Method, typer.Option(help="The audit's statistical method.")]
RiskLimitOption = Annotated[float, typer.Option(help="The risk limit, e.g. 0.05.")]
SampleOption = Annotated[
    Path | None,
    typer.Option(
        help="Ballots audited so far: polling CSV (Ballot, Contest, Choice) or comparison "
        "CSV (Ballot, Contest, CVR, Audit).",
        show_default=False,
    ),
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]


def _write(
    rows: list[dict[str, Any]],
    summary: dict[str, Any],
    fmt: OutputFormat,
    key: str = "assertions",
) -> None:
    if fmt is OutputFormat.JSON:
        json.dump({**summary, key: rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    write_dicts(sys.stdout, rows, list(rows[0]))
    typer.echo(", ".join(f"{k}: {v}" for k, v in summary.items()), err=True)


def _samples(method: Method, sample: Path | None) -> dict[str, Any]:
    if sample is None:
        return {}
    if method.polling:
        return {"polled": read_polling_sample(sample)}
    return {"compared": read_comparison_sample(sample)}


@audit_cli.command("sample-size")
def sample_size_command(
    contests: Contests,
    method: MethodOption = Method.BRAVO,
    risk_limit: RiskLimitOption = 0.05,
    sample: SampleOption = None,
    quantile: Annotated[
        float, typer.Option(help="Chance the round should finish the audit.")
    ] = 0.9,
    seed: Annotated[int, typer.Option(help="Seed of the simulations (ALPHA methods).")] = 1,
    trials: Annotated[int, typer.Option(help="Simulated audits per assertion.")] = 100,
    fmt: FormatOption = OutputFormat.CSV,
) -> None:
    """How many ballots the next round needs, per assertion and overall."""
    found = read_contests(contests)
    sizes = sample_sizes(
        found,
        method,
        risk_limit,
        quantile=quantile,
        seed=seed,
        trials=trials,
        **_samples(method, sample),
    )
    rows = [asdict(size) for size in sizes]
    _write(
        rows,
        {
            "method": method.value,
            "risk_limit": risk_limit,
            "round_size": max(s.size for s in sizes),
        },
        fmt,
    )


@audit_cli.command("risk")
def risk_command(
    contests: Contests,
    sample: Annotated[Path, typer.Option(help="Ballots audited so far (see sample-size).")],
    method: MethodOption = Method.BRAVO,
    risk_limit: RiskLimitOption = 0.05,
    fmt: FormatOption = OutputFormat.CSV,
) -> None:
    """The measured risk of every assertion, and whether the audit is done."""
    report = measure_risk(read_contests(contests), method, risk_limit, **_samples(method, sample))
    rows = [asdict(risk) for risk in report.risks]
    _write(
        rows,
        {
            "method": method.value,
            "risk_limit": risk_limit,
            "max_risk": report.max_risk,
            "decision": report.decision.value,
            "ballots_sampled": report.ballots_sampled,
        },
        fmt,
    )
