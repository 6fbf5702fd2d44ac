"""Naming the precinct whose deck a failed report matches instead of the device's own.

Every precinct's section of the deck has totals of its own (see
:func:`votetrail.core.lat.deck.precinct_extras`), so a tabulator programmed
for the wrong precinct, or run with the wrong precinct's test ballots, gives
exactly another precinct's totals. Saying so is the explanation an official
needs; listing every figure that is off would hide it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from votetrail.core.lat.compare import Comparison, compare, compare_report
from votetrail.core.lat.deck import Deck
from votetrail.core.lat.ranked_compare import ReportedRankings, compare_ranked
from votetrail.core.lat.totals import Totals, count
from votetrail.core.lat.wording import Discrepancy

_MAX_CANDIDATES = 500
"""Precinct sets tried in place of the device's own: one swap each, so a county's precincts
are tried once per precinct the device counts, and a huge county cannot stall the check."""


def compare_device(
    deck: Deck,
    precincts: Sequence[str] | None,
    reported: Totals,
    reported_by_style: Mapping[str, Totals] | None = None,
    cards: int | None = None,
    rankings: ReportedRankings | None = None,
) -> Comparison:
    """Compare a device's report with its precincts' deck; a precinct mix-up is named as such.

    Ranked contests are compared round by round from ``rankings`` (the CVRs'
    rankings; ``None`` for a report of totals only, which cannot show rounds).
    """
    definition = deck.definition
    ranked = {contest.id for contest in definition.contests if contest.ranked}
    if ranked:
        # A totals report may list a ranked contest's first choices; they are not its result.
        reported = _plurality(reported, ranked)
        if reported_by_style is not None:
            reported_by_style = {s: _plurality(t, ranked) for s, t in reported_by_style.items()}
    rounds = compare_ranked(deck, precincts, rankings) if ranked else []
    comparison = compare_report(
        definition, deck.for_precincts(precincts), reported, reported_by_style, cards
    )
    if comparison.passed or precincts is None:
        return Comparison((*comparison.discrepancies, *rounds))
    mixup = _matching_precincts(deck, list(precincts), reported, cards)
    found = comparison.discrepancies if mixup is None else (mixup,)
    return Comparison((*found, *rounds))


def _plurality(totals: Totals, ranked: set[str]) -> Totals:
    return {contest: figures for contest, figures in totals.items() if contest not in ranked}


def _matching_precincts(
    deck: Deck, precincts: list[str], reported: Totals, cards: int | None
) -> Discrepancy | None:
    """The first set of precincts, one of the device's swapped for another, whose deck matches."""
    definition = deck.definition
    tried = 0
    for position, own in enumerate(precincts):
        for other in definition.precincts:
            if other.id in precincts:
                continue
            tried += 1
            if tried > _MAX_CANDIDATES:
                return None
            instead = [*precincts[:position], other.id, *precincts[position + 1 :]]
            ballots = deck.for_precincts(instead)
            if not ballots or (cards is not None and cards != len(ballots)):
                continue
            if not compare(definition, count(ballots, definition), reported).passed:
                continue
            name = definition.precinct_name
            if len(precincts) == 1:
                matched = f"precinct {name(other.id)}, not of precinct {name(own)}"
            else:
                listed = ", ".join(name(p) for p in instead)
                matched = f"precincts {listed}, with {name(other.id)} in place of {name(own)}"
            return Discrepancy(
                "wrong_precinct",
                f"The report matches the test deck of {matched}, which this device counts: "
                "the tabulator may be programmed for the wrong precinct, or that precinct's "
                "test ballots were run through it.",
            )
    return None
