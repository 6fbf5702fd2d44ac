"""Which vendor wrote a CVR file, and one reader interface over all of them.

An import names every file it was given and the format detected for it, so
a clerk who uploads the wrong export (a manifest, a ballots list) gets told so
before anything is stored. Detection runs from the most to the least specific
signature: Dominion CSV, Dominion JSON (or its ZIP), Hart (ZIP or XML), Clear
Ballot CSV, ES&S CSV, an ES&S Excel workbook (by its ``.xlsx`` name or the
workbook inside the ZIP), then NIST XML/JSON by suffix. Every reader reads
ranked-choice contests (:mod:`votetrail.formats.cvr.ranked_contests`) or
refuses the file; none leaves a contest out.

RCTab's generic CSV is not detected here: its columns are whatever the
RCTab configuration says, so only that configuration can tell it from any
other CSV (see docs/cvr.md); :mod:`votetrail.formats.rcv` reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.cvr import clearballot as clearballot_cvr
from votetrail.formats.cvr import dominion_csv as dominion_cvr_csv
from votetrail.formats.cvr import dominion_json as dominion_cvr_json
from votetrail.formats.cvr import ess as ess_cvr
from votetrail.formats.cvr import ess_xlsx as ess_cvr_xlsx
from votetrail.formats.cvr import hart as hart_cvr
from votetrail.formats.cvr import nist as nist_cvr


@dataclass(frozen=True)
class CvrFile:
    """An opened CVR export: its detected format, its contests, and a stream of its records."""

    path: Path
    format: str
    contests: list[ContestDefinition]
    _records: object

    def records(self) -> Iterator[CastVoteRecord]:
        reader = self._records
        assert isinstance(
            reader,
            dominion_cvr_csv.DominionCsvExport
            | dominion_cvr_json.DominionJsonExport
            | ess_cvr.EssCvrExport
            | clearballot_cvr.ClearBallotExport
            | hart_cvr.HartCvrExport
            | nist_cvr.NistCvrReport,
        )
        return reader.records()


def open_cvr_file(path: Path) -> CvrFile:
    if not path.is_file():
        raise InvalidInput("no such file", where=str(path))
    if dominion_cvr_csv.detect(path):
        export = dominion_cvr_csv.open_dominion_csv(path)
        return CvrFile(
            path,
            f"Dominion Democracy Suite CSV {export.version}",
            export.contests,
            export,
        )
    if dominion_cvr_json.detect(path):
        json_export = dominion_cvr_json.open_dominion_json(path)
        return CvrFile(
            path,
            f"Dominion Democracy Suite JSON {json_export.version}".rstrip(),
            json_export.contests,
            json_export,
        )
    if hart_cvr.detect(path):
        hart = hart_cvr.open_hart_cvr(path)
        return CvrFile(path, "Hart Verity CVR XML", hart.contests, hart)
    if clearballot_cvr.detect(path):
        clear_ballot = clearballot_cvr.open_clearballot_cvr(path)
        return CvrFile(
            path,
            "Clear Ballot ClearCount CSV",
            clear_ballot.contests,
            clear_ballot,
        )
    if ess_cvr.detect(path):
        ess_export = ess_cvr.open_ess_cvr(path)
        return CvrFile(path, "ES&S CVR CSV", ess_export.contests, ess_export)
    if ess_cvr_xlsx.detect(path):
        workbook = ess_cvr_xlsx.open_ess_xlsx(path)
        return CvrFile(path, "ES&S CVR Excel workbook", workbook.contests, workbook)
    if path.suffix.lower() in (".xml", ".json"):
        report = nist_cvr.open_nist_cvr(path)
        return CvrFile(
            path,
            f"NIST SP 1500-103 {report.format.upper()} {report.version}",
            report.contests,
            report,
        )
    raise InvalidInput(
        "is not a cast vote record export votetrail reads (Dominion Democracy Suite CSV, "
        "Dominion Democracy Suite JSON or a ZIP of it with its manifests, Hart Verity CVR XML "
        "or a ZIP of it, Clear Ballot ClearCount CSV, ES&S CVR CSV or Excel workbook, "
        "NIST SP 1500-103 XML or JSON)",
        where=str(path),
    )
