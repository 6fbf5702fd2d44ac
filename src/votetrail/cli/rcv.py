"""``votetrail rcv tabulate``: a ranked-choice contest counted round by round.

From an RCTab configuration file (the jurisdiction's own rules and CVRs), or
from the stored CVRs with default IRV rules (``--contest``). The output is
RCTab's detailed report, JSON or CSV (``formats/rcv/report.py``), so it can be
compared with RCTab's own file line by line.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from votetrail.cli.options import DatabaseUrl, DataDir, write_text
from votetrail.core.rcv.rules import ContestRules, Tabulation
from votetrail.errors import InvalidInput
from votetrail.formats.rcv.report import (
    ReportTitles,
    detailed_csv,
    detailed_json,
    detailed_report,
    report_passes,
    titles_of,
)
from votetrail.services.context import open_app
from votetrail.services.rcv.rounds import config_rounds, stored_contest_rounds

rcv_cli = typer.Typer(help="Ranked-choice contests.", no_args_is_help=True)


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


def _render(
    rules: ContestRules, tabulation: Tabulation, titles: ReportTitles, fmt: ReportFormat
) -> list[str]:
    """One report per pass (one per seat in multi-pass IRV, else just one)."""
    passes = report_passes(tabulation)
    if fmt is ReportFormat.CSV:
        return [
            detailed_csv(rules, count, titles, seat) for seat, count in enumerate(passes, start=1)
        ]
    return [detailed_json(rules, count, titles) for count in passes]


def _emit(
    rules: ContestRules,
    tabulation: Tabulation,
    titles: ReportTitles,
    fmt: ReportFormat,
    output: Path | None,
) -> None:
    reports = _render(rules, tabulation, titles, fmt)
    if len(reports) == 1:
        write_text(reports[0], output)
    elif output is not None:
        # Multi-pass IRV: one file per seat, numbered as RCTab numbers its reports.
        for seat, text in enumerate(reports, start=1):
            write_text(text, output.with_name(f"{output.stem}_{seat}{output.suffix}"))
    elif fmt is ReportFormat.JSON:
        passes = [detailed_report(rules, count, titles) for count in report_passes(tabulation)]
        write_text(json.dumps(passes, indent=2, sort_keys=True) + "\n", None)
    else:
        write_text("\n".join(reports), None)


@rcv_cli.command("tabulate")
def tabulate_command(
    config: Annotated[
        Path | None,
        typer.Argument(
            help="An RCTab contest configuration file (its CVR paths are read relative to it).",
            show_default=False,
        ),
    ] = None,
    contest: Annotated[
        str | None,
        typer.Option(
            help="Count this ranked contest of the stored CVRs instead, with the "
            "default IRV rules (docs/rcv.md).",
            show_default=False,
        ),
    ] = None,
    county: Annotated[
        str | None,
        typer.Option(
            help="With --contest: one county's CVRs only (default: statewide).", show_default=False
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="RCTab's detailed report as JSON or CSV.")
    ] = ReportFormat.JSON,
    output: Annotated[
        Path | None,
        typer.Option(
            help="Write here instead of stdout (multi-pass IRV: FILE_1, FILE_2, ...).",
            show_default=False,
        ),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Count a ranked-choice contest round by round and print RCTab's detailed report."""
    if (config is None) == (contest is None):
        raise InvalidInput("give either an RCTab configuration file or --contest, not both")
    if config is not None:
        if county is not None:
            raise InvalidInput("--county goes with --contest, not with a configuration file")
        loaded, tabulation = config_rounds(config)
        _emit(loaded.rules, tabulation, titles_of(loaded), fmt, output)
        return
    assert contest is not None
    counted = stored_contest_rounds(open_app(data_dir, database_url), county, contest)
    titles = ReportTitles(contest=contest, jurisdiction=county or "")
    _emit(counted.rules, counted.tabulation, titles, fmt, output)
