"""``make demo`` keeps the demo state, and what the README tells a newcomer to try is there.

One real build through ``scripts/demo`` (what ``make demo`` runs, without
serving) into a temporary folder, as on a clean clone; a second start reuses
it and says so in one line. The README's "What to try" names accounts and a
voter: the accounts must exist in that build, and the voter must be found by
``/check-registration`` over real HTTP. The script's other paths (reset, a
build stopped part way, serving) run against a stand-in ``votetrail`` that
records its arguments, so they take no half-minute build each.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.web.server import csrf, serving
from votetrail.services import directory, log_view
from votetrail.services.context import App, open_app
from votetrail.services.demo.voters import DEMO_VOTER
from votetrail.services.setup import DEMO_PASSWORD, DEMO_USERS

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "demo"
VOTETRAIL = Path(sys.executable).parent / "votetrail"
REUSED = "Using the demo state in {} (make demo-reset to start over)"
ROLES = (
    "The public",
    "State administrator",
    "Security analyst",
    "County administrator",
    "Audit board",
)


def run_script(
    data: Path, *args: str, votetrail: Path = VOTETRAIL
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VOTETRAIL": str(votetrail), "DEMO_DATA": str(data)}
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@dataclass(frozen=True)
class Built:
    data: Path
    first: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    data = tmp_path_factory.mktemp("clean-clone") / "demo-data"
    first = run_script(data, "--no-serve")
    assert first.returncode == 0, first.stdout + first.stderr
    return Built(data, first)


@pytest.fixture
def demo(built: Built) -> Iterator[App]:
    app = open_app(built.data)
    yield app
    app.engine.dispose()


def what_to_try() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("## What to try in the demo")
    return readme[start : readme.index("\n## ", start + 1)]


def test_a_first_start_builds_the_demo_and_prints_what_to_try_it_with(built: Built) -> None:
    out = built.first.stdout
    assert "Using the demo state" not in out
    assert (built.data / "demo-built.txt").is_file()
    assert "audit-2-adams-board-1 is the Adams audit board of audit-2." in out
    voter = DEMO_VOTER
    assert f"voter id {voter.voter_id}, last name {voter.last_name}" in out
    assert f"date of birth {voter.dob.isoformat()}" in out


def test_a_second_start_reuses_the_demo_and_says_so(built: Built) -> None:
    app = open_app(built.data)
    try:
        size = log_view.size(app)
    finally:
        app.engine.dispose()
    kept = built.data / "kept-by-the-visitor.txt"
    kept.write_text("made while trying the demo\n")
    again = run_script(built.data, "--no-serve")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.splitlines()[0] == REUSED.format(built.data)
    assert kept.is_file(), "a second start deleted the demo state"
    assert "audit-2-adams-board-1 is the Adams audit board of audit-2." in again.stdout
    app = open_app(built.data)
    try:
        assert log_view.size(app) == size, "a second start loaded the demo again"
    finally:
        app.engine.dispose()


def test_the_documented_voter_is_found_by_check_registration(demo: App) -> None:
    voter = DEMO_VOTER
    with serving(demo) as url, httpx.Client(base_url=url, timeout=30) as http:
        form = http.get("/check-registration")
        page = http.post(
            "/check-registration",
            data={
                "csrf_token": csrf(form.text),
                "voter_id": voter.voter_id,
                "last_name": voter.last_name,
                "dob": voter.dob.isoformat(),
            },
        )
    assert page.status_code == 200
    assert 'data-testid="proof-ok"' in page.text
    assert voter.first_name in page.text
    assert voter.voter_id in page.text
    assert voter.dob.isoformat() not in page.text  # asked for, never shown back


def test_the_readme_documents_the_voter_the_demo_has() -> None:
    section = what_to_try()
    voter = DEMO_VOTER
    assert f"voter id `{voter.voter_id}`" in section
    assert f"last name `{voter.last_name}`" in section
    assert f"date of birth {voter.dob.isoformat()}" in section
    assert f"{voter.first_name} {voter.last_name}" in section
    assert f"`{DEMO_PASSWORD}`" in section


def test_the_readme_has_five_things_to_try_for_each_role() -> None:
    section = what_to_try()
    parts = re.split(r"^\*\*([^*]+)\*\*.*$", section, flags=re.MULTILINE)
    roles = parts[1::2]
    assert roles == list(ROLES)
    for role, body in zip(roles, parts[2::2], strict=True):
        steps = re.findall(r"^(\d+)\. ", body, flags=re.MULTILINE)
        assert steps == ["1", "2", "3", "4", "5"], role


def test_the_readme_names_only_accounts_that_exist_in_the_demo(demo: App) -> None:
    section = what_to_try()
    named = set(re.findall(r"\*\*, `([^`]+)`", section))  # "**Role**, `user`"
    named |= set(re.findall(r"\bas `([^`]+)`", section))  # "sign in as `user`"
    for also in re.findall(r"\(also ([^)]*)\)", section):
        named |= set(re.findall(r"`([^`]+)`", also))
    assert {"state-admin", "analyst", "adams-admin", "audit-2-adams-board-1"} <= named
    missing = sorted(name for name in named if directory.principal(demo, name) is None)
    assert missing == []
    listed = {username for username, *_ in DEMO_USERS}
    table = set(re.findall(r"^\| `([^`]+)` \|", (REPO / "README.md").read_text(), re.MULTILINE))
    assert listed <= table, "the README's account table leaves out a demo account"


# ---------------------------------------------------------------- the script's other paths


@pytest.fixture
def stand_in(tmp_path: Path) -> Path:
    """A ``votetrail`` that writes its arguments to calls.txt and makes the data folder."""
    fake = tmp_path / "votetrail"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        'echo "$*" >> "$(dirname "$0")/calls.txt"\n'
        'if [ "$1" = demo ]; then mkdir -p "$3"; echo "Demo state loaded in $3."; fi\n'
    )
    fake.chmod(0o755)
    return fake


def calls(stand_in: Path) -> list[str]:
    return (stand_in.parent / "calls.txt").read_text().splitlines()


def test_reset_deletes_the_demo_state_and_builds_it_again(tmp_path: Path, stand_in: Path) -> None:
    data = tmp_path / "demo-data"
    data.mkdir()
    (data / "demo-built.txt").write_text("built\n")
    (data / "votetrail.sqlite3").write_text("old state\n")
    done = run_script(data, "--reset", "--no-serve", votetrail=stand_in)
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.splitlines()[0] == f"Deleting the demo state in {data} and building a new one"
    )
    assert not (data / "votetrail.sqlite3").exists()
    assert (data / "demo-built.txt").is_file()
    assert calls(stand_in) == [f"demo --data-dir {data} --no-serve"]


def test_a_build_stopped_part_way_is_rebuilt_with_a_word(tmp_path: Path, stand_in: Path) -> None:
    data = tmp_path / "demo-data"
    data.mkdir()
    (data / "votetrail.sqlite3").write_text("half a state\n")  # no demo-built.txt
    done = run_script(data, "--no-serve", votetrail=stand_in)
    assert done.returncode == 0, done.stderr
    assert "holds no finished demo state" in done.stdout.splitlines()[0]
    assert not (data / "votetrail.sqlite3").exists()
    assert (data / "demo-built.txt").is_file()


def test_a_start_serves_the_state_it_built_or_found(tmp_path: Path, stand_in: Path) -> None:
    data = tmp_path / "demo-data"
    for _ in range(2):
        done = run_script(data, votetrail=stand_in)
        assert done.returncode == 0, done.stderr
    serve = f"serve --data-dir {data} --host 127.0.0.1 --port 8000"
    demo = f"demo --data-dir {data} --no-serve"
    assert calls(stand_in) == [demo, serve, demo, serve]
    assert done.stdout.splitlines()[0] == REUSED.format(data)


def test_the_script_refuses_an_unknown_option(tmp_path: Path, stand_in: Path) -> None:
    done = run_script(tmp_path / "demo-data", "--wipe", votetrail=stand_in)
    assert done.returncode == 2
    assert "usage: scripts/demo" in done.stderr
    assert not (stand_in.parent / "calls.txt").exists()


def test_make_demo_keeps_the_state_and_make_demo_reset_starts_over() -> None:
    """What the two make targets run (``make -n`` prints without running anything)."""
    make = shutil.which("make")
    if make is None:
        # The README's two commands are make targets: under CI their absence is a failure.
        if os.environ.get("CI") == "true":
            pytest.fail("make is not installed; the README's commands need it")
        pytest.skip("make is not installed")
    demo = subprocess.run(
        [make, "-n", "demo"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    reset = subprocess.run(
        [make, "-n", "demo-reset"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert "scripts/demo" in demo
    assert "--reset" not in demo
    assert "rm -rf demo-data" not in demo
    assert "scripts/demo --reset" in reset
