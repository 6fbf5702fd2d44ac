"""A small hand-built definition with every shape of contest the deck must handle.

Vote-for-1 with a write-in position, vote-for-3 of 5, a yes/no measure, a
vote-for-2 of 2 (which cannot be overvoted), party primaries, and a contest
no style carries.
"""

from __future__ import annotations

from votetrail.core.lat.definition import (
    NO,
    WRITE_IN,
    YES,
    BallotStyle,
    Choice,
    Contest,
    ElectionDefinition,
    Party,
    Precinct,
    check,
)

CENTER, NORTH, SOUTH = "P1", "P2", "P3"

SPRINGFIELD = check(
    ElectionDefinition(
        title="Springfield General",
        date="2026-11-03",
        source_format="hand-built",
        precincts=(
            Precinct(CENTER, "Center Springfield"),
            Precinct(NORTH, "North Springfield"),
            Precinct(SOUTH, "South Springfield"),
        ),
        parties=(Party("D", "Democratic"), Party("R", "Republican")),
        contests=(
            Contest(
                "president",
                "President",
                "candidate",
                1,
                (
                    Choice("barchi", "Barchi"),
                    Choice("cramer", "Cramer"),
                    Choice(WRITE_IN, "Write-in", write_in=True),
                ),
            ),
            Contest(
                "commissioners",
                "County Commissioners",
                "candidate",
                3,
                tuple(
                    Choice(name.lower(), name)
                    for name in ("Argent", "Witherspoon", "Bainbridge", "Hennessey", "Savoy")
                ),
            ),
            Contest("measure", "Measure A", "yesno", 1, (Choice(YES, "Yes"), Choice(NO, "No"))),
            Contest(
                "school",
                "School Board",
                "candidate",
                2,
                (Choice("lee", "Lee"), Choice("ortiz", "Ortiz")),
            ),
            Contest(
                "dem-chair",
                "Democratic Chair",
                "candidate",
                1,
                (Choice("ames", "Ames"), Choice("burr", "Burr"), Choice("cole", "Cole")),
                party="D",
            ),
            Contest(
                "rep-chair",
                "Republican Chair",
                "candidate",
                1,
                (Choice("dunn", "Dunn"), Choice("eads", "Eads")),
                party="R",
            ),
            Contest("orphan", "Orphan Measure", "yesno", 1, (Choice(YES, "Yes"), Choice(NO, "No"))),
        ),
        ballot_styles=(
            BallotStyle("1", (CENTER, NORTH), ("president", "commissioners", "measure")),
            BallotStyle("2", (NORTH, SOUTH), ("president", "measure", "school")),
            BallotStyle("D", (CENTER, SOUTH), ("dem-chair", "measure"), party="D"),
            BallotStyle("R", (SOUTH,), ("rep-chair",), party="R"),
            BallotStyle("5", (SOUTH,), ("school",)),
        ),
    ),
    "springfield",
)
