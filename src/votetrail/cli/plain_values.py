"""Option values read without pydantic when they are plain text, lists of text or paths.

typer (0.29) coerces every option through a pydantic ``TypeAdapter``, built
when the option is first read, given or not; importing pydantic and building
those adapters is a fifth of ``votetrail verify``'s start-up on the demo
(issue 21). Nearly every option votetrail has is a data directory, a URL, a
file or a list of them, whose coercion is plain: text stays the text given,
and a path goes through typer's own checks (``coerce_cli_path``: exists,
readable, a file or a folder) once it is a ``Path``, which is all pydantic
does for it. So each command's options get a coercion that does exactly that
and hands anything else (numbers and their bounds, choices, dates, tuples,
files, a default that is not text) to typer's own, pydantic and all, so no
value is read differently. An option not given, and a flag, never need either.

This reaches into typer's internals (``typer._coercion``), pinned in
constraints.txt; tests/cli/test_plain_values.py holds the two coercions to the
same values and errors, and tests/cli/test_startup.py keeps pydantic out of
``verify``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer.core
from typer._click import Context
from typer._coercion import RuntimeParam, build_runtime_param
from typer._param_types import coerce_cli_path


@dataclass(frozen=True)
class PlainValue(RuntimeParam):
    """typer's coercion of one option, without pydantic for text, lists of text and paths."""

    def _coerce_value(self, value: Any, param: typer.core._TyperParameter, ctx: Context) -> Any:
        info = self.parameter_info
        if info.parser is None:
            if self.annotation is str and isinstance(value, str):
                return value
            if (
                self.annotation == list[str]
                and isinstance(value, list | tuple)
                and all(isinstance(item, str) for item in value)
            ):
                return list(value)
            if self.annotation is Path and info.path_type is None and isinstance(value, str):
                path = Path(value)
                # typer's messages name the path as given; as a Path it must read the same
                # ("" is ".", "a/" is "a"), or typer's own coercion reads it.
                if str(path) == value:
                    return coerce_cli_path(path, info, path_type=Path, param=param, ctx=ctx)
        own = build_runtime_param(param.type_descriptor)
        return own._coerce_value(value, param=param, ctx=ctx)


def use_plain_values(command: Any, ctx: Context | None = None) -> None:
    """Give a click command's typer options (a group's: all its commands') plain coercion.

    With ``ctx`` (the context the command is looked up in) its ``--help``
    option too, which typer makes on first use: the option's context has the
    same help option names, inherited from this one. Only a group whose
    commands are all built (a plain dict) is walked: the root group builds its
    commands when they are looked up, and is handled one command at a time as
    each is (``LazyGroup.get_command``).
    """
    params = list(getattr(command, "params", ()))
    if ctx is not None and hasattr(command, "get_help_option"):
        params.append(command.get_help_option(ctx))
    for param in params:
        plain_value(param)
    commands = getattr(command, "commands", None)
    if type(commands) is dict:
        for sub in commands.values():
            use_plain_values(sub, ctx)


def plain_value(param: Any) -> None:
    """Give one option plain coercion, unless it has its own already or reads files."""
    if (
        isinstance(param, typer.core._TyperParameter)
        and param._runtime_param is None
        and param.type_descriptor.file_annotation is None
    ):
        descriptor = param.type_descriptor
        param._runtime_param = PlainValue(
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
        )
