"""The ``votetrail`` command.

Expected errors (``VotetrailError``) become one line on stderr and a non-zero
exit code here, in ``run`` and nowhere else. So do usage errors (a mistyped
command or option, a missing argument: one line naming the nearest real name,
one hint, exit 2) and bugs (one line saying where the traceback was saved,
exit 70): no traceback reaches the person at the keyboard unless they ask for
it with ``VOTETRAIL_TRACEBACK=1``.

Start-up is kept short (``votetrail --help`` a fifth of a second, see
bench/bench_cli_startup.py): most command groups live in their own modules,
which import SQLAlchemy, the file formats and the services at their top, so
they are listed in ``LAZY`` and imported only when the command line names
them. This module itself imports nothing heavier than typer and rich at its
top; each command imports the services it calls. tests/cli/test_startup.py
holds that line.
"""

from __future__ import annotations

import gc
import importlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core
import typer.main
from rich.console import Console

from votetrail.cli import failures
from votetrail.cli.options import DatabaseUrl, DataDir
from votetrail.cli.plain_values import plain_value, use_plain_values
from votetrail.errors import InvalidInput, VotetrailError

if TYPE_CHECKING:
    from votetrail.services.context import App


_ONE_COMMAND = False
"""True in a process that runs one command and exits (``main``), not in a test session."""


@contextmanager
def _start_up() -> Iterator[None]:
    """Import what a command needs with the garbage collector paused, then freeze it.

    Imports make a few hundred thousand objects that live as long as the process
    (modules, classes, SQLAlchemy's tables and caches) and almost no garbage, yet
    the collector walks them again and again while they are made, and again in
    every full collection after: several hundredths of a second of ``votetrail
    verify`` on the demo. Frozen (``gc.freeze``), they stay out of its sight.
    Only when this process runs one command: in a test session, freezing would
    also keep for good whatever garbage happened to be waiting.
    """
    if not _ONE_COMMAND or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


@dataclass(frozen=True)
class Lazy:
    """A command or group of commands whose module is imported only when it is used.

    ``modules`` are imported in this order (a group's later modules add
    commands to it, in the order ``--help`` lists them); ``attribute`` names the
    ``typer.Typer`` group or the command function in the last one. ``help`` is
    the line ``votetrail --help`` shows for it without importing anything;
    tests/cli/test_startup.py checks it is the real command's.
    """

    modules: tuple[str, ...]
    attribute: str
    help: str


def _cli(*modules: str, attribute: str, help: str) -> Lazy:
    return Lazy(tuple(f"votetrail.cli.{module}" for module in modules), attribute, help)


# Commands first, then groups, as typer lists what it was given; the commands and groups
# defined in this module come between the lazy commands and the lazy groups.
LAZY_COMMANDS: dict[str, Lazy] = {
    "results": _cli(
        "counting",
        attribute="results_command",
        help="Results per contest from the uploaded CVRs (JSON, NIST SP 1500-100 JSON or CSV).",
    ),
    "publish": _cli(
        "publications",
        attribute="publish_command",
        help="Publish a document (or a correction): stored, hashed, logged and provable.",
    ),
    "verify-document": _cli(
        "publications",
        attribute="verify_document_command",
        help="Check a document offline against its proof bundle; exit 1 with one sentence if not.",
    ),
    "monitor": _cli(
        "monitor",
        attribute="monitor_command",
        help="Check the log still extends what this monitor saw; exit 1 if it forked or rewound.",
    ),
    "backup": _cli(
        "backup",
        attribute="backup_command",
        help="Write a consistent, encrypted snapshot of the database and data directory.",
    ),
    "restore": _cli(
        "backup",
        attribute="restore_command",
        help="Restore a backup into an empty database and an empty data directory.",
    ),
    "init": _cli(
        "setup", attribute="init_command", help="Create (or upgrade) the database and signing key."
    ),
}
LAZY_GROUPS: dict[str, Lazy] = {
    "audit": _cli(
        "audit_irv",
        "audit_workflow",
        "audit_batch",
        attribute="audit_cli",
        help="Risk-limiting audits: draw the sample of paper ballots to check.",
    ),
    "cvr": _cli("counting", attribute="cvr_cli", help="Cast vote records."),
    "manifest": _cli("counting", attribute="manifest_cli", help="Ballot manifests."),
    "counts": _cli(
        "counting",
        attribute="counts_cli",
        help="Paper-record counts per device, check-ins per precinct and reported results.",
    ),
    "accounting": _cli("counting", attribute="accounting_cli", help="Ballot accounting."),
    "netmon": _cli(
        "netmon",
        "netmon_totals",
        attribute="netmon_cli",
        help="Network monitoring: scans found in firewall logs.",
    ),
    "voters": _cli(
        "voters",
        attribute="voters_cli",
        help="Voter registration: import, change, history, proofs, duplicates.",
    ),
    "lat": _cli(
        "lat",
        attribute="lat_cli",
        help="Logic and accuracy tests of voting equipment: decks, comparisons, public sessions.",
    ),
    "rcv": _cli("rcv", attribute="rcv_cli", help="Ranked-choice contests."),
    "publication": _cli(
        "publications",
        attribute="publication_cli",
        help="Publications: withdraw one, download its proof bundle.",
    ),
    "witness": _cli(
        "monitor",
        attribute="witness_cli",
        help="Witnesses: cosigners of this office's checkpoints (C2SP tlog-cosignature).",
    ),
    "key": _cli("keys", attribute="key_cli", help="The log's signing key."),
}
LAZY = {**LAZY_COMMANDS, **LAZY_GROUPS}


class Commands(MutableMapping[str, Any]):
    """A group's commands by name, each lazy one built from its module when first looked up.

    Names and their order are known without importing anything, so listing
    them, or checking one exists, is free; reading a command (``[name]``,
    ``get``, ``items()``) imports what it needs. ``stubs()`` makes lookups of
    commands not yet built return a stand-in holding only the name and help
    line, for listing them in ``--help``.
    """

    def __init__(self, eager: MutableMapping[str, Any], build: Callable[[str, Lazy], Any]) -> None:
        self._built: dict[str, Any] = dict(eager)
        self._pending = {name: lazy for name, lazy in LAZY.items() if name not in self._built}
        self._order = [
            *(name for name in LAZY_COMMANDS if name in self._pending),
            *self._built,
            *(name for name in LAZY_GROUPS if name in self._pending),
        ]
        self._build = build
        self._stubs = False

    def __getitem__(self, name: str) -> Any:
        if name in self._built:
            return self._built[name]
        lazy = self._pending[name]
        if self._stubs:
            return typer.core.TyperCommand(name=name, help=lazy.help)
        command = self._build(name, lazy)
        self._built[name] = command
        del self._pending[name]
        return command

    def __setitem__(self, name: str, command: Any) -> None:
        if name not in self._order:
            self._order.append(name)
        self._pending.pop(name, None)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._order:
            raise KeyError(name)
        self._order.remove(name)
        self._pending.pop(name, None)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._order

    @contextmanager
    def stubs(self) -> Iterator[None]:
        self._stubs = True
        try:
            yield
        finally:
            self._stubs = False


class LazyGroup(typer.core.TyperGroup):
    """The root ``votetrail`` group: its commands in ``LAZY`` are built on first use."""

    def __init__(self, *, commands: MutableMapping[str, Any] | None = None, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = Commands(commands or {}, self._build)

    def _build(self, name: str, lazy: Lazy) -> Any:
        """Import a lazy entry's modules and turn it into a click command as add_typer would."""
        module = None
        with _start_up():
            for module_name in lazy.modules:
                module = importlib.import_module(module_name)
        target = getattr(module, lazy.attribute)
        holder = typer.Typer()
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=name)
            return typer.main.get_group_from_info(
                holder.registered_groups[0],
                pretty_exceptions_short=cli.pretty_exceptions_short,
                suggest_commands=self.suggest_commands,
                rich_markup_mode=self.rich_markup_mode,
            )
        holder.command(name)(target)
        return typer.main.get_command_from_info(
            holder.registered_commands[0],
            pretty_exceptions_short=cli.pretty_exceptions_short,
            rich_markup_mode=self.rich_markup_mode,
        )

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            use_plain_values(command, ctx)
        return command

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        plain_value(option)
        return option

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    @contextmanager
    def listing(self) -> Iterator[None]:
        """Look commands up for their name and help line only, importing none of them."""
        commands = self.commands
        assert isinstance(commands, Commands)
        with commands.stubs():
            yield

    def format_help(self, ctx: Any, formatter: Any) -> None:
        with self.listing():
            super().format_help(ctx, formatter)


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
    cls=LazyGroup,
)
ledger_cli = typer.Typer(help="The transparency log: checkpoints, proofs, entries.")
admin_cli = typer.Typer(help="Jurisdictions and officials' accounts.")
docs_cli = typer.Typer(help="Generated documentation.")
cli.add_typer(ledger_cli, name="ledger")
cli.add_typer(admin_cli, name="admin")
cli.add_typer(docs_cli, name="docs")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def load_demo(data_dir: Path | None, database_url: str | None) -> App:
    """Load the demo state; a name of this module so tests can stand in for the slow load."""
    from votetrail.services.setup import load_demo as load

    return load(data_dir, database_url)


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
    from votetrail.services.setup import DEMO_PASSWORD, DEMO_USERS

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
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Server processes answering requests [default: the machine's cores].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the officials' workspace and the public portal."""
    from votetrail.services.context import open_app

    count = workers if workers is not None else os.cpu_count() or 1
    _serve(open_app(data_dir, database_url), host, port, public_url, count)


KEEP_ALIVE_SECONDS = 65
"""How long an idle connection stays open: longer than a person reads a page, and than the
idle timeout of the proxies put in front (60 s on common load balancers), so the next
request never races the server closing the connection it was sent on (uvicorn's 5 s
default dropped one request in forty at 200 readers pausing up to 10 s)."""


def _serve(app: App, host: str, port: int, public_url: str | None = None, workers: int = 1) -> None:
    """Serve ``app`` in this process, or in ``workers`` processes that each open it again.

    One process answers on one core at a time (Python's lock); a state's
    portal needs every core. uvicorn's workers are new processes that cannot
    be handed this App, so they get its configuration through the environment
    (``votetrail.web.app.factory`` reads it) and open their own; the session
    secret is made here first so no two workers race to make one.
    """
    import uvicorn

    from votetrail.services.context import resolve_public_url

    app.public_url = resolve_public_url(public_url)

    from votetrail.web.app import create_app

    out.print(f"Serving on http://{host}:{port}/ with {workers} worker(s) (Ctrl-C stops)")
    if workers == 1:
        uvicorn.run(
            create_app(app),
            host=host,
            port=port,
            log_level="warning",
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
        return
    from votetrail.services.keys import session_secret

    session_secret(app.data_dir)
    os.environ["VOTETRAIL_WORKERS"] = str(workers)  # each keeps its share of in-memory limits
    os.environ["VOTETRAIL_DATA_DIR"] = str(app.data_dir.resolve())
    os.environ["VOTETRAIL_DATABASE_URL"] = app.engine.url.render_as_string(hide_password=False)
    if app.public_url is not None:
        os.environ["VOTETRAIL_PUBLIC_URL"] = app.public_url
    app.engine.dispose()  # the workers open their own connections; this process only watches
    uvicorn.run(
        "votetrail.web.app:factory",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


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
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes checking independent parts side by side, all on one snapshot; "
            "1 checks in this process [default: the machine's cores on a large state, "
            "else 1].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Recompute the log and every ledgered record; exit 1 naming each discrepancy."""
    with _start_up():
        from votetrail.services.context import open_app
        from votetrail.services.verify import verify

        app = open_app(data_dir, database_url)
    published = [
        _fetch_text(source)
        if source.startswith(("https://", "http://"))
        else _read_text(Path(source))
        for source in against or []
    ]
    with _progress_bar("Checking entries") as report:
        result = verify(app, published, report, workers)
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


@contextmanager
def _progress_bar(first: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """A transient progress bar on stderr, or None when stderr is not a terminal.

    A bar only shows on a terminal, and piped or logged output is where a
    start-up counts most (scripts, monitors, the bench), so rich's progress
    module is imported only when there is a terminal to draw on.
    """
    if not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(first, total=None)

        def report(stage: str, done: int, total: int) -> None:
            progress.update(task, description=f"Checking {stage}", completed=done, total=total)

        yield report


def _fetch_text(url: str) -> str:
    from votetrail.cli.publications import fetch_text

    return fetch_text(url)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read: {exc}", where=str(path)) from None


@ledger_cli.command("checkpoint")
def checkpoint_command(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Print the latest signed checkpoint (C2SP tlog-checkpoint, signed note)."""
    from votetrail.services import log_view
    from votetrail.services.context import open_app

    sys.stdout.write(log_view.checkpoint(open_app(data_dir, database_url)))


@ledger_cli.command("verifier-key")
def verifier_key_command(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Print the public key as a signed-note verifier key: name+keyid+base64."""
    from votetrail.services import log_view
    from votetrail.services.context import open_app

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
    from votetrail.services import log_view
    from votetrail.services.context import open_app

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
    from votetrail.services import log_view
    from votetrail.services.context import open_app

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
    from votetrail.services.context import open_app
    from votetrail.services.directory import add_jurisdiction, state_id
    from votetrail.services.unit_of_work import unit_of_work

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
    import getpass

    from votetrail.services.context import open_app
    from votetrail.services.directory import add_user
    from votetrail.services.unit_of_work import unit_of_work

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
    import getpass

    from votetrail.services.context import open_app
    from votetrail.services.directory import set_password
    from votetrail.services.unit_of_work import unit_of_work

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
    from votetrail.services.accounts.sessions import sign_out_everywhere
    from votetrail.services.context import open_app
    from votetrail.services.unit_of_work import unit_of_work

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
    from votetrail.services.accounts.sign_in import failed_sign_ins
    from votetrail.services.context import open_app

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
    use_plain_values(command)
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
    global _ONE_COMMAND
    _ONE_COMMAND = True
    code = run()
    # At exit the interpreter sweeps every object for garbage once more: a few hundred
    # thousand made by imports (a tenth of `votetrail verify`'s time on the demo), for
    # nothing, as the process ends. Frozen objects are left out of that sweep; the
    # database engines still close their connections first (store/db.py, at exit).
    gc.freeze()
    sys.exit(code)
