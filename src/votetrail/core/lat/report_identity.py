"""What a tabulator's report says about itself, held against the device under test.

A report that passes on figures alone proves nothing if it came from another
device, another precinct's programming or another election: the figures of
two devices running the same deck are the same. So whatever a report says
about where it came from (the device's serial, the tabulator numbers and
precincts on its cards, the election's name) must agree with the device the
officials put under test. What a report does not say cannot disagree; which
formats say what is documented in ``docs/lat.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from votetrail.core.lat.definition import ElectionDefinition
from votetrail.core.lat.wording import Discrepancy


@dataclass(frozen=True, slots=True)
class SelfDescription:
    """What a report names about itself, as written in it (empty when it says nothing)."""

    devices: tuple[str, ...] = ()
    """Device serial numbers (a NIST report's ReportingDevice, a NIST CVR's creating device)."""
    tabulators: tuple[str, ...] = ()
    """Vendor tabulator numbers on the cards (Dominion, ES&S, Hart, Clear Ballot): not serials,
    so only checked to be one tabulator."""
    precincts: tuple[str, ...] = ()
    """Precinct ids or names the report's cards or counts are of."""
    election: str | None = None
    """The election's name as the report gives it."""


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


def _listing(values: Sequence[str]) -> str:
    return ", ".join(repr(value) for value in values)


def identity_discrepancies(
    definition: ElectionDefinition,
    serial: str | None,
    precincts: Sequence[str] | None,
    about: SelfDescription,
) -> list[Discrepancy]:
    """Each way the report's own description contradicts the device under test.

    ``precincts`` are the precinct ids the device counts (``None``: central
    count, every precinct); ``serial`` ``None`` leaves the device unchecked
    (``lat compare`` without ``--serial``). Names are compared ignoring case
    and spacing.
    """
    found: list[Discrepancy] = []
    others = [d for d in dict.fromkeys(about.devices) if _plain(d) != _plain(serial or d)]
    if others:
        found.append(
            Discrepancy(
                "wrong_device",
                f"The report says it comes from device {_listing(others)}, not from {serial}, "
                "the device under test.",
            )
        )
    tabulators = list(dict.fromkeys(" ".join(t.split()) for t in about.tabulators))
    if len(tabulators) > 1:
        found.append(
            Discrepancy(
                "wrong_device",
                f"The report's ballots come from {len(tabulators)} tabulators "
                f"({_listing(tabulators)}); one device's test report comes from one.",
            )
        )
    by_id = {precinct.id: precinct for precinct in definition.precincts}
    by_name = {_plain(p.id): p for p in definition.precincts}
    by_name.update(
        {_plain(p.name): p for p in definition.precincts if _plain(p.name) not in by_name}
    )
    unknown: list[str] = []
    foreign: list[str] = []
    for written in dict.fromkeys(about.precincts):
        precinct = by_id.get(written) or by_name.get(_plain(written))
        if precinct is None:
            unknown.append(written)
        elif precincts is not None and precinct.id not in precincts:
            foreign.append(precinct.name)
    if unknown:
        found.append(
            Discrepancy(
                "wrong_precinct",
                f"The report names precinct {_listing(unknown)}, which the election definition "
                "does not have.",
            )
        )
    if foreign and precincts is not None:
        counted = ", ".join(definition.precinct_name(p) for p in precincts)
        found.append(
            Discrepancy(
                "wrong_precinct",
                f"The report is of precinct {', '.join(dict.fromkeys(foreign))}, which "
                f"{f'device {serial}' if serial else 'this tabulator'} does not count "
                f"(it counts {counted}).",
            )
        )
    if about.election is not None and _plain(about.election) != _plain(definition.title):
        found.append(
            Discrepancy(
                "wrong_election",
                f"The report is of the election {about.election!r}, not {definition.title!r} "
                "of this test's definition.",
            )
        )
    return found
