"""cli/plain_values.py reads every option value exactly as typer's own coercion does.

Each option of a small typer command is coerced twice, by typer's pydantic
path and by ``PlainValue``, for the same values: the results (or the one-line
errors) must be equal. Text, lists of text and paths are read without pydantic;
anything else goes to typer's own coercion, which the comparison covers too.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
import typer.main
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from votetrail.cli import plain_values
from votetrail.cli.plain_values import PlainValue, use_plain_values


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


def _command(
    text: Annotated[str | None, typer.Option()] = None,
    texts: Annotated[list[str] | None, typer.Option()] = None,
    folder: Annotated[Path | None, typer.Option()] = None,
    existing_file: Annotated[Path | None, typer.Option(exists=True, dir_okay=False)] = None,
    existing_dir: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
    resolved: Annotated[Path | None, typer.Option(resolve_path=True)] = None,
    count: Annotated[int | None, typer.Option(min=1)] = None,
    colour: Annotated[Colour | None, typer.Option()] = None,
    parsed: Annotated[str | None, typer.Option(parser=str.upper)] = None,
) -> None:
    """A command with one option of each kind votetrail has."""


@pytest.fixture
def command() -> Any:
    app = typer.Typer()
    app.command()(_command)
    return typer.main.get_command(app)


def _read(runtime: Any, value: Any, param: Any, ctx: Context) -> tuple[str, Any]:
    try:
        return "value", runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter as exc:
        return "error", exc.format_message()


def _values(tmp_path: Path) -> list[Any]:
    a_file = tmp_path / "a file.txt"
    a_file.write_text("x", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir(exist_ok=True)
    return [
        None,
        "",
        "plain",
        "ünïcode ✓",
        "5",
        "0",
        "-3",
        "red",
        "green",
        str(a_file),
        str(folder),
        str(tmp_path / "missing"),
        os.path.relpath(a_file),
        "-",
        "./relative/",
        str(tmp_path) + "//folder/",
        ("one", "two"),
        [],
        (str(a_file),),
    ]


def test_every_value_reads_as_typer_reads_it(command: Any, tmp_path: Path) -> None:
    ctx = Context(command)
    compared = 0
    values = _values(tmp_path)
    for param in command.params:
        descriptor = param.type_descriptor
        plain = PlainValue(
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
        )
        own = build_runtime_param(descriptor)
        for value in values:
            if isinstance(value, list | tuple) != (param.multiple or param.nargs != 1):
                continue
            assert _read(plain, value, param, ctx) == _read(own, value, param, ctx), (
                param.name,
                value,
            )
            compared += 1
    assert compared > 80


def test_every_option_is_given_plain_coercion_once(command: Any) -> None:
    use_plain_values(command, Context(command))
    runtimes = [param._runtime_param for param in command.params]
    assert all(isinstance(runtime, PlainValue) for runtime in runtimes)
    use_plain_values(command, Context(command))  # again: nothing is replaced
    assert [param._runtime_param for param in command.params] == runtimes
    assert command._help_option is not None
    assert isinstance(command._help_option._runtime_param, PlainValue)


def test_text_lists_and_paths_are_read_without_typers_own_coercion(
    command: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def pydantic_path(*_: Any) -> Any:
        raise AssertionError("typer's own coercion (pydantic) was used")

    monkeypatch.setattr(plain_values, "build_runtime_param", pydantic_path)
    ctx = Context(command)
    given = {
        "text": "plain",
        "texts": ("a", "b"),
        "folder": str(tmp_path),
        "existing_dir": str(tmp_path),
        "resolved": "relative",
        "count": None,
    }
    params = {param.name: param for param in command.params}
    for name, value in given.items():
        param = params[name]
        descriptor = param.type_descriptor
        plain = PlainValue(
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
        )
        plain.coerce(value, param=param, ctx=ctx)
