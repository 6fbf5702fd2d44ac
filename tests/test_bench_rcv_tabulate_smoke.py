"""The ranked-choice tabulation benchmark still runs end to end at a tiny size."""

from __future__ import annotations

import pytest

from tests.bench_loader import load_bench


def test_bench_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_bench("bench_rcv_tabulate")
    assert bench.main(["--ballots", "3000"]) == 0
    out = capsys.readouterr().out
    assert "| ballots | 3,000 (" in out
    assert "| (a) votetrail tabulate, s |" in out
    assert "| (b) plain IRV loop, s |" in out
    assert "| same winner and first round | yes |" in out
    assert "| (a) peak memory, MiB |" in out


def test_ballots_are_fixed_by_the_seed_and_differ_in_first_preferences() -> None:
    bench = load_bench("bench_rcv_tabulate")
    first = bench.rankings(2000, 6, 7)
    assert first == bench.rankings(2000, 6, 7)
    assert first != bench.rankings(2000, 6, 8)
    assert all(1 <= len(r) <= 6 and len(set(r)) == len(r) for r in first)
    leaders = {r[0] for r in first}
    assert len(leaders) == len(bench.CANDIDATES)


def test_plain_loop_transfers_votes_of_the_last_candidate() -> None:
    bench = load_bench("bench_rcv_tabulate")
    a, b, c = bench.CANDIDATES[:3]
    ballots = [(a,)] * 4 + [(b,)] * 3 + [(c, b)] * 2
    winner, first = bench.plain_irv(ballots)
    assert first[a] == 4
    assert first[c] == 2
    assert winner == b  # the zero-vote candidates go first, then c's 2 votes make b 5 of 9


def test_bench_rejects_bad_sizes() -> None:
    bench = load_bench("bench_rcv_tabulate")
    with pytest.raises(SystemExit):
        bench.parse_args(["--ranks", "11"])
