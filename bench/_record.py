"""Where a bench run leaves its figures, so bench/README.md is generated, never hand-copied.

Each bench calls :func:`record` once at the end of a full run with its figures
(numbers and short texts), the target, and the reference it measured in the
same run. The file ``bench/results/<name>.json`` keeps the latest run: its
date, the machine's load average and core count, and the command line, which
the README generator prints beside every figure. A smoke run (tiny sizes,
from ``tests/``) passes ``smoke=True`` and writes nothing, so tests never
overwrite a real measurement.
"""

from __future__ import annotations

import cProfile
import json
import os
import platform
import pstats
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    """What the figures depend on besides the code: cores, load and Python."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cores": os.cpu_count(),
        "load_1m": round(load[0], 2),
        "load_5m": round(load[1], 2),
        "python": platform.python_version(),
    }


def record(
    name: str,
    figures: dict[str, Any],
    *,
    target: str = "",
    met: bool | None = None,
    reference: dict[str, Any] | None = None,
    notes: str = "",
    shortfall: str = "",
    profile: dict[str, Any] | None = None,
    smoke: bool = False,
    results: Path = RESULTS,
) -> Path | None:
    """Write ``results/<name>.json`` for the README generator; nothing on a smoke run.

    A missed target must say by how much (``shortfall``, e.g. "4.0x short of
    1,000,000 lines/s") and where the time goes (``profile``: part -> seconds
    or share, largest first, e.g. from :func:`where_time_goes`), because a bare
    "missed" tells the next engineer nothing about what to change;
    ``tests/test_bench_readme.py`` holds every committed missed run to that.
    """
    if smoke:
        return None
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{name}.json"
    body = {
        "bench": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "machine": machine(),
        "target": target,
        "met": met,
        "figures": figures,
        "reference": reference or {},
        "notes": notes,
        "shortfall": shortfall,
        "profile": profile or {},
    }
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return path


def where_time_goes(
    func: Callable[[], Any], *, top: int = 10, depth: int = 3
) -> tuple[Any, dict[str, float]]:
    """Run ``func`` under cProfile; its own time summed by module, largest first.

    Summing each function's own (not cumulative) time by the module it lives
    in (the first ``depth`` dotted parts, so ``votetrail.formats.netmon`` and
    ``pyarrow`` rather than single functions) gives a profile whose parts add
    up to the run and reads as "where to look next". Returns the function's
    result and ``{module: seconds}``, the rest folded into "other".
    """
    profiler = cProfile.Profile()
    result = profiler.runcall(func)
    stats = pstats.Stats(profiler)
    totals: dict[str, float] = {}
    for (filename, _line, funcname), row in stats.stats.items():  # type: ignore[attr-defined]
        if "_lsprof.Profiler" in funcname:
            continue
        own = float(row[2])
        totals[_module_of(filename, funcname, depth)] = (
            totals.get(_module_of(filename, funcname, depth), 0.0) + own
        )
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    kept = {name: round(seconds, 3) for name, seconds in ranked[:top]}
    rest = sum(seconds for _name, seconds in ranked[top:])
    if rest:
        kept["other"] = round(rest, 3)
    return result, kept


def _module_of(filename: str, funcname: str, depth: int) -> str:
    if filename == "~":  # a built-in: "<method 'split' of 'str' objects>", "<built-in method x>"
        name = funcname.strip("<>").removeprefix("built-in method ")
        method = re.fullmatch(r"method '(\w+)' of '([\w.]+)' objects", name)
        return f"built-in {method.group(2)}.{method.group(1)}" if method else f"built-in {name}"
    parts = Path(filename).with_suffix("").parts
    for anchor in ("site-packages", "src", "lib"):
        if anchor in parts:
            tail = parts[len(parts) - parts[::-1].index(anchor) :]
            if tail and tail[0].startswith("python3"):
                tail = tail[1:]
            return ".".join(tail[:depth]) or filename
    return ".".join(parts[-depth:])


def cpu_by_process() -> dict[str, float]:
    """CPU seconds used so far by every live process, grouped by what it is.

    For a bench that drives a server in other processes cProfile sees only the
    client; the difference of two snapshots around the load says whether the
    server, PostgreSQL, the bench's own clients or something else on the
    machine spent the time. Linux only (``/proc``); elsewhere empty.
    """
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    totals: dict[str, float] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone since the listing
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        totals[_kind(int(entry.name), comm, command)] = (
            totals.get(_kind(int(entry.name), comm, command), 0.0) + seconds
        )
    return totals


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """What each kind of process spent between two snapshots, largest first."""
    used = {name: after[name] - before.get(name, 0.0) for name in after}
    ranked = sorted(used.items(), key=lambda item: item[1], reverse=True)
    return {name: round(seconds, 1) for name, seconds in ranked if seconds >= 0.05}


def _kind(pid: int, comm: str, command: str) -> str:
    if pid == os.getpid():
        return "the bench (clients), CPU s"
    if comm.startswith("postgres") or "postgres:" in command:
        return "PostgreSQL, CPU s"
    if "votetrail" in command and " serve" in command:
        return "votetrail serve, CPU s"
    if "votetrail" in command or "bench" in command:
        return "other votetrail processes, CPU s"
    return "rest of the machine, CPU s"


__all__ = ["RESULTS", "cpu_by_process", "cpu_used", "machine", "record", "where_time_goes"]
