"""The state's audit page says which county's CVRs disagree with its reported results.

Over real HTTP on SQLite and PostgreSQL: Adams's published Governor total is
one vote off its CVRs, so the page names the contest, the county and both
sets of numbers, shows the county's reported results as differing, offers no
seed form, and a seed posted anyway is refused with the same sentence.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import httpx

from tests.services.test_verify_coverage import _table_file
from tests.services.voters.fixtures import who
from tests.web.server import csrf, login, serving
from votetrail.services.audit.seed import stored_seed
from votetrail.services.audit.setup import AuditMethod, AuditSetup, create_audit
from votetrail.services.context import App
from votetrail.services.counting.results import results
from votetrail.services.counting.uploads import import_reported_results
from votetrail.services.setup import DEMO_PASSWORD


def test_the_state_page_names_a_reported_total_the_cvrs_do_not_give(
    election_app: App, tmp_path: Path
) -> None:
    app = election_app
    setup = AuditSetup(
        "2026 General", AuditMethod.BALLOT_COMPARISON, "0.05", ["Governor"], [], ["adams"]
    )
    audit_id = create_audit(app, who(app, "state-admin"), setup)
    tally = {r.name: r for r in results(app, "adams")}["Governor"].tally
    quinn, rivera, write_in = (tally[c] for c in ("Avery Quinn", "Blake Rivera", "Write-In"))
    published = tmp_path / "adams published.csv"
    rows: list[tuple[object, ...]] = [
        ("Governor", "Avery Quinn", quinn),
        ("Governor", "Blake Rivera", rivera - 1),
        ("Governor", "Write-In", write_in),
    ]
    _table_file(published, ("contest", "choice", "votes"), rows)
    import_reported_results(
        app, "adams-admin", "adams", published, replace="adams-reported_results-1"
    )
    sentence = (
        f"Governor in Adams County: the CVRs give Avery Quinn {quinn:,}, Blake Rivera "
        f"{rivera:,} and Write-In {write_in:,} votes; the reported results say Avery Quinn "
        f"{quinn:,}, Blake Rivera {rivera - 1:,} and Write-In {write_in:,}. Correct the CVR "
        "upload or the reported results before launching."
    )
    with serving(app) as url, httpx.Client(base_url=url, follow_redirects=True) as client:
        login(client, "state-admin", DEMO_PASSWORD)
        page = client.get(f"/audits/{audit_id}")
        assert page.status_code == 200
        problems = page.text[page.text.index('data-testid="launch-problems"') :]
        problems = unescape(problems[: problems.index("</section>")])
        assert sentence in problems
        assert re.search(
            r'<tr data-county="adams">.*?data-reported="differ">reported results differ',
            page.text,
            re.S,
        )
        assert 'id="seed-form"' not in page.text
        refused = client.post(
            f"/audits/{audit_id}/seed",
            data={"csrf_token": csrf(page.text), "seed": "1" * 20, "witnesses": "Ana Ruiz"},
        )
        assert refused.status_code == 403
        assert sentence in unescape(refused.text)
    assert stored_seed(app, audit_id) is None
