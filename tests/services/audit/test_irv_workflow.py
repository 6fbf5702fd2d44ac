"""A ballot-comparison audit targeting an IRV contest, end to end, on SQLite and PostgreSQL.

The county's files are those of ``irv_county`` (a Dominion CSV ranked export,
its layout named there). The audit is set up, launched, seeded, drawn, the
boards enter each paper's rankings, the round is closed with a risk per RAIRE
assertion, and the published evidence re-computes, as it does for plurality.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail, votetrail_on
from tests.services.audit.board_work import finish_round
from tests.services.audit.irv_county import CONTEST, upload_irv_county
from tests.services.voters.fixtures import who
from votetrail.core.audit.evidence_check import check_evidence
from votetrail.errors import InvalidInput
from votetrail.formats.audit.evidence import read_evidence
from votetrail.services.audit.boards import BoardBallot
from votetrail.services.audit.draw import draw_round, offered_sizes
from votetrail.services.audit.irv_progress import assertion_risks
from votetrail.services.audit.launch import launch_problems
from votetrail.services.audit.measure import close_round
from votetrail.services.audit.progress import overview
from votetrail.services.audit.public import (
    discrepancies,
    evidence_of,
    evidence_zip,
    report_csv,
    report_pdf,
)
from votetrail.services.audit.seed import set_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.verify import verify

SEED = "31415926535897932384"
SETUP = AuditSetup("2026 City Election", AuditMethod.BALLOT_COMPARISON, "0.05", [CONTEST], [],
                   ["adams"])  # fmt: skip


def _launched(app: App, tmp_path: Path) -> str:
    upload_irv_county(app, tmp_path / "files")
    state = who(app, "state-admin")
    audit_id = create_audit(app, state, SETUP)
    assert launch_problems(app, audit_id) == []
    set_seed(app, state, audit_id, SEED, ["Ana Ruiz"])
    return audit_id


def _first_size(app: App, audit_id: str) -> int:
    return offered_sizes(app, audit_id)[0].size


def test_an_irv_contest_is_audited_until_every_assertion_is_confirmed(
    demo_app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_id = _launched(demo_app, tmp_path)
    size = _first_size(demo_app, audit_id)
    assert 10 < size < 60  # Kaplan–Markov on the smallest diluted margin, 16/60
    draw_round(demo_app, who(demo_app, "state-admin"), audit_id, size)
    seen: list[dict[str, str]] = []

    def agree(ballot: BoardBallot, truth: dict[str, str]) -> dict[str, str]:
        (contest,) = ballot.contests
        assert contest.ranks == 3
        assert set(contest.choices) == {"Ada", "Bo", "Cy"}
        seen.append(truth)
        return truth

    finish_round(demo_app, audit_id, agree)
    assert any(t[CONTEST].startswith("1:Ada") for t in seen)  # ranked readings, rank by rank
    view = close_round(demo_app, who(demo_app, "state-admin"), audit_id)
    assert view.decision == {CONTEST: "confirmed"}
    assert overview(demo_app, audit_id).status == "confirmed"
    risks = assertion_risks(demo_app, audit_id)[CONTEST]
    assert [r.assertion for r in risks] == [f"{CONTEST}:NEB Ada>Bo", f"{CONTEST}:NEB Ada>Cy"]
    measured = [r.risk or 0.0 for r in risks]
    assert all(r.confirmed for r in risks)
    assert all(0 < risk <= 0.05 for risk in measured)
    assert max(measured) == pytest.approx(view.risk[CONTEST])
    evidence = evidence_of(demo_app, audit_id)
    (contest,) = evidence.contests
    assert contest.winners == ("Ada",)
    assert len(contest.irv_assertions or ()) == 2
    package = tmp_path / "evidence.zip"
    package.write_bytes(evidence_zip(demo_app, audit_id))
    read = read_evidence(package)
    assert read.contests == evidence.contests
    checked = check_evidence(read)
    assert checked.differences == []
    assert checked.final_decision == {CONTEST: "confirmed"}
    assert checked.assertion_risk[CONTEST] == {r.assertion: r.risk for r in risks}
    verified = votetrail(capsys, "audit", "verify", str(package))
    assert verified.code == 0, verified.out
    assert f"IRV contest {CONTEST}: 2 RAIRE assertions recomputed" in verified.out
    assert f"  {CONTEST}:NEB Ada>Cy: risk " in verified.out
    # an assertion left out of audit.json no longer proves the winner
    first = (contest.irv_assertions or ())[0]
    cut = replace(read, contests=(replace(contest, irv_assertions=(first,)),))
    assert any("do not rule out" in d for d in check_evidence(cut).differences)
    report = report_csv(demo_app, audit_id)
    assert ",1:Ada;2:Bo;3:Cy,1:Ada;2:Bo;3:Cy" in report  # the CVR's and the paper's rankings
    assert report_pdf(demo_app, audit_id).startswith(b"%PDF")
    assert verify(demo_app).problems == []


def test_paper_rankings_that_disagree_escalate_to_another_round(
    demo_app: App, tmp_path: Path
) -> None:
    audit_id = _launched(demo_app, tmp_path)
    size = _first_size(demo_app, audit_id)
    state = who(demo_app, "state-admin")
    draw_round(demo_app, state, audit_id, size)
    changed: list[str] = []

    def misread(ballot: BoardBallot, truth: dict[str, str]) -> dict[str, str]:
        if not changed and truth[CONTEST].startswith("1:Ada"):
            changed.append(ballot.ballot_id)
            return {CONTEST: "1:Cy;2:overvote"}  # the paper ranks Cy first: 2-vote overstatement
        return truth

    finish_round(demo_app, audit_id, misread)
    assert changed
    view = close_round(demo_app, state, audit_id)
    assert view.decision == {CONTEST: "continue"}
    risks = {r.assertion: r for r in assertion_risks(demo_app, audit_id)[CONTEST]}
    assert (risks[f"{CONTEST}:NEB Ada>Cy"].risk or 0.0) > 0.05  # the misread ballot overstates it
    assert not risks[f"{CONTEST}:NEB Ada>Cy"].confirmed
    (found,) = discrepancies(demo_app, audit_id)
    assert (found.ballot_id, found.audited, found.overstatement) == (
        changed[0],
        "1:Cy;2:overvote",
        2,
    )
    assert found.cvr.startswith("1:Ada")
    bigger = _first_size(demo_app, audit_id)
    assert bigger > size  # the discrepancy raises the next round's size
    # a published paper reading put back to agree with its CVR no longer recomputes
    evidence = evidence_of(demo_app, audit_id)
    assert check_evidence(evidence).differences == []
    tampered = tuple(
        replace(i, audited=i.cvr) if i.cvr is not None and i.ballot_id in changed else i
        for i in evidence.interpretations
    )
    differences = check_evidence(replace(evidence, interpretations=tampered)).differences
    assert any("the recomputed risk is" in d for d in differences), differences
    draw_round(demo_app, state, audit_id, bigger)
    finish_round(demo_app, audit_id)
    assert close_round(demo_app, state, audit_id).decision[CONTEST] in ("confirmed", "continue")
    assert check_evidence(evidence_of(demo_app, audit_id)).differences == []
    assert verify(demo_app).problems == []


def test_the_launch_check_compares_the_reported_winner_with_the_cvrs(
    demo_app: App, tmp_path: Path
) -> None:
    upload_irv_county(demo_app, tmp_path / "files", reported={"Cy": 33, "Ada": 27})
    state = who(demo_app, "state-admin")
    audit_id = create_audit(demo_app, state, SETUP)
    problems = launch_problems(demo_app, audit_id)
    assert len(problems) == 1
    assert "'Cy' is not the IRV winner 'Ada'" in problems[0]
    with pytest.raises(InvalidInput, match="ballot-comparison audit only"):
        create_audit(
            demo_app, state,
            AuditSetup("x", AuditMethod.BALLOT_POLLING, "0.05", [CONTEST], [], ["adams"]),
        )  # fmt: skip


def test_a_board_enters_rankings_rank_by_rank(demo_app: App, tmp_path: Path) -> None:
    from votetrail.services.audit.boards import reading_text
    from votetrail.services.audit.reads import ContestShape

    shape = ContestShape(CONTEST, 1, ("Ada", "Bo", "Cy"), "targeted", 3)
    assert reading_text("2:Bo; 1:Ada", shape) == "1:Ada;2:Bo"
    assert reading_text("1:Ada;3:Cy", shape) == "1:Ada;3:Cy"  # rank 2 skipped
    assert reading_text("1:overvote;2:Cy", shape) == "1:overvote;2:Cy"
    assert reading_text("blank", shape) == "blank"
    for bad, why in [
        ("1:Dee", "'Dee' is not one of the contest's candidates"),
        ("4:Ada", "ranks 'Ada' at 4, but the ballot has 3"),
        ("Ada", "is not rank:choice"),
        ("overvote", "rank by rank"),
    ]:
        with pytest.raises(InvalidInput, match=why):
            reading_text(bad, shape)


def test_audit_create_on_the_command_line_targets_an_irv_contest(
    demo_app: App,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upload_irv_county(demo_app, tmp_path / "files")
    monkeypatch.setenv("VOTETRAIL_PASSWORD", DEMO_PASSWORD)
    created = votetrail_on(
        capsys, demo_app, "audit", "create", "--election", "2026 City Election",
        "--method", "ballot_comparison", "--risk-limit", "0.05", "--targeted", CONTEST,
        "--county", "adams", "--user", "state-admin",
    )  # fmt: skip
    assert created.code == 0, created.err
    audit_id = created.out.strip()
    assert launch_problems(demo_app, audit_id) == []
    refused = votetrail_on(
        capsys, demo_app, "audit", "create", "--election", "x", "--method", "ballot_polling",
        "--risk-limit", "0.05", "--targeted", CONTEST, "--county", "adams",
        "--user", "state-admin",
    )  # fmt: skip
    assert refused.code != 0
    assert "ballot-comparison audit only" in refused.err


def test_a_ranked_reading_keeps_the_order_and_reads_overvotes_alike() -> None:
    from votetrail.core.audit.evidence import Reading
    from votetrail.core.audit.ranked_reading import parse_ranks, ranked_text, reading_preferences
    from votetrail.core.rcv.ballots import OVERVOTE

    assert ranked_text([("Cy",), (), ("Ada",), ("Bo",)]) == "1:Cy;3:Ada;4:Bo"
    assert ranked_text([("Ada",), ("Bo", "Cy")]) == ranked_text([("Ada",), (OVERVOTE,)])
    assert ranked_text([]) == "blank"
    ten = ";".join(f"{n}:{name}" for n, name in enumerate("ABCDEFGHIJ", start=1))
    ranks = parse_ranks(ten, None, None, "test")
    assert [r[0] for r in ranks] == list("ABCDEFGHIJ")  # rank 10 after 9, not after 1
    assert reading_preferences(Reading(frozenset(ten.split(";")))) == tuple("ABCDEFGHIJ")
    assert reading_preferences(Reading(frozenset({"1:Ada", "2:overvote", "3:Bo"}))) == ("Ada",)
    assert reading_preferences(Reading(mark="not_found")) is None
