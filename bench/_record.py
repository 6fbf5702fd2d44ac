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

import json
import os
import platform
import sys
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
    smoke: bool = False,
    results: Path = RESULTS,
) -> Path | None:
    """Write ``results/<name>.json`` for the README generator; nothing on a smoke run."""
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
    }
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return path


__all__ = ["RESULTS", "machine", "record"]
