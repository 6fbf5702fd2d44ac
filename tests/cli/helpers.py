"""Running the real ``votetrail`` command in-process and capturing what it prints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from votetrail.cli.main import run
from votetrail.services.context import App


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def votetrail(
    capsys: pytest.CaptureFixture[str],
    *args: str,
    data_dir: Path | None = None,
    database_url: str | None = None,
) -> Result:
    argv = list(args)
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    if database_url is not None:
        argv += ["--database-url", database_url]
    capsys.readouterr()
    code = run(argv)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def url_of(app: App) -> str | None:
    """The database URL to hand the CLI: None for the default SQLite file."""
    if app.engine.dialect.name == "sqlite":
        return None
    return app.engine.url.render_as_string(hide_password=False)


def votetrail_on(capsys: pytest.CaptureFixture[str], app: App, *args: str) -> Result:
    """Run a command against the data directory and database of a running ``App``."""
    return votetrail(capsys, *args, data_dir=app.data_dir, database_url=url_of(app))
