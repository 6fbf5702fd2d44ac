"""The parse benchmark still runs end to end, at a size that takes a moment."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[4] / "bench" / "bench_netlogs_parse.py"


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_netlogs_parse", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    assert _load_bench().main(["--lines", "2000"]) == 0
    out = capsys.readouterr().out
    assert "votetrail zeek reader, 2,000 lines" in out
    assert "| one event per data line, no bad lines | yes | yes | yes |" in out
