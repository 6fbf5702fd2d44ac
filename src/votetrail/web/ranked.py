"""The round-by-round view of ranked contests on the county and public results pages.

A ranked contest has no single total: what the public needs is every round,
who was eliminated or elected in it, where those votes went and how many
ballots stopped counting. This module turns the stored CVRs' count
(``services/rcv/rounds.py``, default IRV rules) into what
``templates/ranked_macros.html`` prints: a table of candidates by rounds, with
the decisions in words, and the chart (``web/ranked_chart.py``). A contest
that cannot be counted shows its sentence instead of numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from votetrail.errors import InvalidInput, NotFound
from votetrail.formats.rcv.report import active_ballots, candidate_order
from votetrail.services.context import App
from votetrail.services.rcv.ballots import ranked_contests
from votetrail.services.rcv.rounds import ContestRounds, stored_contest_rounds
from votetrail.web.ranked_chart import ChartRound, rounds_chart


@dataclass(frozen=True)
class Cell:
    """One candidate in one round: votes, change since the last round, what happened."""

    votes: str
    change: str
    decision: str
    """``"Elected"``, ``"Eliminated"`` or empty."""


@dataclass(frozen=True)
class CandidateRow:
    name: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class RankedContestView:
    name: str
    seats: int
    rules: str
    """The rules counted by, in a sentence."""
    rounds: tuple[int, ...]
    rows: tuple[CandidateRow, ...]
    inactive: tuple[Cell, ...]
    active: tuple[str, ...]
    threshold: tuple[str, ...]
    winners: tuple[str, ...]
    chart: Markup
    summary: str


@dataclass(frozen=True)
class RankedSection:
    """Every ranked contest of a page, and a sentence for any that could not be counted."""

    contests: tuple[RankedContestView, ...] = ()
    problems: tuple[str, ...] = ()


def _votes(value: Decimal) -> str:
    """Whole votes without RCTab's scale (``8``, not ``8.0000``); fractions as counted."""
    return format(value.to_integral() if value == value.to_integral() else value, ",f")


def _change(value: Decimal) -> str:
    if value == 0:
        return ""
    return ("+" if value > 0 else "\u2212") + _votes(abs(value))


def contest_view(counted: ContestRounds, chart_id: str) -> RankedContestView:
    """One counted contest as the page shows it."""
    rounds = counted.tabulation.rounds
    order = candidate_order(rounds[0])
    decided = {
        (one.round, d.candidate): ("Elected" if d.elected else "Eliminated")
        for one in rounds
        for d in one.decisions
    }
    rows = []
    for name in order:
        cells = []
        for index, one in enumerate(rounds):
            votes = one.tally.get(name)
            before = rounds[index - 1].tally.get(name) if index else None
            if votes is None:
                cells.append(Cell("\u2014", "", ""))
                continue
            change = _change(votes - before) if before is not None else ""
            cells.append(Cell(_votes(votes), change, decided.get((one.round, name), "")))
        rows.append(CandidateRow(name, tuple(cells)))
    inactive_totals = [sum(one.inactive.values(), Decimal(0)) for one in rounds]
    inactive = tuple(
        Cell(
            _votes(total),
            _change(total - inactive_totals[index - 1]) if index else "",
            "",
        )
        for index, total in enumerate(inactive_totals)
    )
    winners = counted.tabulation.winners
    if counted.seats == 1:
        rules = (
            "Counted as single-winner instant runoff with RCTab's default rules: a rank "
            "with two or more candidates is skipped, two skipped ranks in a row exhaust "
            "the ballot, and ties are broken by the order of the candidates in the file."
        )
    else:
        rules = (
            f"Counted as a {counted.seats}-seat contest with RCTab's default multi-seat rules "
            "(the whole-number Droop threshold, several winners per round, surpluses moved "
            "as fractions of each ballot)."
        )
    title = f"{counted.name}: votes per candidate in each round"
    chart = rounds_chart(
        chart_id,
        title,
        [
            ChartRound(one.round, [(n, one.tally[n]) for n in order if n in one.tally], total)
            for one, total in zip(rounds, inactive_totals, strict=True)
        ],
    )
    elected = ", ".join(winners) if winners else "nobody"
    summary = (
        f"{len(rounds)} rounds; elected: {elected}. "
        f"{_votes(inactive_totals[-1])} ballots were no longer counting in the last round."
    )
    return RankedContestView(
        name=counted.name,
        seats=counted.seats,
        rules=rules,
        rounds=tuple(one.round for one in rounds),
        rows=tuple(rows),
        inactive=inactive,
        active=tuple(_votes(active_ballots(one)) for one in rounds),
        threshold=tuple(_votes(one.threshold) for one in rounds),
        winners=winners,
        chart=chart,
        summary=summary,
    )


def ranked_section(app: App, county_id: str | None) -> RankedSection:
    """The ranked contests of a county's (or, with None, every county's) current CVR uploads."""
    try:
        contests = ranked_contests(app, county_id)
    except InvalidInput as exc:
        return RankedSection(problems=(f"Ranked-choice contests cannot be counted yet: {exc}",))
    views: list[RankedContestView] = []
    problems: list[str] = []
    for number, contest in enumerate(contests, start=1):
        try:
            counted = stored_contest_rounds(app, county_id, contest.name)
        except (InvalidInput, NotFound) as exc:
            problems.append(f"{contest.name} cannot be counted round by round: {exc}")
            continue
        views.append(contest_view(counted, f"ranked-chart-{number}"))
    return RankedSection(tuple(views), tuple(problems))
