"""``votetrail audit irv-assertions`` and ``votetrail audit irv-risk``: auditing an IRV contest.

The assertions come from the stored CVRs of the contest (RAIRE, see
docs/rcv.md); the risk is measured from a comparison sample file whose cells
hold rankings (``formats/audit/ranked_sample.py``). Both print one row per
assertion, CSV or JSON, like ``votetrail audit risk``.
"""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from votetrail.cli.audit_stats import FormatOption, OutputFormat, RiskLimitOption, _write, audit_cli
from votetrail.cli.options import DatabaseUrl, DataDir
from votetrail.core.rcv.raire import RaireResult, Trim
from votetrail.core.rcv.raire_audit import comparison_sample_sizes
from votetrail.formats.audit.ranked_sample import read_ranked_comparison_sample
from votetrail.services.context import open_app
from votetrail.services.rcv.raire import irv_assertions, irv_risk

__all__ = ["audit_cli"]


class IrvMethod(StrEnum):
    ALPHA = "alpha"
    KAPLAN_MARKOV = "kaplan-markov"


ContestOption = Annotated[str, typer.Option(help="The ranked-choice contest, as its CVRs name it.")]
CountyOption = Annotated[
    str | None,
    typer.Option(help="One county's CVRs only (default: every county).", show_default=False),
]
WinnerOption = Annotated[
    str | None,
    typer.Option(
        help="The reported winner (default: the IRV winner of the stored CVRs).",
        show_default=False,
    ),
]
BallotsOption = Annotated[
    int | None,
    typer.Option(
        help="N, the cards the sample is drawn from (default: the cards with the contest).",
        show_default=False,
    ),
]


def _number(value: float) -> float | str:
    return "inf" if math.isinf(value) else value


def _assertion_rows(result: RaireResult, sizes: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "assertion": a.id,
            "kind": a.kind.value,
            "winner": a.winner,
            "loser": a.loser,
            "continuing": ";".join(sorted(a.continuing)),
            "winner_tally": a.winner_tally,
            "loser_tally": a.loser_tally,
            "margin_votes": a.margin_votes,
            "diluted_margin": a.margin.value,
            "difficulty": _number(a.difficulty),
            "sample_size": sizes[a.id],
            "explanation": a.explain(),
        }
        for a in result.assertions
    ]


@audit_cli.command("irv-assertions")
def irv_assertions_command(
    contest: ContestOption,
    county: CountyOption = None,
    winner: WinnerOption = None,
    ballots: BallotsOption = None,
    fewest: Annotated[
        bool,
        typer.Option(
            "--fewest-assertions",
            help="Trim to the fewest assertions rather than the smallest proof tree.",
        ),
    ] = False,
    risk_limit: RiskLimitOption = 0.05,
    fmt: FormatOption = OutputFormat.CSV,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """RAIRE's assertions proving the IRV winner, from the stored CVRs, with sample sizes."""
    trim = Trim.MINIMIZE_ASSERTIONS if fewest else Trim.MINIMIZE_TREE
    result = irv_assertions(
        open_app(data_dir, database_url),
        contest,
        county_id=county,
        winner=winner,
        ballots=ballots,
        trim=trim,
    )
    sizes = comparison_sample_sizes(result.assertions, risk_limit)
    _write(
        _assertion_rows(result, sizes),
        {
            "contest": result.contest_id,
            "winner": result.winner,
            "ballots": result.ballots,
            "difficulty": _number(result.difficulty),
            "margin_votes": result.margin_votes,
            "elimination_order": " > ".join(result.elimination_order),
            "risk_limit": risk_limit,
            "round_size": max(sizes.values(), default=0),
        },
        fmt,
    )


@audit_cli.command("irv-risk")
def irv_risk_command(
    contest: ContestOption,
    sample: Annotated[
        Path,
        typer.Option(
            help="Comparison sample CSV (Ballot, Contest, CVR, Audit) with rankings such as "
            "'Loftus > Boudin'.",
        ),
    ],
    county: CountyOption = None,
    winner: WinnerOption = None,
    ballots: BallotsOption = None,
    risk_limit: RiskLimitOption = 0.05,
    method: Annotated[IrvMethod, typer.Option(help="The comparison test.")] = IrvMethod.ALPHA,
    with_replacement: Annotated[
        bool, typer.Option("--with-replacement", help="The sample was drawn with replacement.")
    ] = False,
    fmt: FormatOption = OutputFormat.CSV,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The measured risk of every RAIRE assertion of an IRV contest, and the decision."""
    cards = read_ranked_comparison_sample(sample, contest)
    result = irv_assertions(
        open_app(data_dir, database_url), contest, county_id=county, winner=winner, ballots=ballots
    )
    report = irv_risk(
        result,
        cards,
        risk_limit,
        method="alpha" if method is IrvMethod.ALPHA else "kaplan_markov",
        replacement=with_replacement,
    )
    _write(
        [
            {
                "assertion": r.assertion,
                "diluted_margin": r.margin,
                "difficulty": _number(r.difficulty),
                "risk": r.risk,
            }
            for r in report.risks
        ],
        {
            "contest": result.contest_id,
            "winner": result.winner,
            "method": method.value,
            "risk_limit": risk_limit,
            "max_risk": report.max_risk,
            "decision": report.decision.value,
            "cards_sampled": report.cards_sampled,
        },
        fmt,
    )
