"""A county's summary and tab bar, and the state's page with its dashboard.

Every link these pages show is one the viewer may follow: the route asks the
rules of :mod:`votetrail.core.access` and hands the template booleans and
ready-made links, so a template never restates a rule (and a security
analyst is never shown a county it would be refused).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from votetrail.core.access import (
    Principal,
    may_administer_users,
    may_manage_audit_boards,
    may_manage_voters,
    may_monitor,
    may_publish,
    may_read_voter_alerts,
    may_run_audits,
    may_test_equipment,
    may_view,
)
from votetrail.services import directory, log_view
from votetrail.services.context import App
from votetrail.services.dashboard import Action, county_actions, county_numbers, dashboard
from votetrail.services.directory import JurisdictionView
from votetrail.web.page_cache import cached
from votetrail.web.templating import render
from votetrail.web.words import KINDS, kind_label


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    help: str = ""


TABS = (
    ("summary", "Summary", ""),
    ("uploads", "Uploads", "/uploads"),
    ("results", "Results", "/results"),
    ("accounting", "Ballot accounting", "/accounting"),
    ("officials", "Officials", "/officials"),
    ("log", "Log", "/log"),
)
"""The county's own pages: (name, label, path after ``/j/{slug}``); all open to its viewers."""


def format_words(text: str) -> str:
    """A file format as stored ("paper_counts CSV") in words ("paper-record counts CSV")."""
    kind, _, rest = text.partition(" ")
    if kind in KINDS:
        return f"{kind_label(kind).lower()} {rest}".strip()
    return text


def county_work_links(principal: Principal, county: str, state: str) -> list[Link]:
    """The county's other workspaces the viewer's role may open, each by its rule."""
    base = f"/j/{county}"
    links = []
    if may_test_equipment(principal, county, state):
        links.append(
            Link("L&A tests", f"{base}/lat", "open a test, record each device's run, sign it off")
        )
    if may_manage_voters(principal, county, state):
        links.append(Link("Voter list", f"{base}/voters", "search, view and change records"))
        links.append(
            Link("Review queue", f"{base}/voters/review", "list-maintenance matches to decide")
        )
    if may_manage_audit_boards(principal, county, state):
        links.append(Link("Audits", f"{base}/audits", "audit boards, retrieval lists, each round"))
    if may_publish(principal, county, state):
        links.append(Link("Publications", f"{base}/publications", "publish and withdraw"))
    return links


def action_rules(principal: Principal, state: str) -> Callable[[Action], bool]:
    """Whether the viewer may open an action's page, by the rule the action names."""

    def allowed(action: Action) -> bool:
        county = action.county or state
        rules = {
            "view": lambda: may_view(principal, county, state),
            "lat": lambda: may_test_equipment(principal, county, state),
            "voters": lambda: may_manage_voters(principal, county, state),
            "publish": lambda: may_publish(principal, county, state),
            "alerts": lambda: may_read_voter_alerts(principal, state),
            "audits": lambda: may_run_audits(principal, state),
        }
        rule = rules.get(action.rule)
        return rule is not None and rule()

    return allowed


def county_render(
    request: Request,
    principal: Principal,
    target: JurisdictionView,
    state: str,
    tab: str,
    context: dict[str, Any],
) -> Response:
    """One of the county's tabs, with the tab bar and the viewer's work links."""
    base = f"/j/{target.id}"
    values = {
        "jurisdiction": target,
        "tab": tab,
        "tabs": [Link(label, base + path) for _, label, path in TABS],
        "current_tab": dict((name, base + path) for name, _, path in TABS)[tab],
        "work_links": county_work_links(principal, target.id, state),
        **context,
    }
    return render(request, f"county_{tab}.html", values)


def county_summary(
    request: Request, app: App, principal: Principal, target: JurisdictionView, state: str
) -> Response:
    """What is done and what needs action, in numbers; each number links to its tab."""
    [numbers] = cached(
        request,
        ("county numbers", target.id),
        lambda: county_numbers(app, [(target.id, target.name)]),
    )
    allowed = action_rules(principal, state)
    actions = [a for a in county_actions(numbers) if allowed(a)]
    context = {
        "numbers": numbers,
        "actions": actions,
        "may_lat": may_test_equipment(principal, target.id, state),
        "may_voters": may_manage_voters(principal, target.id, state),
        "flash": request.session.pop("flash", None),
    }
    return county_render(request, principal, target, state, "summary", context)


def state_page(
    request: Request, app: App, principal: Principal, target: JurisdictionView, state: str
) -> Response:
    """The state's page: for those who may open its counties, a dashboard of every one.

    A security analyst is the state's but sees no county (``may_view``), so
    its page lists no county and links to the network instead.
    """
    counties = [
        j
        for j in directory.jurisdictions(app)
        if j.parent_id == target.id and may_view(principal, j.id, state)
    ]
    board = None
    if counties and target.kind == "state":
        board = dashboard(app, [(c.id, c.name) for c in counties])
        allowed = action_rules(principal, state)
        board = replace(board, actions=[a for a in board.actions if allowed(a)])
    links = []
    if may_run_audits(principal, state):
        links.append(Link("Risk-limiting audits", "/audits", "set up, seed, draw, measure"))
    if may_read_voter_alerts(principal, state):
        links.append(Link("Voter alerts", "/voters/alerts", "unusual changes by officials"))
    if may_monitor(principal, state):
        links.append(Link("Network monitoring", "/netmon", "scans, incidents, block lists"))
    if may_publish(principal, target.id, state):
        links.append(
            Link("Publications", f"/j/{target.id}/publications", "the office's signed documents")
        )
    if may_administer_users(principal, target.id, state) or may_monitor(principal, state):
        links.append(Link("Accounts", "/accounts", "officials' accounts and sessions"))
    context = {
        "jurisdiction": target,
        "counties": counties,
        "board": board,
        "links": links,
        "rows_link": {
            c.id: {
                "lat": may_test_equipment(principal, c.id, state),
                "voters": may_manage_voters(principal, c.id, state),
            }
            for c in counties
        },
        "users": directory.users_of(app, target.id),
        "recent": log_view.recent_for_jurisdiction(app, target.id),
        "flash": request.session.pop("flash", None),
    }
    return render(request, "jurisdiction.html", context)


__all__ = [
    "TABS",
    "Link",
    "county_render",
    "county_summary",
    "county_work_links",
    "format_words",
    "state_page",
]
