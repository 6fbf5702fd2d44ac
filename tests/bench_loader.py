"""Loading a script from ``bench/`` as a module, so smoke tests keep the benchmarks runnable."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent.parent / "bench"


def load_bench(name: str) -> ModuleType:
    """The bench ``name`` as a module whose ``record`` keeps its figures instead of writing.

    ``python bench/x.py`` puts ``bench/`` on ``sys.path``, so the benches import
    ``from _record import record``; a test loading them needs the same folder
    there. A test must also never overwrite ``bench/results/``, which
    ``bench/README.md`` is generated from: whatever size a test runs a bench at,
    the ``record`` it imported writes nothing and appends the call's arguments
    to the module's ``recorded`` list for the test to look at.
    """
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file loads
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[spec.name]
        raise
    imported = getattr(getattr(module, "record", None), "__module__", None) == "_record"
    if imported and name != "_record":
        recorded: list[dict[str, Any]] = []

        def record(name: str, figures: dict[str, Any], **options: Any) -> None:
            recorded.append({"name": name, "figures": figures, **options})

        setattr(module, "recorded", recorded)  # noqa: B010 - a module has no declared attributes
        setattr(module, "record", record)  # noqa: B010
    return module
