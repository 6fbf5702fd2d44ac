"""Importing county files, and the results and ballot accounting computed from them."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from votetrail.cli.options import DatabaseUrl, DataDir, write_text
from votetrail.errors import InvalidInput
from votetrail.formats.accounting.report import render_html, write_csv
from votetrail.formats.csv_out import CsvWriter
from votetrail.services.context import open_app
from votetrail.services.counting.published import ResultsFormat, results_text
from votetrail.services.counting.results import accounting, results
from votetrail.services.counting.uploads import (
    UploadResult,
    import_counts,
    import_cvrs,
    import_manifest,
    import_reported_results,
)

cvr_cli = typer.Typer(help="Cast vote records.", no_args_is_help=True)
manifest_cli = typer.Typer(help="Ballot manifests.", no_args_is_help=True)
counts_cli = typer.Typer(
    help="Paper-record counts per device, check-ins per precinct and reported results.",
    no_args_is_help=True,
)
accounting_cli = typer.Typer(help="Ballot accounting.", no_args_is_help=True)

Jurisdiction = Annotated[str, typer.Option(help="The county's id, e.g. 'adams'.")]
Actor = Annotated[str, typer.Option(help="Who is doing this, for the log.")]
Replace = Annotated[
    str | None,
    typer.Option(
        "--replace",
        metavar="UPLOAD_ID",
        help="Confirm that these files replace that current upload (logged as "
        "upload.replaced); its records stop counting but stay stored and proven.",
    ),
]


def _report(result: UploadResult) -> None:
    if not result.created:
        typer.echo(f"Already imported as {result.id}; nothing changed.")
        return
    for described in result.files:
        typer.echo(
            f"{described['name']}: {described['format']}, {described['records']:,} records, "
            f"SHA-256 {described['sha256']}"
        )
    typer.echo(
        f"Imported {result.records:,} records as {result.id} (Merkle root {result.merkle_root})."
    )
    if result.replaced is not None:
        typer.echo(f"{result.id} replaces {result.replaced}, which no longer counts.")


@cvr_cli.command("import")
def cvr_import(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="CVR export files (Dominion, Hart, Clear Ballot, ES&S CSV or .xlsx, NIST)."
        ),
    ],
    jurisdiction: Jurisdiction,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    actor: Actor = "cli",
    replace: Replace = None,
) -> None:
    """Add CVR files to the county's (all files in one logged transaction).

    Files accumulate: the county's CVRs are all its current uploads, so one
    tabulator's file may come at a time. A ballot id already uploaded is
    refused; to correct a file, replace its upload with --replace.
    """
    app = open_app(data_dir, database_url)
    _report(import_cvrs(app, actor, jurisdiction, files, replace))


@manifest_cli.command("import")
def manifest_import(
    file: Annotated[Path, typer.Argument(help="Ballot manifest CSV.")],
    jurisdiction: Jurisdiction,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    actor: Actor = "cli",
    replace: Replace = None,
) -> None:
    """Import the county's ballot manifest; a second one needs --replace naming the first."""
    app = open_app(data_dir, database_url)
    _report(import_manifest(app, actor, jurisdiction, file, replace))


class CountKind(StrEnum):
    PAPER_COUNTS = "paper_counts"
    CHECK_INS = "check_ins"
    REPORTED_RESULTS = "reported_results"


@counts_cli.command("import")
def counts_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: Tabulator,Paper Records or Precinct,Check-ins or contest,choice,votes."
        ),
    ],
    jurisdiction: Jurisdiction,
    kind: Annotated[CountKind, typer.Option(help="Which counts the file holds.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    actor: Actor = "cli",
    replace: Replace = None,
) -> None:
    """Import per-device paper-record counts, per-precinct check-ins or reported results.

    Reported results are the totals the county published, which an audit
    checks its CVR totals against; the CSV ``votetrail results --format csv``
    writes is accepted as it is. Each kind is the whole county's: a second
    file of a kind needs --replace naming the current one.
    """
    app = open_app(data_dir, database_url)
    if kind is CountKind.REPORTED_RESULTS:
        _report(import_reported_results(app, actor, jurisdiction, file, replace))
        return
    _report(import_counts(app, actor, jurisdiction, kind.value, file, replace))


def results_command(
    jurisdiction: Annotated[
        str | None, typer.Option(help="One county; statewide when omitted.")
    ] = None,
    fmt: Annotated[ResultsFormat, typer.Option("--format", help="Output format.")] = (
        ResultsFormat.JSON
    ),
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    election_name: Annotated[str, typer.Option(help="For the NIST report.")] = "General Election",
    election_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD, for the NIST report [default: today].")
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Results per contest from the uploaded CVRs (JSON, NIST SP 1500-100 JSON or CSV)."""
    app = open_app(data_dir, database_url)
    found = results(app, jurisdiction)
    try:
        day = date.fromisoformat(election_date) if election_date else None
    except ValueError:
        raise InvalidInput("must be YYYY-MM-DD", where=f"--election-date {election_date}") from None
    text = results_text(
        app,
        found,
        fmt,
        jurisdiction=jurisdiction,
        election_name=election_name,
        election_date=day,
    )
    write_text(text, output)


class ReportFormat(StrEnum):
    HTML = "html"
    CSV = "csv"


@accounting_cli.command("report")
def accounting_report(
    jurisdiction: Jurisdiction,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Output format.")] = (
        ReportFormat.CSV
    ),
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Check-ins vs CVRs vs paper records vs manifest for a county, with every finding explained."""
    report = accounting(open_app(data_dir, database_url), jurisdiction)
    if fmt is ReportFormat.HTML:
        write_text(render_html(jurisdiction, report.reconciliation, report.phantoms), output)
    else:
        if output is None:
            write_csv(report.reconciliation, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                write_csv(report.reconciliation, handle)
    typer.echo(report.reconciliation.summary.explanation, err=True)


@accounting_cli.command("phantoms")
def accounting_phantoms(
    jurisdiction: Jurisdiction,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List the phantom ballots (CVRs with no paper record) the audit must treat as worst case."""
    report = accounting(open_app(data_dir, database_url), jurisdiction)
    out = CsvWriter(sys.stdout)  # tabulator names come from uploaded files: defused, quoted
    out.writerow(("phantom_id", "tabulator"))
    out.writerows(report.phantoms.pairs())
    typer.echo(
        f"{report.phantoms.count} phantom ballots; the audit scores each drawn one as "
        "a two-vote overstatement (enter it as MISSING).",
        err=True,
    )
