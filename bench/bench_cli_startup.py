"""Benchmark how long the ``votetrail`` command takes to start: ``--help`` and ``verify``.

Run from the project root::

    .venv/bin/python bench/bench_cli_startup.py                  # builds the demo (~30 s) first
    .venv/bin/python bench/bench_cli_startup.py --data-dir DIR   # verify an existing data dir
    .venv/bin/python bench/bench_cli_startup.py --runs 3 --init-only   # a quicker look

Issue 21's targets: ``votetrail --help`` under 0.25 s and ``votetrail verify``
of the demo state under 0.5 s, wall, as a clerk starts them from a shell. Each
is run ``--runs`` times as a new process through the installed entry point
(``.venv/bin/votetrail``) and the best wall time is the figure (the median is
printed beside it; the machine is shared, and the best run is the one least
disturbed by the other jobs). References measured in the same run: the
interpreter starting and doing nothing (``python -c pass``, the floor no
Python command can beat) and importing typer's help renderer alone, which
``--help`` cannot do without. CPU time (user + system) of the best run is
printed too, as load inflates it much less than wall time.

Where the time goes is printed for each command from one more run under
``python -X importtime``: the packages it imported, heaviest first, and what
is left for parsing, the command's own work and exit.

The demo is built with ``votetrail demo --no-serve`` into a temporary data
directory (removed afterwards) unless ``--data-dir`` names one; ``--init-only``
verifies an empty log made by ``votetrail init`` instead (that run is a smoke
run: its figures are not recorded).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _record import machine, record

HELP_TARGET_S = 0.25
VERIFY_TARGET_S = 0.5
PYTHON = sys.executable
VOTETRAIL = str(Path(sys.executable).parent / "votetrail")
ENTRY_POINT = "from votetrail.cli.main import main; main()"


@dataclass(frozen=True)
class Timing:
    best_s: float
    median_s: float
    cpu_s: float  # user + system of the best run


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (best kept)")
    parser.add_argument("--data-dir", type=Path, help="a data directory to verify (kept)")
    parser.add_argument(
        "--init-only",
        action="store_true",
        help="verify an empty log from `votetrail init` instead of the demo (a smoke run)",
    )
    options = parser.parse_args(argv)
    if options.runs < 1:
        parser.error("--runs must be at least 1")
    return options


def environment(data_dir: Path) -> dict[str, str]:
    """The caller's environment with the data directory set and no other votetrail setting."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("VOTETRAIL_")}
    env["VOTETRAIL_DATA_DIR"] = str(data_dir)
    return env


def timed(command: Sequence[str], env: dict[str, str], runs: int) -> Timing:
    """Best and median wall time of ``runs`` fresh processes, and the best one's CPU time."""
    walls: list[tuple[float, float]] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        ran = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if ran.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({ran.returncode}): {ran.stderr[-500:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        walls.append((wall, cpu))
    best = min(walls)
    return Timing(best[0], statistics.median(wall for wall, _ in walls), best[1])


def import_profile(args: Sequence[str], env: dict[str, str]) -> tuple[float, dict[str, float]]:
    """Wall time of one run under ``-X importtime`` and the seconds spent importing each part.

    A module's own time (not its children's) is charged to its package (to
    ``votetrail.<subpackage>`` for ours), so the parts add up to the whole.
    """
    start = time.perf_counter()
    ran = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", ENTRY_POINT, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    by_part: dict[str, float] = {}
    for line in ran.stderr.splitlines():
        if not line.startswith("import time:") or line.endswith("imported package"):
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        parts = name.strip().split(".")
        part = ".".join(parts[:2]) if parts[0] == "votetrail" else parts[0]
        by_part[part] = by_part.get(part, 0.0) + int(own) / 1e6
    return wall, by_part


def profile_lines(label: str, wall: float, by_part: dict[str, float]) -> list[str]:
    imports = sum(by_part.values())
    heaviest = sorted(by_part.items(), key=lambda item: -item[1])[:10]
    shown = ", ".join(f"{name} {seconds:.3f}" for name, seconds in heaviest)
    return [
        f"{label}: one run under -X importtime took {wall:.3f} s; imports {imports:.3f} s "
        f"({shown}); parsing, the command's work and exit {max(wall - imports, 0.0):.3f} s",
    ]


def where_time_goes(wall: float, by_part: dict[str, float], top: int = 8) -> dict[str, float]:
    """The run under ``-X importtime`` as ``{part: seconds}``, largest first, for ``record``.

    The heaviest imported packages, the other imports together, and what is left
    of the wall time: parsing the command line, the command's own work and exit.
    """
    imports = sorted(by_part.items(), key=lambda item: -item[1])
    parts = {f"import {name}": seconds for name, seconds in imports[:top]}
    parts["import, the rest"] = sum(seconds for _, seconds in imports[top:])
    parts["parsing, the command's work and exit"] = max(wall - sum(by_part.values()), 0.0)
    ranked = sorted(parts.items(), key=lambda item: -item[1])
    return {name: round(seconds, 3) for name, seconds in ranked}


def shortfall_of(label: str, best: float, target: float) -> str:
    return f"{label} {best:.3f} s, {best / target:.2f}x the {target} s target"


def demo(data_dir: Path, init_only: bool) -> None:
    command = [VOTETRAIL, "init"] if init_only else [VOTETRAIL, "demo", "--no-serve"]
    print(f"building {'an empty log' if init_only else 'the demo'} in {data_dir} ...", flush=True)
    ran = subprocess.run(
        command, env=environment(data_dir), capture_output=True, text=True, check=False
    )
    if ran.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {ran.stderr[-500:]}")


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    scratch = None
    data_dir = options.data_dir
    if data_dir is None:
        scratch = Path(tempfile.mkdtemp(prefix="votetrail-startup-"))
        data_dir = scratch / "data"
        demo(data_dir, options.init_only)
    try:
        return measure(options, data_dir)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def measure(options: argparse.Namespace, data_dir: Path) -> int:
    env = environment(data_dir)
    runs = options.runs
    floor = timed([PYTHON, "-c", "pass"], env, runs)
    renderer = timed([PYTHON, "-c", "import typer.rich_utils"], env, runs)
    help_run = timed([VOTETRAIL, "--help"], env, runs)
    verify_run = timed([VOTETRAIL, "verify"], env, runs)
    help_profile = import_profile(["--help"], env)
    verify_profile = import_profile(["verify"], env)
    load = machine()

    def row(name: str, timing: Timing, target: float | None) -> str:
        goal = f"< {target} s" if target is not None else "reference"
        return (
            f"| {name} | {timing.best_s:.3f} | {timing.median_s:.3f} | {timing.cpu_s:.3f} | "
            f"{timing.best_s / floor.best_s:.1f}x | {goal} |"
        )

    what = "an empty log (init only)" if options.init_only else "the demo"
    print(
        f"\nbest of {runs} runs; verify checks {what}; load {load['load_1m']} "
        f"/ {load['load_5m']} on {load['cores']} cores\n"
    )
    print(
        "| command | best wall, s | median wall, s | CPU of best, s | vs python -c pass | target |"
    )
    print("|---|---|---|---|---|---|")
    print(row("python -c pass", floor, None))
    print(row("python -c 'import typer.rich_utils'", renderer, None))
    print(row("votetrail --help", help_run, HELP_TARGET_S))
    print(row("votetrail verify", verify_run, VERIFY_TARGET_S))
    print()
    for line in [
        *profile_lines("votetrail --help", *help_profile),
        *profile_lines("votetrail verify", *verify_profile),
    ]:
        print(line)
    help_met = help_run.best_s < HELP_TARGET_S
    verify_met = verify_run.best_s < VERIFY_TARGET_S
    missed = [
        (label, timing, target, profile)
        for label, timing, target, profile, met in (
            ("votetrail verify", verify_run, VERIFY_TARGET_S, verify_profile, verify_met),
            ("votetrail --help", help_run, HELP_TARGET_S, help_profile, help_met),
        )
        if not met
    ]
    print(
        f"\ntarget --help < {HELP_TARGET_S} s: {'met' if help_met else 'missed'} "
        f"({help_run.best_s:.3f} s); verify < {VERIFY_TARGET_S} s: "
        f"{'met' if verify_met else 'missed'} ({verify_run.best_s:.3f} s)"
    )
    record(
        "bench_cli_startup",
        {
            "runs": runs,
            "verified": what,
            "help_best_s": round(help_run.best_s, 3),
            "help_median_s": round(help_run.median_s, 3),
            "help_cpu_s": round(help_run.cpu_s, 3),
            "verify_best_s": round(verify_run.best_s, 3),
            "verify_median_s": round(verify_run.median_s, 3),
            "verify_cpu_s": round(verify_run.cpu_s, 3),
            "help_imports_s": round(sum(help_profile[1].values()), 3),
            "verify_imports_s": round(sum(verify_profile[1].values()), 3),
        },
        target=(
            f"`votetrail --help` < {HELP_TARGET_S} s and `votetrail verify` of the demo "
            f"< {VERIFY_TARGET_S} s, best wall of {runs} runs"
        ),
        met=help_met and verify_met,
        reference={
            "python_pass_best_s": round(floor.best_s, 3),
            "typer_rich_utils_import_best_s": round(renderer.best_s, 3),
        },
        notes=" ".join(
            [
                *profile_lines("--help", *help_profile),
                *profile_lines("verify", *verify_profile),
            ]
        ),
        shortfall="; ".join(
            shortfall_of(label, timing.best_s, target) for label, timing, target, _ in missed
        ),
        profile=where_time_goes(*missed[0][3]) if missed else None,
        smoke=options.init_only or runs < 5,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
