"""Where every county stands, and what is waiting for an official, in a few queries.

The state administrator's dashboard (and each county's summary page) shows
per county: which files are in, how many ballots were counted, what ballot
accounting found, the L&A tests, voter alerts and the review queue. Each
number is one GROUP BY over all the counties asked for, never a loop of
per-county reads, so the page stays quick for a state of 116 counties; the
accounting findings come from :mod:`votetrail.services.counting.accounting_totals`,
which reconciles from database counts with the county report's own rule.

The "needs action" list names what an official must do and the page where it
is done, so the dashboard is a to-do list as much as a status board.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from votetrail.core.accounting.findings import Severity
from votetrail.services.audit.progress import counties_not_done
from votetrail.services.audit.reads import current_round
from votetrail.services.audit.setup import audit_counties
from votetrail.services.context import App
from votetrail.services.counting.accounting_totals import accounting_of, current_uploads
from votetrail.services.directory import jurisdictions
from votetrail.store.models import (
    AUDIT_BATCH_RESULTS,
    AUDIT_BATCH_SIGNOFFS,
    AUDIT_ROUND_RESULTS,
    AUDITS,
    CVRS,
    LAT_DEVICES,
    LAT_RESULTS,
    LAT_SESSIONS,
    PUBLICATION_WITHDRAWALS,
    PUBLICATIONS,
    UPLOAD_REPLACEMENTS,
    UPLOADS,
    VOTER_ALERTS,
    VOTER_REVIEWS,
)

UPLOAD_KINDS = ("cvrs", "manifest", "paper_counts", "check_ins", "reported_results")
"""Every kind a county uploads, in the order its upload page lists the forms."""


@dataclass(frozen=True)
class CountyNumbers:
    """One row of the dashboard: a county's work in numbers."""

    id: str
    name: str
    uploads: dict[str, int]
    """Kind -> current uploads of that kind (0 or absent: none yet)."""
    ballots: int
    """Cast vote records in the county's current CVR uploads."""
    accounted: bool
    """Whether there was anything to account (current CVRs) at all."""
    errors: int
    warnings: int
    accounting_problem: str | None
    lat_open: int
    lat_signed: int
    lat_failed: int
    failed_sessions: tuple[str, ...]
    alerts: int
    """Voter alerts about the county's officials not yet acknowledged."""
    reviews: int
    """List-maintenance review items still open."""
    results_published: bool

    @property
    def kinds_in(self) -> list[str]:
        return [kind for kind in UPLOAD_KINDS if self.uploads.get(kind)]

    @property
    def kinds_missing(self) -> list[str]:
        return [kind for kind in UPLOAD_KINDS if not self.uploads.get(kind)]


@dataclass(frozen=True)
class Action:
    """One thing an official must do, in words, and the page where it is done."""

    text: str
    href: str
    county: str | None = None
    rule: str = "view"
    """Which rule of ``core.access`` opens ``href``: view, lat, voters, publish, alerts, audits."""


@dataclass(frozen=True)
class Dashboard:
    counties: list[CountyNumbers]
    actions: list[Action] = field(default_factory=list)
    state_alerts: int = 0
    """Unacknowledged voter alerts not tied to one county."""

    @property
    def totals(self) -> CountyTotals:
        rows = self.counties
        return CountyTotals(
            ballots=sum(r.ballots for r in rows),
            errors=sum(r.errors for r in rows),
            warnings=sum(r.warnings for r in rows),
            lat_open=sum(r.lat_open for r in rows),
            lat_signed=sum(r.lat_signed for r in rows),
            lat_failed=sum(r.lat_failed for r in rows),
            alerts=sum(r.alerts for r in rows) + self.state_alerts,
            reviews=sum(r.reviews for r in rows),
        )


@dataclass(frozen=True)
class CountyTotals:
    ballots: int
    errors: int
    warnings: int
    lat_open: int
    lat_signed: int
    lat_failed: int
    alerts: int
    reviews: int


def _ballots(conn: Connection, counties: Sequence[str]) -> dict[str, int]:
    replaced = select(UPLOAD_REPLACEMENTS.c.replaced_id)
    rows = conn.execute(
        select(UPLOADS.c.jurisdiction_id, func.count())
        .select_from(CVRS.join(UPLOADS, UPLOADS.c.id == CVRS.c.upload_id))
        .where(UPLOADS.c.jurisdiction_id.in_(list(counties)), UPLOADS.c.id.not_in(replaced))
        .group_by(UPLOADS.c.jurisdiction_id)
    )
    return {str(county): int(n) for county, n in rows}


def _lat(conn: Connection, counties: Sequence[str]) -> dict[str, tuple[int, int, list[str]]]:
    """Per county (open, signed, failed sessions): failed when a device's last run failed."""
    last_run = (
        select(LAT_RESULTS.c.device_id, func.max(LAT_RESULTS.c.run).label("run"))
        .group_by(LAT_RESULTS.c.device_id)
        .subquery()
    )
    failed = {
        str(session)
        for session in conn.execute(
            select(LAT_DEVICES.c.session_id)
            .join(LAT_RESULTS, LAT_RESULTS.c.device_id == LAT_DEVICES.c.id)
            .join(
                last_run,
                (last_run.c.device_id == LAT_RESULTS.c.device_id)
                & (last_run.c.run == LAT_RESULTS.c.run),
            )
            .where(LAT_RESULTS.c.passed.is_(False))
            .distinct()
        ).scalars()
    }
    out: dict[str, tuple[int, int, list[str]]] = {}
    for row in conn.execute(
        select(LAT_SESSIONS.c.id, LAT_SESSIONS.c.jurisdiction_id, LAT_SESSIONS.c.status)
        .where(LAT_SESSIONS.c.jurisdiction_id.in_(list(counties)))
        .order_by(LAT_SESSIONS.c.id)
    ):
        opened, signed, failures = out.get(str(row.jurisdiction_id), (0, 0, []))
        if row.status == "signed":
            signed += 1
        else:
            opened += 1
        if str(row.id) in failed:
            failures = [*failures, str(row.id)]
        out[str(row.jurisdiction_id)] = (opened, signed, failures)
    return out


def _alerts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        select(VOTER_ALERTS.c.county, func.count())
        .where(VOTER_ALERTS.c.acknowledged_by.is_(None))
        .group_by(VOTER_ALERTS.c.county)
    )
    return {str(county or ""): int(n) for county, n in rows}


def _reviews(conn: Connection, counties: Sequence[str]) -> dict[str, int]:
    rows = conn.execute(
        select(VOTER_REVIEWS.c.county, func.count())
        .where(VOTER_REVIEWS.c.county.in_(list(counties)), VOTER_REVIEWS.c.status == "open")
        .group_by(VOTER_REVIEWS.c.county)
    )
    return {str(county): int(n) for county, n in rows}


def _published_results(conn: Connection, counties: Sequence[str]) -> set[str]:
    withdrawn = select(PUBLICATION_WITHDRAWALS.c.publication_id)
    return {
        str(county)
        for county in conn.execute(
            select(PUBLICATIONS.c.jurisdiction_id)
            .where(
                PUBLICATIONS.c.jurisdiction_id.in_(list(counties)),
                PUBLICATIONS.c.kind == "results",
                PUBLICATIONS.c.id.not_in(withdrawn),
            )
            .distinct()
        ).scalars()
    }


def county_numbers(app: App, counties: Sequence[tuple[str, str]]) -> list[CountyNumbers]:
    """The numbers of each ``(id, name)`` county, in the order given, in one read."""
    ids = [county for county, _ in counties]
    with app.engine.connect() as conn, conn.begin():
        uploads = current_uploads(conn, ids)
        accounting = accounting_of(conn, uploads)
        ballots = _ballots(conn, ids)
        lat = _lat(conn, ids)
        alerts = _alerts(conn)
        reviews = _reviews(conn, ids)
        published = _published_results(conn, ids)
    kinds: dict[str, dict[str, int]] = {}
    for upload in uploads:
        per = kinds.setdefault(upload.county, {})
        per[upload.kind] = per.get(upload.kind, 0) + 1
    out = []
    for county, name in counties:
        found = accounting.get(county)
        findings = (
            () if found is None or found.reconciliation is None else (found.reconciliation.findings)
        )
        opened, signed, failed = lat.get(county, (0, 0, []))
        out.append(
            CountyNumbers(
                id=county,
                name=name,
                uploads=kinds.get(county, {}),
                ballots=ballots.get(county, 0),
                accounted=found is not None,
                errors=sum(1 for f in findings if f.severity is Severity.ERROR),
                warnings=sum(1 for f in findings if f.severity is Severity.WARNING),
                accounting_problem=None if found is None else found.problem,
                lat_open=opened,
                lat_signed=signed,
                lat_failed=len(failed),
                failed_sessions=tuple(failed),
                alerts=alerts.get(county, 0),
                reviews=reviews.get(county, 0),
                results_published=county in published,
            )
        )
    return out


def county_actions(row: CountyNumbers) -> list[Action]:
    """What the county's office must do next, each with the page where it is done."""
    base = f"/j/{row.id}"
    out = []
    for session in row.failed_sessions:
        out.append(
            Action(
                f"{row.name}: L&A test {session} has a device that failed its last run",
                f"{base}/lat/{session}",
                row.id,
                "lat",
            )
        )
    if row.accounting_problem:
        out.append(Action(f"{row.name}: the uploads cannot be counted", f"{base}/uploads", row.id))
    if row.errors:
        noun = "error" if row.errors == 1 else "errors"
        out.append(
            Action(
                f"{row.name}: {row.errors:,} ballot accounting {noun} to resolve or explain",
                f"{base}/accounting",
                row.id,
            )
        )
    if row.reviews:
        noun = "item waits" if row.reviews == 1 else "items wait"
        out.append(
            Action(
                f"{row.name}: {row.reviews:,} list-maintenance review {noun} for a decision",
                f"{base}/voters/review",
                row.id,
                "voters",
            )
        )
    if row.lat_open:
        noun = "test is" if row.lat_open == 1 else "tests are"
        out.append(
            Action(
                f"{row.name}: {row.lat_open} L&A {noun} open, not signed",
                f"{base}/lat",
                row.id,
                "lat",
            )
        )
    if row.ballots and not row.results_published and not row.accounting_problem:
        out.append(
            Action(
                f"{row.name}: results are counted but not published",
                f"{base}/publications",
                row.id,
                "publish",
            )
        )
    return out


def _audit_actions(conn: Connection) -> list[Action]:
    """Audits whose next step is the state administrator's: seed, draw, or close a round."""
    out = []
    for audit in conn.execute(
        select(AUDITS.c.id, AUDITS.c.status, AUDITS.c.method)
        .where(AUDITS.c.status.in_(("set_up", "seed_set", "sampling")))
        .order_by(AUDITS.c.id)
    ):
        href = f"/audits/{audit.id}"
        if audit.status == "set_up":
            out.append(Action(f"Audit {audit.id}: hold the seed ceremony", href, rule="audits"))
            continue
        if audit.status == "seed_set":
            out.append(
                Action(f"Audit {audit.id}: draw the first round's sample", href, rule="audits")
            )
            continue
        round_row = current_round(conn, audit.id)
        if round_row is None:
            continue
        results = AUDIT_BATCH_RESULTS if audit.method == "batch_comparison" else AUDIT_ROUND_RESULTS
        closed = conn.execute(
            select(results.c.id).where(results.c.round_id == round_row.id).limit(1)
        ).first()
        if closed is not None:
            out.append(
                Action(f"Audit {audit.id}: draw round {round_row.number + 1}", href, rule="audits")
            )
        elif _round_ready(conn, audit.id, audit.method, round_row):
            out.append(
                Action(
                    f"Audit {audit.id}: every county finished round {round_row.number}; "
                    "measure the risk and close it",
                    href,
                    rule="audits",
                )
            )
    return out


def _round_ready(conn: Connection, audit_id: str, method: str, round_row: object) -> bool:
    if method == "batch_comparison":
        signed = conn.execute(
            select(func.count()).where(AUDIT_BATCH_SIGNOFFS.c.round_id == round_row.id)  # type: ignore[attr-defined]
        ).scalar_one()
        return int(signed) >= len(audit_counties(conn, audit_id))
    return not counties_not_done(conn, audit_id, round_row)


def dashboard(app: App, counties: Sequence[tuple[str, str]] | None = None) -> Dashboard:
    """The given ``(id, name)`` counties (default: all), and what waits for the state.

    The caller passes only the counties its viewer may open; the actions that
    are the state's own (voter alerts, audits) are listed whoever asks, and
    the page shows only those its viewer's rules allow.
    """
    if counties is None:
        counties = [(j.id, j.name) for j in jurisdictions(app) if j.kind == "county"]
    rows = county_numbers(app, counties)
    with app.engine.connect() as conn:
        alerts = _alerts(conn)
        audits = _audit_actions(conn)
    known = {j.id for j in jurisdictions(app) if j.kind == "county"}
    state_alerts = sum(n for county, n in alerts.items() if county not in known)
    actions: list[Action] = []
    waiting = sum(alerts.values())
    if waiting:
        noun = "alert waits" if waiting == 1 else "alerts wait"
        actions.append(
            Action(f"{waiting:,} voter {noun} for acknowledgement", "/voters/alerts", rule="alerts")
        )
    actions += audits
    for row in rows:
        actions += county_actions(row)
    return Dashboard(rows, actions, state_alerts)


__all__ = [
    "UPLOAD_KINDS",
    "Action",
    "CountyNumbers",
    "CountyTotals",
    "Dashboard",
    "county_actions",
    "county_numbers",
    "dashboard",
]
