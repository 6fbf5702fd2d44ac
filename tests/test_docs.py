"""Docs are checked like code: generated docs are current and the README covers every command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from tests.conftest import REPO
from votetrail.cli.main import cli
from votetrail.services.event_docs import render_events_markdown


def test_events_doc_is_generated_from_the_registry() -> None:
    on_disk = (REPO / "docs" / "events.md").read_text(encoding="utf-8")
    assert on_disk == render_events_markdown(), (
        "docs/events.md is stale: run `votetrail docs events --output docs/events.md`"
    )


def _commands(command: Any, prefix: str = "votetrail") -> list[str]:
    """Every command's full name, walked from the parser: most groups are registered lazily."""
    subs = getattr(command, "commands", None)
    if subs is None:
        return [prefix]
    return [name for key, sub in subs.items() for name in _commands(sub, f"{prefix} {key}")]


def test_readme_mentions_every_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = _commands(typer.main.get_command(cli))
    assert len(commands) >= 80
    missing = [name for name in commands if name not in readme]
    assert missing == [], f"README.md does not mention {missing}"


def test_readme_gives_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def _named_tests(page: str) -> tuple[int, list[str]]:
    """How many tests a page's table rows name, and those that do not exist."""
    text = (REPO / "docs" / page).read_text(encoding="utf-8")
    named = 0
    missing: list[str] = []
    for row in (line for line in text.splitlines() if line.startswith("| ")):
        current: Path | None = None
        last_cell = row.rstrip().rstrip("|").rsplit("|", 1)[-1]  # other cells may cite sources
        for ref in re.findall(r"`([^`]*(?:tests/|::)[^`]*)`", last_cell):
            path, _, name = ref.partition("::")
            if path:
                current = REPO / path
            if current is None or not current.is_file():
                missing.append(ref)
                continue
            function = name.split("[")[0]
            if function and f"def {function}(" not in current.read_text(encoding="utf-8"):
                missing.append(ref)
            named += 1
    return named, missing


def test_every_test_named_in_the_threat_list_exists() -> None:
    """docs/security.md promises a test per threat; a renamed or deleted test must show."""
    named, missing = _named_tests("security.md")
    assert named > 30
    assert missing == [], f"docs/security.md names tests that do not exist: {missing}"


def test_every_field_file_row_names_a_test_that_exists() -> None:
    """docs/field-files.md is kept current: each layout's row names the test that holds it."""
    text = (REPO / "docs" / "field-files.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    named, missing = _named_tests("field-files.md")
    assert named >= len(rows) - 1  # every row but the heading names one
    assert missing == [], f"docs/field-files.md names tests that do not exist: {missing}"


def test_the_audit_workflow_shows_the_screenshots_the_browser_test_takes() -> None:
    """Every picture docs/audit-workflow.md shows is there, each is shown, and they stay small."""
    doc = REPO / "docs" / "audit-workflow.md"
    shown = re.findall(r"!\[[^\]]*\]\((audit-workflow/[^)]+\.png)\)", doc.read_text("utf-8"))
    on_disk = sorted(
        p.relative_to(doc.parent).as_posix()
        for p in (REPO / "docs" / "audit-workflow").glob("*.png")
    )
    assert len(shown) >= 9
    assert sorted(shown) == on_disk
    assert sum((doc.parent / name).stat().st_size for name in on_disk) < 3 * 1024 * 1024
