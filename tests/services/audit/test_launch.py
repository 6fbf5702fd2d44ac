"""An audit is launched only while each county's CVRs count exactly what it reported.

On SQLite and PostgreSQL: the demo election's counties reported their CVR
totals, so an audit may launch; a reported total one vote off, a county that
reported nothing, or reported results without the contest each stop the seed
ceremony with a sentence naming the contest, the county and the numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.services.test_verify_coverage import _cvr_file, _table_file
from tests.services.voters.fixtures import who
from votetrail.core.tally.tabulate import ContestResult
from votetrail.errors import PermissionDenied
from votetrail.services.audit import progress
from votetrail.services.audit.seed import set_seed, stored_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.counting.results import results
from votetrail.services.counting.uploads import (
    import_cvrs,
    import_manifest,
    import_reported_results,
)

SEED = "12345678901234567890"
FIX = "Correct the CVR upload or the reported results before launching."


def _setup(counties: list[str]) -> AuditSetup:
    return AuditSetup(
        "2026 General", AuditMethod.BALLOT_COMPARISON, "0.05", ["Governor"], [], counties
    )


def _reported(path: Path, rows: list[tuple[str, str, int]]) -> Path:
    _table_file(path, ("contest", "choice", "votes"), list(rows))
    return path


def _statuses(app: App, audit_id: str) -> dict[str, str]:
    return {c.county: c.reported_results for c in progress.overview(app, audit_id).counties}


def _governor(app: App, county: str) -> ContestResult:
    return {r.name: r for r in results(app, county)}["Governor"]


def test_reported_results_one_vote_off_stop_the_launch_and_matching_ones_allow_it(
    election_app: App, tmp_path: Path
) -> None:
    app = election_app
    state = who(app, "state-admin")
    audit_id = create_audit(app, state, _setup(["adams", "baker"]))
    assert progress.launch_problems(app, audit_id) == []
    assert _statuses(app, audit_id) == {"adams": "match", "baker": "match"}

    governor = _governor(app, "adams")
    quinn, rivera, write_in = (
        governor.tally[c] for c in ("Avery Quinn", "Blake Rivera", "Write-In")
    )
    published = [("Governor", "Avery Quinn", quinn + 1), ("Governor", "Blake Rivera", rivera)]
    published.append(("Governor", "Write-In", write_in))
    off = _reported(tmp_path / "adams off by one.csv", published)
    import_reported_results(app, "adams-admin", "adams", off, replace="adams-reported_results-1")
    expected = (
        f"Governor in Adams County: the CVRs give Avery Quinn {quinn:,}, Blake Rivera "
        f"{rivera:,} and Write-In {write_in:,} votes; the reported results say Avery Quinn "
        f"{quinn + 1:,}, Blake Rivera {rivera:,} and Write-In {write_in:,}. {FIX}"
    )
    assert progress.launch_problems(app, audit_id) == [expected]
    assert _statuses(app, audit_id) == {"adams": "differ", "baker": "match"}
    with pytest.raises(PermissionDenied) as refused:
        set_seed(app, state, audit_id, SEED, ["Ana Ruiz"])
    assert expected in str(refused.value)
    assert stored_seed(app, audit_id) is None

    # Contests outside the audit are not compared: County Measure A is left out here.
    published[0] = ("Governor", "Avery Quinn", quinn)
    fixed = _reported(tmp_path / "adams corrected.csv", published)
    import_reported_results(app, "adams-admin", "adams", fixed, replace="adams-reported_results-2")
    assert progress.launch_problems(app, audit_id) == []
    assert _statuses(app, audit_id) == {"adams": "match", "baker": "match"}
    set_seed(app, state, audit_id, SEED, ["Ana Ruiz"])
    assert stored_seed(app, audit_id) is not None


def test_missing_reported_results_and_a_contest_they_leave_out_are_named(
    demo_app: App, tmp_path: Path
) -> None:
    app = demo_app
    cvrs = tmp_path / "adams-cvrs.csv"
    _cvr_file(cvrs)  # Governor: Avery Quinn 3, Blake Rivera 0
    import_cvrs(app, "adams-admin", "adams", [cvrs])
    manifest = tmp_path / "adams-manifest.csv"
    _table_file(
        manifest, ("Tabulator", "Batch Name", "Number of Ballots"), [("ICP-1", "Batch 101", 3)]
    )
    import_manifest(app, "adams-admin", "adams", manifest)
    state = who(app, "state-admin")
    audit_id = create_audit(app, state, _setup(["adams"]))
    missing = (
        "adams has not uploaded its reported results (the totals it published), which its "
        "CVR totals must equal before the audit can confirm them"
    )
    assert progress.launch_problems(app, audit_id) == [missing]
    assert _statuses(app, audit_id) == {"adams": "missing"}
    with pytest.raises(PermissionDenied, match="has not uploaded its reported results"):
        set_seed(app, state, audit_id, SEED, ["Ana Ruiz"])

    other = _reported(tmp_path / "measure only.csv", [("County Measure A", "Yes", 3)])
    first = import_reported_results(app, "adams-admin", "adams", other)
    assert progress.launch_problems(app, audit_id) == [
        "Governor in Adams County: the CVRs give Avery Quinn 3 votes, but the reported "
        f"results do not name the contest. {FIX}"
    ]
    right = _reported(tmp_path / "right.csv", [("Governor", "Avery Quinn", 3)])
    import_reported_results(app, "adams-admin", "adams", right, replace=first.id)
    assert progress.launch_problems(app, audit_id) == []
    assert _statuses(app, audit_id) == {"adams": "match"}
