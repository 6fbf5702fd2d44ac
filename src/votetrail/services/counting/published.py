"""Results as files for people and programs: the same text from the portal and the CLI.

``votetrail results --format csv|json|nist`` and the public portal's downloads
(``/results/{jurisdiction}/results.csv`` ...) call :func:`results_text`, so a
reporter who downloads the portal's file and an official who runs the command
get byte-for-byte the same document for the same uploads (the NIST report's
``GeneratedDate`` aside, which is the moment it is written).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from votetrail.core.tally.tabulate import ContestResult
from votetrail.formats.tally.results import ReportHeader, contract_json, nist_err_json, write_csv
from votetrail.services.context import App


class ResultsFormat(StrEnum):
    JSON = "json"
    NIST = "nist"
    CSV = "csv"


MEDIA_TYPES = {
    ResultsFormat.JSON: "application/json",
    ResultsFormat.NIST: "application/json",
    ResultsFormat.CSV: "text/csv; charset=utf-8",
}

DEFAULT_ELECTION_NAME = "General Election"


def results_text(
    app: App,
    found: Sequence[ContestResult],
    fmt: ResultsFormat,
    *,
    jurisdiction: str | None = None,
    election_name: str = DEFAULT_ELECTION_NAME,
    election_date: date | None = None,
) -> str:
    """The results in one format; the NIST report names ``jurisdiction`` (None: statewide)."""
    if fmt is ResultsFormat.CSV:
        out = io.StringIO(newline="")
        write_csv(found, out)
        return out.getvalue()
    if fmt is ResultsFormat.JSON:
        document = contract_json(found)
    else:
        now = app.clock()
        header = ReportHeader(
            election_name=election_name,
            election_date=election_date or now.date(),
            generated=now,
            issuer=app.origin,
            issuer_abbreviation=app.origin.split("/")[0],
            scope_name=jurisdiction or "statewide",
            scope_type="county" if jurisdiction else "state",
        )
        document = nist_err_json(found, header)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
