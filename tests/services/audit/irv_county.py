"""One county with a small ranked-choice contest, ready to audit (issue 17).

The CVRs are a Dominion CSV export in the layout Dominion uses for ranked
contests: ``CvrNumber,TabulatorNum,BatchId,RecordId,ImprintedId,BallotType``,
then under the heading ``Mayor (Number of positions=1, Number of ranks=3)``
one column per rank and candidate, rank by rank (``Ada(1)``, ``Bo(1)``,
``Cy(1)``, ``Ada(2)`` ...). Seen in Boulder County's 2023 export as quoted in
JohnLCaron/rlauxe, ``cases/src/main/kotlin/org/cryptobiotic/rlauxe/boulder/
BoulderCvrExportCsv.kt`` (commit 3827e38b), whose reader takes candidate
``c`` at rank ``r`` from column ``c + candidates * r``; the values are ours. The
manifest is Colorado's layout (``tests/fixtures/field/manifest``), one batch
whose positions are the CVRs' record numbers; the reported results are the
final round as published, ``contest,choice,votes``.

60 ballots: Ada is first on 37 (one of them skips rank 1), Bo on 10, Cy on
11; one ballot overvotes rank 1 and one is blank. Bo is eliminated and Ada
wins; RAIRE proves it with two NEB assertions, diluted margins 19/60 and
16/60.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from votetrail.services.context import App
from votetrail.services.counting.uploads import (
    import_cvrs,
    import_manifest,
    import_reported_results,
)

CONTEST = "Mayor"
HEADING = "Mayor (Number of positions=1, Number of ranks=3)"
CANDIDATES = ("Ada", "Bo", "Cy")
BALLOTS = 60

_GROUPS: list[tuple[int, dict[str, int]]] = [
    (36, {"Ada": 1, "Bo": 2, "Cy": 3}),
    (10, {"Bo": 1, "Cy": 2}),
    (8, {"Cy": 1, "Bo": 2}),
    (3, {"Cy": 1, "Ada": 2}),
    (1, {"Ada": 2}),  # rank 1 skipped
    (1, {"Bo": 1, "Cy": 1}),  # two marks at rank 1: an overvote
    (1, {}),  # blank
]


def _cvr_csv(path: Path) -> Path:
    """Six leading columns, then rank by rank, each rank listing every candidate."""
    columns = [f"{name}({rank})" for rank in (1, 2, 3) for name in CANDIDATES]
    lead = ["CvrNumber", "TabulatorNum", "BatchId", "RecordId", "ImprintedId", "BallotType"]
    blank = [""] * len(lead)
    rows: list[list[str]] = [
        ["2026 City Election", "5.17.17.1", *[""] * (len(lead) + len(columns) - 2)],
        [*blank, *[HEADING] * len(columns)],
        [*blank, *columns],
        [*lead, *[""] * len(columns)],
    ]
    record = 0
    for count, ranks in _GROUPS:
        for _ in range(count):
            record += 1
            cells = ["1" if ranks.get(name) == rank else "0" for rank in (1, 2, 3)
                     for name in CANDIDATES]  # fmt: skip
            rows.append([str(record), "1", "1", str(record), f"1-1-{record}", "DS-01", *cells])
    assert record == BALLOTS
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def upload_irv_county(
    app: App, folder: Path, county: str = "adams", reported: dict[str, int] | None = None
) -> None:
    """The county's CVRs, manifest and reported results (default: Ada wins 40 to 19)."""
    folder.mkdir(parents=True, exist_ok=True)
    import_cvrs(app, "tester", county, [_cvr_csv(folder / f"{county}-cvrs.csv")])
    manifest = folder / f"{county}-manifest.csv"
    manifest.write_text(
        f"CountyID,ScannerID,BatchID,NumBallots,StorageLocation\n{county},1,1,{BALLOTS},Bin 1\n",
        encoding="utf-8",
    )
    import_manifest(app, "tester", county, manifest)
    said = reported if reported is not None else {"Ada": 40, "Cy": 19}
    results = folder / f"{county}-reported.csv"
    results.write_text(
        "contest,choice,votes\n"
        + "".join(f"{CONTEST},{choice},{votes}\n" for choice, votes in said.items()),
        encoding="utf-8",
    )
    import_reported_results(app, "tester", county, results)
