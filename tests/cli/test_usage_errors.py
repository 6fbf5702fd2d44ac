"""No traceback reaches the person at the keyboard, whatever they type.

Every command and sub-command is found by walking the parser itself, so a
command added later is covered without touching this file. Each is run with
no arguments, with an option that does not exist and with ``--help``. They run
in-process through ``run`` (the same code the ``votetrail`` script calls) because
hundreds of subprocesses would take minutes; a handful of real subprocesses at
the end prove the installed entry point behaves the same.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
import uvicorn

from votetrail.cli import main as cli_main
from votetrail.cli.failures import CRASHED
from votetrail.errors import ConfigurationError
from votetrail.services import log_view

ROOT = typer.main.get_command(cli_main.cli)
VOTETRAIL = Path(sys.executable).parent / "votetrail"
WRONG = "--no-such-option"


def _walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, (*path, name))


COMMANDS = dict(_walk(ROOT))
GROUPS = [path for path, command in COMMANDS.items() if hasattr(command, "commands")]
LEAVES = [path for path, command in COMMANDS.items() if not hasattr(command, "commands")]


def _id(path: tuple[str, ...]) -> str:
    return " ".join(("votetrail", *path))


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.strip().splitlines()


class DemoNotLoaded(ConfigurationError):
    """Stands in for loading the demo, which takes a quarter of a minute per run."""


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands that run with no arguments act on a throwaway data dir, never the demo's.

    ``serve`` and ``demo`` would serve until stopped; uvicorn is replaced by a stub.
    The parser is built once and reused, as building it costs a tenth of a second.
    """
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VOTETRAIL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VOTETRAIL_PII_KEY_FILE", str(tmp_path / "data" / "voter-pii.key"))
    monkeypatch.setenv("VOTETRAIL_PASSWORD", "a throwaway password for tests")
    for name in ("VOTETRAIL_DATABASE_URL", "VOTETRAIL_PUBLIC_URL", "VOTETRAIL_TRACEBACK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("VOTETRAIL_BACKUP_PASSPHRASE", raising=False)
    crash_dir = tmp_path / "tmp"
    crash_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(crash_dir))
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)

    def no_demo(*args: object, **kwargs: object) -> None:
        raise DemoNotLoaded("the demo is not loaded in this test")

    monkeypatch.setattr(cli_main, "load_demo", no_demo)
    built = typer.main.get_command
    monkeypatch.setattr(
        typer.main, "get_command", lambda app: ROOT if app is cli_main.cli else built(app)
    )
    return tmp_path


def votetrail(capsys: pytest.CaptureFixture[str], *args: str) -> Ran:
    capsys.readouterr()
    try:
        code = cli_main.run(list(args))
    except SystemExit as exc:  # a command calling sys.exit itself is allowed
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err)


def assert_no_traceback(ran: Ran) -> None:
    assert "Traceback" not in ran.out + ran.err, ran
    assert "failed unexpectedly" not in ran.err, ran
    assert ran.code != CRASHED, ran


def assert_usage_error(ran: Ran) -> None:
    """Exit 2, and at most two lines: what is wrong, then where to read how to use it."""
    assert_no_traceback(ran)
    assert ran.code == 2, ran
    assert 1 <= len(ran.err_lines) <= 2, ran.err
    assert "Usage:" not in ran.err, ran.err


def test_the_walk_finds_commands_at_every_level() -> None:
    names = {_id(path) for path in COMMANDS}
    assert {"votetrail cvr import", "votetrail lat session open", "votetrail verify"} <= names
    assert len(LEAVES) >= 80
    assert () in GROUPS
    assert ("lat", "session") in GROUPS


@pytest.mark.parametrize("path", LEAVES, ids=_id)
def test_each_command_with_no_arguments(
    capsys: pytest.CaptureFixture[str], path: tuple[str, ...]
) -> None:
    ran = votetrail(capsys, *path)
    assert_no_traceback(ran)
    if ran.code == 2 and "missing" in ran.err:
        assert_usage_error(ran)
        assert ran.err_lines[0].startswith(f"{_id(path)}: missing "), ran.err
        assert ran.err_lines[1] == f"run '{_id(path)} --help' for how to use it"
    else:  # runs with no arguments: any outcome but a crash, its own errors in one line
        assert len([line for line in ran.err_lines if line.startswith("error:")]) <= 1, ran


@pytest.mark.parametrize("path", GROUPS, ids=_id)
def test_each_group_with_no_arguments_shows_its_commands(
    capsys: pytest.CaptureFixture[str], path: tuple[str, ...]
) -> None:
    ran = votetrail(capsys, *path)
    assert_no_traceback(ran)
    assert ran.code == 2
    assert f"Usage: {_id(path)} " in ran.out
    assert all(name in ran.out for name in COMMANDS[path].commands)
    assert ran.err == ""


@pytest.mark.parametrize("path", [*GROUPS, *LEAVES], ids=_id)
def test_each_command_with_a_wrong_option(
    capsys: pytest.CaptureFixture[str], path: tuple[str, ...]
) -> None:
    ran = votetrail(capsys, *path, WRONG)
    assert_usage_error(ran)
    assert ran.err_lines == [
        f"{_id(path)}: no option '{WRONG}'",
        f"run '{_id(path)} --help' to see the options",
    ]


@pytest.mark.parametrize("path", [*GROUPS, *LEAVES], ids=_id)
def test_each_command_with_help(capsys: pytest.CaptureFixture[str], path: tuple[str, ...]) -> None:
    ran = votetrail(capsys, *path, "--help")
    assert_no_traceback(ran)
    assert ran.code == 0, ran
    assert f"Usage: {_id(path)}" in ran.out
    assert ran.err == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["verfy"], "votetrail: no command 'verfy'; did you mean 'verify'?"),
        (["lat", "sesion"], "votetrail lat: no command 'sesion'; did you mean 'session'?"),
        (["cvr", "improt"], "votetrail cvr: no command 'improt'; did you mean 'import'?"),
        (["xqzj"], "votetrail: no command 'xqzj'"),
        (["it's"], "votetrail: no command 'it's'; did you mean 'witness'?"),
    ],
)
def test_an_unknown_command_names_the_closest_one(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    ran = votetrail(capsys, *args)
    assert_usage_error(ran)
    group = " ".join(["votetrail", *args[:-1]])
    assert ran.err_lines == [expected, f"run '{group} --help' to see the commands"]


def test_a_misspelt_option_names_the_real_one(capsys: pytest.CaptureFixture[str]) -> None:
    ran = votetrail(capsys, "audit", "sample", "--sed", "1")
    assert_usage_error(ran)
    assert ran.err_lines[0] == "votetrail audit sample: no option '--sed'; did you mean '--seed'?"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["ledger", "entries", "--limit", "many"],
            "votetrail ledger entries: invalid value for '--limit': ",
        ),
        (["ledger", "entries", "--limit"], "votetrail ledger entries: option '--limit' requires"),
        (["ledger", "entries", "surplus"], "votetrail ledger entries: got unexpected extra"),
        (
            ["audit", "sample", "--seed", "1", "--size", "1"],
            "votetrail audit sample: missing option '--manifest'",
        ),
        (["admin", "add-county", "adams"], "votetrail admin add-county: missing argument 'name'"),
    ],
)
def test_bad_values_and_missing_parts_are_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    ran = votetrail(capsys, *args)
    assert_usage_error(ran)
    assert ran.err_lines[0].startswith(expected), ran.err
    assert ran.err_lines[1].startswith("run 'votetrail ")


def test_expected_errors_keep_their_one_line(
    capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    ran = votetrail(capsys, "ledger", "checkpoint")
    assert ran.code == ConfigurationError.exit_code
    assert ran.err_lines == [
        f"error: the data directory {isolated / 'data'} does not exist; run `votetrail init` first"
    ]


def _crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        born = "-".join(["1990", "02", "03"])  # a bug whose messages quote a date of birth
        known: dict[str, str] = {}
        try:
            known[born]
        except KeyError as exc:
            raise ValueError(f"cannot read {born}") from exc
        return ""

    monkeypatch.setattr(log_view, "verifier_key", broken)


def test_a_bug_is_one_line_naming_where_the_details_went(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    assert votetrail(capsys, "init").code == 0
    _crash(monkeypatch)
    ran = votetrail(capsys, "ledger", "verifier-key")
    assert ran.code == CRASHED
    assert "Traceback" not in ran.err
    [line] = ran.err_lines
    prefix = "votetrail ledger verifier-key: failed unexpectedly (ValueError); this is a bug, "
    assert line.startswith(prefix + "details in ")
    report = Path(line.removeprefix(prefix + "details in "))
    assert report.parent == isolated / "tmp"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = report.read_text(encoding="utf-8")
    assert "command: votetrail ledger verifier-key" in text
    assert "in broken" in text
    assert "builtins.KeyError\n\nled to:" in text
    assert text.endswith("builtins.ValueError\n\n")
    assert "known[born]" in text  # the source line locates the bug,
    assert "1990-02-03" not in text  # but no message: it could quote a voter's data


def test_a_developer_can_ask_for_the_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert votetrail(capsys, "init").code == 0
    _crash(monkeypatch)
    monkeypatch.setenv("VOTETRAIL_TRACEBACK", "1")
    with pytest.raises(ValueError, match="cannot read"):
        cli_main.run(["ledger", "verifier-key"])


def _real(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("VOTETRAIL_") or key == "VOTETRAIL_TEST_BACKENDS"
    }
    env["VOTETRAIL_DATA_DIR"] = str(tmp_path / "data")
    env["TMPDIR"] = str(tmp_path / "tmp")
    return subprocess.run(
        [str(VOTETRAIL), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["nosuch"],
            [
                "votetrail: no command 'nosuch'; did you mean 'docs'?",
                "run 'votetrail --help' to see the commands",
            ],
        ),
        (
            ["cvr", "import"],
            [
                "votetrail cvr import: missing argument 'files'",
                "run 'votetrail cvr import --help' for how to use it",
            ],
        ),
        (
            ["cvr", "improt"],
            [
                "votetrail cvr: no command 'improt'; did you mean 'import'?",
                "run 'votetrail cvr --help' to see the commands",
            ],
        ),
    ],
)
def test_the_installed_command_prints_one_line(
    tmp_path: Path, args: list[str], expected: list[str]
) -> None:
    ran = _real(tmp_path, *args)
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.splitlines() == expected
    assert ran.stdout == ""


def test_the_installed_command_gives_help(tmp_path: Path) -> None:
    ran = _real(tmp_path, "--help")
    assert ran.returncode == 0, ran.stderr
    assert "Usage: votetrail " in ran.stdout
    assert "cvr" in ran.stdout
    assert ran.stderr == ""
