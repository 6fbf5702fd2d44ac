"""Naming the deck ballot a tabulator did not count, or counted twice.

A shortfall that equals one deck ballot's marks, contest by contest, names that
ballot: it is how an official finds the card that jammed or was skipped in the
feeder, and why a test that fails this way is reported as one ballot rather
than as a wrong number in every contest on it. The search is kept apart from
the contest-by-contest comparison because it reasons over ballots, not totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from votetrail.core.lat.deck import DeckBallot
from votetrail.core.lat.definition import ElectionDefinition
from votetrail.core.lat.wording import Discrepancy, Key, Where

_SEARCH_BUDGET = 5000
"""Steps the search for missing ballots may take before giving up and explaining contest by
contest: enough for any deck a tabulator runs, and it keeps a hostile report from stalling."""


def missing_or_extra(
    definition: ElectionDefinition,
    difference: dict[Key, int],
    keys: list[Key],
    ballots: Sequence[DeckBallot],
    at: Where,
) -> list[Discrepancy] | None:
    """The deck ballots whose absence (or second counting) is the whole difference, if any.

    Ballots marked alike (the same style's sections in different precincts,
    a section's blank ballots) cannot be told apart by totals, so they are
    searched as one group and one of them is named as an example.
    """
    if all(delta > 0 for delta in difference.values()):
        missing = True
    elif all(delta < 0 for delta in difference.values()):
        missing = False
    else:
        return None
    target = {key: abs(delta) for key, delta in difference.items()}
    compared = set(keys)
    allowed = {contest.id: contest.votes_allowed for contest in definition.contests}
    # Sections of one style are marked alike in every precinct: count each layout once.
    layouts: dict[tuple[tuple[str, tuple[str, ...]], ...], tuple[tuple[Key, int], ...]] = {}
    groups: dict[tuple[tuple[Key, int], ...], list[DeckBallot]] = {}
    for ballot in sorted(ballots, key=lambda b: b.number):
        layout = tuple((contest, tuple(marks)) for contest, marks in ballot.votes.items())
        figures = layouts.get(layout)
        if figures is None:
            figures = layouts[layout] = _ballot_figures(allowed, ballot.votes, compared)
        if figures and all(target.get(key, 0) >= amount for key, amount in figures):
            groups.setdefault(figures, []).append(ballot)
    order = sorted(groups, key=lambda f: (-sum(a for _, a in f), groups[f][0].number))
    chosen = _fill(target, order, [len(groups[f]) for f in order])
    if chosen is None:
        return None
    used: dict[int, int] = {}
    found: list[Discrepancy] = []
    for index in chosen:
        members = groups[order[index]]
        ballot = members[used.get(index, 0)]
        used[index] = used.get(index, 0) + 1
        # Ballots already named for an earlier missing card are not offered again.
        alike = tuple(m.number for m in members[used[index] :])
        found.append(_ballot_sentence(at, ballot, alike, missing))
    return sorted(found, key=lambda d: d.ballots[0])


def _ballot_figures(
    allowed: Mapping[str, int], votes: Mapping[str, Sequence[str]], keys: set[Key]
) -> tuple[tuple[Key, int], ...]:
    """What one ballot adds to the compared figures, by the counting rule of ``count``."""
    added: dict[Key, int] = {}

    def add(key: Key, amount: int) -> None:
        if amount and key in keys:
            added[key] = added.get(key, 0) + amount

    for contest_id, marks in votes.items():
        add((contest_id, "ballots", ""), 1)
        if len(marks) > allowed[contest_id]:
            add((contest_id, "overvotes", ""), 1)
            continue
        add((contest_id, "undervotes", ""), allowed[contest_id] - len(marks))
        for choice in marks:
            add((contest_id, "votes", choice), 1)
    return tuple(sorted(added.items()))


def _fill(
    target: dict[Key, int],
    order: list[tuple[tuple[Key, int], ...]],
    available: list[int],
) -> list[int] | None:
    """Indexes into ``order`` (repeats allowed, up to ``available``) whose figures sum to target.

    Larger ballots are tried first, so the answer names as few ballots as the
    difference allows; the step budget bounds the search on reports no set of
    ballots explains.
    """
    remaining = dict(target)
    used = [0] * len(order)
    chosen: list[int] = []
    steps = 0

    def search(start: int) -> bool:
        nonlocal steps
        if not remaining:
            return True
        steps += 1
        if steps > _SEARCH_BUDGET:
            return False
        for index in range(start, len(order)):
            figures = order[index]
            if used[index] == available[index]:
                continue
            if any(remaining.get(key, 0) < amount for key, amount in figures):
                continue
            for key, amount in figures:
                remaining[key] -= amount
                if not remaining[key]:
                    del remaining[key]
            used[index] += 1
            chosen.append(index)
            if search(index):
                return True
            chosen.pop()
            used[index] -= 1
            for key, amount in figures:
                remaining[key] = remaining.get(key, 0) + amount
        return False

    return chosen if search(0) else None


def _ballot_sentence(
    at: Where, ballot: DeckBallot, alike: tuple[int, ...], missing: bool
) -> Discrepancy:
    where = f"precinct {at.definition.precinct_name(ballot.precinct)}"
    if at.ballot_style is None:
        where = f"style {ballot.ballot_style}, {where}"
    noun = {"votes": "ballot", "blank": "blank ballot", "overvote": "overvoted ballot"}
    if alike and ballot.purpose != "votes":
        article = "an" if noun[ballot.purpose][0] in "aeiou" else "a"
        named = (
            f"{article} {noun[ballot.purpose]} of the deck (e.g. ballot {ballot.number}, {where})"
        )
    elif len(alike) == 1:
        named = (
            f"ballot {ballot.number} of the deck ({where}) or one marked like it "
            f"(ballot {alike[0]})"
        )
    elif alike:
        others = ", ".join(str(number) for number in alike[:3]) + (", …" if len(alike) > 3 else "")
        named = (
            f"ballot {ballot.number} of the deck ({where}) or one of the {len(alike)} marked "
            f"like it (ballots {others})"
        )
    else:
        named = f"ballot {ballot.number} of the deck ({where})"
    short = "short" if missing else "over"
    left_blank = any(not marks for marks in ballot.votes.values())
    effect = {
        "votes": f"every contest on it is {short} by its marks",
        "blank": f"each contest on it is {short} by one ballot and its undervotes",
        "overvote": f"each contest on it is {short} by one ballot and its overvote"
        + (" (or its undervotes, where the ballot leaves it blank)" if left_blank else ""),
    }[ballot.purpose]
    happened = "was not counted" if missing else "was counted twice"
    return Discrepancy(
        "missing_ballot" if missing else "extra_ballot",
        f"One ballot {happened}{at.on_style}: {named} — {effect}.",
        ballot_style=ballot.ballot_style,
        ballots=(ballot.number, *alike),
    )
