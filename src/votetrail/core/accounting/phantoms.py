"""Phantom ballots: ballots counted with no paper to back them enter the audit as the worst case.

A jammed tape cannot be audited, but it must not shrink the audit either: if
the ballots without paper simply dropped out of the sample frame, a machine
that lost exactly the paper that would expose it would never be caught. So for
each device with N ballots tabulated beyond its paper, the audit's sample frame
gets N *phantom* cards. A drawn phantom has no paper (and its CVR cannot be
matched to any), so the comparison audit scores it as ``ABSENT``: a two-vote
overstatement, as if every one were a vote for the loser the CVR gave to the
winner (see :func:`votetrail.core.audit.comparison.pair_overstatement`). The
margin is also spread over the phantoms, so the frame size for dilution
counts them.

Phantom ids are ``phantom:<tabulator>:<k>`` for k = 1..N. The sampler's
tickets are hashes of ids, so the format is fixed once an audit is published;
``%`` and ``:`` in a tabulator's name are escaped as ballot manifest ids
escape them (``%25``, ``%3A``) so that every id reads back to one device.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from votetrail.core.accounting.reconcile import DeviceCounts
from votetrail.errors import InvalidInput

PREFIX = "phantom"


def _escaped(name: str) -> str:
    return name.replace("%", "%25").replace(":", "%3A")


def phantom_id(tabulator: str | None, k: int) -> str:
    """The k-th phantom of a device (1-based); an unnamed tabulator leaves its field empty."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidInput("must be a whole number of at least 1", where=f"phantom number {k!r}")
    return f"{PREFIX}:{_escaped(tabulator or '')}:{k}"


@dataclass(frozen=True, slots=True)
class Phantom:
    """One worst-case card the audit adds to its sample frame for a ballot without paper."""

    id: str
    tabulator: str | None


@dataclass(frozen=True, slots=True)
class PhantomPlan:
    """The phantoms the audit must add, and the sample frame's size with them.

    ``frame_ballots`` is the N that dilutes the margin: for each device the
    larger of its ballots tabulated and its paper, so every CVR has a card
    (real or phantom) and every piece of paper a place in the frame.
    """

    phantoms: tuple[Phantom, ...]
    frame_ballots: int

    @property
    def count(self) -> int:
        """How many phantoms in all."""
        return len(self.phantoms)

    def pairs(self) -> list[tuple[str, str | None]]:
        """(phantom id, tabulator) rows, in device order then k: what the store saves."""
        return [(p.id, p.tabulator) for p in self.phantoms]

    def per_tabulator(self) -> dict[str | None, int]:
        """Phantoms per device, for reports ("T-12: 54 phantom ballots")."""
        counts: dict[str | None, int] = {}
        for p in self.phantoms:
            counts[p.tabulator] = counts.get(p.tabulator, 0) + 1
        return counts


def _phantoms_of(device: DeviceCounts) -> Iterator[Phantom]:
    for k in range(1, device.missing_paper + 1):
        yield Phantom(phantom_id(device.tabulator, k), device.tabulator)


def plan_phantoms(devices: Iterable[DeviceCounts]) -> PhantomPlan:
    """Phantoms for every device whose ballots tabulated exceed its paper.

    Pass :attr:`Reconciliation.devices`. A device's paper is the smaller of
    its tape's count and its manifest batches' total (the paper both sources
    vouch for), so a short tape and a short manifest for the same device do
    not add up to twice the phantoms, and the larger shortfall always wins.
    Ids are unique across devices, even for devices whose names differ only
    in a ``:``.
    """
    phantoms: list[Phantom] = []
    frame = 0
    names: set[str | None] = set()
    for device in devices:
        if device.tabulator in names:
            raise InvalidInput(
                "appears twice in the device counts", where=f"tabulator {device.tabulator!r}"
            )
        names.add(device.tabulator)
        phantoms.extend(_phantoms_of(device))
        frame += device.frame_ballots
    return PhantomPlan(phantoms=tuple(phantoms), frame_ballots=frame)
