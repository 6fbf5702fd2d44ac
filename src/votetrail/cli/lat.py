"""``votetrail lat``: logic and accuracy test decks, comparisons and public test sessions.

``deck`` and ``compare`` need no database: a county (or an observer) can make
the deck from the definition file and check a tabulator's report on any
laptop. ``session`` keeps the public record and signs in like the web.
"""

from __future__ import annotations

import io
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from votetrail.cli.options import DatabaseUrl, DataDir, write_text
from votetrail.cli.voter_auth import User, sign_in
from votetrail.core.lat.deck import generate_deck
from votetrail.core.lat.precinct_mixup import compare_device
from votetrail.core.lat.report_identity import identity_discrepancies
from votetrail.errors import InvalidInput
from votetrail.formats.election.read import read_definition
from votetrail.formats.lat.deck_files import (
    write_deck_csv,
    write_deck_cvrs,
    write_deck_json,
    write_expected_csv,
    write_round_tables,
)
from votetrail.formats.lat.results import read_tabulator_report
from votetrail.services.context import open_app
from votetrail.services.lat import records as lat_records
from votetrail.services.lat import sessions as lat_sessions

lat_cli = typer.Typer(
    help="Logic and accuracy tests of voting equipment: decks, comparisons, public sessions.",
    no_args_is_help=True,
)
session_cli = typer.Typer(
    help="Public L&A test sessions: open, add devices, record results, seal, sign, certificate.",
    no_args_is_help=True,
)
lat_cli.add_typer(session_cli, name="session")

Definition = Annotated[
    Path,
    typer.Argument(
        help="Election definition: NIST SP 1500-100 JSON, VotingWorks election.json, "
        "ElectionGuard 1.x or 2.0 manifest or votetrail YAML."
    ),
]
Precincts = Annotated[
    list[str] | None,
    typer.Option(
        "--precinct",
        help="Only the ballots of this precinct (repeat for several); default: every precinct.",
    ),
]
Output = Annotated[Path | None, typer.Option(help="Write here instead of standard output.")]


class DeckFormat(StrEnum):
    json = "json"
    csv = "csv"
    expected_csv = "expected-csv"
    cvr = "cvr"
    pdf = "pdf"
    rounds = "rounds"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


@lat_cli.command("deck")
def deck_command(
    definition_file: Definition,
    deck_format: Annotated[DeckFormat, typer.Option("--format")] = DeckFormat.json,
    precinct: Precincts = None,
    tabulator: Annotated[
        str, typer.Option(help="Device name used in CVR ids (--format cvr).")
    ] = "TEST",
    output: Output = None,
) -> None:
    """Make the test deck: every choice of every contest gets a different total.

    json is the documented deck contract (ballots and expected totals); csv
    lists each ballot's marking instructions; expected-csv the expected totals;
    cvr the deck as NIST SP 1500-103 JSON cast vote records; pdf the printable
    deck with instructions and expected totals (needs --output); rounds each
    ranked-choice contest's expected round table.
    """
    definition = read_definition(definition_file)
    deck = generate_deck(definition, precinct or None)
    for contest in definition.untested_contests():
        typer.echo(
            f"Note: contest {contest.id!r} ({contest.title}) is on no ballot style and is not "
            "in the deck.",
            err=True,
        )
    if deck_format is DeckFormat.pdf or deck_format is DeckFormat.cvr:
        if output is None:
            raise InvalidInput(
                f"--format {deck_format.value} needs --output FILE", where="--output"
            )
        if deck_format is DeckFormat.pdf:
            from votetrail.formats.lat.pdf import deck_pdf  # loads the PDF library only here

            heading = f"L&A test deck: {definition.title}"
            data = deck_pdf(deck, heading=heading, precincts=precinct or None)
            try:
                output.write_bytes(data)
            except OSError as exc:
                raise InvalidInput(f"cannot write: {exc.strerror}", where=str(output)) from None
        else:
            write_deck_cvrs(deck, output, tabulator, precinct or None)
        typer.echo(f"Wrote {output} ({len(deck.ballots)} ballots).")
        return
    buffer = io.StringIO()
    if deck_format is DeckFormat.json:
        write_deck_json(deck, buffer)
    elif deck_format is DeckFormat.csv:
        write_deck_csv(deck, buffer)
    elif deck_format is DeckFormat.rounds:
        write_round_tables(deck, buffer, precinct or None)
    else:
        write_expected_csv(deck, buffer, precinct or None)
    write_text(buffer.getvalue(), output)


@lat_cli.command("compare")
def compare_command(
    definition_file: Definition,
    results: Annotated[
        Path,
        typer.Argument(
            help="The tabulator's report: NIST SP 1500-100 results JSON, a CVR export votetrail "
            "reads, or a totals CSV (contest,choice,votes)."
        ),
    ],
    precinct: Precincts = None,
    serial: Annotated[
        str | None,
        typer.Option(help="The tested device's serial number, checked against the report's own."),
    ] = None,
    report_format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.text,
) -> None:
    """Compare a tabulator's report of the deck with the expected results; exit 1 on a failure.

    What the report says about itself (device, precincts, election) is checked
    against --serial, --precinct and the definition where the report says it.
    """
    definition = read_definition(definition_file)
    unknown = sorted(set(precinct or ()) - {p.id for p in definition.precincts})
    if unknown:
        raise InvalidInput(
            "not in the election definition: " + ", ".join(map(repr, unknown)), where="--precinct"
        )
    deck = generate_deck(definition)  # numbered as in the whole deck, as sessions number it
    report = read_tabulator_report(results, definition)
    found = identity_discrepancies(definition, serial, precinct or None, report.about)
    found.extend(
        compare_device(
            deck, precinct or None, report.overall, report.by_style, report.cards, report.rankings
        ).discrepancies
    )
    sentences = [d.sentence for d in found] + list(report.unmatched)
    passed = not sentences
    if report_format is ReportFormat.json:
        typer.echo(
            json.dumps(
                {
                    "passed": passed,
                    "format": report.format,
                    "discrepancies": [
                        {"kind": d.kind, "contest": d.contest, "sentence": d.sentence}
                        for d in found
                    ]
                    + [
                        {"kind": "unexpected_contest", "contest": None, "sentence": s}
                        for s in report.unmatched
                    ],
                },
                indent=2,
            )
        )
    else:
        typer.echo(f"{results.name} ({report.format}): {'PASS' if passed else 'FAIL'}")
        for sentence in sentences:
            typer.echo(f"  - {sentence}")
    if not passed:
        raise typer.Exit(1)


County = Annotated[str, typer.Option(help="The county (jurisdiction id) whose test this is.")]


@session_cli.command("open")
def open_command(
    county: County,
    definition_file: Annotated[
        Path, typer.Option("--definition", help="The election definition file the deck uses.")
    ],
    phase: Annotated[str, typer.Option(help="pre (before the election) or post (after).")],
    held_on: Annotated[str, typer.Option("--date", help="The day of the test, YYYY-MM-DD.")],
    location: Annotated[str, typer.Option(help="Where the public test is held.")],
    user: User,
    observer: Annotated[
        list[str] | None, typer.Option(help="An observer present (repeat for each).")
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Open a public test (loading the definition once; loading it again changes nothing)."""
    try:
        day = date.fromisoformat(held_on)
    except ValueError:
        raise InvalidInput("is not a date (YYYY-MM-DD)", where=f"--date {held_on!r}") from None
    app = open_app(data_dir, database_url)
    principal = sign_in(app, user)
    loaded, session_id = lat_sessions.open_from_file(
        app, principal, county, definition_file, phase, day, location, observer or []
    )
    typer.echo(f"Opened {session_id} ({loaded.title}, {loaded.source_format}).")


@session_cli.command("device")
def device_command(
    session_id: Annotated[str, typer.Argument(help="The test, e.g. adams-lat-1.")],
    serial: Annotated[str, typer.Option(help="The tabulator's serial number.")],
    seal: Annotated[str, typer.Option(help="The seal number found on it before the test.")],
    user: User,
    kind: Annotated[str, typer.Option(help="E.g. precinct scanner, central scanner, BMD.")] = (
        "precinct scanner"
    ),
    precinct: Annotated[
        list[str] | None,
        typer.Option(help="A precinct it counts (repeat); omit for central count (all)."),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Put a tabulator under test."""
    app = open_app(data_dir, database_url)
    lat_sessions.add_device(
        app, sign_in(app, user), session_id, serial, kind, seal, precinct or None
    )
    typer.echo(f"Device {serial} added to {session_id}.")


@session_cli.command("result")
def result_command(
    session_id: Annotated[str, typer.Argument(help="The test, e.g. adams-lat-1.")],
    serial: Annotated[str, typer.Option(help="The tabulator that produced the report.")],
    report: Annotated[Path, typer.Argument(help="Its report: results JSON, CVR export or CSV.")],
    user: User,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Record and compare a device's report; exit 1 when it fails."""
    app = open_app(data_dir, database_url)
    recorded = lat_sessions.record_result(app, sign_in(app, user), session_id, serial, report)
    if not recorded.created:
        typer.echo(f"Already recorded as {recorded.id}; nothing changed.")
        return
    typer.echo(f"{recorded.id}: {'PASS' if recorded.passed else 'FAIL'}")
    for discrepancy in recorded.discrepancies:
        typer.echo(f"  - {discrepancy.sentence}")
    if not recorded.passed:
        raise typer.Exit(1)


@session_cli.command("seal")
def seal_command(
    session_id: Annotated[str, typer.Argument(help="The test, e.g. adams-lat-1.")],
    serial: Annotated[str, typer.Option(help="The tabulator sealed.")],
    seal: Annotated[str, typer.Option(help="The seal number applied after the test.")],
    user: User,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Record the seal applied after testing (checked by the post-election test)."""
    app = open_app(data_dir, database_url)
    lat_sessions.seal_device(app, sign_in(app, user), session_id, serial, seal)
    typer.echo(f"Device {serial} sealed with {seal}.")


@session_cli.command("unsealed")
def unsealed_command(
    session_id: Annotated[str, typer.Argument(help="The test, e.g. adams-lat-1.")],
    serial: Annotated[str, typer.Option(help="The tabulator left unsealed.")],
    reason: Annotated[str, typer.Option(help="Why it was not sealed after the test.")],
    user: User,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Record why a device was left unsealed (signing needs a seal or a reason per device)."""
    app = open_app(data_dir, database_url)
    lat_sessions.leave_unsealed(app, sign_in(app, user), session_id, serial, reason)
    typer.echo(f"Recorded why device {serial} was left unsealed.")


@session_cli.command("sign")
def sign_command(
    session_id: Annotated[str, typer.Argument(help="The test, e.g. adams-lat-1.")],
    official: Annotated[list[str], typer.Option(help="An official signing off (repeat).")],
    statement: Annotated[str, typer.Option(help="What the officials certify, in words.")],
    user: User,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Sign off the test; it is closed afterwards."""
    app = open_app(data_dir, database_url)
    lat_sessions.sign_session(app, sign_in(app, user), session_id, official, statement)
    typer.echo(f"{session_id} signed off.")


@session_cli.command("list")
def list_command(
    county: Annotated[str | None, typer.Option(help="Only this county's tests.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Every test and its outcome (public)."""
    app = open_app(data_dir, database_url)
    for view in lat_records.sessions(app, county):
        typer.echo(
            f"{view.id}\t{view.held_on}\t{view.phase_label}\t{view.jurisdiction_name}\t"
            f"{len(view.devices)} devices\t{view.outcome}\t{view.status}"
        )


@session_cli.command("show")
def show_command(
    session_id: Annotated[str, typer.Argument(help="The test, e.g. adams-lat-1.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """One test: devices, seals, every run and its discrepancies (public)."""
    app = open_app(data_dir, database_url)
    view = lat_records.session(app, session_id)
    lines = [
        f"{view.id}: {view.phase_label} L&A test, {view.jurisdiction_name}, {view.held_on}, "
        f"{view.location}",
        f"Election: {view.election} ({view.definition_format}, definition SHA-256 "
        f"{view.definition_sha256})",
        f"Observers: {', '.join(view.observers) or 'none recorded'}",
        f"Outcome: {view.outcome} ({view.status})"
        + ("" if view.status == "signed" else " - NOT SIGNED: IN PROGRESS, not a certificate"),
    ]
    for device in view.devices:
        lines.append(
            f"  Device {device.serial} ({device.kind}, {device.precinct_text}): seal before "
            f"{device.seal_before}, after {_seal_after(device)}: {device.outcome}"
        )
        for result in device.results:
            verdict = "PASS" if result.passed else "FAIL"
            lines.append(
                f"    run {result.run}: {verdict} {result.file_name} "
                f"(SHA-256 {result.file_sha256}, log entry {result.log_entry})"
            )
            lines.extend(f"      - {sentence}" for sentence in result.discrepancies)
    if view.officials:
        lines.append(f"Signed by: {', '.join(view.officials)} at {view.signed_at}")
        lines.append(f"Statement: {view.statement}")
    typer.echo("\n".join(lines))


def _seal_after(device: lat_records.DeviceView) -> str:
    if device.seal_after:
        return device.seal_after
    if device.unsealed_reason:
        return f"none ({device.unsealed_reason})"
    return "not recorded"


@session_cli.command("certificate")
def certificate_command(
    session_id: Annotated[str, typer.Argument(help="The test, e.g. adams-lat-1.")],
    output: Annotated[Path, typer.Option(help="The PDF file to write.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the printable certificate of a signed test (PDF); an open test has none.

    The certificate names the test's public page: absolute with
    VOTETRAIL_PUBLIC_URL set, else its path on the office's site.
    """
    app = open_app(data_dir, database_url)
    data = lat_records.certificate_bytes(app, session_id, lat_records.record_url(app, session_id))
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(f"cannot write: {exc.strerror}", where=str(output)) from None
    typer.echo(f"Wrote {output}.")
