"""Election definitions the L&A file tests share: each exercises one way definitions differ."""

from __future__ import annotations

from votetrail.core.lat.definition import (
    NO,
    WRITE_IN,
    YES,
    BallotStyle,
    Choice,
    Contest,
    ElectionDefinition,
    Precinct,
    check,
)

GOVERNOR = Contest(
    "governor",
    "Governor",
    "candidate",
    1,
    (
        Choice("avery-quinn", "Avery Quinn", "dem"),
        Choice("blake-rivera", "Blake Rivera", "rep"),
        Choice(WRITE_IN, "Write-in", write_in=True),
    ),
)
MEASURE = Contest(
    "measure-a", "County Measure A", "yesno", 1, (Choice(YES, "Yes"), Choice(NO, "No"))
)
COUNCIL = Contest(
    "council",
    "City Council",
    "candidate",
    3,
    tuple(
        Choice(f"c{n}", name)
        for n, name in enumerate(
            ("Ann Smith", "Bob Jones", "Zoë Ávila", "Dee O’Neil", "Eve Ng"), start=1
        )
    ),
)


def general() -> ElectionDefinition:
    """Two styles over three precincts: a write-in, a default-id measure, a vote-for-3 contest."""
    return check(
        ElectionDefinition(
            title="Demo General Election",
            date="2026-11-03",
            source_format="votetrail YAML",
            place="Adams County, Example",
            contests=(GOVERNOR, MEASURE, COUNCIL),
            ballot_styles=(
                BallotStyle("Style 1", ("P-1", "P-2"), ("governor", "measure-a")),
                BallotStyle("style-2", ("P-2", "P-3"), ("governor", "council")),
            ),
            precincts=(
                Precinct("P-1", "North"),
                Precinct("P-2", "Centre"),
                Precinct("P-3", "South"),
            ),
        ),
        "general",
    )


def votingworks_like() -> ElectionDefinition:
    """VotingWorks shapes: option ids such as ``measure-1-yes`` labelled "YES"."""
    return check(
        ElectionDefinition(
            title="Sample Election",
            date=None,
            source_format="VotingWorks election.json",
            contests=(
                Contest(
                    "measure-1",
                    "Proposition 1",
                    "yesno",
                    1,
                    (Choice("measure-1-yes", "YES"), Choice("measure-1-no", "NO")),
                ),
                Contest(
                    "mayor",
                    "Mayor",
                    "candidate",
                    2,
                    (
                        Choice("sherlock", "Sherlock Holmes"),
                        Choice("watson", "John Watson"),
                        Choice(WRITE_IN, "Write-In", write_in=True),
                    ),
                ),
            ),
            ballot_styles=(BallotStyle("12", ("23",), ("measure-1", "mayor")),),
            precincts=(Precinct("23", "Centre Springfield"),),
        ),
        "votingworks",
    )


def primary() -> ElectionDefinition:
    """Two contests titled alike (one per party) and two choices named alike: ids only."""
    return check(
        ElectionDefinition(
            title="Primary",
            date="2026-06-02",
            source_format="votetrail YAML",
            contests=(
                Contest(
                    "gov-dem",
                    "Governor",
                    "candidate",
                    1,
                    (Choice("d1", "Pat Lee"), Choice("d2", "Pat Lee"), Choice("d3", "Sam Roe")),
                    party="dem",
                ),
                Contest(
                    "gov-rep",
                    "Governor",
                    "candidate",
                    1,
                    (Choice("r1", "Kim Yu"), Choice("r2", "Lou Ray")),
                    party="rep",
                ),
            ),
            ballot_styles=(
                BallotStyle("dem", ("P-1",), ("gov-dem",), "dem"),
                BallotStyle("rep", ("P-1",), ("gov-rep",), "rep"),
            ),
            precincts=(Precinct("P-1", "Only"),),
        ),
        "primary",
    )
