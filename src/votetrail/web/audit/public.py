"""The public record of every audit: seed, sample, every reading and the risk, no sign-in.

An audit convinces only if people who do not trust the office can follow it,
so everything that decides the outcome is here for anyone: the seed and who
watched it rolled, every ballot drawn, what each audit board read on each
ballot beside what the CVR said (disagreements stand out), the risk of every
contest after every round with a chart, and ``evidence.zip`` with its SHA-256
and the one command that recomputes the sample and the risk from it.

Nothing here names a voter, a board's account, a one-time link or a
password: the facts come from the services' public views (``progress``,
``seed.ceremony``, ``public``), which hold counts and readings only.

Building the evidence reads the whole sampling frame, so the page, the
download and its hash share one copy per audit, kept until the log grows
(every change to an audit is a log entry, so the copy is never stale).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from votetrail.core.audit.discrepancies import find_discrepancies
from votetrail.core.audit.evidence import Draw, Evidence
from votetrail.errors import VotetrailError
from votetrail.services import log_view
from votetrail.services.audit import irv_progress, progress
from votetrail.services.audit import public as audit_public
from votetrail.services.audit.progress import AuditOverview
from votetrail.services.audit.seed import ceremony
from votetrail.services.context import App
from votetrail.web.audit.chart import Series, describe, legend, risk_chart
from votetrail.web.lat.common import download
from votetrail.web.state import app_of
from votetrail.web.templating import render

SHOWN = 500
"""Rows of the sample and of the readings shown on the page; all of them are in the downloads."""

METHODS = {
    "ballot_comparison": "Ballot comparison",
    "ballot_polling": "Ballot polling",
    "batch_comparison": "Batch comparison",
}
STATUSES = {
    "set_up": "Set up",
    "seed_set": "Seed set",
    "sampling": "Sampling",
    "confirmed": "Confirmed",
    "full_hand_count": "Full hand count",
}
DECISIONS = {
    "confirmed": "confirmed",
    "continue": "another round",
    "full_hand_count": "full hand count",
}


@dataclass(frozen=True)
class Package:
    """One audit's evidence as published (closed rounds), the zip's bytes, and every draw.

    ``drawn`` is every ticket drawn so far, the open round's too: a round's
    sample is public once it is drawn, while its readings are published with
    the package when the round is closed (a board may correct an entry until
    it signs off).
    """

    evidence: Evidence
    zip_bytes: bytes
    drawn: tuple[Draw, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.zip_bytes).hexdigest()


@dataclass(frozen=True)
class Reading:
    """One row of the readings table: a ballot's contest, the CVR's reading and the board's."""

    round: int | None
    ballot_id: str
    contest_id: str
    cvr: str | None
    audited: str
    overstatement: int | None  # None: the readings agree (or polling: no CVR)

    @property
    def differs(self) -> bool:
        return self.cvr is not None and self.cvr != self.audited


_CACHE: OrderedDict[tuple[str, str, str, int], Package] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 4


def package(app: App, audit_id: str) -> Package:
    """The audit's evidence and zip, built once per audit and log size."""
    # The deployment (its data folder and database), the audit, and how far its log has grown.
    where = app.engine.url.render_as_string(hide_password=True)
    key = (str(app.data_dir), where, audit_id, log_view.size(app))
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    evidence = audit_public.evidence_of(app, audit_id)
    if evidence.method == "batch_comparison":
        drawn = evidence.sample  # a batch round's draws are published when it is measured
    else:
        drawn = audit_public.working_evidence(app, audit_id).sample
    built = Package(evidence, audit_public.evidence_package(evidence), drawn)
    with _CACHE_LOCK:
        _CACHE[key] = built
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return built


def readings(evidence: Evidence) -> list[Reading]:
    """Every interpretation in draw order, with the round it was examined in and any discrepancy."""
    first_round: dict[str, int] = {}
    for draw in evidence.sample:
        first_round.setdefault(draw.ballot_id, draw.round)
    overstated = {
        (d.ballot_id, d.contest_id): d.overstatement for d in find_discrepancies(evidence)
    }
    order = {ballot: index for index, ballot in enumerate(first_round)}
    rows = [
        Reading(
            first_round.get(i.ballot_id),
            i.ballot_id,
            i.contest_id,
            None if i.cvr is None else str(i.cvr),
            str(i.audited),
            overstated.get((i.ballot_id, i.contest_id)),
        )
        for i in evidence.interpretations
    ]
    return sorted(rows, key=lambda r: (order.get(r.ballot_id, len(order)), r.contest_id))


def risk_series(overview: AuditOverview) -> list[Series]:
    """Each audited contest's risk after each closed round, for the chart."""
    contests = list(dict.fromkeys([*overview.targeted, *overview.opportunistic]))
    for view in overview.rounds:
        contests.extend(c for c in view.risk if c not in contests)
    return [
        Series(
            contest,
            tuple(
                (view.number, view.risk[contest])
                for view in overview.rounds
                if view.closed and contest in view.risk
            ),
        )
        for contest in contests
    ]


def audits_page(request: Request) -> Response:
    """Every audit (a practice one too) with its method and where it stands."""
    rows = progress.audits(app_of(request))
    return render(
        request,
        "audit_public_list.html",
        {"audits": rows, "methods": METHODS, "statuses": STATUSES},
    )


def audit_page(request: Request) -> Response:
    app = app_of(request)
    audit_id = str(request.path_params["audit_id"])
    overview = progress.overview(app, audit_id)
    seed = ceremony(app, audit_id)
    published: Package | None = None
    unavailable: str | None = None
    if seed is not None:
        try:
            published = package(app, audit_id)
        except VotetrailError as exc:
            unavailable = str(exc)
    series = risk_series(overview)
    limit = float(overview.risk_limit)
    rows = readings(published.evidence) if published is not None else []
    described = {c.id: c for c in published.evidence.contests} if published is not None else {}
    contests = [(name, "targeted", described.get(name)) for name in overview.targeted] + [
        (name, "opportunistic", described.get(name)) for name in overview.opportunistic
    ]
    context: dict[str, object] = {
        "audit": overview,
        "contests": contests,
        "ceremony": seed,
        "package": published,
        "unavailable": unavailable,
        "evidence": published.evidence if published is not None else None,
        "readings": rows[:SHOWN],
        "reading_count": len(rows),
        "discrepancies": [r for r in rows if r.differs],
        "sample": published.drawn[:SHOWN] if published is not None else (),
        "sample_count": len(published.drawn) if published is not None else 0,
        "shown": SHOWN,
        "chart": risk_chart(series, limit),
        "chart_text": describe(series, limit),
        "legend": legend(series),
        "methods": METHODS,
        "statuses": STATUSES,
        "decisions": DECISIONS,
        "risk_limit_percent": f"{limit * 100:g}%",
        "irv": irv_progress.assertion_risks(app, audit_id),
        "risk_text": _risk_text,
    }
    return render(request, "audit_public_audit.html", context)


def _risk_text(risk: float) -> str:
    return f"{risk:.4g}"


def evidence_zip(request: Request) -> Response:
    app = app_of(request)
    audit_id = str(request.path_params["audit_id"])
    progress.overview(app, audit_id)  # an unknown audit is a 404 before any work
    return download(package(app, audit_id).zip_bytes, "application/zip", f"{audit_id}-evidence.zip")


def report_csv(request: Request) -> Response:
    audit_id = str(request.path_params["audit_id"])
    body = audit_public.report_csv(app_of(request), audit_id)
    return download(body, "text/csv; charset=utf-8", f"{audit_id}-report.csv")


def report_pdf(request: Request) -> Response:
    audit_id = str(request.path_params["audit_id"])
    body = audit_public.report_pdf(app_of(request), audit_id)
    return download(body, "application/pdf", f"{audit_id}-report.pdf")


ROUTES: list[BaseRoute] = [
    Route("/public/audits", audits_page, methods=["GET"]),
    Route("/public/audits/{audit_id}", audit_page, methods=["GET"]),
    Route("/public/audits/{audit_id}/evidence.zip", evidence_zip, methods=["GET"]),
    Route("/public/audits/{audit_id}/report.csv", report_csv, methods=["GET"]),
    Route("/public/audits/{audit_id}/report.pdf", report_pdf, methods=["GET"]),
]
