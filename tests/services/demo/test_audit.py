"""The demo's audits: one finished in two rounds by a single discrepancy, one under way."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail
from votetrail.core.audit.assertions import Contest, ContestKind, assertions
from votetrail.core.audit.comparison import kaplan_markov_p_value
from votetrail.core.audit.evidence_check import check_evidence
from votetrail.services.audit import progress, public
from votetrail.services.context import App, open_app
from votetrail.services.demo.audit import (
    COUNTIES,
    DISCREPANCY,
    POLLING_ENTERED,
    load_demo_audits,
)
from votetrail.services.netmon import ingest as netmon
from votetrail.services.publications import views
from votetrail.services.verify import verify

LIMIT = 0.05


def _governor_margin(app: App) -> float:
    """The smallest diluted margin of Governor's assertions, over the audit's frame."""
    evidence = public.evidence_of(app, "audit-1")
    (governor,) = [c for c in evidence.contests if c.id == "Governor"]
    contest = Contest(
        id=governor.id,
        votes=dict(governor.reported),
        ballots=governor.ballots,
        vote_for=1,
        kind=ContestKind.PLURALITY,
    )
    return min(round(a.margin.value, 12) for a in assertions(contest))


def test_demo_audits(election_app: App) -> None:
    began = time.perf_counter()
    loaded = load_demo_audits(election_app)
    took = time.perf_counter() - began
    assert loaded is not None
    assert load_demo_audits(election_app) is None  # a second demo start adds nothing
    assert took < 30, f"the demo audits took {took:.1f} s to load"

    finished = progress.overview(election_app, "audit-1")
    assert finished.method == "ballot_comparison"
    assert finished.status == "confirmed"
    assert [r.number for r in finished.rounds] == [1, 2]
    assert finished.rounds[0].decision["Governor"] == "continue"
    assert finished.rounds[1].decision["Governor"] == "confirmed"
    assert sorted(c.county for c in finished.counties) == list(COUNTIES)
    found = public.discrepancies(election_app, "audit-1")
    assert len(found) == 1
    assert (found[0].contest_id, found[0].cvr, found[0].audited) == (
        DISCREPANCY[1],
        DISCREPANCY[2],
        "blank",
    )
    assert found[0].overstatement == 1
    assert found[0].ballot_id.startswith(DISCREPANCY[0] + ":")
    evidence = public.evidence_of(election_app, "audit-1")
    assert check_evidence(evidence).differences == []
    assert not any("phantom" in d.ballot_id for d in evidence.sample)

    # Round 1 is the size offered: enough with no discrepancy, not enough with one
    # one-vote overstatement; round 2's offered size then confirms.
    first, second = loaded.round_sizes
    margin = _governor_margin(election_app)
    assert kaplan_markov_p_value(first, margin) <= LIMIT
    assert kaplan_markov_p_value(first, margin, o1=1) > LIMIT
    assert kaplan_markov_p_value(first + second, margin, o1=1) <= LIMIT
    assert [r.sample_size for r in finished.rounds] == [first, second]

    polling = progress.overview(election_app, "audit-2")
    assert polling.method == "ballot_polling"
    assert polling.status == "sampling"
    assert polling.seed is not None
    assert len(polling.rounds) == 1
    assert not polling.rounds[0].closed
    entered = sum(c.interpreted_this_round for c in polling.counties)
    assert entered == POLLING_ENTERED * len(COUNTIES)
    assert verify(election_app).problems == []


def test_votetrail_demo_loads_the_audits(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``make demo`` runs ``votetrail demo``: every loader in turn (audits, publications, a
    day of network monitoring), then a clean verify."""
    data = tmp_path / "demo-data"
    loaded = votetrail(capsys, "demo", "--no-serve", data_dir=data)
    assert loaded.code == 0, loaded.err
    assert "audit-2-adams-board-1 is the Adams audit board of audit-2" in loaded.out
    app = open_app(data)
    try:
        assert [a[0] for a in progress.audits(app)] == ["audit-2", "audit-1"]
        kinds = sorted(v.kind for v in views.publications(app))
        assert kinds == ["polling_place_change"] * 2 + ["results", "rumor_response"]
        assert netmon.incidents(app)
    finally:
        app.engine.dispose()
    checked = votetrail(capsys, "verify", data_dir=data)
    assert checked.code == 0, checked.out + checked.err
    counted = votetrail(capsys, "netmon", "totals", data_dir=data)
    assert counted.code == 0, counted.err
    assert "2026-11-03" in counted.out
