"""Round-by-round ranked-choice tabulation that reproduces RCTab's reports.

Certified RCTab results are what jurisdictions publish, so a second count is
only useful if it agrees with RCTab to the last truncated decimal; a "close"
count would raise false alarms. The rules below follow RCTab's documented
behaviour (and its source, read for the facts): every ballot is re-read from
its first rank each round; skipped ranks, duplicates and overvotes are judged
in that order; winners' surpluses move as truncated fractions of each ballot;
thresholds, batch and cutoff eliminations and tie-breaks are RCTab's.

Identical ballots behave identically, so they are counted once with a
multiplicity: the sums are exact Decimal sums either way, and a million
ballots with a few thousand distinct rankings count in seconds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, localcontext
from enum import Enum, auto

from votetrail.core.rcv.ballots import OVERVOTE, UNDECLARED_WRITE_IN, RankedBallot
from votetrail.core.rcv.rules import (
    EXHAUSTED,
    RESIDUAL_SURPLUS,
    ContestRules,
    Decision,
    InactiveReason,
    OvervoteRule,
    RoundResult,
    RulesError,
    Tabulation,
    WinnerElectionMode,
)
from votetrail.core.rcv.tiebreak import OperatorNeeded, Tiebreaker, java_order

_ZERO = Decimal(0)
_ONE = Decimal(1)


class BallotError(ValueError):
    """A ballot the rules cannot count; the message names the ballot and its file."""


class _Status(Enum):
    ACTIVE = auto()
    DID_NOT_RANK = auto()
    EXHAUSTED_CHOICE = auto()
    OVERVOTE = auto()
    SKIPPED = auto()
    REPEATED = auto()
    FINAL_ROUND_SURPLUS = auto()


_REPORTED = {
    _Status.OVERVOTE: InactiveReason.OVERVOTES,
    _Status.SKIPPED: InactiveReason.SKIPPED_RANKINGS,
    _Status.EXHAUSTED_CHOICE: InactiveReason.EXHAUSTED_CHOICES,
    _Status.REPEATED: InactiveReason.REPEATED_RANKINGS,
}


class _Overvote(Enum):
    NONE = auto()
    EXHAUST = auto()
    SKIP = auto()


@dataclass(slots=True)
class _Group:
    """Ballots with the same rankings, and where they stand in the count."""

    ranks: tuple[tuple[str, ...], ...]
    names: tuple[tuple[str, ...], ...]
    """``ranks`` with aliases replaced by candidate names."""
    last_rank: int
    count: int
    recipient: str | None = None
    status: _Status = _Status.ACTIVE
    kept: dict[str, Decimal] = field(default_factory=dict)
    """Per ballot: the part of its vote each earlier winner keeps."""
    value: Decimal = _ONE
    """Per ballot: the part still free to count (1 minus what winners keep)."""


def truncate_divide(
    dividend: Decimal, divisor: Decimal, places: int, *, up: bool = False
) -> Decimal:
    """``dividend / divisor`` cut to ``places`` decimals (rounded away from zero if ``up``).

    Exact integer arithmetic, as RCTab's BigDecimal division is exact before
    it rounds: a float or a short Decimal context could round the wrong way.
    """
    top, bottom = dividend.as_integer_ratio()
    over, under = divisor.as_integer_ratio()
    numerator = top * under * 10**places
    denominator = bottom * over
    negative = (numerator < 0) != (denominator < 0)
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    if up and remainder:
        quotient += 1
    with localcontext() as context:
        context.prec = max(60, len(str(quotient)) + 2)
        return Decimal(-quotient if negative else quotient).scaleb(-places)


def truncate_multiply(left: Decimal, right: Decimal, places: int) -> Decimal:
    """``left * right`` cut to ``places`` decimals, as RCTab multiplies vote values."""
    with localcontext() as context:
        context.prec = 80
        return (left * right).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


def _groups(rules: ContestRules, ballots: Iterable[RankedBallot]) -> list[_Group]:
    spellings = rules.name_for()
    limit = rules.max_rankings_allowed
    grouped: dict[tuple[tuple[str, ...], ...], _Group] = {}
    for ballot in ballots:
        ranks = ballot.ranks
        while ranks and not ranks[-1]:
            ranks = ranks[:-1]
        group = grouped.get(ranks)
        if group is not None:
            group.count += 1
            continue
        where = f"ballot {ballot.id}" + (f" in {ballot.source}" if ballot.source else "")
        if limit is not None and len(ranks) > limit:
            raise BallotError(
                f"{where} has a ranking at rank {len(ranks)}, but the contest allows "
                f"{limit} rankings (maxRankingsAllowed)"
            )
        names: list[tuple[str, ...]] = []
        for rank, marks in enumerate(ranks, start=1):
            if OVERVOTE in marks and len(marks) > 1:
                raise BallotError(
                    f"{where} marks rank {rank} as an overvote and also names candidates"
                )
            mapped = []
            for mark in marks:
                if mark == OVERVOTE:
                    mapped.append(mark)
                    continue
                name = spellings.get(mark)
                if name is None:
                    what = (
                        "an undeclared write-in, but no CVR source sets undeclaredWriteInLabel"
                        if mark == UNDECLARED_WRITE_IN
                        else f"{mark!r}, who is not a declared candidate or alias"
                    )
                    raise BallotError(f"{where} ranks {what} at rank {rank}")
                mapped.append(name)
            names.append(tuple(mapped))
        grouped[ranks] = _Group(ranks=ranks, names=tuple(names), last_rank=len(ranks), count=1)
    return list(grouped.values())


class _Count:
    """One RCTab tabulation (one pass of multi-pass IRV)."""

    def __init__(
        self,
        rules: ContestRules,
        groups: list[_Group],
        *,
        excluded: frozenset[str],
        winners_wanted: int,
    ) -> None:
        self.rules = rules
        self.groups = groups
        self.excluded = excluded
        self.winners_wanted = winners_wanted
        self.names = rules.candidate_names()
        self.num_candidates = len(self.names) - len(excluded & set(self.names))
        self.num_declared = len(rules.candidates)
        self.uses_surpluses = (
            winners_wanted > 1 and rules.winner_election_mode is not WinnerElectionMode.BOTTOMS_UP
        )
        self.places = rules.decimal_places
        self.winners: dict[str, int] = {}
        self.eliminated: dict[str, int] = {}
        self.tallies: list[dict[str, Decimal]] = []
        self.statuses: list[dict[_Status, Decimal]] = []
        self.thresholds: list[Decimal] = []
        self.residual: list[Decimal] = []
        self.transfers: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(Decimal))
        )
        self.decisions: dict[int, list[tuple[str, bool, bool]]] = defaultdict(list)
        self.round = 0
        self.tiebreaker = Tiebreaker(
            rules.tiebreak_mode, rules.random_seed, [c.name for c in rules.candidates]
        )

    # -- candidate status -------------------------------------------------

    def continuing(self, name: str) -> bool:
        if name in self.excluded or name in self.eliminated:
            return False
        return name not in self.winners or self.rules.continue_until_two_candidates_remain

    # -- the count ------------------------------------------------------------

    def run(self) -> None:
        rules = self.rules
        bottoms_up_threshold = (
            rules.winner_election_mode is WinnerElectionMode.BOTTOMS_UP_PERCENTAGE_THRESHOLD
        )
        while self._keep_going(bottoms_up_threshold):
            self.round += 1
            if self.round > len(self.names) + 2:
                # Each round elects or eliminates someone, bar one last surplus round.
                raise RulesError(f"the count did not finish within {self.round - 1} rounds")
            tally, statuses = self._count_round()
            self.tallies.append(tally)
            self.statuses.append(statuses)
            self.residual.append(self.residual[-1] if self.residual else _ZERO)
            if self._recompute_threshold():
                self.thresholds.append(self._threshold(tally, statuses))
            else:
                self.thresholds.append(self.thresholds[-1])
            threshold = self.thresholds[-1]
            by_votes = self._by_votes(tally)
            elected = self._identify_winners(tally, by_votes, bottoms_up_threshold)
            if elected:
                for name, _ in elected:
                    self.winners[name] = self.round
                self.decisions[self.round].extend((name, True, tie) for name, tie in elected)
                if self.uses_surpluses:
                    for name, _ in elected:
                        self._move_surplus(name, tally[name], threshold)
            elif (
                len(self.winners) < self.winners_wanted
                or (
                    rules.continue_until_two_candidates_remain
                    and len(self.eliminated) < self.num_candidates - 2
                )
                or bottoms_up_threshold
            ):
                losers = self._eliminate(tally, by_votes, threshold)
                if not losers:
                    raise RulesError(
                        f"round {self.round}: no candidate is left to eliminate and the count "
                        "has not found its winners (RCTab stops with an error here too)"
                    )
                for name, _ in losers:
                    self.eliminated[name] = self.round
                self.decisions[self.round].extend((name, False, tie) for name, tie in losers)
            if self.winners_wanted > 1:
                self._update_winner_tallies()

    def _keep_going(self, bottoms_up_threshold: bool) -> bool:
        rules = self.rules
        stop = rules.stop_tabulation_early_after_round
        if stop is not None and self.round >= stop:
            return False
        if len(self.winners) == self.num_declared and self.winners_wanted > self.num_candidates:
            return False  # more seats than candidates: everyone is elected
        if rules.continue_until_two_candidates_remain:
            return (
                len(self.eliminated) + len(self.winners) + 1 < self.num_candidates
                or self.round in self.eliminated.values()
            )
        if bottoms_up_threshold:
            return not self.winners
        return len(self.winners) < self.winners_wanted or (
            self.uses_surpluses and self.round in self.winners.values()
        )

    def _recompute_threshold(self) -> bool:
        if self.winners_wanted > 1:
            return self.round == 1
        if self.round == 1:
            return True
        if self.rules.first_round_determines_threshold:
            return False
        if self.rules.continue_until_two_candidates_remain:
            return not self.winners
        return True

    def _threshold(
        self, tally: Mapping[str, Decimal], statuses: Mapping[_Status, Decimal]
    ) -> Decimal:
        rules = self.rules
        active = sum(tally.values(), _ZERO) + statuses.get(_Status.FINAL_ROUND_SURPLUS, _ZERO)
        if rules.winner_election_mode is WinnerElectionMode.BOTTOMS_UP_PERCENTAGE_THRESHOLD:
            with localcontext() as context:
                context.prec = 80
                return active * (rules.bottoms_up_percentage_threshold or _ZERO)
        divisor = Decimal(self.winners_wanted if rules.hare_quota else self.winners_wanted + 1)
        places = self.places if rules.non_integer_winning_threshold else 0
        if rules.hare_quota:
            return truncate_divide(active, divisor, places, up=True)
        return truncate_divide(active, divisor, places) + _ONE.scaleb(-places)

    def _count_round(self) -> tuple[dict[str, Decimal], dict[_Status, Decimal]]:
        tally = {name: _ZERO for name in self.names if self.continuing(name)}
        statuses: dict[_Status, Decimal] = defaultdict(Decimal)
        for group in self.groups:
            if group.status is not _Status.ACTIVE:
                statuses[group.status] += group.value * group.count
                continue
            if group.recipient is not None and self.continuing(group.recipient):
                tally[group.recipient] += group.value * group.count
                continue
            self._place(group, tally, statuses)
        return tally, statuses

    def _place(
        self, group: _Group, tally: dict[str, Decimal], statuses: dict[_Status, Decimal]
    ) -> None:
        """Find the ballot's next continuing candidate, or exhaust it, and say why."""
        rules = self.rules
        if group.last_rank == 0:
            self._record(group, None, _Status.DID_NOT_RANK, statuses)
            return
        last_seen = 0
        seen: set[str] = set()
        skips = rules.max_skipped_ranks_allowed
        for rank, (marks, names) in enumerate(zip(group.ranks, group.names, strict=True), start=1):
            if not marks:
                continue
            if self.uses_surpluses and len(self.winners) == self.winners_wanted:
                self._record(group, None, _Status.FINAL_ROUND_SURPLUS, statuses)
                return
            if skips is not None and rank - last_seen > skips + 1:
                self._record(group, None, _Status.SKIPPED, statuses)
                return
            last_seen = rank
            if rules.exhaust_on_duplicate_candidate:
                repeated = False
                for mark in marks:
                    if mark in seen:
                        repeated = True
                        break
                    seen.add(mark)
                if repeated:
                    self._record(group, None, _Status.REPEATED, statuses)
                    return
            decision = self._overvote(names, rank)
            if decision is _Overvote.EXHAUST:
                self._record(group, None, _Status.OVERVOTE, statuses)
                return
            if decision is _Overvote.SKIP:
                if rank == group.last_rank:
                    self._record(group, None, _Status.EXHAUSTED_CHOICE, statuses)
                continue
            for name in names:
                if self.continuing(name):
                    self._record(group, name, _Status.ACTIVE, statuses)
                    tally[name] += group.value * group.count
                    return
            if rank == group.last_rank:
                self._record(group, None, _Status.EXHAUSTED_CHOICE, statuses)

    def _overvote(self, names: tuple[str, ...], rank: int) -> _Overvote:
        rule = self.rules.overvote_rule
        if OVERVOTE in names:
            if rule is OvervoteRule.EXHAUST_IF_MULTIPLE_CONTINUING:
                raise RulesError(
                    f"overvoteRule {rule.value} needs the candidates of each overvote, but a "
                    f"ballot only says 'overvote' at rank {rank}; RCTab refuses this combination "
                    "too (use exhaustImmediately or alwaysSkipToNextRank)"
                )
            return _Overvote.EXHAUST if rule is OvervoteRule.EXHAUST_IMMEDIATELY else _Overvote.SKIP
        if len(names) <= 1:
            return _Overvote.NONE
        if rule is OvervoteRule.EXHAUST_IMMEDIATELY:
            return _Overvote.EXHAUST
        if rule is OvervoteRule.ALWAYS_SKIP_TO_NEXT_RANK:
            return _Overvote.SKIP
        continuing = sum(1 for name in names if self.continuing(name))
        return _Overvote.EXHAUST if continuing >= 2 else _Overvote.NONE

    def _record(
        self, group: _Group, target: str | None, status: _Status, statuses: dict[_Status, Decimal]
    ) -> None:
        moved = group.value * group.count
        if group.value > 0 and group.recipient is not None:
            self.transfers[self.round][group.recipient][target or EXHAUSTED] += moved
        group.recipient = target
        if target is None:
            group.status = status
        if status is not _Status.ACTIVE:
            statuses[status] += moved

    # -- decisions --------------------------------------------------------------

    def _by_votes(self, tally: Mapping[str, Decimal]) -> list[tuple[Decimal, list[str]]]:
        """Tally values from lowest to highest, each with its candidates."""
        grouped: dict[Decimal, list[str]] = defaultdict(list)
        for name, votes in tally.items():
            grouped[votes].append(name)
        return sorted(grouped.items())

    def _identify_winners(
        self,
        tally: Mapping[str, Decimal],
        by_votes: list[tuple[Decimal, list[str]]],
        bottoms_up_threshold: bool,
    ) -> list[tuple[str, bool]]:
        rules = self.rules
        threshold = self.thresholds[-1]
        if tally.get(UNDECLARED_WRITE_IN, _ZERO) != 0:
            return []  # nobody wins while undeclared write-ins still hold votes
        selected: list[str] = []
        if bottoms_up_threshold:
            if sum(1 for votes in tally.values() if votes > threshold) == len(tally):
                selected = list(tally)
            return [(name, False) for name in selected]
        unfilled = self.winners_wanted - len(self.winners)
        if unfilled > 0:
            if len(tally) <= unfilled:
                selected = list(tally)
            elif rules.first_round_determines_threshold and len(tally) - 1 == self.winners_wanted:
                selected = list(by_votes[-1][1])
            elif rules.winner_election_mode is not WinnerElectionMode.BOTTOMS_UP:
                selected = [
                    name
                    for votes, names in by_votes
                    if votes >= threshold
                    for name in names
                    if name != UNDECLARED_WRITE_IN
                ]
        one_only = len(selected) > 1 and (
            rules.winner_election_mode is WinnerElectionMode.MULTI_SEAT_ONE_WINNER_PER_ROUND
            or rules.first_round_determines_threshold
        )
        none_of_two = (
            self.winners_wanted == 1 and not selected and len(tally) == 2 and unfilled == 1
        )
        if one_only or none_of_two:
            top = by_votes[-1][1]
            if len(top) > 1:
                return [(self._break_tie(top, winner=True), True)]
            return [(name, False) for name in top]
        return [(name, False) for name in selected]

    def _eliminate(
        self,
        tally: Mapping[str, Decimal],
        by_votes: list[tuple[Decimal, list[str]]],
        threshold: Decimal,
    ) -> list[tuple[str, bool]]:
        if tally.get(UNDECLARED_WRITE_IN, _ZERO) > 0:
            return [(UNDECLARED_WRITE_IN, False)]
        if self.rules.cutoff_elimination:
            below = [(name, False) for name, votes in tally.items() if votes < threshold]
            if below:
                return below
        if self.rules.batch_elimination:
            batch = self._batch(by_votes)
            if len(batch) > 1:
                return [(name, False) for name in batch]
        if not by_votes:
            return []
        lowest = by_votes[0][1]
        if len(lowest) > 1:
            return [(self._break_tie(lowest, winner=False), True)]
        return [(lowest[0], False)]

    def _batch(self, by_votes: list[tuple[Decimal, list[str]]]) -> list[str]:
        """Everyone who could not overtake the next candidate even with all lower votes."""
        running = _ZERO
        seen: list[str] = []
        done: set[str] = set()
        chosen: list[str] = []
        before: list[str] = []
        for votes, names in by_votes:
            grown = list(chosen)
            if running < votes:
                for name in seen:
                    if name not in done:
                        done.add(name)
                        grown.append(name)
            running += truncate_multiply(votes, Decimal(len(names)), self.places)
            seen.extend(names)
            if len(grown) > len(chosen):
                before, chosen = chosen, grown
        if (
            self.rules.continue_until_two_candidates_remain
            and len(chosen) + len(self.eliminated) == self.num_candidates - 1
        ):
            chosen = before
        return chosen

    def _break_tie(self, tied: Sequence[str], *, winner: bool) -> str:
        try:
            return self.tiebreaker.choose(
                tied,
                winner=winner,
                round_number=self.round,
                earlier_tallies=lambda number: self.tallies[number - 1],
            )
        except OperatorNeeded as tie:
            raise RulesError(
                f"round {self.round}: {' and '.join(tie.tied)} are tied "
                f"{'for election' if winner else 'for elimination'}, and tiebreakMode "
                f"{self.rules.tiebreak_mode.value} asks an operator; votetrail does not ask "
                "during a count, so choose random (with randomSeed), previous round counts "
                "then random, or a candidate permutation"
            ) from None

    # -- surpluses ----------------------------------------------------------------

    def _move_surplus(self, winner: str, votes: Decimal, threshold: Decimal) -> None:
        extra = votes - threshold
        fraction = truncate_divide(extra, votes, self.places) if extra > 0 else _ZERO
        for group in self.groups:
            if group.recipient != winner:
                continue
            moving = truncate_multiply(group.value, fraction, self.places)
            group.kept[winner] = group.value - moving
            group.value = _ONE - sum(group.kept.values(), _ZERO)

    def _update_winner_tallies(self) -> None:
        tally = self.tallies[-1]
        previous = self.tallies[-2] if len(self.tallies) > 1 else {}
        fresh = [name for name, won in self.winners.items() if won == self.round - 1]
        for name, won in self.winners.items():
            if won < self.round - 1:
                tally[name] = previous[name]
        if not fresh:
            return
        for name in fresh:
            tally[name] = _ZERO
        for group in self.groups:
            for name in fresh:
                kept = group.kept.get(name)
                if kept is not None:
                    tally[name] += kept * group.count
        threshold = self.thresholds[-1]
        for name in fresh:
            residual = tally[name] - threshold
            if residual > 0:
                self.residual[-1] += residual
                tally[name] = threshold
                self.transfers[self.round][name][RESIDUAL_SURPLUS] += residual

    # -- results ----------------------------------------------------------------------

    def results(self) -> tuple[RoundResult, ...]:
        order = self._report_order()
        rounds = []
        last = len(self.tallies)
        for number in range(1, last + 1):
            tally = self.tallies[number - 1]
            statuses = self.statuses[number - 1]
            moved = self.transfers.get(number + 1, {})
            made = sorted(
                self.decisions.get(number, []), key=lambda d: (not d[1], java_order(d[0]))
            )
            decisions = tuple(
                Decision(
                    candidate=name,
                    elected=elected,
                    transfers={target: votes for target, votes in moved.get(name, {}).items()},
                    by_tiebreak=tie,
                )
                for name, elected, tie in made
            )
            rounds.append(
                RoundResult(
                    round=number,
                    tally={name: tally[name] for name in order if name in tally},
                    decisions=decisions,
                    inactive={
                        reason: statuses.get(status, _ZERO) for status, reason in _REPORTED.items()
                    },
                    threshold=self.thresholds[number - 1],
                    final_round_surplus=(
                        statuses.get(_Status.FINAL_ROUND_SURPLUS, _ZERO)
                        if self.uses_surpluses and number == last
                        else None
                    ),
                    residual_surplus=self.residual[number - 1],
                )
            )
        return tuple(rounds)

    def _report_order(self) -> list[str]:
        """Round one's tally, highest first (config order among equals), write-ins last."""
        first = self.tallies[0] if self.tallies else {}
        position = {name: index for index, name in enumerate(self.names)}
        return sorted(
            self.names,
            key=lambda name: (name == UNDECLARED_WRITE_IN, -first.get(name, _ZERO), position[name]),
        )

    def winners_in_order(self) -> tuple[str, ...]:
        return tuple(sorted(self.winners, key=lambda name: (self.winners[name], java_order(name))))


def tabulate(rules: ContestRules, ballots: Iterable[RankedBallot]) -> Tabulation:
    """Count ``ballots`` under ``rules`` round by round, as RCTab would.

    Raises :class:`RulesError` for settings RCTab refuses (or ties that need an
    operator) and :class:`BallotError` for a ballot naming an unknown candidate
    or ranking past ``max_rankings_allowed``.
    """
    problems = rules.problems()
    if problems:
        raise RulesError("; ".join(f"{name}: {sentence}" for name, sentence in problems))
    groups = _groups(rules, ballots)
    total = sum(group.count for group in groups)
    undervotes = sum(group.count for group in groups if group.last_rank == 0)
    if rules.winner_election_mode is not WinnerElectionMode.SEQUENTIAL:
        count = _Count(
            rules, groups, excluded=rules.excluded(), winners_wanted=rules.number_of_winners
        )
        count.run()
        return Tabulation(
            rounds=count.results(),
            winners=count.winners_in_order(),
            total_ballots=total,
            undervotes=undervotes,
        )
    passes: list[Tabulation] = []
    elected: list[str] = []
    for seat in range(1, rules.number_of_winners + 1):
        fresh = [_Group(g.ranks, g.names, g.last_rank, g.count) for g in groups]
        count = _Count(rules, fresh, excluded=rules.excluded() | set(elected), winners_wanted=1)
        count.run()
        if len(count.winners) != 1:
            raise RulesError(
                f"multi-pass IRV: the pass for seat {seat} elected "
                f"{len(count.winners)} candidates, not one"
            )
        elected.extend(count.winners)
        passes.append(
            Tabulation(
                rounds=count.results(),
                winners=count.winners_in_order(),
                total_ballots=total,
                undervotes=undervotes,
            )
        )
    return Tabulation(
        rounds=passes[-1].rounds if passes else (),
        winners=tuple(elected),
        total_ballots=total,
        undervotes=undervotes,
        passes=tuple(passes),
    )
