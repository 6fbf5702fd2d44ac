"""``votetrail voters``: the voter list, its change history and its proofs."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from votetrail.cli.options import DatabaseUrl, DataDir, write_text
from votetrail.cli.voter_auth import User, sign_in
from votetrail.cli.voters_link import link_command
from votetrail.cli.voters_maintenance import (
    acknowledge_command,
    alerts_command,
    deceased_command,
    decide_command,
    dedupe_command,
    exchange_export_command,
    exchange_match_command,
    export_vri_command,
    participation_command,
    poll_book_command,
    review_command,
)
from votetrail.core.voters.record import Address
from votetrail.core.voters.transactions import Change, Kind
from votetrail.errors import InvalidInput, VerificationFailed
from votetrail.services.context import open_app
from votetrail.services.voters import files as voter_files
from votetrail.services.voters import records as voters
from votetrail.services.voters.proofs import check_bundle, is_stale, proof_text, prove

voters_cli = typer.Typer(
    help="Voter registration: import, change, history, proofs, duplicates.",
    no_args_is_help=True,
)


class FileFormat(StrEnum):
    csv = "csv"
    vri = "vri"


@voters_cli.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A voter file (CSV/TSV) or a VRI JSON/XML file.")],
    user: User,
    county: Annotated[
        str | None,
        typer.Option(help="The county the file belongs to; omit for a statewide file."),
    ] = None,
    file_format: Annotated[FileFormat, typer.Option("--format")] = FileFormat.csv,
    columns: Annotated[
        str,
        typer.Option(help="Column map: votetrail, nc, ohio, florida, or a TOML map file."),
    ] = "votetrail",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Load voters in one logged transaction; re-running the same file changes nothing."""
    app = open_app(data_dir, database_url)
    result = voter_files.import_file(
        app, sign_in(app, user), file, fmt=file_format.value, columns=columns, county=county
    )
    if not result.created:
        typer.echo(f"Already imported as {result.id}; nothing changed.")
        return
    typer.echo(
        f"Imported {result.records:,} voters as {result.id} "
        f"(file SHA-256 {result.sha256}, Merkle root {result.merkle_root})."
    )


@voters_cli.command("change")
def change_command(
    voter_id: Annotated[str, typer.Argument(help="The voter to change.")],
    kind: Annotated[Kind, typer.Option(help="What changes.")],
    reason: Annotated[str, typer.Option(help="Why, in words, for the history.")],
    source: Annotated[str, typer.Option(help="Source document: form, notice or record number.")],
    user: User,
    street: Annotated[str, typer.Option(help="New residence street (address).")] = "",
    city: Annotated[str, typer.Option(help="New residence city (address).")] = "",
    state: Annotated[str, typer.Option(help="New residence state (address).")] = "",
    zip_code: Annotated[str, typer.Option("--zip", help="New residence ZIP (address).")] = "",
    precinct: Annotated[str, typer.Option(help="New precinct (address).")] = "",
    ballot_style: Annotated[str, typer.Option(help="New ballot style (address).")] = "",
    first_name: Annotated[str, typer.Option(help="New first name (name).")] = "",
    middle_name: Annotated[str, typer.Option(help="New middle name (name).")] = "",
    last_name: Annotated[str, typer.Option(help="New last name (name).")] = "",
    suffix: Annotated[str, typer.Option(help="New suffix (name).")] = "",
    party: Annotated[str, typer.Option(help="New party (party); empty for none.")] = "",
    status_reason: Annotated[
        str, typer.Option(help="Reason code for inactive / cancel (e.g. deceased).")
    ] = "",
    duplicate_of: Annotated[str, typer.Option(help="The registration kept (cancel).")] = "",
    confirmed_by_voter: Annotated[
        bool, typer.Option(help="The source is the voter's own signed statement.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Apply one transaction to one voter (address, name, party, inactive, cancel, reinstate)."""
    values: dict[str, object] = {}
    if kind is Kind.ADDRESS:
        values = {
            "residence": Address(street, city, state, zip_code),
            "precinct": precinct,
            "ballot_style": ballot_style,
        }
    elif kind is Kind.NAME:
        values = {
            "first_name": first_name,
            "middle_name": middle_name,
            "last_name": last_name,
            "suffix": suffix,
        }
    elif kind is Kind.PARTY:
        values = {"party": party}
    elif kind in (Kind.INACTIVE, Kind.CANCEL):
        values = {"status_reason": status_reason, "duplicate_of": duplicate_of}
    app = open_app(data_dir, database_url)
    record = voters.change(
        app,
        sign_in(app, user),
        voter_id,
        Change(kind, reason, source, values, confirmed_by_voter),
    )
    typer.echo(
        f"{voter_id} is now version {record.version} ({record.status.value}); "
        f"version hash {record.version_hash()}."
    )


@voters_cli.command("history")
def history_command(
    voter_id: Annotated[str, typer.Argument(help="The voter.")],
    user: User,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Every version of a voter's record: what changed, who, why, on what document."""
    app = open_app(data_dir, database_url)
    steps = voters.history(app, sign_in(app, user), voter_id)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {
                        "version": s.version,
                        "kind": s.kind,
                        "actor": s.actor,
                        "reason": s.reason,
                        "source_ref": s.source_ref,
                        "occurred_at": s.occurred_at,
                        "version_hash": s.version_hash,
                        "changed": list(s.changed),
                        "record": s.record,
                    }
                    for s in steps
                ],
                indent=2,
                default=str,
            )
        )
        return
    for s in steps:
        changed = f" ({', '.join(s.changed)})" if s.changed else ""
        typer.echo(
            f"v{s.version} {s.occurred_at} {s.kind}{changed} by {s.actor}: {s.reason} "
            f"[source {s.source_ref}] {s.version_hash[:16]}"
        )


@voters_cli.command("prove")
def prove_command(
    voter_id: Annotated[str, typer.Argument(help="The voter.")],
    output: Annotated[Path | None, typer.Option(help="Write the proof here.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """A proof that the voter's current record is in the list the signed log commits to."""
    bundle = prove(open_app(data_dir, database_url), voter_id)
    write_text(proof_text(bundle), output)


@voters_cli.command("check-proof")
def check_proof_command(
    proof: Annotated[Path, typer.Argument(help="A proof from `votetrail voters prove`.")],
    verifier_key: Annotated[
        Path, typer.Option(help="The log's public verifier key (from /verifier-key).")
    ],
) -> None:
    """Check a voter proof offline, with nothing but the log's public key."""
    try:
        bundle = json.loads(proof.read_text(encoding="utf-8"))
        key = verifier_key.read_text(encoding="utf-8").strip()
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot be read: {exc}", where=str(proof)) from None
    problems = check_bundle(bundle, key)
    if is_stale(problems):
        raise VerificationFailed("STALE: " + "; ".join(problems))
    if problems:
        raise VerificationFailed("; ".join(problems))
    size = bundle["checkpoint"].split("\n", 2)[1]
    typer.echo(
        f"OK: {bundle['voter_id']} version {bundle['record']['version']} is the current record "
        f"under the signed checkpoint of size {size} (no later voter-map update before it)."
    )


voters_cli.command("dedupe")(dedupe_command)
voters_cli.command("deceased")(deceased_command)
voters_cli.command("exchange-export")(exchange_export_command)
voters_cli.command("exchange-match")(exchange_match_command)
voters_cli.command("review")(review_command)
voters_cli.command("decide")(decide_command)
voters_cli.command("alerts")(alerts_command)
voters_cli.command("acknowledge")(acknowledge_command)
voters_cli.command("poll-book")(poll_book_command)
voters_cli.command("export-vri")(export_vri_command)
voters_cli.command("participation")(participation_command)
voters_cli.command("link")(link_command)
