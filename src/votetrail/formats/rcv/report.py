"""A tabulation written as RCTab's detailed report, in JSON and in CSV.

Jurisdictions publish RCTab's detailed reports, and reviewers compare them
line by line; writing votetrail's count in the same layout makes a second
count checkable with ``diff``. Both layouts follow RCTab's report writer
(BrightSpots/rcv ``OutputWriter``, read for its facts): numbers are printed
as RCTab prints its ``BigDecimal`` values (scale kept, so ``"654.0000"`` is not
``"654"``), candidates in the CSV are ordered by round-1 votes with undeclared
write-ins last, decisions within a round by name, and a percentage of the vote
is cut, not rounded, to two decimals. Only the generator line differs: it
names votetrail.

A multi-pass (sequential) count is one report per seat, as RCTab writes
``…_1_…``, ``…_2_…``; :func:`report_passes` lists them.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from votetrail.core.rcv.ballots import UNDECLARED_WRITE_IN
from votetrail.core.rcv.rules import (
    ContestRules,
    Decision,
    InactiveReason,
    RoundResult,
    Tabulation,
    WinnerElectionMode,
)
from votetrail.core.rcv.tiebreak import hash_set_order, java_order
from votetrail.formats.csv_out import CsvWriter
from votetrail.formats.rcv.config import ContestConfig

GENERATED_BY = "votetrail"
JSON_FORMAT_VERSION = "1"
CSV_FORMAT_VERSION = "1"

_INACTIVE_ROWS = (
    (InactiveReason.OVERVOTES, "Inactive Ballots by Overvotes"),
    (InactiveReason.SKIPPED_RANKINGS, "Inactive Ballots by Skipped Rankings"),
    (InactiveReason.EXHAUSTED_CHOICES, "Inactive Ballots by Exhausted Choices"),
    (InactiveReason.REPEATED_RANKINGS, "Inactive Ballots by Repeated Rankings"),
)
_TIE_MARK = "*"


@dataclass(frozen=True, slots=True)
class ReportTitles:
    """What the report is about: RCTab's ``outputSettings`` titles."""

    contest: str
    date: str = ""
    jurisdiction: str = ""
    office: str = ""


def titles_of(config: ContestConfig) -> ReportTitles:
    """The titles an RCTab configuration gives its reports (``outputSettings``)."""
    output = config.output
    return ReportTitles(
        contest=output.contest_name,
        date=output.contest_date,
        jurisdiction=output.contest_jurisdiction,
        office=output.contest_office,
    )


def report_passes(tabulation: Tabulation) -> tuple[Tabulation, ...]:
    """The counts that each get a report: one per seat in multi-pass IRV, else one."""
    return tabulation.passes or (tabulation,)


def _sequential(rules: ContestRules) -> bool:
    return rules.winner_election_mode is WinnerElectionMode.SEQUENTIAL


def _surpluses(rules: ContestRules) -> bool:
    """Whether the report shows a final round surplus: multi-pass IRV elects one
    candidate per pass, so, as in RCTab, its passes have none."""
    return rules.uses_surpluses and not _sequential(rules)


def number(value: Decimal | int) -> str:
    """A vote count as RCTab prints it: plain digits, the scale kept."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _decisions(one: RoundResult) -> list[Decision]:
    """Elected first, then eliminated, each by name (RCTab's report order)."""
    elected = sorted((d for d in one.decisions if d.elected), key=lambda d: java_order(d.candidate))
    eliminated = sorted(
        (d for d in one.decisions if not d.elected), key=lambda d: java_order(d.candidate)
    )
    return [*elected, *eliminated]


def _inactive(one: RoundResult, final: bool, surpluses: bool) -> dict[str, str]:
    shown = {
        reason.value: number(one.inactive.get(reason, Decimal(0))) for reason, _ in _INACTIVE_ROWS
    }
    if surpluses and final:
        surplus = one.final_round_surplus
        shown["finalRoundSurplus"] = number(Decimal(0) if surplus is None else surplus)
    return shown


def detailed_report(rules: ContestRules, count: Tabulation, titles: ReportTitles) -> dict[str, Any]:
    """One count (one pass of :func:`report_passes`) as RCTab's ``detailed_report.json``."""
    rounds = count.rounds
    results: list[dict[str, Any]] = []
    for index, one in enumerate(rounds):
        results.append(
            {
                "round": one.round,
                "tally": {name: number(votes) for name, votes in one.tally.items()},
                "tallyResults": [
                    {
                        ("elected" if d.elected else "eliminated"): d.candidate,
                        "transfers": {to: number(v) for to, v in d.transfers.items()},
                    }
                    for d in _decisions(one)
                ],
                "inactiveBallots": _inactive(one, index == len(rounds) - 1, _surpluses(rules)),
                "threshold": number(one.threshold),
            }
        )
    return {
        "config": {
            "contest": titles.contest,
            "date": titles.date,
            "generatedBy": GENERATED_BY,
            "jurisdiction": titles.jurisdiction,
            "office": titles.office,
        },
        "jsonFormatVersion": JSON_FORMAT_VERSION,
        "results": results,
        "summary": {
            "finalThreshold": number(rounds[-1].threshold) if rounds else "0",
            "numCandidates": len(rules.candidate_names()),
            "numWinners": 1 if _sequential(rules) else rules.number_of_winners,
            "totalNumBallots": str(count.total_ballots),
            "undervotes": count.undervotes,
        },
    }


def detailed_json(rules: ContestRules, count: Tabulation, titles: ReportTitles) -> str:
    """:func:`detailed_report` as JSON text, keys sorted as RCTab writes them."""
    return json.dumps(detailed_report(rules, count, titles), indent=2, sort_keys=True) + "\n"


def active_ballots(one: RoundResult) -> Decimal:
    """RCTab's "Active Ballots": the votes counted for candidates (winners' kept
    votes included) plus a final round's surplus, summed as RCTab sums them, so
    the scale matches (``28.0000`` once fractions have moved)."""
    surplus = one.final_round_surplus
    return sum(one.tally.values(), Decimal(0)) + (Decimal(0) if surplus is None else surplus)


def _percent(votes: Decimal, divisor: Decimal) -> str:
    """RCTab's "% of vote": 7 significant digits, then cut to hundredths of a percent."""
    if divisor == 0:
        return ""
    with localcontext() as context:
        context.prec = 7
        context.rounding = ROUND_HALF_EVEN
        share = votes / divisor
    hundredths = int(share.scaleb(4))
    return f"{hundredths / 100!r}%"


def candidate_order(first: RoundResult) -> list[str]:
    """Round-1 votes, most first, undeclared write-ins last; ties as RCTab meets them
    (the iteration order of its round tally, a Java hash map)."""
    names = hash_set_order(list(first.tally))
    return sorted(
        names,
        key=lambda name: (name == UNDECLARED_WRITE_IN, -first.tally[name]),
    )


def _joined(decisions: Sequence[Decision], mark_ties: bool) -> str:
    return "; ".join(
        d.candidate + (_TIE_MARK if mark_ties and d.by_tiebreak else "") for d in decisions
    )


def _votes(tally: Mapping[str, Decimal], name: str) -> Decimal:
    return tally.get(name, Decimal(0))


def detailed_csv(
    rules: ContestRules, count: Tabulation, titles: ReportTitles, seat: int = 1
) -> str:
    """One count as RCTab's ``detailed_report.csv``; ``seat`` numbers a multi-pass
    IRV pass (earlier passes' winners are no longer candidates in it)."""
    rounds = count.rounds
    last = len(rounds) - 1
    single = rules.winner_election_mode is WinnerElectionMode.SINGLE_WINNER_MAJORITY
    percent_threshold = (
        rules.winner_election_mode is WinnerElectionMode.BOTTOMS_UP_PERCENTAGE_THRESHOLD
    )
    ties = any(d.by_tiebreak for one in rounds for d in one.decisions)
    out = io.StringIO()
    rows = _NumbersAsNumbers(CsvWriter(out, lineterminator="\n"))

    winners = [d.candidate for one in rounds for d in _decisions(one) if d.elected]
    rows.writerow(["Contest Information"])
    rows.writerow(["Generated By", GENERATED_BY])
    rows.writerow(["CSV Format Version", CSV_FORMAT_VERSION])
    rows.writerow(["Type of Election", "Single-Winner" if single else "Multi-Winner"])
    rows.writerow(["Contest", titles.contest])
    rows.writerow(["Jurisdiction", titles.jurisdiction])
    rows.writerow(["Office", titles.office])
    rows.writerow(["Date", titles.date])
    rows.writerow(["Winner(s)", ", ".join(winners)])
    rows.writerow(["Final Threshold", number(rounds[-1].threshold)])
    rows.writerow([])

    if percent_threshold:
        share = (rules.bottoms_up_percentage_threshold or Decimal(0)) * 100
        elected = f"All candidates over the {number(share.normalize())}% threshold"
    elif _sequential(rules):
        elected = "1"
    else:
        elected = str(rules.number_of_winners)
    rows.writerow(["Contest Summary"])
    rows.writerow(["Number to be Elected", elected])
    candidates = len(rules.candidate_names()) - len(rules.excluded()) - (seat - 1)
    rows.writerow(["Number of Candidates", candidates])
    rows.writerow(["Total Number of Ballots", count.total_ballots])
    rows.writerow(["Number of Undervotes (No Rankings)", count.undervotes])
    rows.writerow([])

    header = ["Rounds"]
    for one in rounds:
        header += [f"Round {one.round} Votes", "% of vote", "transfer"]
    rows.writerow(header)
    for label, elected_row in (("Eliminated", False), ("Elected", True)):
        row = [label]
        for one in rounds:
            chosen = [d for d in _decisions(one) if d.elected is elected_row]
            row += [_joined(chosen, ties), "", ""]
        rows.writerow(row)

    active = [active_ballots(one) for one in rounds]
    for name in candidate_order(rounds[0]):
        row = [name]
        for index, one in enumerate(rounds):
            votes = _votes(one.tally, name)
            if single or percent_threshold:
                divisor = active[0] if rules.first_round_determines_threshold else active[index]
            else:
                divisor = active[0]
            moved = _votes(rounds[index + 1].tally, name) - votes if index < last else 0
            row += [number(votes), _percent(votes, divisor), number(moved)]
        rows.writerow(row)

    rows.writerow(["Active Ballots", *[cell for a in active for cell in (number(a), "", "")]])
    rows.writerow(
        ["Current Round Threshold"]
        + [cell for one in rounds for cell in (number(one.threshold), "", "")]
    )
    totals = [sum(one.inactive.values(), Decimal(0)) for one in rounds]
    for reason, label in _INACTIVE_ROWS:
        row = [label]
        for index, one in enumerate(rounds):
            now = one.inactive.get(reason, Decimal(0))
            later = rounds[index + 1].inactive.get(reason, Decimal(0)) if index < last else None
            row += [number(now), "", number(later - now) if later is not None else "0"]
        rows.writerow(row)
    row = ["Inactive Ballots Total"]
    for index, total in enumerate(totals):
        row += [number(total), "", number(totals[index + 1] - total) if index < last else "0"]
    rows.writerow(row)

    if rounds[-1].residual_surplus > 0:
        rows.writerow(
            ["Residual surplus"]
            + [cell for one in rounds for cell in (number(one.residual_surplus), "", "")]
        )
    if _surpluses(rules):
        row = ["Final Round Surplus"]
        for one in rounds:
            surplus = one.final_round_surplus
            # RCTab leaves the cell empty only for an unscaled zero ("0"), as its
            # BigDecimal.equals(ZERO) test does; "0.0000" is printed.
            blank = surplus is None or (surplus == 0 and surplus.as_tuple().exponent == 0)
            row += ["" if blank or surplus is None else number(surplus), "", ""]
        rows.writerow(row)
    if ties:
        rows.writerow([])
        rows.writerow([_TIE_MARK + "Tie resolved in accordance with election law"])
    return out.getvalue()


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class _NumbersAsNumbers:
    """The one CSV writer, with RCTab's numbers written as numbers.

    RCTab prints votes as text with their decimal places ("-342.0000" for a
    transfer away); passed as text, the formula defusing would quote the
    minus sign. A cell that is wholly a number is handed on as a ``Decimal``,
    which the writer leaves as it is, digits and places unchanged; names and
    every other text cell are defused as everywhere else.
    """

    def __init__(self, writer: CsvWriter) -> None:
        self._writer = writer

    def writerow(self, row: Sequence[object]) -> None:
        self._writer.writerow(
            Decimal(cell) if isinstance(cell, str) and _NUMBER.fullmatch(cell) else cell
            for cell in row
        )
