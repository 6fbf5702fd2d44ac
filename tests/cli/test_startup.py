"""``votetrail --help`` and ``votetrail verify`` start without importing what they do not use.

The speed targets (help under a quarter of a second, verify of the demo under
half a second) are printed by bench/bench_cli_startup.py, never timed here: a
test's wall time depends on what else the machine runs. What a start-up costs
is mostly what it imports, and that is deterministic, so these tests run the
installed entry point under ``python -X importtime`` and hold the modules it
loads to a list of packages it must not touch and to a count.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from votetrail.cli import main as cli_main
from votetrail.errors import SchemaError
from votetrail.services.context import resolve_url
from votetrail.services.setup import init
from votetrail.store import db, migrate

ENTRY_POINT = "from votetrail.cli.main import main; main()"
# Measured when commands became lazy (335 modules for --help), and for verify when the schema
# became Core tables and the file readers, pydantic and the progress bar left its path (434
# on SQLite, from 621; 533 on PostgreSQL with its driver, from 706), with room for small
# growth. Importing one command module, the ORM or Alembic by mistake adds well over a hundred.
HELP_BUDGET = 370
VERIFY_BUDGET = {"sqlite": 470, "postgresql": 570}
# What --help must not load: the database, migrations, typer's parameter checking
# (pydantic, loaded only to run a command), the web application and the data libraries.
NOT_FOR_HELP = {
    "sqlalchemy",
    "alembic",
    "pydantic",
    "psycopg",
    "cryptography",
    "starlette",
    "uvicorn",
    "jinja2",
    "pyarrow",
    "numpy",
    "duckdb",
    "splink",
    "dpkt",
    "fpdf",
    "yaml",
}
# verify reads the database, so SQLAlchemy is in; migrations, the web, typer's parameter
# checking (its options are text and paths, read by cli/plain_values.py) and the linkage,
# data, packet and PDF libraries are not.
NOT_FOR_VERIFY = {
    "alembic",
    "starlette",
    "uvicorn",
    "jinja2",
    "pydantic",
    "pydantic_core",
    "pyarrow",
    "numpy",
    "splink",
    "duckdb",
    "dpkt",
    "fpdf",
    "yaml",
}
# Nor these parts of packages it does use: the ORM (the schema is Core tables), the file
# readers (verify reads what is stored), the detector, key serialisation formats, and the
# progress bar (drawn only on a terminal; the test's stderr is a pipe).
NOT_FOR_VERIFY_MODULES = (
    "sqlalchemy.orm",
    "votetrail.formats",
    "votetrail.core.netmon",
    "cryptography.hazmat.primitives.serialization",
    "rich.progress",
    "typer._adapters",
)
CLI_CORE = {
    "votetrail.cli.main",
    "votetrail.cli.failures",
    "votetrail.cli.options",
    "votetrail.cli.plain_values",
}
EAGER = {"demo", "serve", "verify", "ledger", "admin", "docs"}  # defined in cli/main.py itself


def imported(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the ``votetrail`` entry point with ``args``; its result and the modules it imported."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("VOTETRAIL_") or key == "VOTETRAIL_TEST_BACKENDS"
    }
    env["VOTETRAIL_DATA_DIR"] = str(tmp_path / "no-data")
    ran = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", ENTRY_POINT, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    modules = set()
    for line in ran.stderr.splitlines():
        if line.startswith("import time:") and not line.endswith("imported package"):
            modules.add(line.rsplit("|", 1)[1].strip())
    return ran, modules


def packages(modules: set[str]) -> set[str]:
    return {name.split(".", 1)[0] for name in modules}


def test_help_imports_no_command_module_database_or_web(tmp_path: Path) -> None:
    ran, modules = imported(tmp_path, "--help")
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "Usage: votetrail " in ran.stdout
    assert "verify-document" in ran.stdout  # a lazy command is listed all the same
    assert packages(modules) & NOT_FOR_HELP == set()
    ours = {name for name in modules if name.startswith("votetrail.")}
    assert ours <= {"votetrail.cli", "votetrail.errors", *CLI_CORE}, ours
    assert len(modules) <= HELP_BUDGET, len(modules)


def test_a_mistyped_command_is_answered_from_the_table(tmp_path: Path) -> None:
    """The nearest name comes from the list of names, not from importing every group."""
    ran, modules = imported(tmp_path, "verfy")
    assert ran.returncode == 2
    assert "votetrail: no command 'verfy'; did you mean 'verify'?" in ran.stderr
    assert packages(modules) & (NOT_FOR_HELP - {"pydantic"}) == set()  # typer parses with it
    ours = {name for name in modules if name.startswith("votetrail.")}
    assert ours <= {"votetrail.cli", "votetrail.errors", *CLI_CORE}, ours


def test_verify_imports_no_migration_command_module_or_web(
    tmp_path: Path, data_dir: Path, database_url: str | None
) -> None:
    init(data_dir, database_url).app.engine.dispose()
    url = ["--database-url", database_url] if database_url else []
    ran, modules = imported(tmp_path, "verify", "--data-dir", str(data_dir), *url)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.startswith("OK: ")
    assert packages(modules) & NOT_FOR_VERIFY == set()
    unwanted = {name for name in modules if name.startswith(NOT_FOR_VERIFY_MODULES)}
    assert unwanted == set(), sorted(unwanted)
    commands = {name for name in modules if name.startswith("votetrail.cli.")}
    assert commands <= CLI_CORE, commands
    assert not any(name.startswith("votetrail.web") for name in modules)
    assert len(modules) <= VERIFY_BUDGET["postgresql" if database_url else "sqlite"], len(modules)


@pytest.mark.only_on("sqlite")
def test_verify_closes_the_sqlite_file_at_exit(
    tmp_path: Path, data_dir: Path, database_url: str | None
) -> None:
    """The entry point skips the interpreter's last sweep at exit; the database still closes.

    Its last connection closing is when SQLite folds the write-ahead log back into the
    file, so a ``-wal`` file left behind would mean an engine was never closed.
    """
    init(data_dir, database_url).app.engine.dispose()
    ran, _ = imported(tmp_path, "verify", "--data-dir", str(data_dir))
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert sorted(p.name for p in data_dir.glob("votetrail.sqlite3*")) == ["votetrail.sqlite3"]


def _listed(help_text: str) -> str:
    """The line ``--help`` shows for a command: its help's first paragraph on one line."""
    return " ".join(inspect.cleandoc(help_text).split("\n\n")[0].split())


def test_each_lazy_line_is_the_commands_own_help() -> None:
    root = typer.main.get_command(cli_main.cli)
    assert isinstance(root, typer.core.TyperGroup)
    assert set(root.list_commands(typer.Context(root))) == set(cli_main.LAZY) | EAGER
    for name, lazy in cli_main.LAZY.items():
        command = root.commands[name]
        assert _listed(command.short_help or command.help or "") == lazy.help, name
        assert hasattr(command, "commands") == (name in cli_main.LAZY_GROUPS), name
        assert not command.hidden


def test_help_from_the_table_matches_help_from_the_loaded_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = typer.main.get_command(cli_main.cli)
    assert isinstance(root, typer.core.TyperGroup)
    capsys.readouterr()
    root.main(args=["--help"], prog_name="votetrail", standalone_mode=False)
    from_table = capsys.readouterr().out
    loaded = dict(root.commands.items())  # builds every command, importing its module
    assert set(loaded) == set(cli_main.LAZY) | EAGER
    root.main(args=["--help"], prog_name="votetrail", standalone_mode=False)
    assert capsys.readouterr().out == from_table
    assert "Usage: votetrail " in from_table


def test_the_quick_schema_check_agrees_with_alembic(
    data_dir: Path, database_url: str | None
) -> None:
    """``open_app`` skips Alembic when the schema is plainly current; Alembic must agree."""
    assert migrate.script_head() == migrate.head_revision()
    data_dir.mkdir()
    engine = db.create(resolve_url(data_dir, database_url))
    try:
        assert not migrate._plainly_current(engine)
        with pytest.raises(SchemaError, match="no votetrail schema"):
            migrate.require_current(engine)
        migrate.upgrade(engine)
        assert migrate._plainly_current(engine)
        migrate.require_current(engine)
        head = migrate.head_revision()
        older = f"{int(head) - 1:04d}"
        migrate.downgrade(engine, older)
        assert not migrate._plainly_current(engine)
        with pytest.raises(SchemaError, match=f"revision {older}, older than {head}"):
            migrate.require_current(engine)
    finally:
        engine.dispose()
