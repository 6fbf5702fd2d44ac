"""Two counties in different states of work, loaded through the real services.

Adams has counted: Kendall Park's real CVRs sent as two files, then one
replaced (a device's count drops: an accounting error), a manifest short by
two ballots (another error), an open L&A test whose second device failed its
only run, and a night-time voter change (an off-hours alert). Baker has
counted nothing: its L&A test is signed (a device that failed once was fixed
and re-run), and its voter list holds a person registered twice (one review
item). Clark has done nothing at all. The numbers the dashboard must show are
in :data:`EXPECTED`, written by hand from what is loaded here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from tests.cvr_split import split_by_tabulator
from tests.services.voters.fixtures import people, who
from votetrail.core.lat.deck import generate_deck
from votetrail.core.voters.record import Address
from votetrail.core.voters.transactions import Change, Kind
from votetrail.formats.election.yaml import write_yaml
from votetrail.formats.lat.deck_files import write_deck_cvrs
from votetrail.services.context import App
from votetrail.services.counting.uploads import import_cvrs, import_manifest
from votetrail.services.demo.lat import _swapped_report, demo_definition, load_demo_lat
from votetrail.services.demo.voters import generated_people
from votetrail.services.lat import definitions as lat_definitions
from votetrail.services.lat import sessions as lat_sessions
from votetrail.services.voters import records as voters
from votetrail.services.voters import review as voter_review
from votetrail.services.voters.imports import import_voters

ARLO = Path("cvr/arlo-fixtures/small-election")
CVRS = "Kendall Park - cvrs.csv"
MANIFEST = "Kendall Park - ballot manifest.csv"


@dataclass(frozen=True)
class Loaded:
    adams_session: str
    baker_reviews: int
    adams_ballots: int


def _adams_uploads(app: App, arlo: Path, folder: Path) -> int:
    first, second = split_by_tabulator(
        arlo / CVRS, folder, ("Tabulator A",), ("Tabulator B", "Tabulator C")
    )
    (only_b,) = split_by_tabulator(arlo / CVRS, folder / "fixed", ("Tabulator B",))
    import_cvrs(app, "adams-admin", "adams", [first])
    import_cvrs(app, "adams-admin", "adams", [second])
    import_cvrs(app, "adams-admin", "adams", [only_b], replace="adams-cvrs-2")
    short = folder / MANIFEST
    short.write_text(
        (arlo / MANIFEST).read_text().replace("Tabulator A,Batch 1,27", "Tabulator A,Batch 1,25")
    )
    import_manifest(app, "adams-admin", "adams", short)
    cards = sum(len(p.read_text().splitlines()) - 4 for p in (first, only_b))
    return cards


def _adams_lat(app: App, folder: Path) -> str:
    officer = who(app, "adams-admin")
    definition = demo_definition("adams", "Adams County")
    source = folder / "adams.yaml"
    source.write_text(write_yaml(definition), encoding="utf-8")
    loaded = lat_definitions.load_definition_file(app, officer, "adams", source)
    session = lat_sessions.open_session(
        app, officer, "adams", loaded.id, "pre", date(2026, 10, 20), "Office", ["Jo Ortiz"]
    )
    deck = generate_deck(definition)
    for serial in ("ICP-1", "ICP-2"):
        precinct = [f"Adams P-{serial[-1]}"]
        lat_sessions.add_device(app, officer, session, serial, "precinct scanner", "S", precinct)
        report = folder / f"{serial}.json"
        if serial == "ICP-2":
            report = folder / f"{serial} totals.csv"
            _swapped_report(deck, precinct, report)
        else:
            write_deck_cvrs(deck, report, serial, precinct)
        lat_sessions.record_result(app, officer, session, serial, report)
    return session


def _voters(app: App) -> int:
    adams = people("adams", 5)
    import_voters(
        app, who(app, "adams-admin"), adams, file_name="adams.csv", sha256="a" * 64,
        fmt="votetrail", county="adams",
    )  # fmt: skip
    baker = generated_people("baker", random.Random(7), 200)
    twin = replace(
        baker[4],
        voter_id="baker-90000004",
        first_name=baker[4].first_name.upper(),
        residence=replace(baker[4].residence, street=baker[4].residence.street + " Apt 2"),
        line=9001,
    )
    admin = who(app, "baker-admin")
    import_voters(
        app, admin, [*baker, twin], file_name="baker.csv", sha256="b" * 64,
        fmt="votetrail", county="baker",
    )  # fmt: skip
    voter_review.find_duplicates(app, admin, county="baker")
    clock = app.clock
    app.clock = lambda: datetime(2026, 11, 19, 9, 30, tzinfo=UTC)  # 02:30 in Denver
    try:
        voters.change(
            app,
            who(app, "adams-admin"),
            "ADAMS000001",
            Change(
                Kind.ADDRESS,
                reason="voter reported a move",
                source_ref="DMV-1",
                values={"residence": Address("1 Oak Ave", "Springfield", "CO", "80002")},
            ),
        )
    finally:
        app.clock = clock
    return len(voter_review.reviews(app, admin, "baker"))


def load_two_counties(app: App, shared_data: Path, folder: Path) -> Loaded:
    load_demo_lat(app, [("baker", "Baker County")])  # signed, after a failed run was fixed
    ballots = _adams_uploads(app, shared_data / ARLO, folder / "cvrs")
    session = _adams_lat(app, folder)
    reviews = _voters(app)
    return Loaded(session, reviews, ballots)


__all__ = ["ARLO", "Loaded", "load_two_counties"]
