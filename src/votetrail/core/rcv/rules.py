"""A contest's tabulation rules, and the round-by-round results they produce.

Jurisdictions keep their ranked-choice rules as RCTab contest configuration
files, so every setting RCTab's tabulator reads is a typed field here and the
enumerations carry RCTab's own labels as their values (``WinnerElectionMode(
"bottomsUp")`` parses a config value as is). The config reader
(``formats/rcv``) builds a :class:`ContestRules`; :mod:`.tabulate` turns rules
and ballots into a :class:`Tabulation`; report writers render it in the layout
of RCTab's detailed report. Nothing here reads files, so the same rules can be
checked in tests without a config file.

Vote arithmetic is :class:`~decimal.Decimal` throughout: RCTab truncates every
fractional transfer to ``decimal_places`` and its reports print those exact
values, which binary floats cannot reproduce.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from votetrail.core.rcv.ballots import UNDECLARED_WRITE_IN

EXHAUSTED = "exhausted"
"""Transfer target for votes that leave the count (RCTab's report label)."""
RESIDUAL_SURPLUS = "residual surplus"
"""Transfer target for surplus lost to truncation when a winner's votes move on."""


class RulesError(ValueError):
    """Rules the tabulator cannot apply; the message is a sentence for the user."""


class WinnerElectionMode(StrEnum):
    """How winners are chosen (RCTab ``winnerElectionMode``)."""

    SINGLE_WINNER_MAJORITY = "singleWinnerMajority"
    MULTI_SEAT_ONE_WINNER_PER_ROUND = "multiWinnerAllowOnlyOneWinnerPerRound"
    MULTI_SEAT_MULTIPLE_WINNERS_PER_ROUND = "multiWinnerAllowMultipleWinnersPerRound"
    BOTTOMS_UP = "bottomsUp"
    BOTTOMS_UP_PERCENTAGE_THRESHOLD = "bottomsUpUsingPercentageThreshold"
    SEQUENTIAL = "multiPassIrv"
    """Sequential IRV: one IRV pass per seat, each pass excluding earlier winners."""


class OvervoteRule(StrEnum):
    """What a rank marked for several candidates does (RCTab ``overvoteRule``)."""

    EXHAUST_IMMEDIATELY = "exhaustImmediately"
    ALWAYS_SKIP_TO_NEXT_RANK = "alwaysSkipToNextRank"
    EXHAUST_IF_MULTIPLE_CONTINUING = "exhaustIfMultipleContinuing"


class TiebreakMode(StrEnum):
    """How a tie for elimination or election is broken (RCTab ``tiebreakMode``)."""

    RANDOM = "random"
    STOP_COUNTING_AND_ASK = "stopCountingAndAsk"
    """Interactive: RCTab asks an operator. votetrail counts until a tie needs
    one, then stops with an error naming the round and the tied candidates."""
    PREVIOUS_ROUND_COUNTS_THEN_RANDOM = "previousRoundCountsThenRandom"
    PREVIOUS_ROUND_COUNTS_THEN_ASK = "previousRoundCountsThenAsk"
    """Interactive fallback: refused like :attr:`STOP_COUNTING_AND_ASK`."""
    USE_CANDIDATE_ORDER = "useCandidateOrder"
    """Use the permutation given by the config's candidate order."""
    GENERATE_PERMUTATION = "generatePermutation"

    @property
    def is_interactive(self) -> bool:
        return self in (
            TiebreakMode.STOP_COUNTING_AND_ASK,
            TiebreakMode.PREVIOUS_ROUND_COUNTS_THEN_ASK,
        )

    @property
    def needs_seed(self) -> bool:
        return self in (
            TiebreakMode.RANDOM,
            TiebreakMode.PREVIOUS_ROUND_COUNTS_THEN_RANDOM,
            TiebreakMode.GENERATE_PERMUTATION,
        )


class InactiveReason(StrEnum):
    """Why a ballot stopped counting, keyed as RCTab's report keys them."""

    OVERVOTES = "overvotes"
    SKIPPED_RANKINGS = "skippedRankings"
    REPEATED_RANKINGS = "repeatedRankings"
    EXHAUSTED_CHOICES = "exhaustedChoices"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A declared candidate: the name reports print, and the spellings CVRs may use."""

    name: str
    aliases: tuple[str, ...] = ()
    excluded: bool = False
    """Excluded candidates are skipped on every ballot, as if never ranked."""


@dataclass(frozen=True, slots=True)
class ContestRules:
    """Every RCTab tabulation setting, parsed and typed.

    Defaults are RCTab's suggested values, so a test can state only what it
    varies. ``None`` stands for RCTab's word options: ``"max"`` rankings,
    ``"unlimited"`` skipped ranks, a blank stop-early round.
    """

    candidates: tuple[Candidate, ...]
    winner_election_mode: WinnerElectionMode = WinnerElectionMode.SINGLE_WINNER_MAJORITY
    number_of_winners: int = 1
    decimal_places: int = 4
    """Digits kept after every division or multiplication (truncated, not rounded)."""
    non_integer_winning_threshold: bool = False
    hare_quota: bool = False
    bottoms_up_percentage_threshold: Decimal | None = None
    """As a fraction (RCTab's ``"25"`` percent is ``Decimal("0.25")``)."""
    max_rankings_allowed: int | None = None
    """Ranks past this one are ignored; ``None`` is RCTab's ``"max"``."""
    minimum_vote_threshold: Decimal = Decimal(0)
    """Older RCTab configs only; current RCTab ignores it, so only 0 is accepted."""
    cutoff_elimination: bool = False
    batch_elimination: bool = False
    continue_until_two_candidates_remain: bool = False
    first_round_determines_threshold: bool = False
    stop_tabulation_early_after_round: int | None = None
    overvote_rule: OvervoteRule = OvervoteRule.ALWAYS_SKIP_TO_NEXT_RANK
    max_skipped_ranks_allowed: int | None = 1
    """Consecutive skipped ranks a ballot may have and still count; ``None`` is unlimited."""
    exhaust_on_duplicate_candidate: bool = False
    tiebreak_mode: TiebreakMode = TiebreakMode.USE_CANDIDATE_ORDER
    random_seed: int | None = None
    undeclared_write_in_label: str | None = None
    """Set when a CVR source names undeclared write-ins (or treats blanks as them):
    readers then hand them over as :data:`UNDECLARED_WRITE_IN` and the tabulator
    counts them as a candidate that can never win."""

    @property
    def undeclared_write_ins(self) -> bool:
        return self.undeclared_write_in_label is not None

    def candidate_names(self) -> tuple[str, ...]:
        """Declared names in config order, then undeclared write-ins if enabled."""
        names = tuple(c.name for c in self.candidates)
        return (*names, UNDECLARED_WRITE_IN) if self.undeclared_write_ins else names

    def excluded(self) -> frozenset[str]:
        return frozenset(c.name for c in self.candidates if c.excluded)

    def name_for(self) -> dict[str, str]:
        """Every spelling a CVR may use (name or alias) mapped to the reported name."""
        spellings: dict[str, str] = {}
        for candidate in self.candidates:
            for alias in candidate.aliases:
                spellings[alias] = candidate.name
            spellings[candidate.name] = candidate.name
        if self.undeclared_write_ins:
            spellings[UNDECLARED_WRITE_IN] = UNDECLARED_WRITE_IN
        return spellings

    @property
    def uses_surpluses(self) -> bool:
        """Multi-seat modes that transfer winners' surplus (all but bottoms-up)."""
        return (
            self.number_of_winners > 1
            and self.winner_election_mode is not WinnerElectionMode.BOTTOMS_UP
        )

    def problems(self) -> list[tuple[str, str]]:
        """RCTab's cross-setting checks: ``(config field, sentence)`` per problem.

        RCTab refuses these combinations before counting; so does votetrail,
        naming the field so the reader can point at the config line.
        """
        found: list[tuple[str, str]] = []
        mode = self.winner_election_mode
        if not self.candidates:
            found.append(("candidates", "the contest declares no candidates"))
        elif all(c.excluded for c in self.candidates):
            found.append(("candidates", "every declared candidate is excluded"))
        names = [s for c in self.candidates for s in {c.name, *c.aliases}]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            found.append(("candidates", f"names or aliases used twice: {', '.join(duplicates)}"))
        if self.tiebreak_mode.needs_seed and self.random_seed is None:
            found.append(
                ("randomSeed", f"tiebreak mode {self.tiebreak_mode.value} needs a random seed")
            )
        if self.minimum_vote_threshold != 0:
            found.append(
                (
                    "minimumVoteThreshold",
                    "current RCTab ignores this setting; votetrail refuses a non-zero value "
                    "rather than ignore it in silence (cutoffElimination replaces it)",
                )
            )
        if self.max_rankings_allowed is not None and self.max_rankings_allowed < 1:
            found.append(("maxRankingsAllowed", "must be max or a whole number of at least 1"))
        if self.max_skipped_ranks_allowed is not None and self.max_skipped_ranks_allowed < 0:
            found.append(
                ("maxSkippedRanksAllowed", "must be unlimited or a whole number of at least 0")
            )
        if self.number_of_winners < 0:
            found.append(("numberOfWinners", "must be a whole number of at least 0"))
        if not 1 <= self.decimal_places <= 20:
            found.append(("decimalPlacesForVoteArithmetic", "must be from 1 to 20"))
        if (
            self.stop_tabulation_early_after_round is not None
            and self.stop_tabulation_early_after_round < 1
        ):
            found.append(("stopTabulationEarlyAfterRound", "must be blank or at least 1"))
        bottoms_up_threshold = mode is WinnerElectionMode.BOTTOMS_UP_PERCENTAGE_THRESHOLD
        if self.number_of_winners > 0 and bottoms_up_threshold:
            found.append(
                ("numberOfWinners", f"must be 0 when the winner election mode is {mode.value}")
            )
        if self.number_of_winners > 1:
            if mode is not WinnerElectionMode.SEQUENTIAL:
                if self.continue_until_two_candidates_remain:
                    found.append(
                        (
                            "continueUntilTwoCandidatesRemain",
                            "can only be true in a multi-seat contest counted by multi-pass IRV",
                        )
                    )
                if self.batch_elimination:
                    found.append(
                        (
                            "batchElimination",
                            "can only be true in a multi-seat contest counted by multi-pass IRV",
                        )
                    )
            if self.first_round_determines_threshold:
                found.append(
                    ("doesFirstRoundDetermineThreshold", "cannot be true in a multi-seat contest")
                )
        elif self.number_of_winners == 1 and mode is not WinnerElectionMode.SINGLE_WINNER_MAJORITY:
            found.append(
                ("winnerElectionMode", f"{mode.value} cannot be used in a single-seat contest")
            )
        elif self.number_of_winners == 0:
            if not bottoms_up_threshold:
                found.append(
                    (
                        "numberOfWinners",
                        "0 winners needs winner election mode "
                        + WinnerElectionMode.BOTTOMS_UP_PERCENTAGE_THRESHOLD.value,
                    )
                )
            threshold = self.bottoms_up_percentage_threshold
            if threshold is None or not Decimal(0) < threshold <= Decimal(1):
                found.append(
                    (
                        "multiSeatBottomsUpPercentageThreshold",
                        "must be a percentage above 0 and at most 100",
                    )
                )
        if bottoms_up_threshold and self.batch_elimination:
            found.append(
                (
                    "batchElimination",
                    f"cannot be true when the winner election mode is {mode.value}",
                )
            )
        fractional_modes = (
            WinnerElectionMode.MULTI_SEAT_ONE_WINNER_PER_ROUND,
            WinnerElectionMode.MULTI_SEAT_MULTIPLE_WINNERS_PER_ROUND,
        )
        if mode not in fractional_modes:
            if self.non_integer_winning_threshold:
                found.append(
                    (
                        "nonIntegerWinningThreshold",
                        f"cannot be true when the winner election mode is {mode.value}",
                    )
                )
            if self.hare_quota:
                found.append(
                    ("hareQuota", f"cannot be true when the winner election mode is {mode.value}")
                )
        if self.non_integer_winning_threshold and self.hare_quota:
            found.append(
                ("hareQuota", "nonIntegerWinningThreshold and hareQuota cannot both be true")
            )
        return found


@dataclass(frozen=True, slots=True)
class Decision:
    """One candidate elected or eliminated in a round, and where their votes went.

    ``transfers`` maps a candidate, :data:`EXHAUSTED` or :data:`RESIDUAL_SURPLUS`
    to votes moved; like RCTab's report, it is filled from the next round's count.
    """

    candidate: str
    elected: bool
    transfers: Mapping[str, Decimal] = field(default_factory=dict)
    by_tiebreak: bool = False


@dataclass(frozen=True, slots=True)
class RoundResult:
    """One round as RCTab's detailed report shows it."""

    round: int
    tally: Mapping[str, Decimal]
    """Votes per candidate still in the count (and earlier winners), in report order."""
    decisions: tuple[Decision, ...]
    inactive: Mapping[InactiveReason, Decimal]
    """Ballots no longer counting, by why (cumulative, as RCTab reports them)."""
    threshold: Decimal
    final_round_surplus: Decimal | None = None
    """Multi-seat final round only: winners' votes above the threshold left in place."""
    residual_surplus: Decimal = Decimal(0)
    """Cumulative surplus lost to truncation up to this round."""

    @property
    def elected(self) -> tuple[str, ...]:
        return tuple(d.candidate for d in self.decisions if d.elected)

    @property
    def eliminated(self) -> tuple[str, ...]:
        return tuple(d.candidate for d in self.decisions if not d.elected)


@dataclass(frozen=True, slots=True)
class Tabulation:
    """A whole count: its rounds (one pass per seat in multi-pass IRV) and winners."""

    rounds: tuple[RoundResult, ...]
    winners: tuple[str, ...]
    """In the order they were elected."""
    total_ballots: int = 0
    undervotes: int = 0
    """Ballots ranking nobody at all."""
    passes: tuple[Tabulation, ...] = ()
    """Multi-pass IRV only: one tabulation per seat, each RCTab's separate report
    (``rounds`` is then the last pass's)."""
