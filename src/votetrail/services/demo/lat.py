"""Demo L&A tests: what the public page of a real county looks like after an election.

Adams County tested its two precinct scanners before the election. ICP-2's
first run came back with Avery Quinn's and the write-in position's totals
swapped (a wrongly built ballot definition on the device); after it was
reloaded the second run passed, both devices were sealed, and the officials
signed. After the election the same
devices, seals unbroken, gave the same totals. Baker's pre-election test is
signed; Clark's is still open with one device not yet run. The definition is
the demo election's (the same contests the counties' CVR exports carry).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from votetrail.core.access import Principal
from votetrail.core.lat.deck import Deck, generate_deck
from votetrail.core.lat.definition import (
    NO,
    WRITE_IN,
    YES,
    BallotStyle,
    Choice,
    Contest,
    ElectionDefinition,
    Precinct,
)
from votetrail.formats.csv_out import write_dicts
from votetrail.formats.election.yaml import write_yaml
from votetrail.formats.lat.deck_files import write_deck_cvrs, write_expected_csv
from votetrail.services.context import App
from votetrail.services.demo.accounts import officer as demo_account
from votetrail.services.lat import definitions as lat_definitions
from votetrail.services.lat import sessions as lat_sessions

OBSERVERS = (
    "League of Women Voters: Jo Ortiz",
    "Democratic Party: Kim Lee",
    "Republican Party: Mark Novak",
)
STATEMENT = (
    "We observed the test deck counted on each device listed and certify that the results "
    "are as shown."
)


def demo_definition(county: str, name: str) -> ElectionDefinition:
    """The demo election as a county's tabulators are programmed for it."""
    precincts = tuple(
        Precinct(f"{county.title()} P-{n}", f"{county.title()} P-{n}") for n in (1, 2)
    )
    return ElectionDefinition(
        title="Demo General Election",
        date="2026-11-03",
        source_format="votetrail YAML",
        place=name,
        contests=(
            Contest(
                "governor",
                "Governor",
                "candidate",
                1,
                (
                    Choice("avery-quinn", "Avery Quinn"),
                    Choice("blake-rivera", "Blake Rivera"),
                    Choice(WRITE_IN, "Write-in", write_in=True),
                ),
            ),
            Contest(
                "county-measure-a",
                "County Measure A",
                "yesno",
                1,
                (Choice(YES, "Yes"), Choice(NO, "No")),
            ),
        ),
        ballot_styles=(
            BallotStyle(
                "Ballot 1", tuple(p.id for p in precincts), ("governor", "county-measure-a")
            ),
        ),
        precincts=precincts,
    )


def _swapped_report(deck: Deck, precincts: list[str], path: Path) -> None:
    """ICP-2's first report: Avery Quinn's and the write-in position's totals exchanged."""
    buffer = io.StringIO()
    write_expected_csv(deck, buffer, precincts)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    votes = {row["choice"]: row["votes"] for row in rows if row["contest"] == "governor"}
    for row in rows:
        if row["contest"] == "governor" and row["choice"] in ("avery-quinn", WRITE_IN):
            other = WRITE_IN if row["choice"] == "avery-quinn" else "avery-quinn"
            row["votes"] = votes[other]
    with path.open("w", encoding="utf-8", newline="") as handle:
        write_dicts(handle, rows, list(rows[0]), lineterminator="\r\n")


def _test_devices(
    app: App,
    officer: Principal,
    session_id: str,
    deck: Deck,
    folder: Path,
    seals: dict[str, tuple[str, str]],
    *,
    swap_first: str | None = None,
) -> None:
    for serial, (seal_before, seal_after) in seals.items():
        precinct = f"{session_id.split('-')[0].title()} P-{serial[-1]}"
        lat_sessions.add_device(
            app, officer, session_id, serial, "precinct scanner", seal_before, [precinct]
        )
        if serial == swap_first:
            wrong = folder / f"{session_id} {serial} run 1 totals.csv"
            _swapped_report(deck, [precinct], wrong)
            lat_sessions.record_result(app, officer, session_id, serial, wrong)
        report = folder / f"{session_id} {serial} cvrs.json"
        write_deck_cvrs(deck, report, serial, [precinct])
        lat_sessions.record_result(app, officer, session_id, serial, report)
        lat_sessions.seal_device(app, officer, session_id, serial, seal_after)


def load_demo_lat(app: App, counties: list[tuple[str, str]]) -> None:
    """Load the demo tests once (a second call finds them and does nothing)."""
    from votetrail.services.lat.records import sessions

    if sessions(app):
        return
    folder = app.data_dir / "demo-files"
    folder.mkdir(exist_ok=True)
    for county, name in counties:
        officer = demo_account(app, f"{county}-admin")
        definition = demo_definition(county, name)
        source = folder / f"{name} - election definition.yaml"
        source.write_text(write_yaml(definition), encoding="utf-8")
        loaded = lat_definitions.load_definition_file(app, officer, county, source)
        deck = generate_deck(definition)
        place = f"{name} Election Office, public test room"
        pre = lat_sessions.open_session(
            app, officer, county, loaded.id, "pre", date(2026, 10, 20), place, OBSERVERS
        )
        if county == "clark":
            lat_sessions.add_device(
                app, officer, pre, "ICP-1", "precinct scanner", "C-100201", ["Clark P-1"]
            )
            continue
        seals = {"ICP-1": (f"{county[0].upper()}-100101", f"{county[0].upper()}-100102")}
        seals["ICP-2"] = (f"{county[0].upper()}-100201", f"{county[0].upper()}-100202")
        _test_devices(
            app,
            officer,
            pre,
            deck,
            folder,
            seals,
            swap_first="ICP-2" if county == "adams" else None,
        )
        lat_sessions.sign_session(app, officer, pre, ["County Clerk", "Deputy Clerk"], STATEMENT)
        if county != "adams":
            continue
        post = lat_sessions.open_session(
            app, officer, county, loaded.id, "post", date(2026, 11, 12), place, OBSERVERS[:2]
        )
        after = {
            serial: (seal_after, seal_after[:-1] + "3") for serial, (_, seal_after) in seals.items()
        }
        _test_devices(app, officer, post, deck, folder, after)
        lat_sessions.sign_session(app, officer, post, ["County Clerk", "Deputy Clerk"], STATEMENT)
