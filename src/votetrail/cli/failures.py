"""What the person at the keyboard reads when a command line is wrong or a command crashes.

A clerk who mistypes a command should read one line naming what was wrong and
the nearest real name, not the parser's usage block or a Python traceback; a
bug must not dump a traceback either, but its details must not be lost, so
they go to a private file whose path the one line gives. ``cli.main.run`` is
the only caller.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import os
import platform
import re
import tempfile
import traceback
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:  # newer typer (0.29 here) carries its own copy of click, whose exceptions are not click's
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer runs on click itself
    from click import exceptions as click_errors  # type: ignore[no-redef]

UsageError = click_errors.UsageError
ClickException = click_errors.ClickException

# The exit status of a crash: sysexits' EX_SOFTWARE, distinct from every
# expected error's status so a script can tell a bug from a refusal.
CRASHED = 70
# Below these difflib ratios a "did you mean" would name something unrelated. Command
# names are short words, so even a loose likeness is worth offering; option names are
# long and hyphenated and share letters by chance, so only a near miss is offered.
NEAR_COMMAND = 0.3
NEAR_OPTION = 0.6
_NO_SUCH_COMMAND = re.compile(r"No such command (?P<name>.+?)\.(?: Did you mean .*)?$")


def group_help(exc: Any) -> str | None:
    """The help of a group given no command, or None for any other usage error.

    Every group then shows its commands, whether or not it was declared
    ``no_args_is_help``; typer's rich help is printed while it is made, so the
    text returned may be empty.
    """
    if type(exc).__name__ == "NoArgsIsHelpError":
        return str(exc.format_message())
    if exc.ctx is not None and exc.format_message() == "Missing command.":
        return str(exc.ctx.get_help())
    return None


def usage_lines(exc: Any, where: str) -> list[str]:
    """One line saying what is wrong (naming the nearest real name), then one hint line.

    ``where`` is the command as typed, for the errors click raises without a context.
    """
    ctx = exc.ctx
    path = ctx.command_path if ctx is not None else where
    message = _one_line(exc.format_message())
    hint = f"run '{path} --help' for how to use it"
    missing = _NO_SUCH_COMMAND.match(message)
    if missing is not None and ctx is not None:
        typo = _unquote(missing.group("name"))
        line = f"{path}: no command '{typo}'"
        best = closest(typo, _command_names(ctx.command), NEAR_COMMAND)
        return [line + (f"; did you mean '{best}'?" if best else ""), _see(path, "commands")]
    if isinstance(exc, click_errors.NoSuchOption):
        line = f"{path}: no option '{exc.option_name}'"
        options = _option_names(ctx.command, ctx) if ctx is not None else []
        best = closest(exc.option_name, options, NEAR_OPTION, strip="-")
        return [line + (f"; did you mean '{best}'?" if best else ""), _see(path, "options")]
    if isinstance(exc, click_errors.MissingParameter) and exc.param is not None:
        param = exc.param
        name = param.opts[0] if param.opts and param.param_type_name == "option" else param.name
        return [f"{path}: missing {param.param_type_name} '{name}'", hint]
    return [f"{path}: {_tidy(message)}", hint]


def failure_line(exc: Any, where: str) -> str:
    """A click error that is not a usage error (an unreadable --file, say), in one line."""
    return f"{where}: {_tidy(_one_line(exc.format_message()))}"


def closest(word: str, names: Iterable[str], cutoff: float, strip: str = "") -> str | None:
    """The real name nearest to a typo, or None if even the nearest shares too little."""
    by_bare = {name.lstrip(strip): name for name in names}
    found = difflib.get_close_matches(word.lstrip(strip), list(by_bare), n=1, cutoff=cutoff)
    return by_bare[found[0]] if found else None


def command_path(root: Any, args: Sequence[str]) -> str:
    """``votetrail cvr import`` for those args: the commands named before the first option."""
    names = ["votetrail"]
    command = root
    for arg in args:
        sub = getattr(command, "commands", {}).get(arg)
        if arg.startswith("-") or sub is None:
            break
        names.append(arg)
        command = sub
    return " ".join(names)


def crash_lines(exc: BaseException, where: str) -> list[str]:
    """The line for a bug, after saving its traceback where a developer can read it."""
    kind = type(exc).__name__
    try:
        report = write_crash_report(exc, where)
    except OSError as failed:
        return [
            f"{where}: failed unexpectedly ({kind}); this is a bug, and its details could not "
            f"be saved ({failed.strerror}); run it again with VOTETRAIL_TRACEBACK=1 to see them"
        ]
    return [f"{where}: failed unexpectedly ({kind}); this is a bug, details in {report}"]


def write_crash_report(exc: BaseException, where: str) -> Path:
    """Save where the bug happened to a file only this user can read.

    The exceptions' messages are left out: a bug's message can quote whatever
    value it choked on, and that may be a voter's date of birth, SSN4 or
    licence number, which never reach a log. The frames (file, line, code)
    locate the bug; a developer who needs the message reruns with
    ``VOTETRAIL_TRACEBACK=1`` on their own terminal.
    """
    handle, name = tempfile.mkstemp(prefix="votetrail-crash-", suffix=".txt")
    lines = [
        "votetrail crash report\n",
        f"when: {datetime.now(UTC).isoformat(timespec='seconds')}\n",
        f"command: {where}\n",
        f"votetrail {_version()}, Python {platform.python_version()}, {platform.platform()}\n",
        "The error messages are left out because they can quote voters' data; run the "
        "command again with VOTETRAIL_TRACEBACK=1 to see them on your terminal.\n\n",
        *_frames(exc),
    ]
    with os.fdopen(handle, "w", encoding="utf-8") as report:
        report.writelines(lines)
    return Path(name)


def _frames(exc: BaseException) -> list[str]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        cause = current.__cause__
        current = (
            cause if cause is not None or current.__suppress_context__ else current.__context__
        )
    lines: list[str] = []
    for item in reversed(chain):
        if lines:
            lines.append("led to:\n\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(traceback.extract_tb(item.__traceback__)))
        lines.append(f"{type(item).__module__}.{type(item).__qualname__}\n\n")
    return lines


def _version() -> str:
    from importlib import metadata  # only a crash needs it; it costs every start-up otherwise

    try:
        return metadata.version("votetrail")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "(version unknown)"


def _see(path: str, what: str) -> str:
    return f"run '{path} --help' to see the {what}"


def _command_names(command: Any) -> list[str]:
    """A group's visible commands; the root lists its lazy ones without importing them."""
    with getattr(command, "listing", contextlib.nullcontext)():
        commands = getattr(command, "commands", {})
        return [name for name in commands if not commands[name].hidden]


def _option_names(command: Any, ctx: Any) -> list[str]:
    names: list[str] = []
    for param in command.get_params(ctx):
        if param.param_type_name == "option" and not getattr(param, "hidden", False):
            names.extend([*param.opts, *param.secondary_opts])
    return names


def _unquote(text: str) -> str:
    """The name as typed, from the ``repr`` click quotes it with."""
    try:
        return str(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return text.strip("'\"")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _tidy(text: str) -> str:
    """Make a parser message read as the second half of ``votetrail x: ...``."""
    text = text.removeprefix("Value error, ")
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    # A message opening with a name in capitals ("FILE does not exist") keeps them.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
