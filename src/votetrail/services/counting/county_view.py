"""Everything a county's workspace page shows: its uploads, results and ballot accounting.

The page must render before a county has uploaded anything, so unlike
:func:`votetrail.services.counting.results.results` and ``accounting`` (which refuse a
county without CVRs, because a published zero would be wrong) this module
answers "nothing yet" with an empty list and ``None``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from votetrail.core.tally.tabulate import ContestResult
from votetrail.errors import InvalidInput
from votetrail.services.context import App
from votetrail.services.counting.results import AccountingReport, accounting, results
from votetrail.store.models import UPLOAD_REPLACEMENTS, UPLOADS


@dataclass(frozen=True)
class UploadedFile:
    """One file of an upload as the log recorded it, so anyone can re-hash their copy."""

    name: str
    sha256: str
    format: str
    records: int


@dataclass(frozen=True)
class UploadView:
    """One upload; it counts (``current``) until an official replaced it by a newer one.

    ``replaced_by`` is the replacing upload's id, with when and by whom the
    replacement was confirmed; all current CVR uploads count together.
    """

    id: str
    kind: str
    records: int
    imported_at: str
    files: tuple[UploadedFile, ...]
    merkle_root: str
    replaced_by: str | None = None
    replaced_at: str | None = None
    replaced_by_user: str | None = None

    @property
    def current(self) -> bool:
        return self.replaced_by is None

    @property
    def label(self) -> str:
        """The upload as a "Replaces" choice names it: id and file names."""
        return f"{self.id} ({', '.join(f.name for f in self.files)})"


@dataclass(frozen=True)
class CountyView:
    """A county's page: ``results`` is empty and ``accounting`` None until CVRs are uploaded.

    ``problem`` says why the uploads could not be counted (say, a manifest that
    lists a batch twice); the page shows it beside the upload forms, so the
    clerk can upload a corrected file instead of meeting an error page.
    """

    uploads: tuple[UploadView, ...]
    results: tuple[ContestResult, ...]
    accounting: AccountingReport | None
    problem: str | None = None

    @property
    def has_cvrs(self) -> bool:
        return any(upload.kind == "cvrs" and upload.current for upload in self.uploads)

    def current_of(self, kind: str) -> list[UploadView]:
        """The uploads of ``kind`` that count now: those a new file may replace."""
        return [u for u in self.uploads if u.kind == kind and u.current]


def _files(text: str) -> tuple[UploadedFile, ...]:
    described: list[dict[str, Any]] = json.loads(text)
    return tuple(
        UploadedFile(f["name"], f["sha256"], f["format"], int(f["records"])) for f in described
    )


def uploads_of(app: App, jurisdiction: str) -> list[UploadView]:
    """Every upload of the county, oldest first; an empty list before the first one."""
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(
                UPLOADS,
                UPLOAD_REPLACEMENTS.c.replacement_id,
                UPLOAD_REPLACEMENTS.c.replaced_at,
                UPLOAD_REPLACEMENTS.c.replaced_by,
            )
            .outerjoin(UPLOAD_REPLACEMENTS, UPLOAD_REPLACEMENTS.c.replaced_id == UPLOADS.c.id)
            .where(UPLOADS.c.jurisdiction_id == jurisdiction)
            .order_by(UPLOADS.c.imported_at, UPLOADS.c.kind, UPLOADS.c.sequence)
        ).all()
    return [
        UploadView(
            id=row.id,
            kind=row.kind,
            records=int(row.records),
            imported_at=str(row.imported_at),
            files=_files(row.files),
            merkle_root=row.merkle_root,
            replaced_by=row.replacement_id,
            replaced_at=row.replaced_at,
            replaced_by_user=row.replaced_by,
        )
        for row in rows
    ]


def county_view(app: App, jurisdiction: str) -> CountyView:
    """Uploads always; results and accounting only once the county has cast vote records.

    Uploads are only ever added, so a county that had CVRs when they were
    listed still has them when they are counted a moment later.
    """
    uploads = tuple(uploads_of(app, jurisdiction))
    view = CountyView(uploads, (), None)
    if not view.has_cvrs:
        return view
    try:
        return CountyView(uploads, tuple(results(app, jurisdiction)), accounting(app, jurisdiction))
    except InvalidInput as exc:
        return CountyView(uploads, (), None, problem=str(exc))


__all__ = ["CountyView", "UploadView", "UploadedFile", "county_view", "uploads_of"]
