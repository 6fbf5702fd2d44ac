"""Which vendor wrote a CVR file, and one reader interface over all of them.

An import names every file it was given and the format detected for it, so
a clerk who uploads the wrong export (a manifest, an ES&S file before its
reader exists) gets told so before anything is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from votetrail.core.tally.records import CastVoteRecord, ContestDefinition
from votetrail.errors import InvalidInput
from votetrail.formats import dominion_cvr_csv, nist_cvr


@dataclass(frozen=True)
class CvrFile:
    """An opened CVR export: its detected format, its contests, and a stream of its records."""

    path: Path
    format: str
    contests: list[ContestDefinition]
    _records: object

    def records(self) -> Iterator[CastVoteRecord]:
        reader = self._records
        assert isinstance(reader, dominion_cvr_csv.DominionCsvExport | nist_cvr.NistCvrReport)
        return reader.records()


def open_cvr_file(path: Path) -> CvrFile:
    if not path.is_file():
        raise InvalidInput("no such file", where=str(path))
    if dominion_cvr_csv.detect(path):
        export = dominion_cvr_csv.open_dominion_csv(path)
        return CvrFile(
            path, f"Dominion Democracy Suite CSV {export.version}", export.contests, export
        )
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
        "NIST SP 1500-103 XML or JSON)",
        where=str(path),
    )
