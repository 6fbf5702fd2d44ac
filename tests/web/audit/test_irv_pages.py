"""An IRV comparison audit through the web pages, over real HTTP, on SQLite and PostgreSQL.

The county's files are ``tests/services/audit/irv_county`` (a Dominion CSV
ranked export; where its layout was seen is named there). The state
administrator sets the audit up on the set-up page, which offers the ranked
contest; the board enters every paper's rankings on the rank-by-rank form
(one select per rank, no JavaScript); the round is closed on the state's page;
the state's page and the public page list the RAIRE assertions with their
risks. Once the paper agrees and the audit finishes; once a board reads one
ballot differently and the audit needs another round.
"""

from __future__ import annotations

import html
from pathlib import Path

import httpx
import pytest

from tests.services.audit.board_work import MEMBERS, what_the_cvr_shows
from tests.services.audit.irv_county import CONTEST, upload_irv_county
from tests.services.voters.fixtures import who
from tests.web.server import csrf, login, serving
from votetrail.services.audit import boards
from votetrail.services.audit.draw import draw_round, offered_sizes
from votetrail.services.audit.seed import set_seed
from votetrail.services.context import App
from votetrail.services.setup import DEMO_PASSWORD


def _client(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, follow_redirects=True, timeout=60)


def _rank_form(token: str, ballot_id: str, reading: str) -> dict[str, str]:
    """The selects a board sets for a reading such as ``1:Ada;2:Bo`` (``blank``: none)."""
    data = {"csrf_token": token, "ballot_id": ballot_id, "then": "next"}
    by_rank: dict[str, list[str]] = {}
    if reading not in ("blank", "not_found"):
        for entry in reading.split(";"):
            rank, _, choice = entry.partition(":")
            by_rank.setdefault(rank, []).append(choice)
    for rank, choices in by_rank.items():
        data[f"r0-{rank}"] = choices[0] if len(choices) == 1 else "overvote"
    if reading == "not_found":
        data["not_found"] = "yes"
    return data


@pytest.mark.parametrize("paper_agrees", [True, False])
def test_an_irv_audit_runs_through_the_pages(
    demo_app: App, tmp_path: Path, paper_agrees: bool
) -> None:
    upload_irv_county(demo_app, tmp_path / "files")
    with serving(demo_app) as site, _client(site) as state:
        login(state, "state-admin", DEMO_PASSWORD)
        page = state.get("/audits")
        assert 'data-testid="ranked-contest"' in page.text
        assert f'name="targeted" value="{CONTEST}"' in page.text
        refused = state.post(
            "/audits",
            data={
                "csrf_token": csrf(page.text), "election": "City", "method": "ballot_polling",
                "risk_limit": "0.05", "targeted": CONTEST, "counties": "adams",
            },
        )  # fmt: skip
        assert refused.status_code == 400
        assert "ballot-comparison audit only" in refused.text
        created = state.post(
            "/audits",
            data={
                "csrf_token": csrf(page.text), "election": "City",
                "method": "ballot_comparison", "risk_limit": "0.05", "targeted": CONTEST,
                "counties": "adams",
            },
        )  # fmt: skip
        assert created.status_code == 200
        audit_id = created.url.path.rsplit("/", 1)[-1]
        assert 'data-testid="irv-assertions"' in created.text
        assert "not measured yet" in created.text
        admin = who(demo_app, "state-admin")
        set_seed(demo_app, admin, audit_id, "27182818284590452353", ["Ana Ruiz"])
        size = offered_sizes(demo_app, audit_id)[0].size
        draw_round(demo_app, admin, audit_id, size)
        clerk = who(demo_app, "adams-admin")
        made = boards.create_board(demo_app, clerk, audit_id, "adams", "Board 1", MEMBERS)
        boards.assign_ballots(demo_app, clerk, audit_id, "adams")
        ballots = boards.board_ballots(demo_app, clerk, made.board.id)
        with _client(site) as tablet:
            link = tablet.get(f"/board-link/{made.link_token}")
            tablet.post(f"/board-link/{made.link_token}", data={"csrf_token": csrf(link.text)})
            form = tablet.get("/audit-board/ballots/1")
            assert 'name="r0-1"' in form.text
            assert 'name="r0-3"' in form.text
            assert 'name="r0-4"' not in form.text
            assert '<option value="overvote"' in form.text
            wrong = tablet.post(
                "/audit-board/ballots/1",
                data={"csrf_token": csrf(form.text), "ballot_id": ballots[0].ballot_id,
                      "r0-1": "Dee"},
            )  # fmt: skip
            assert wrong.status_code == 400
            assert "'Dee' is not one of the contest's candidates" in html.unescape(wrong.text)
            misread = False
            sent: dict[str, str] = {}
            for n, ballot in enumerate(ballots, start=1):
                truth = what_the_cvr_shows(demo_app, "adams", ballot)[CONTEST]
                if not paper_agrees and not misread and truth.startswith("1:Ada"):
                    truth, misread = "1:Cy;2:overvote", True
                sent[ballot.ballot_id] = truth
                form = tablet.get(f"/audit-board/ballots/{n}")
                saved = tablet.post(
                    f"/audit-board/ballots/{n}",
                    data=_rank_form(csrf(form.text), ballot.ballot_id, truth),
                )
                assert saved.status_code == 200, saved.text
            entered = boards.board_ballots(demo_app, clerk, made.board.id)
            assert {b.ballot_id: b.contests[0].entered for b in entered} == sent
            review = tablet.get("/audit-board/review")
            signed = tablet.post(
                "/audit-board/sign-off",
                data={"csrf_token": csrf(review.text), "member1": MEMBERS[0].name,
                      "member2": MEMBERS[1].name},
            )  # fmt: skip
            assert signed.status_code == 200
        board_page = state.get(f"/audits/{audit_id}")
        closed = state.post(f"/audits/{audit_id}/close", data={"csrf_token": csrf(board_page.text)})
        assert closed.status_code == 200
        status = "yes" if paper_agrees else "no"
        assert 'data-testid="assertion-risk">—' not in closed.text
        assert f'data-confirmed="{status}"' in closed.text
        public = httpx.get(f"{site}/public/audits/{audit_id}", timeout=60)
        assert public.status_code == 200
        assert 'data-testid="irv-assertions"' in public.text
        assert f"{CONTEST}:NEB Ada&gt;Cy" in public.text
        assert "first preferences on the CVRs" in public.text
        decision = "confirmed" if paper_agrees else "continue"
        assert f'data-decision="{decision}"' in public.text
