"""A small, realistic election for the demo counties, with one jammed paper tape.

Each demo county gets what a real county would upload: a Dominion-format CVR
export, its ballot manifest, the paper-record count each tabulator's printer
saved, poll-book check-ins, and the results it reported (the totals its CVRs
count, written as votetrail's results CSV, so the demo audits may launch).
Adams County's tabulator ICP-2 jammed: its printer kept 12 fewer paper
records than it tabulated, which the accounting report must flag and the
audit must treat as worst-case phantoms. The files
are generated from a fixed seed, written to the data directory, and imported
through the same services a clerk uses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from votetrail.formats.csv_out import CsvWriter
from votetrail.formats.tally.results import write_csv as write_results_csv
from votetrail.services.context import App
from votetrail.services.counting.results import results
from votetrail.services.counting.uploads import (
    import_counts,
    import_cvrs,
    import_manifest,
    import_reported_results,
)

CONTESTS = (
    ("Governor", ("Avery Quinn", "Blake Rivera", "Write-In"), (0.52, 0.45, 0.01)),
    ("County Measure A", ("Yes", "No"), (0.58, 0.40)),
)
DETAILS = (
    "CvrNumber",
    "TabulatorNum",
    "BatchId",
    "RecordId",
    "ImprintedId",
    "CountingGroup",
    "PrecinctPortion",
    "BallotType",
)
JAMMED = ("adams", "ICP-2", 12)
"""County, tabulator and how many paper records its jammed printer lost."""


@dataclass(frozen=True)
class Batch:
    tabulator: str
    name: str
    precinct: str
    ballots: int


def _batches(county: str, rng: random.Random) -> list[Batch]:
    out = []
    for t in (1, 2):
        for b in (1, 2):
            precinct = f"{county.title()} P-{t}"
            out.append(Batch(f"ICP-{t}", f"Batch {t}0{b}", precinct, rng.randint(120, 180)))
    return out


def _mark(rng: random.Random, shares: tuple[float, ...], count: int) -> list[str]:
    roll = rng.random()
    cells = ["0"] * count
    if roll < 0.01:
        return ["1"] * count  # an overvote
    for index, share in enumerate(shares):
        roll -= share
        if roll < 0:
            cells[index] = "1"
            return cells
    return cells  # an undervote


def write_cvrs(path: Path, county: str, batches: list[Batch], rng: random.Random) -> None:
    width = len(DETAILS) + sum(len(choices) for _, choices, _ in CONTESTS)
    contest_row = [""] * len(DETAILS)
    choice_row = [""] * len(DETAILS)
    for name, choices, _ in CONTESTS:
        contest_row += [f"{name} (Vote For=1)"] * len(choices)
        choice_row += list(choices)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = CsvWriter(handle, lineterminator="\r\n")
        out.writerow(["Demo General Election", "5.10.50.85"] + [""] * (width - 2))
        out.writerow(contest_row)
        out.writerow(choice_row)
        out.writerow(list(DETAILS) + [""] * (width - len(DETAILS)))
        number = 0
        for batch in batches:
            for record in range(1, batch.ballots + 1):
                number += 1
                row = [
                    str(number),
                    batch.tabulator,
                    batch.name,
                    str(record),
                    f"{batch.tabulator}-{batch.name}-{record}",
                    "Election Day",
                    batch.precinct,
                    "Ballot 1",
                ]
                for _, choices, shares in CONTESTS:
                    row += _mark(rng, shares, len(choices))
                out.writerow(row)


def write_table(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = CsvWriter(handle, lineterminator="\r\n")
        out.writerow(header)
        out.writerows(rows)


def load_demo_election(app: App, counties: list[tuple[str, str]], actor: str) -> None:
    """Generate and import every demo county's files (idempotent: same files, same uploads)."""
    folder = app.data_dir / "demo-files"
    folder.mkdir(exist_ok=True)
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not secrecy
    for county, name in counties:
        batches = _batches(county, rng)
        cvrs = folder / f"{name} - cvrs.csv"
        write_cvrs(cvrs, county, batches, rng)
        manifest = folder / f"{name} - ballot manifest.csv"
        write_table(
            manifest,
            ("Tabulator", "Batch Name", "Number of Ballots"),
            [(b.tabulator, b.name, b.ballots) for b in batches],
        )
        per_device: dict[str, int] = {}
        per_precinct: dict[str, int] = {}
        for b in batches:
            per_device[b.tabulator] = per_device.get(b.tabulator, 0) + b.ballots
            per_precinct[b.precinct] = per_precinct.get(b.precinct, 0) + b.ballots
        if county == JAMMED[0]:
            per_device[JAMMED[1]] -= JAMMED[2]
        paper = folder / f"{name} - paper records.csv"
        write_table(paper, ("Tabulator", "Paper Records"), sorted(per_device.items()))
        check_ins = folder / f"{name} - check-ins.csv"
        write_table(check_ins, ("Precinct", "Check-ins"), sorted(per_precinct.items()))
        import_cvrs(app, actor, county, [cvrs])
        import_manifest(app, actor, county, manifest)
        import_counts(app, actor, county, "paper_counts", paper)
        import_counts(app, actor, county, "check_ins", check_ins)
        reported = folder / f"{name} - reported results.csv"
        with reported.open("w", encoding="utf-8", newline="") as handle:
            write_results_csv(results(app, county), handle)
        import_reported_results(app, actor, county, reported)
