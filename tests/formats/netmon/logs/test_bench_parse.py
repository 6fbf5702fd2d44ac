"""The parse benchmark still runs end to end, at a size that takes a moment."""

from __future__ import annotations

import pytest

from tests.bench_loader import load_bench


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_bench("bench_netlogs_parse").main(["--lines", "2000"]) == 0
    out = capsys.readouterr().out
    assert "votetrail zeek reader, 2,000 lines" in out
    assert "| one event per data line, no bad lines | yes | yes | yes |" in out
