"""The ``votetrail`` command.

Expected errors (``VotetrailError``) become one line on stderr and a non-zero
exit code here, in ``run`` and nowhere else. So do usage errors (a mistyped
command or option, a missing argument: one line naming the nearest real name,
one hint, exit 2) and bugs (one line saying where the traceback was saved,
exit 70): no traceback reaches the person at the keyboard unless they ask for
it with ``VOTETRAIL_TRACEBACK=1``.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from votetrail.cli import (
    audit_irv,  # noqa: F401 - adds audit irv-assertions/irv-risk
    audit_workflow,  # noqa: F401 - adds audit create/seed/draw/retrieval
    failures,
    netmon_totals,  # noqa: F401 - adds netmon totals
)
from votetrail.cli.audit_batch import audit_cli
from votetrail.cli.backup import backup_command, restore_command
from votetrail.cli.counting import (
    accounting_cli,
    counts_cli,
    cvr_cli,
    manifest_cli,
    results_command,
)
from votetrail.cli.keys import key_cli
from votetrail.cli.lat import lat_cli
from votetrail.cli.monitor import monitor_command, witness_cli
from votetrail.cli.netmon import netmon_cli
from votetrail.cli.options import DatabaseUrl, DataDir
from votetrail.cli.publications import (
    fetch_text,
    publication_cli,
    publish_command,
    verify_document_command,
)
from votetrail.cli.rcv import rcv_cli
from votetrail.cli.voters import voters_cli
from votetrail.errors import InvalidInput, VotetrailError
from votetrail.services import log_view
from votetrail.services.accounts.sessions import sign_out_everywhere
from votetrail.services.accounts.sign_in import failed_sign_ins
from votetrail.services.context import App, open_app, resolve_public_url
from votetrail.services.directory import add_jurisdiction, add_user, set_password
from votetrail.services.setup import DEFAULT_ORIGIN, DEMO_PASSWORD, DEMO_USERS, init, load_demo
from votetrail.services.unit_of_work import unit_of_work
from votetrail.services.verify import verify

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]
PublicUrl = Annotated[
    str | None,
    typer.Option(
        envvar="VOTETRAIL_PUBLIC_URL",
        help="The public base URL observers reach this site at (e.g. "
        "https://elections.example.gov), printed on L&A certificates; without it they print "
        "only the page's path.",
    ),
]

cli = typer.Typer(
    help="votetrail: evidence that an election was run as officials say it was.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
ledger_cli = typer.Typer(help="The transparency log: checkpoints, proofs, entries.")
admin_cli = typer.Typer(help="Jurisdictions and officials' accounts.")
docs_cli = typer.Typer(help="Generated documentation.")
cli.add_typer(ledger_cli, name="ledger")
cli.add_typer(admin_cli, name="admin")
cli.add_typer(docs_cli, name="docs")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(cvr_cli, name="cvr")
cli.add_typer(manifest_cli, name="manifest")
cli.add_typer(counts_cli, name="counts")
cli.add_typer(accounting_cli, name="accounting")
cli.add_typer(netmon_cli, name="netmon")
cli.add_typer(voters_cli, name="voters")
cli.add_typer(lat_cli, name="lat")
cli.add_typer(rcv_cli, name="rcv")
cli.command("results")(results_command)
cli.add_typer(publication_cli, name="publication")
cli.command("publish")(publish_command)
cli.command("verify-document")(verify_document_command)
cli.command("monitor")(monitor_command)
cli.add_typer(witness_cli, name="witness")
cli.command("backup")(backup_command)
cli.add_typer(key_cli, name="key")
cli.command("restore")(restore_command)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@cli.command("init")
def init_command(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    origin: Annotated[
        str, typer.Option(help="The log's name in checkpoints, e.g. elections.example.gov/log.")
    ] = DEFAULT_ORIGIN,
    state_id: Annotated[str | None, typer.Option(help="Short id of the state, e.g. 'co'.")] = None,
    state_name: Annotated[str | None, typer.Option(help="The state's full name.")] = None,
) -> None:
    """Create (or upgrade) the database and signing key."""
    if (state_id is None) != (state_name is None):
        raise InvalidInput("give both --state-id and --state-name, or neither")
    state = (state_id, state_name) if state_id and state_name else None
    result = init(data_dir, database_url, origin, state)
    verb = "Created" if result.created else "Checked and upgraded"
    out.print(f"{verb} the log {result.app.origin} in {result.app.data_dir}")
    out.print(f"Verifier key: {result.app.signer.verifier.encode()}")


@cli.command("demo")
def demo_command(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load only; do not serve.")] = False,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    public_url: PublicUrl = None,
) -> None:
    """Load a demo state with three counties and one account per role, then serve it."""
    app = load_demo(data_dir, database_url)
    from votetrail.services.demo.voters import load_demo_voters

    load_demo_voters(app)
    from votetrail.services.demo.lat import load_demo_lat
    from votetrail.services.setup import DEMO_COUNTIES

    load_demo_lat(app, list(DEMO_COUNTIES))
    from votetrail.services.demo.audit import load_demo_audits

    audits = load_demo_audits(app)
    from votetrail.services.demo.netmon import load_demo_netmon
    from votetrail.services.demo.publications import load_demo_publications

    load_demo_publications(app)
    load_demo_netmon(app)
    out.print(f"Demo state loaded in {app.data_dir}. Accounts (password {DEMO_PASSWORD}):")
    for username, display, role, where in DEMO_USERS:
        out.print(f"  {username:<12} {role:<17} {where:<6} {display}")
    from votetrail.services.demo.guide import board_account
    from votetrail.services.demo.voters import DEMO_VOTER

    board = (audits.board_account, audits.polling) if audits else board_account(app)
    if board is not None:
        out.print(f"  {board[0]} is the Adams audit board of {board[1]}.")
    voter = DEMO_VOTER
    out.print(
        f"To try /check-registration: voter id {voter.voter_id}, last name {voter.last_name}, "
        f"date of birth {voter.dob.isoformat()} ({voter.first_name} {voter.last_name}).",
        highlight=False,
    )
    if not no_serve:
        _serve(app, host, port, public_url)


@cli.command("serve")
def serve_command(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    public_url: PublicUrl = None,
) -> None:
    """Serve the officials' workspace and the public portal."""
    _serve(open_app(data_dir, database_url), host, port, public_url)


def _serve(app: App, host: str, port: int, public_url: str | None = None) -> None:
    import uvicorn

    app.public_url = resolve_public_url(public_url)

    from votetrail.web.app import create_app

    out.print(f"Serving on http://{host}:{port}/ (Ctrl-C stops)")
    uvicorn.run(create_app(app), host=host, port=port, log_level="warning")


@cli.command("verify")
def verify_command(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    against: Annotated[
        list[str] | None,
        typer.Option(
            help="A published signed checkpoint (a file, or a URL such as the office's "
            "/checkpoint) the log must still be consistent with; a log behind it is a rollback."
        ),
    ] = None,
) -> None:
    """Recompute the log and every ledgered record; exit 1 naming each discrepancy."""
    app = open_app(data_dir, database_url)
    published = [
        fetch_text(source)
        if source.startswith(("https://", "http://"))
        else _read_text(Path(source))
        for source in against or []
    ]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("Checking entries", total=None)

        def report(stage: str, done: int, total: int) -> None:
            progress.update(task, description=f"Checking {stage}", completed=done, total=total)

        result = verify(app, published, report)
    if result.ok:
        out.print(
            f"OK: {result.size} log entries, {result.checkpoints} signed checkpoints and "
            f"{result.records} records verified."
        )
        return
    for problem in result.problems:
        err.print(f"DISCREPANCY: {problem}", highlight=False, markup=False)
    err.print(f"{len(result.problems)} discrepancies found.", highlight=False)
    raise typer.Exit(1)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read: {exc}", where=str(path)) from None


@ledger_cli.command("checkpoint")
def checkpoint_command(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Print the latest signed checkpoint (C2SP tlog-checkpoint, signed note)."""
    sys.stdout.write(log_view.checkpoint(open_app(data_dir, database_url)))


@ledger_cli.command("verifier-key")
def verifier_key_command(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Print the public key as a signed-note verifier key: name+keyid+base64."""
    sys.stdout.write(log_view.verifier_key(open_app(data_dir, database_url)) + "\n")


@ledger_cli.command("prove")
def prove_command(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    index: Annotated[int | None, typer.Option(help="Prove this entry is in the log.")] = None,
    old_size: Annotated[
        int | None, typer.Option(help="Prove the log grew from this size without rewrites.")
    ] = None,
    size: Annotated[int | None, typer.Option(help="Tree size to prove against.")] = None,
) -> None:
    """Print an inclusion (--index) or consistency (--old-size) proof as JSON."""
    if (index is None) == (old_size is None):
        raise InvalidInput("give exactly one of --index or --old-size")
    app = open_app(data_dir, database_url)
    if index is not None:
        proof = log_view.inclusion(app, index, size)
    else:
        assert old_size is not None
        proof = log_view.consistency(app, old_size, size)
    sys.stdout.write(json.dumps(proof, indent=2) + "\n")


@ledger_cli.command("entries")
def entries_command(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    start: Annotated[int, typer.Option(help="First entry index.")] = 0,
    limit: Annotated[int, typer.Option(help="How many entries (at most 1000).")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List log entries."""
    app = open_app(data_dir, database_url)
    for view in log_view.entries(app, start, limit):
        if as_json:
            sys.stdout.write(json.dumps(view.as_json()) + "\n")
        else:
            e = view.entry
            record = f"{e.record_type}:{e.record_id}" if e.record_type else "-"
            out.print(
                f"{view.seq:>8}  {e.occurred_at}  {e.event_type:<22} {e.actor:<14} "
                f"{e.jurisdiction or '-':<8} {record}",
                highlight=False,
            )


@admin_cli.command("add-county")
def add_county_command(
    county_id: Annotated[str, typer.Argument(help="Short id, e.g. 'adams'.")],
    name: Annotated[str, typer.Argument(help="Full name, e.g. 'Adams County'.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    actor: Annotated[str, typer.Option(help="Who is doing this, for the log.")] = "cli",
) -> None:
    """Add a county under the state."""
    from votetrail.services.directory import state_id

    app = open_app(data_dir, database_url)
    with unit_of_work(app, actor) as uow:
        parent = state_id(uow.conn)
        add_jurisdiction(uow, county_id, name, "county", parent)
    out.print(f"Added {name} ({county_id}).")


@admin_cli.command("add-user")
def add_user_command(
    username: Annotated[str, typer.Argument()],
    role: Annotated[
        str, typer.Argument(help="state_admin, county_admin, audit_board or security_analyst.")
    ],
    jurisdiction_id: Annotated[str, typer.Argument(help="The user's state or county id.")],
    display_name: Annotated[str, typer.Option(help="Name shown in the workspace.")] = "",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    actor: Annotated[str, typer.Option(help="Who is doing this, for the log.")] = "cli",
) -> None:
    """Create an account; the password is read from VOTETRAIL_PASSWORD or asked for."""
    password = os.environ.get("VOTETRAIL_PASSWORD") or getpass.getpass("Password: ")
    app = open_app(data_dir, database_url)
    with unit_of_work(app, actor) as uow:
        add_user(uow, username, display_name or username, role, jurisdiction_id, password)
    out.print(f"Added {username} ({role}, {jurisdiction_id}).")


@admin_cli.command("set-password")
def set_password_command(
    username: Annotated[str, typer.Argument()],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    actor: Annotated[str, typer.Option(help="Who is doing this, for the log.")] = "cli",
) -> None:
    """Set an account's password (VOTETRAIL_PASSWORD or asked for) and sign it out everywhere."""
    password = os.environ.get("VOTETRAIL_PASSWORD") or getpass.getpass("New password: ")
    app = open_app(data_dir, database_url)
    with unit_of_work(app, actor) as uow:
        ended = set_password(uow, username, password)
    out.print(f"Changed the password of {username}; ended {ended} signed-in sessions.")


@admin_cli.command("sign-out-everywhere")
def sign_out_everywhere_command(
    username: Annotated[str, typer.Argument()],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    actor: Annotated[str, typer.Option(help="Who is doing this, for the log.")] = "cli",
) -> None:
    """End every signed-in session of an account (a lost laptop, a departing official)."""
    app = open_app(data_dir, database_url)
    with unit_of_work(app, actor) as uow:
        ended = sign_out_everywhere(uow, username)
    out.print(f"Signed {username} out everywhere ({ended} sessions ended).")


@admin_cli.command("failed-sign-ins")
def failed_sign_ins_command(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 100,
) -> None:
    """List wrong user names or passwords typed at the sign-in page, newest first."""
    app = open_app(data_dir, database_url)
    for failure in failed_sign_ins(app, limit):
        account = "account" if failure.known else "no such account"
        out.print(
            f"{failure.attempted_at}  {failure.client:<39} {failure.username!r} ({account})",
            highlight=False,
            markup=False,
        )


@docs_cli.command("events")
def docs_events_command(
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    """Print docs/events.md, generated from the event registry."""
    from votetrail.services.event_docs import render_events_markdown

    text = render_events_markdown()
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line; whatever goes wrong becomes a line or two and an exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = list(argv) if argv is not None else sys.argv[1:]
    command = typer.main.get_command(cli)
    try:
        # Without standalone mode click returns the code of typer.Exit instead of raising.
        code = command.main(args=args, prog_name="votetrail", standalone_mode=False)
    except VotetrailError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except failures.UsageError as exc:
        help_text = failures.group_help(exc)
        if help_text is not None:  # a group given nothing to do: its help, still exit 2
            if help_text:
                out.print(help_text, highlight=False, markup=False)
            return 2
        _say(failures.usage_lines(exc, failures.command_path(command, args)))
        return 2
    except failures.ClickException as exc:
        _say([failures.failure_line(exc, failures.command_path(command, args))])
        return exc.exit_code
    except typer.Abort:
        err.print("aborted")
        return 130
    except Exception as exc:
        if os.environ.get("VOTETRAIL_TRACEBACK") == "1":
            raise
        _say(failures.crash_lines(exc, failures.command_path(command, args)))
        return failures.CRASHED
    return code if isinstance(code, int) else 0


def _say(lines: list[str]) -> None:
    for line in lines:
        err.print(line, highlight=False, markup=False)


def main() -> None:
    sys.exit(run())
