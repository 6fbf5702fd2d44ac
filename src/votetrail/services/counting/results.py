"""Results and ballot accounting from what counties have uploaded.

Both read a county's *current* uploads straight from the stored canonical
records, so the numbers published are exactly the records the log's Merkle
roots commit to. A county's CVRs are the union of its current CVR uploads
(files accumulate, one tabulator's at a time if need be); its manifest, paper
counts and check-ins are the one current upload of each
(``services/counting/current_uploads.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from votetrail.core.accounting.phantoms import PhantomPlan, plan_phantoms
from votetrail.core.accounting.reconcile import (
    ManifestBatch,
    Reconciliation,
    reconcile,
    summarise_cvrs,
)
from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.core.tally.tabulate import ContestResult, merge, tabulate
from votetrail.errors import NotFound
from votetrail.formats.cvr.manifest import Batch, ballot_ids
from votetrail.formats.tally.reported import ReportedResults
from votetrail.services.context import App
from votetrail.services.counting.current_uploads import current_document, current_uploads
from votetrail.services.counting.uploads import stored_records
from votetrail.store.models import JURISDICTIONS, UPLOAD_REPLACEMENTS, UPLOADS


def stored_cvrs(conn: Connection, upload_id: str) -> Iterator[CastVoteRecord]:
    """An upload's CVRs as stored (the rows its Merkle root covers), ranks included."""
    for _, text in stored_records(conn, upload_id, cvrs=True):
        data = json.loads(text)
        yield CastVoteRecord(
            id=data["id"],
            tabulator=data["tabulator"],
            batch=data["batch"],
            record=data["record"],
            precinct=data["precinct"],
            ballot_type=data["ballot_type"],
            counting_group=data["counting_group"],
            marks={contest: tuple(choices) for contest, choices in data["marks"].items()},
            ranks={
                contest: tuple(tuple(rank) for rank in ranks)
                for contest, ranks in data.get("ranks", {}).items()
            },
        )


def _union(conn: Connection, uploads: Sequence[Any]) -> Iterator[CastVoteRecord]:
    """Every CVR of the given uploads, upload by upload in the order they came."""
    for upload in uploads:
        yield from stored_cvrs(conn, upload.id)


def stored_contests(upload: Any) -> list[ContestDefinition]:
    """The upload's contests, ranked-choice ones (``ranks``) too: tabulation leaves those out."""
    return [
        ContestDefinition(
            c["name"],
            c["votes_allowed"],
            tuple(c["choices"]),
            frozenset(c["write_ins"]),
            c.get("ranks"),
        )
        for c in json.loads(upload.contests)
    ]


def county_ids(conn: Connection) -> list[str]:
    """Every county, in id order (the statewide results add them up in this order)."""
    rows = conn.execute(
        select(JURISDICTIONS.c.id)
        .where(JURISDICTIONS.c.kind == "county")
        .order_by(JURISDICTIONS.c.id)
    )
    return [str(r.id) for r in rows]


def results(app: App, jurisdiction: str | None = None) -> list[ContestResult]:
    """Per contest totals for one county, or statewide (every county's current CVRs) if None."""
    with app.engine.connect() as conn:
        counties = county_ids(conn) if jurisdiction is None else [jurisdiction]
        per_county: dict[str, list[ContestResult]] = {}
        for county in counties:
            uploads = current_uploads(conn, county, "cvrs")
            if not uploads:
                continue
            # Each upload carries its own contest definitions (a file may lack a
            # contest or a choice no one marked): count each, then add them up.
            per_county[county] = merge(
                {
                    f"{county} upload {u.id}": tabulate(stored_cvrs(conn, u.id), stored_contests(u))
                    for u in uploads
                }
            )
    if jurisdiction is not None and not per_county:
        raise NotFound(f"{jurisdiction!r} has not uploaded cast vote records")
    return merge(per_county)


BatchKey = tuple[str | None, str | None]
"""(tabulator, batch) as the CVRs name them."""


def batch_results(app: App, jurisdiction: str) -> dict[BatchKey, list[ContestResult]]:
    """Per contest totals of each (tabulator, batch) in the county's current CVRs.

    What a batch-comparison audit compares hand tallies with: counted by the
    same rules as :func:`results`, so the batches add up to the county's totals.
    """
    with app.engine.connect() as conn:
        uploads = current_uploads(conn, jurisdiction, "cvrs")
        if not uploads:
            raise NotFound(f"{jurisdiction!r} has not uploaded cast vote records")
        parts: dict[BatchKey, dict[str, list[ContestResult]]] = {}
        for upload in uploads:
            groups: dict[BatchKey, list[CastVoteRecord]] = {}
            for record in stored_cvrs(conn, upload.id):
                groups.setdefault((record.tabulator, record.batch), []).append(record)
            definitions = stored_contests(upload)
            for key, records in groups.items():
                parts.setdefault(key, {})[f"upload {upload.id}"] = tabulate(records, definitions)
    return {key: merge(counted) for key, counted in parts.items()}


def reported_results(conn: Connection, jurisdiction: str) -> ReportedResults | None:
    """The county's current reported results (contest -> choice -> votes); None before any.

    What the county published, which an audit checks its CVR totals against
    (``services/audit/launch.py``).
    """
    upload = current_document(conn, jurisdiction, "reported_results")
    if upload is None:
        return None
    reported: ReportedResults = {}
    for _, text in stored_records(conn, upload.id, cvrs=False):
        row = json.loads(text)
        reported.setdefault(str(row["contest"]), {})[str(row["choice"])] = int(row["votes"])
    return reported


def _counts(conn: Connection, jurisdiction: str, kind: str) -> dict[str, int] | None:
    upload = current_document(conn, jurisdiction, kind)
    if upload is None:
        return None
    return {
        data["place"]: data["count"]
        for data in (json.loads(text) for _, text in stored_records(conn, upload.id, False))
    }


@dataclass(frozen=True)
class AccountingReport:
    jurisdiction: str
    reconciliation: Reconciliation
    phantoms: PhantomPlan
    uploads: list[dict[str, Any]]


@contextmanager
def _snapshot(app: App) -> Iterator[Connection]:
    """One read transaction that sees one state of the database throughout.

    The sampling frame reads the accounting (for phantoms) and the manifest
    (for ballots): an upload replaced between two separate reads could mix an
    old manifest's phantoms with a new one's ballots.
    """
    engine = app.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with engine.connect() as conn, conn.begin():
        yield conn


def accounting(app: App, jurisdiction: str) -> AccountingReport:
    """Check-ins vs CVRs vs paper records vs manifest for one county, with phantoms to audit."""
    with app.engine.connect() as conn:
        return _accounting_on(conn, jurisdiction)


def _accounting_on(conn: Connection, jurisdiction: str) -> AccountingReport:
    cvrs = current_uploads(conn, jurisdiction, "cvrs")
    if not cvrs:
        raise NotFound(f"{jurisdiction!r} has not uploaded cast vote records")
    summary = summarise_cvrs(_union(conn, cvrs))
    manifest_upload = current_document(conn, jurisdiction, "manifest")
    manifest = []
    if manifest_upload is not None:
        for _, text in stored_records(conn, manifest_upload.id, False):
            data = json.loads(text)
            manifest.append(ManifestBatch(data["tabulator"], data["batch"], data["ballots"]))
    before = _before_newest(conn, cvrs)
    previous = None if before is None else summarise_cvrs(_union(conn, before)).per_tabulator()
    outcome = reconcile(
        summary,
        manifest,
        paper_records=_counts(conn, jurisdiction, "paper_counts"),
        check_ins=_counts(conn, jurisdiction, "check_ins"),
        previous=previous,
    )
    uploads = [
        {
            "id": r.id,
            "kind": r.kind,
            "records": r.records,
            "imported_at": r.imported_at,
            "files": json.loads(r.files),
            "merkle_root": r.merkle_root,
            "replaced_by": r.replacement_id,
        }
        for r in conn.execute(
            select(UPLOADS, UPLOAD_REPLACEMENTS.c.replacement_id)
            .outerjoin(UPLOAD_REPLACEMENTS, UPLOAD_REPLACEMENTS.c.replaced_id == UPLOADS.c.id)
            .where(UPLOADS.c.jurisdiction_id == jurisdiction)
            .order_by(UPLOADS.c.kind, UPLOADS.c.sequence)
        )
    ]
    return AccountingReport(jurisdiction, outcome, plan_phantoms(outcome.devices), uploads)


def _before_newest(conn: Connection, current: Sequence[Any]) -> list[Any] | None:
    """The county's CVR uploads as they stood before its newest one; None if it is the first.

    The newest current upload either added a file (before it: the others) or
    replaced one (before it: the others and the one it replaced). Comparing
    device counts with that set shows what the last upload changed.
    """
    newest = current[-1]
    replaced = conn.execute(
        select(UPLOADS)
        .join(UPLOAD_REPLACEMENTS, UPLOAD_REPLACEMENTS.c.replaced_id == UPLOADS.c.id)
        .where(UPLOAD_REPLACEMENTS.c.replacement_id == newest.id)
    ).all()
    before = sorted([*current[:-1], *replaced], key=lambda u: int(u.sequence))
    return before or None


@dataclass(frozen=True)
class SamplingFrame:
    """What a county's audit samples from: its paper ballots plus worst-case phantoms."""

    ballot_ids: list[str]
    phantom_ids: list[str]

    @property
    def all_ids(self) -> list[str]:
        return self.ballot_ids + self.phantom_ids


def sampling_frame(app: App, jurisdiction: str) -> SamplingFrame:
    """The manifest's ballot ids and one phantom per CVR with no paper record.

    A drawn phantom has no paper to examine: the audit enters it as MISSING,
    which scores as a two-vote overstatement for the reported winner.
    """
    with _snapshot(app) as conn:
        report = _accounting_on(conn, jurisdiction)
        manifest = current_document(conn, jurisdiction, "manifest")
        if manifest is None:
            raise NotFound(f"{jurisdiction!r} has not uploaded a ballot manifest")
        batches = [
            Batch(data["container"], data["tabulator"], data["batch"], data["ballots"])
            for data in (json.loads(t) for _, t in stored_records(conn, manifest.id, False))
        ]
    return SamplingFrame(
        list(ballot_ids(batches, jurisdiction)), [p.id for p in report.phantoms.phantoms]
    )
