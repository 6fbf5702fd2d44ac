"""Comparing what a tabulator reported with what its test deck should give.

An L&A test is read aloud in public, so a failure must say what went wrong in
words an observer can check against the deck: which ballot was not counted,
which two candidates were exchanged, which overvote was counted. Numbers alone
would leave the officials to diagnose the fault on the spot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from votetrail.core.lat.deck import DeckBallot
from votetrail.core.lat.definition import ElectionDefinition
from votetrail.core.lat.missing_ballots import missing_or_extra
from votetrail.core.lat.totals import ContestTotals, Totals, count
from votetrail.core.lat.wording import Discrepancy, DiscrepancyKind, Key, Where, plural

__all__ = ["Comparison", "Discrepancy", "DiscrepancyKind", "compare", "compare_report"]


@dataclass(frozen=True, slots=True)
class Comparison:
    discrepancies: tuple[Discrepancy, ...]

    @property
    def passed(self) -> bool:
        return not self.discrepancies


_Figure = Literal["ballots", "overvotes", "undervotes"]
_FIGURES: tuple[_Figure, ...] = ("ballots", "overvotes", "undervotes")


def compare(
    definition: ElectionDefinition,
    expected: Totals,
    reported: Totals,
    *,
    ballot_style: str | None = None,
    deck_ballots: Sequence[DeckBallot] = (),
    baseline: str = "the test deck",
) -> Comparison:
    """Every difference between ``expected`` and ``reported``, each in words for the public test.

    The most telling explanation wins: a deck ballot left out (or counted
    twice) explains every contest on it at once, and a permutation of the
    distinct deck totals names the exchanged choices, which a list of wrong
    numbers would leave the officials to work out.
    """
    at = Where(definition, ballot_style, baseline)
    keys = _comparable(definition, expected, reported)
    difference = {
        key: delta for key in keys if (delta := _figure(expected, key) - _figure(reported, key))
    }
    found: list[Discrepancy] = []
    explained = False
    if difference and deck_ballots:
        ballots = [b for b in deck_ballots if ballot_style in (None, b.ballot_style)]
        by_ballots = missing_or_extra(definition, difference, keys, ballots, at)
        if by_ballots is not None:
            found.extend(by_ballots)
            explained = True
    position = {contest.id: index for index, contest in enumerate(definition.contests)}
    contest_ids = sorted(
        dict.fromkeys([*expected, *reported]), key=lambda c: position.get(c, len(position))
    )
    for contest_id in contest_ids:
        found.extend(
            _contest(at, contest_id, expected.get(contest_id), reported.get(contest_id), explained)
        )
    return Comparison(tuple(found))


def compare_report(
    definition: ElectionDefinition,
    deck_ballots: Sequence[DeckBallot],
    reported: Totals,
    reported_by_style: Mapping[str, Totals] | None = None,
    cards: int | None = None,
) -> Comparison:
    """Compare a tabulator's report with the deck ballots it ran, style by style when it can.

    Only a report that knows each card's style (a CVR export) can say a swap
    happened on one style alone; that is the fault a style-specific ballot
    definition on the device produces, so it is named with its style.
    ``cards`` is the number of ballots the report says it counted, when it
    says so: a missing blank ballot changes no vote, so a report without
    undervotes shows it only there.
    """
    found = list(
        _compare_totals(definition, deck_ballots, reported, reported_by_style).discrepancies
    )
    ballot_faults = {"missing_ballot", "extra_ballot", "ballots"}
    if (
        cards is not None
        and cards != len(deck_ballots)
        and not any(d.kind in ballot_faults for d in found)
    ):
        found.append(
            Discrepancy(
                "ballots",
                f"The report says {plural(cards, 'ballot')} were counted; the test deck for "
                f"this tabulator has {len(deck_ballots)}.",
            )
        )
    return Comparison(tuple(found))


def _compare_totals(
    definition: ElectionDefinition,
    deck_ballots: Sequence[DeckBallot],
    reported: Totals,
    reported_by_style: Mapping[str, Totals] | None,
) -> Comparison:
    expected = count(deck_ballots, definition)
    if reported_by_style is None:
        return compare(definition, expected, reported, deck_ballots=deck_ballots)
    found: list[Discrepancy] = []
    style_ids = [style.id for style in definition.ballot_styles]
    style_ids += [s for s in reported_by_style if s not in style_ids]
    for style_id in style_ids:
        ballots = [ballot for ballot in deck_ballots if ballot.ballot_style == style_id]
        report = reported_by_style.get(style_id)
        if report is None:
            if ballots:
                found.append(
                    Discrepancy(
                        "missing_ballot",
                        f"No ballots of style {style_id} were counted "
                        f"(expected {plural(len(ballots), 'ballot')}).",
                        ballot_style=style_id,
                        ballots=tuple(ballot.number for ballot in ballots),
                    )
                )
            continue
        if not ballots:
            if not all(_is_zero(totals) for totals in report.values()):
                cards = [t.ballots for t in report.values() if t.ballots is not None]
                counted = f" ({plural(max(cards), 'ballot')} in the report)" if cards else ""
                found.append(
                    Discrepancy(
                        "extra_ballot",
                        f"Ballots of style {style_id} were counted{counted}, but the test deck "
                        "this tabulator runs has none of that style.",
                        ballot_style=style_id,
                    )
                )
            continue
        style_expected = count(ballots, definition)
        found.extend(
            compare(
                definition, style_expected, report, ballot_style=style_id, deck_ballots=ballots
            ).discrepancies
        )
    if not found:
        found.extend(
            compare(definition, expected, reported, deck_ballots=deck_ballots).discrepancies
        )
    return Comparison(tuple(found))


def _comparable(definition: ElectionDefinition, expected: Totals, reported: Totals) -> list[Key]:
    """The figures both sides give; a figure a report leaves out cannot be wrong."""
    keys: list[Key] = []
    for contest_id, wanted in expected.items():
        got = reported.get(contest_id)
        if got is None:
            continue
        try:
            choices = [choice.id for choice in definition.contest(contest_id).choices]
        except KeyError:
            choices = list(wanted.votes)
        keys.extend((contest_id, "votes", choice) for choice in choices)
        keys.extend(
            (contest_id, name, "")
            for name in _FIGURES
            if getattr(wanted, name) is not None and getattr(got, name) is not None
        )
    return keys


def _figure(totals: Totals, key: Key) -> int:
    contest, name, choice = key
    if name == "votes":
        return totals[contest].votes.get(choice, 0)
    value: int | None = getattr(totals[contest], name)
    return value or 0


def _is_zero(totals: ContestTotals | None) -> bool:
    if totals is None:
        return True
    figures = (totals.ballots, totals.overvotes, totals.undervotes)
    return not any(totals.votes.values()) and not any(figures)


def _contest(
    at: Where,
    contest_id: str,
    expected: ContestTotals | None,
    reported: ContestTotals | None,
    explained: bool,
) -> list[Discrepancy]:
    title = at.title(contest_id)
    style = at.ballot_style
    if reported is None:
        if _is_zero(expected):
            return []
        sentence = f"{title} is missing from the tabulator's report{at.on_style}."
        return [Discrepancy("missing_contest", sentence, contest_id, ballot_style=style)]
    if expected is None:
        known = any(contest.id == contest_id for contest in at.definition.contests)
        if known and _is_zero(reported):
            return []
        sentence = (
            f"The tabulator reported {title}{at.on_style}, a contest {at.baseline} does not "
            "include."
        )
        return [Discrepancy("unexpected_contest", sentence, contest_id, ballot_style=style)]
    names = at.choices(contest_id, expected)
    found = [
        Discrepancy(
            "unexpected_choice",
            f"{title}{at.on_style}: the tabulator reported {plural(votes, 'vote')} for "
            f"{choice!r}, which is not a choice in this contest.",
            contest_id,
            (choice,),
            style,
        )
        for choice, votes in reported.votes.items()
        if choice not in names
    ]
    if explained:
        return found
    found.extend(_votes(at, contest_id, names, expected, reported))
    # A cause is named only when the same ballots were counted: otherwise a
    # missing or extra card, not how marks were read, may explain the figure.
    same_cards = reported.ballots is None or reported.ballots == expected.ballots
    for name in _FIGURES:
        wanted: int | None = getattr(expected, name)
        got: int | None = getattr(reported, name)
        if wanted is not None and got is not None and wanted != got:
            sentence = _figure_sentence(at, title, name, wanted, got, explain=same_cards)
            found.append(Discrepancy(name, sentence, contest_id, (), style))
    return found


def _votes(
    at: Where,
    contest_id: str,
    names: dict[str, str],
    expected: ContestTotals,
    reported: ContestTotals,
) -> list[Discrepancy]:
    """The vote differences of one contest, as a swap, a shift, a moved vote or plain numbers."""
    title = at.title(contest_id)
    style = at.ballot_style
    wanted = {choice: expected.votes.get(choice, 0) for choice in names}
    got = {choice: reported.votes.get(choice, 0) for choice in names}
    if wanted == got:
        return []
    values = list(wanted.values())
    if sorted(values) == sorted(got.values()) and len(set(values)) == len(values):
        owner = {votes: choice for choice, votes in wanted.items()}
        return [
            _cycle_sentence(at, contest_id, names, wanted, cycle)
            for cycle in _cycles({choice: owner[got[choice]] for choice in names})
        ]
    changed = [choice for choice in names if wanted[choice] != got[choice]]
    if len(changed) == 2 and sum(values) == sum(got.values()):
        first, second = changed
        loser, gainer = (first, second) if got[first] < wanted[first] else (second, first)
        moved = wanted[loser] - got[loser]
        return [
            Discrepancy(
                "moved_vote",
                f"{plural(moved, 'vote')} for {names[loser]} "
                f"{'was' if moved == 1 else 'were'} counted for {names[gainer]} in {title}"
                f"{at.on_style} ({at.baseline}: {names[loser]} {wanted[loser]}, "
                f"{names[gainer]} {wanted[gainer]}; reported: {names[loser]} {got[loser]}, "
                f"{names[gainer]} {got[gainer]}).",
                contest_id,
                (loser, gainer),
                style,
            )
        ]
    return [
        Discrepancy(
            "votes",
            f"{names[choice]} in {title}{at.on_style}: expected {wanted[choice]} "
            f"({at.baseline}), reported {got[choice]}.",
            contest_id,
            (choice,),
            style,
        )
        for choice in changed
    ]


def _cycles(took: dict[str, str]) -> list[list[str]]:
    """The cycles of "choice a was reported with choice b's total", fixed points left out."""
    cycles: list[list[str]] = []
    seen: set[str] = set()
    for start in took:
        if start in seen or took[start] == start:
            continue
        cycle = [start]
        seen.add(start)
        while took[cycle[-1]] != start:
            cycle.append(took[cycle[-1]])
            seen.add(cycle[-1])
        cycles.append(cycle)
    return cycles


def _cycle_sentence(
    at: Where, contest_id: str, names: dict[str, str], wanted: dict[str, int], cycle: list[str]
) -> Discrepancy:
    title = at.title(contest_id)
    if len(cycle) == 2:
        a, b = cycle
        where = f"{at.on_style} ({title})" if at.ballot_style else f" in {title}"
        return Discrepancy(
            "swap",
            f"{names[a]} and {names[b]} swapped{where}: {names[a]} was reported with "
            f"{plural(wanted[b], 'vote')}, {names[b]}'s total in {at.baseline}, and "
            f"{names[b]} with {wanted[a]}, {names[a]}'s."
            + (
                # Totals one apart: one vote read for the other choice gives the same figures.
                " (Their expected totals differ by one, so a single vote for "
                + (
                    f"{names[b]} counted for {names[a]}"
                    if wanted[b] > wanted[a]
                    else f"{names[a]} counted for {names[b]}"
                )
                + " would look the same.)"
                if abs(wanted[a] - wanted[b]) == 1
                else ""
            ),
            contest_id,
            (a, b),
            at.ballot_style,
        )
    took = [
        f"{names[choice]} got {names[cycle[(i + 1) % len(cycle)]]}'s total "
        f"({wanted[cycle[(i + 1) % len(cycle)]]})"
        for i, choice in enumerate(cycle)
    ]
    return Discrepancy(
        "shift",
        f"The totals of {title} are shifted{at.on_style}: {', '.join(took)}, against "
        f"{at.baseline} — the tabulator may be reading a wrong column or position.",
        contest_id,
        tuple(cycle),
        at.ballot_style,
    )


def _figure_sentence(
    at: Where, title: str, name: str, wanted: int, got: int, *, explain: bool
) -> str:
    where = f"{title}{at.on_style}"
    if name == "overvotes":
        why = (
            "it counted an overvoted contest"
            if got < wanted
            else "it treated a contest with no more marks than allowed as overvoted"
        )
        return (
            f"{where}: {at.baseline} has {plural(wanted, 'overvoted ballot')}, the tabulator "
            f"reported {plural(got, 'overvote')}" + (f" — {why}." if explain else ".")
        )
    if name == "undervotes":
        return (
            f"{where}: {at.baseline} has {plural(wanted, 'undervote')}, the tabulator "
            f"reported {got}."
        )
    return f"{where}: {at.baseline} has {plural(wanted, 'ballot')}, the tabulator counted {got}."
