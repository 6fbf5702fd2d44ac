"""``votetrail voters`` list maintenance and exports: findings for review, never removals."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from votetrail import linkage
from votetrail.cli.linkage_engine import Engine, EngineOption, SparkMaster, spark_engine
from votetrail.cli.options import DatabaseUrl, DataDir, write_text
from votetrail.cli.voter_auth import User, sign_in
from votetrail.errors import InvalidInput
from votetrail.services.context import open_app
from votetrail.services.voters import alerts as voter_alerts
from votetrail.services.voters import files as voter_files
from votetrail.services.voters import review as voter_review

County = Annotated[
    str | None, typer.Option(help="One county; omit for statewide (state administrator).")
]
Threshold = Annotated[float, typer.Option(help="Match probability needed to propose a pair (0-1).")]


def _run_line(result: voter_review.RunResult) -> str:
    return (
        f"{result.kind}: compared {result.compared:,} registrations, found {result.found:,} "
        f"possible matches, {result.new:,} new in the review queue. Nothing was changed."
    )


def dedupe_command(
    user: User,
    county: County = None,
    threshold: Threshold = linkage.DEFAULT_THRESHOLD,
    engine: EngineOption = Engine.duckdb,
    spark_master: SparkMaster = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Find possible duplicate registrations; they go to the review queue, never cancelled."""
    spark = spark_engine(engine, spark_master)
    app = open_app(data_dir, database_url)
    result = voter_review.find_duplicates(
        app, sign_in(app, user), county=county, threshold=threshold, engine=spark
    )
    typer.echo(_run_line(result))


def deceased_command(
    file: Annotated[Path, typer.Argument(help="Death records (CSV or Parquet).")],
    user: User,
    county: County = None,
    id_column: Annotated[str, typer.Option(help="Column with the record id.")] = "id",
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="FIELD=COLUMN, e.g. last_name=surname.")
    ] = None,
    threshold: Threshold = linkage.DEFAULT_THRESHOLD,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Match registrations against a death list; matches go to the review queue."""
    mapping: dict[str, str] = {}
    for item in map_ or []:
        field, sep, column = item.partition("=")
        if not sep or not field or not column:
            raise InvalidInput(f"--map {item!r} must look like FIELD=COLUMN")
        mapping[field.strip()] = column.strip()
    app = open_app(data_dir, database_url)
    result = voter_review.match_deceased(
        app,
        sign_in(app, user),
        file,
        county=county,
        id_column=id_column,
        mapping=mapping,
        threshold=threshold,
    )
    typer.echo(_run_line(result))


def exchange_export_command(
    key: Annotated[Path, typer.Option(help="File with the key the member states share (hex).")],
    output: Annotated[Path, typer.Option(help="Where to write the token CSV.")],
    user: User,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write this state's cross-state exchange file: voter ids and keyed hashes only."""
    app = open_app(data_dir, database_url)
    text = voter_review.export_exchange(
        app, sign_in(app, user), voter_review.read_exchange_key(key)
    )
    write_text(text, output)
    typer.echo(f"Wrote {text.count(chr(10)) - 1:,} voters' tokens to {output}.")


def exchange_match_command(
    file: Annotated[Path, typer.Argument(help="Another state's token CSV.")],
    key: Annotated[Path, typer.Option(help="File with the key the member states share (hex).")],
    user: User,
    min_strength: Annotated[
        int, typer.Option(help="2: licence or SSN4+DOB must agree; 1: name+DOB is enough.")
    ] = 2,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Match another state's tokens against ours; possible movers go to the review queue."""
    app = open_app(data_dir, database_url)
    result = voter_review.match_exchange(
        app,
        sign_in(app, user),
        file,
        voter_review.read_exchange_key(key),
        min_strength=min_strength,
    )
    typer.echo(_run_line(result))


def review_command(
    county: Annotated[str, typer.Option(help="The county whose queue to show.")],
    user: User,
    status: Annotated[str, typer.Option(help="open, confirmed, rejected or all.")] = "open",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List review items: possible duplicates, deaths and moves awaiting a decision."""
    app = open_app(data_dir, database_url)
    for item in voter_review.reviews(app, sign_in(app, user), county, status=status):
        typer.echo(
            f"{item.id} {item.kind} {item.voter_id} ~ {item.other_id} score {item.score} "
            f"[{item.status}]"
        )


def decide_command(
    review_id: Annotated[str, typer.Argument(help="The review item.")],
    decision: Annotated[str, typer.Argument(help="confirmed or rejected.")],
    note: Annotated[str, typer.Option(help="Why, for the record.")],
    user: User,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Record a decision on a review item; the registration itself is not changed."""
    app = open_app(data_dir, database_url)
    item = voter_review.decide(app, sign_in(app, user), review_id, decision, note)
    typer.echo(f"{item.id} is {item.status}. No registration was changed.")


def alerts_command(
    user: User,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Unusual changes to the voter list (state administrator)."""
    app = open_app(data_dir, database_url)
    found = voter_alerts.alerts(app, sign_in(app, user))
    if as_json:
        typer.echo(json.dumps([a.__dict__ for a in found], indent=2, default=list))
        return
    for a in found:
        seen = f" (acknowledged by {a.acknowledged_by})" if a.acknowledged_by else ""
        typer.echo(
            f"{a.raised_at} {a.rule} {a.actor or '-'} {a.county or '-'}: {a.summary} [{a.id}]{seen}"
        )


def acknowledge_command(
    alert_id: Annotated[str, typer.Argument(help="The alert's id, as `voters alerts` shows it.")],
    user: User,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Mark a voter-list alert as seen (state administrator); logged."""
    app = open_app(data_dir, database_url)
    alert = voter_alerts.acknowledge(app, sign_in(app, user), alert_id)
    typer.echo(f"{alert.id} ({alert.rule}) acknowledged by {alert.acknowledged_by}.")


def poll_book_command(
    county: Annotated[str, typer.Option(help="The county.")],
    election: Annotated[str, typer.Option(help="The election, e.g. 2026-general.")],
    output: Annotated[Path, typer.Option(help="ZIP file to write.")],
    user: User,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Export the county's precinct poll books (check-in lists) as a ZIP, logged by SHA-256."""
    app = open_app(data_dir, database_url)
    data = voter_files.poll_books(app, sign_in(app, user), county, election)
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(f"cannot write: {exc.strerror}", where=str(output)) from None
    typer.echo(f"Wrote {output} ({len(data):,} bytes).")


def export_vri_command(
    county: Annotated[str, typer.Option(help="The county.")],
    user: User,
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    issuer: Annotated[str, typer.Option(help="Issuer named in the file.")] = "votetrail",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Export the county's records as NIST SP 1500-102 VRI JSON (public fields only)."""
    app = open_app(data_dir, database_url)
    write_text(voter_files.vri_export(app, sign_in(app, user), county, issuer), output)


def participation_command(
    file: Annotated[Path, typer.Argument(help="CSV with voter_id (and optional method).")],
    county: Annotated[str, typer.Option(help="The county.")],
    election: Annotated[str, typer.Option(help="The election, e.g. 2026-general.")],
    voted_on: Annotated[str, typer.Option(help="Election day, YYYY-MM-DD.")],
    user: User,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Load who voted, so a later change to a recent voter raises an alert."""
    try:
        day = date.fromisoformat(voted_on)
    except ValueError:
        raise InvalidInput("must be YYYY-MM-DD", where="--voted-on") from None
    app = open_app(data_dir, database_url)
    count = voter_files.load_participation(
        app, sign_in(app, user), file, election=election, voted_on=day, county=county
    )
    typer.echo(f"Loaded {count:,} voters who voted in {election}.")
