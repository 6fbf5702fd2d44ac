"""The audit's JSON API over real HTTP, on SQLite and PostgreSQL.

Scripts sign in for a bearer token and run an audit end to end (set-up, seed,
draw, boards, entry, sign-off, close); the role boundaries hold for them as
for the pages (each refusal logged as ``access.denied``); every API route is
in the OpenAPI 3.1 document.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from sqlalchemy import select
from starlette.routing import Route

from tests.cli.helpers import votetrail
from tests.services.voters.fixtures import who
from tests.web.audit.running import COUNTIES, SEED, WITNESSES
from tests.web.server import login, serving
from votetrail.services.audit import boards
from votetrail.services.context import App
from votetrail.services.demo.audit import paper_readings
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.store.models import FAILED_SIGN_INS, LEDGER_ENTRIES
from votetrail.web.app import create_app
from votetrail.web.limits import FORM_LIMIT, BodyLimits

MEMBERS = [
    {"name": "Dana Whitfield", "party": "Democratic"},
    {"name": "Eli Romero", "party": "Republican"},
]


@pytest.fixture
def base(election_app: App) -> Iterator[str]:
    with serving(election_app) as url:
        yield url


@pytest.fixture
def api(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as client:
        yield client


def _token(api: httpx.Client, username: str) -> dict[str, str]:
    answer = api.post("/api/session", json={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def _denials(app: App) -> int:
    with app.engine.connect() as conn:
        return len(
            conn.execute(
                select(LEDGER_ENTRIES.c.seq).where(LEDGER_ENTRIES.c.event_type == "access.denied")
            ).all()
        )


def _seeded_audit(api: httpx.Client, state: dict[str, str], counties: tuple[str, ...]) -> str:
    created = _ok(
        api.post(
            "/api/audits",
            headers=state,
            json={
                "election": "2026 General",
                "method": "ballot_comparison",
                "risk_limit": "0.05",
                "targeted": ["Governor"],
                "counties": list(counties),
            },
        ),
        201,
    )
    audit_id = str(created["id"])
    seeded = _ok(
        api.post(
            f"/api/audits/{audit_id}/seed",
            headers=state,
            json={"seed": SEED, "witnesses": list(WITNESSES)},
        )
    )
    assert seeded["seed"] == SEED
    return audit_id


def _drawn_audit(api: httpx.Client) -> str:
    """An audit of every county with a first round of 30 draws."""
    state = _token(api, "state-admin")
    audit_id = _seeded_audit(api, state, COUNTIES)
    _ok(api.post(f"/api/audits/{audit_id}/rounds", headers=state, json={"size": 30}), 201)
    return audit_id


def test_a_script_runs_an_audit_from_set_up_to_close(
    api: httpx.Client,
    election_app: App,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = _token(api, "state-admin")
    audit_id = _seeded_audit(api, state, COUNTIES)
    listed = _ok(api.get("/api/audits", headers=state))["audits"]
    assert {"id": audit_id, "election": "2026 General", "method": "ballot_comparison"}.items() <= (
        listed[0].items()
    )
    sizes = _ok(api.get(f"/api/audits/{audit_id}/sizes", headers=state))["sizes"]
    drawn = _ok(
        api.post(f"/api/audits/{audit_id}/rounds", headers=state, json={"size": sizes[0]["size"]}),
        201,
    )
    assert drawn["number"] == 1
    assert sum(drawn["per_county"].values()) == sizes[0]["size"]
    for county in COUNTIES:
        clerk = _token(api, f"{county}-admin")
        made = _ok(
            api.post(
                f"/api/audits/{audit_id}/counties/{county}/boards",
                headers=clerk,
                json={"name": "Audit Board 1", "members": MEMBERS},
            ),
            201,
        )
        board_id = made["board"]["id"]
        listed_boards = _ok(
            api.get(f"/api/audits/{audit_id}/counties/{county}/boards", headers=clerk)
        )["boards"]
        assert [b["id"] for b in listed_boards] == [board_id]
        assigned = _ok(api.post(f"/api/audits/{audit_id}/counties/{county}/assign", headers=clerk))
        assert assigned["assigned"] == len(
            _ok(api.get(f"/api/audits/{audit_id}/counties/{county}/retrieval", headers=clerk))[
                "rows"
            ]
        )
        session = _ok(api.post("/api/board-session", json={"link_token": made["link_token"]}), 201)
        board = {"Authorization": f"Bearer {session['token']}"}
        # The link is used up: a second exchange is refused.
        again = api.post("/api/board-session", json={"link_token": made["link_token"]})
        assert again.status_code == 401
        ballots = _ok(api.get(f"/api/boards/{board_id}/ballots", headers=board))["ballots"]
        assert len(ballots) == assigned["assigned"]
        member = who(election_app, made["board"]["username"])
        shown = paper_readings(
            election_app, county, boards.board_ballots(election_app, member, board_id)
        )
        for ballot in ballots:
            _ok(
                api.post(
                    f"/api/boards/{board_id}/interpretations",
                    headers=board,
                    json={
                        "ballot_id": ballot["ballot_id"],
                        "readings": shown[ballot["ballot_id"]],
                        "comment": "",
                    },
                )
            )
        entered = _ok(api.get(f"/api/boards/{board_id}/ballots", headers=board))["ballots"]
        assert all(b["done"] for b in entered)
        _ok(
            api.post(
                f"/api/boards/{board_id}/sign-off",
                headers=board,
                json={"members": [m["name"] for m in MEMBERS]},
            )
        )
    closed = _ok(api.post(f"/api/audits/{audit_id}/close", headers=state))
    assert closed["closed"] is True
    assert set(closed["risk"]) == {"Governor"}
    overview = _ok(api.get(f"/api/audits/{audit_id}", headers=state))
    assert overview["rounds"][0]["closed"] is True
    assert overview["seed"] == SEED
    package = api.get(f"/api/audits/{audit_id}/evidence.zip", headers=state)
    assert package.status_code == 200
    path = tmp_path / "evidence.zip"
    path.write_bytes(package.content)
    checked = votetrail(capsys, "audit", "verify", str(path))
    assert checked.code == 0, checked.out + checked.err


def test_a_board_token_cannot_read_or_post_to_another_board(
    api: httpx.Client, election_app: App
) -> None:
    audit_id = _drawn_audit(api)
    made = {}
    for county in ("adams", "baker"):
        clerk = _token(api, f"{county}-admin")
        made[county] = _ok(
            api.post(
                f"/api/audits/{audit_id}/counties/{county}/boards",
                headers=clerk,
                json={"name": "Audit Board 1", "members": MEMBERS},
            ),
            201,
        )
        _ok(api.post(f"/api/audits/{audit_id}/counties/{county}/assign", headers=clerk))
    session = _ok(
        api.post("/api/board-session", json={"link_token": made["adams"]["link_token"]}), 201
    )
    adams_board = {"Authorization": f"Bearer {session['token']}"}
    baker_id = made["baker"]["board"]["id"]
    state_view = boards.board_ballots(election_app, who(election_app, "state-admin"), baker_id)
    before = _denials(election_app)
    read = api.get(f"/api/boards/{baker_id}/ballots", headers=adams_board)
    assert read.status_code == 403
    posted = api.post(
        f"/api/boards/{baker_id}/interpretations",
        headers=adams_board,
        json={"ballot_id": state_view[0].ballot_id, "readings": {"Governor": "blank"}},
    )
    assert posted.status_code == 403
    assert set(posted.json()) == {"error", "where", "status"}
    signed = api.post(
        f"/api/boards/{baker_id}/sign-off", headers=adams_board, json={"members": ["x"]}
    )
    assert signed.status_code == 403
    assert _denials(election_app) == before + 3
    # Nothing was entered on Baker's board.
    after = boards.board_ballots(election_app, who(election_app, "state-admin"), baker_id)
    assert all(c.entered is None for b in after for c in b.contests)
    # A board cannot run the audit either.
    assert api.post(f"/api/audits/{audit_id}/close", headers=adams_board).status_code == 403


def test_a_county_token_cannot_read_another_countys_retrieval_boards_or_upload_there(
    api: httpx.Client, election_app: App
) -> None:
    audit_id = _drawn_audit(api)
    adams = _token(api, "adams-admin")
    own = api.get(f"/api/audits/{audit_id}/counties/adams/retrieval?round=1", headers=adams)
    assert own.status_code == 200
    assert all(row["ballot_id"].startswith("adams:") for row in own.json()["rows"])
    before = _denials(election_app)
    for answer in (
        api.get(f"/api/audits/{audit_id}/counties/baker/retrieval", headers=adams),
        api.get(f"/api/audits/{audit_id}/counties/baker/boards", headers=adams),
        api.post(
            f"/api/audits/{audit_id}/counties/baker/boards",
            headers=adams,
            json={"name": "Audit Board 9", "members": MEMBERS},
        ),
        api.post(f"/api/audits/{audit_id}/counties/baker/assign", headers=adams),
        api.post(
            "/api/counties/baker/uploads/check_ins",
            headers=adams,
            files={"files": ("checkins.csv", b"Precinct,Check-ins\nP1,5\n", "text/csv")},
        ),
        api.post(f"/api/audits/{audit_id}/rounds", headers=adams, json={"size": 5}),
        api.get(f"/api/audits/{audit_id}/counties/baker", headers=adams),
        api.get(f"/api/audits/{audit_id}", headers=adams),  # every county's status
        api.get(f"/api/audits/{audit_id}/sizes", headers=adams),
    ):
        assert answer.status_code == 403, answer.text
        assert answer.json()["status"] == 403
    assert _denials(election_app) == before + 9
    status = _ok(api.get(f"/api/audits/{audit_id}/counties/adams", headers=adams))
    assert status["county"] == "adams"
    assert status["drawn_this_round"] == len({row["ballot_id"] for row in own.json()["rows"]})


def test_a_county_script_uploads_its_files(api: httpx.Client) -> None:
    clark = _token(api, "clark-admin")
    body = b"Precinct,Check-ins\nClark P-1,120\n"

    def send(**fields: str) -> httpx.Response:
        return api.post(
            "/api/counties/clark/uploads/check_ins",
            headers=clark,
            data=fields,
            files={"files": ("clark-checkins.csv", body, "text/csv")},
        )

    # Clark has check-ins from the demo: a new file must name the one it replaces, confirmed.
    first = send()
    assert first.status_code == 400
    assert "clark-check_ins-1" in first.json()["error"]
    unconfirmed = send(replace="clark-check_ins-1")
    assert unconfirmed.status_code == 400
    assert unconfirmed.json()["where"] == "Poll-book check-ins"
    replaced = send(replace="clark-check_ins-1", confirm_replace="yes")
    assert replaced.status_code == 201, replaced.text
    assert replaced.json()["replaced"] == "clark-check_ins-1"
    assert replaced.json()["records"] == 1
    bad_kind = api.post(
        "/api/counties/clark/uploads/ballots",
        headers=clark,
        files={"files": ("x.csv", body, "text/csv")},
    )
    assert bad_kind.status_code == 404


def test_a_script_upload_gets_the_upload_cap_only_where_it_may_upload(demo_app: App) -> None:
    """The bearer token counts before the body is read, as the session does for the form."""
    manifest = b"Tabulator,Batch Name,Number of Ballots\r\nT1,B1,10\r\n"
    padded = manifest + "".join(f"T2,B{n},1\r\n" for n in range(FORM_LIMIT // 8)).encode()
    assert len(padded) > FORM_LIMIT
    limits = BodyLimits(form=FORM_LIMIT, upload=256 * 1024)
    with serving(demo_app, limits=limits) as url, httpx.Client(base_url=url, timeout=30) as http:
        for username, status in (("baker-admin", 413), ("adams-admin", 201)):
            answer = http.post(
                "/api/counties/adams/uploads/manifest",
                headers=_token(http, username),
                files={"files": ("Adams - ballot manifest.csv", padded, "text/csv")},
            )
            assert answer.status_code == status, (username, answer.text)


def test_no_token_a_bad_token_or_a_browser_cookie_gets_401(
    api: httpx.Client, base: str, election_app: App
) -> None:
    web = create_app(election_app)
    signed_in = [
        (method, route.path.replace(":path", ""))
        for route in web.routes
        if isinstance(route, Route) and route.path.startswith("/api/")
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]
    open_routes = {("POST", "/api/session"), ("POST", "/api/board-session")}
    open_routes.add(("GET", "/api/openapi.json"))
    with httpx.Client(base_url=base, timeout=30) as browser:
        assert login(browser, "state-admin", DEMO_PASSWORD).status_code in (200, 303)
        for method, template in signed_in:
            if (method, template) in open_routes:
                continue
            path = template.format(
                audit_id="audit-1", county="adams", board_id="audit-1/adams/board-1", kind="cvrs"
            )
            for client, headers in (
                (api, {}),
                (api, {"Authorization": "Bearer not-a-token"}),
                (browser, {}),  # the session cookie is not read under /api/
            ):
                answer = client.request(method, path, headers=headers)
                assert answer.status_code == 401, (method, path, answer.text)
                assert answer.headers["www-authenticate"] == "Bearer"
                assert answer.json()["error"]


def test_sign_in_refuses_wrong_passwords_like_the_form_and_sign_out_ends_the_token(
    api: httpx.Client, election_app: App
) -> None:
    wrong = api.post("/api/session", json={"username": "adams-admin", "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "wrong user name or password"
    with election_app.engine.connect() as conn:
        failures = conn.execute(
            select(FAILED_SIGN_INS.c.username).where(FAILED_SIGN_INS.c.username == "adams-admin")
        ).all()
    assert len(failures) == 1
    for _ in range(4):
        api.post("/api/session", json={"username": "adams-admin", "password": "nope"})
    throttled = api.post(
        "/api/session", json={"username": "adams-admin", "password": DEMO_PASSWORD}
    )
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    malformed = api.post("/api/session", content=b"{not json", headers={"content-type": "x"})
    assert malformed.status_code == 400
    assert malformed.json()["where"] == "body"
    headers = _token(api, "baker-admin")
    assert api.get("/api/audits", headers=headers).status_code == 200
    assert api.delete("/api/session", headers=headers).status_code == 200
    assert api.get("/api/audits", headers=headers).status_code == 401


def test_every_api_route_is_in_the_openapi_document(api: httpx.Client, election_app: App) -> None:
    answer = api.get("/api/openapi.json")
    assert answer.status_code == 200
    spec = answer.json()
    validate(spec)  # the OpenAPI 3.1 schema, $refs resolved
    assert spec["openapi"].startswith("3.1.")
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    web = create_app(election_app)
    served = {
        (method.lower(), route.path.replace(":path", ""))
        for route in web.routes
        if isinstance(route, Route) and route.path.startswith("/api/")
        for method in route.methods or ()
        if method != "HEAD"
    }
    assert len(served) >= 20
    documented = {(method, path) for path, item in spec["paths"].items() for method in item}
    assert served - documented == set(), "routes missing from /api/openapi.json"
    assert documented - served == set(), "documented routes the app does not serve"
    for path, item in spec["paths"].items():
        for operation in item.values():
            assert operation["summary"]
            assert any(code.startswith("2") for code in operation["responses"])
            named = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert named == set(_path_parameters(path)), path


def _path_parameters(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def test_a_refused_caller_is_refused_before_its_body_is_read(
    api: httpx.Client, election_app: App
) -> None:
    """Not a 400 naming the field at fault: that would show an outsider the body's shape,
    and the refusal would go unlogged."""
    adams = _token(api, "adams-admin")
    headers = {**adams, "content-type": "application/json"}
    before = _denials(election_app)
    for path in (
        "/api/audits",
        "/api/audits/audit-9/seed",
        "/api/audits/audit-9/rounds",
        "/api/audits/audit-9/counties/baker/boards",
        "/api/boards/audit-9/baker/board-1/interpretations",
        "/api/boards/audit-9/adams/board-1/sign-off",  # its own county's, but not its board
    ):
        answer = api.post(path, content=b"{not json", headers=headers)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.json()["where"] is None
    assert _denials(election_app) == before + 6
    state = _token(api, "state-admin")
    allowed = api.post("/api/audits", content=b"{not json", headers=state)
    assert allowed.status_code == 400
    assert allowed.json()["where"] == "body"
