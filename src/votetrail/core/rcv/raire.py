"""RAIRE: the assertions that, if true, prove the reported IRV winner won.

An IRV outcome cannot be audited pair by pair like plurality: who wins depends
on the order of eliminations. RAIRE (Blom, Stuckey, Teague, "RAIRE:
risk-limiting audits for instant runoff voting", 2019) finds a set of simple
claims about the ballots that together rule out every elimination order in
which someone else wins, and chooses the set that is cheapest to audit:

* **NEB**, *w never loses to l* ("not eliminated before"): w's first
  preferences alone outnumber every ballot that could ever count for l
  (l ranked, w not ranked above l). Then l is always eliminated before w.
* **NEN**, *w beats l when only S remain* ("not eliminated next"): with just
  the set S continuing, w has more votes than l, so w is not the next one out.

An elimination order is written by its *suffix* π: the last few candidates
to go, the winner of that order last. The search (the paper's Algorithm 1)
keeps a frontier of suffixes that still need ruling out, each with the
cheapest assertion found on the way to it, and always works on the most
expensive one: if some assertion already in use costs at least as much, the
suffix is simply ruled out by its own cheapest assertion; otherwise it is
extended by every candidate not yet in it. A full elimination order that
must be ruled out raises the lower bound on the audit's difficulty. The
difficulty of an assertion is the paper's expected-effort measure; by default
1 / diluted margin (the number of ballots over the margin in votes), the
measure for ballot-comparison audits.

Each assertion is a SHANGRLA assorter (Stark 2020) with upper bound 1, so the
existing ALPHA and comparison tests audit it unchanged (:mod:`raire_audit`).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from votetrail.core.audit.polling import bravo_asn
from votetrail.core.audit.types import RiskLimit
from votetrail.core.rcv.irv_votes import IrvVotes, irv_outcome, mask, members
from votetrail.core.rcv.raire_assertions import Effect, IrvAssertion, Kind
from votetrail.core.rcv.raire_trim import trim_assertions
from votetrail.errors import InvalidInput

Difficulty = Callable[[int, int], float]
"""Expected audit effort from the winner's smallest and the loser's largest tally; inf if none."""


def one_on_margin(ballots: int) -> Difficulty:
    """Ballots / margin in votes: 1 / diluted margin (raire-java's ``OneOnMargin``)."""

    def difficulty(winner: int, loser: int) -> float:
        return ballots / (winner - loser) if winner > loser else math.inf

    return difficulty


def macro(ballots: int, risk_limit: float, gamma: float = 1.1) -> Difficulty:
    """The paper's expected MACRO comparison sample, -ln(α) · 2γ / diluted margin."""
    alpha = RiskLimit(risk_limit).value

    def difficulty(winner: int, loser: int) -> float:
        if winner <= loser:
            return math.inf
        return -math.log(alpha) * 2 * gamma * ballots / (winner - loser)

    return difficulty


def bravo(ballots: int, risk_limit: float) -> Difficulty:
    """The paper's expected BRAVO polling sample: BRAVO's average sample number."""
    alpha = RiskLimit(risk_limit).value

    def difficulty(winner: int, loser: int) -> float:
        if winner <= loser:
            return math.inf
        return bravo_asn(winner / ballots, loser / ballots, alpha)

    return difficulty


@dataclass(frozen=True, slots=True)
class _Found:
    """An assertion during the search, on candidate indices (continuing as a bitmask)."""

    kind: Kind
    winner: int
    loser: int
    continuing: int
    winner_tally: int
    loser_tally: int
    difficulty: float

    @property
    def key(self) -> tuple[Kind, int, int, int]:
        return (self.kind, self.winner, self.loser, self.continuing)


class Trim(StrEnum):
    """How redundant assertions are removed afterwards (raire-java's trim algorithms)."""

    NONE = "none"
    MINIMIZE_TREE = "minimize_tree"
    MINIMIZE_ASSERTIONS = "minimize_assertions"


@dataclass(frozen=True)
class RaireResult:
    """The assertions for one IRV contest and what auditing them is expected to cost."""

    contest_id: str
    winner: str
    assertions: tuple[IrvAssertion, ...]
    difficulty: float
    """The hardest assertion's difficulty: the audit's expected effort."""
    margin_votes: int
    """The smallest assertion margin, in votes."""
    elimination_order: tuple[str, ...]
    ballots: int


class _Search:
    """State of one run of RAIRE's branch and bound."""

    def __init__(self, votes: IrvVotes, winner: int, difficulty: Difficulty) -> None:
        self.votes = votes
        self.winner = winner
        self.difficulty = difficulty
        n = votes.size
        self.neb: dict[tuple[int, int], _Found] = {}
        for won, lost in itertools.permutations(range(n), 2):
            tally_w = votes.first_preferences(won)
            tally_l = votes.tallies(mask((won, lost)))[lost]
            self.neb[(won, lost)] = _Found(
                Kind.NEB, won, lost, 0, tally_w, tally_l, difficulty(tally_w, tally_l)
            )

    def best(self, pi: tuple[int, ...]) -> _Found | None:
        """The cheapest assertion that rules out π with π[0] eliminated next (None if none)."""
        c, later = pi[0], pi[1:]
        best: _Found | None = None
        for other in range(self.votes.size):
            if other == c:
                continue
            found = self.neb[(c, other)] if other in later else self.neb[(other, c)]
            if best is None or found.difficulty < best.difficulty:
                best = found
        if len(pi) > 1:
            continuing = mask(pi)
            tallies = self.votes.tallies(continuing)
            loser = None
            for other in later:  # ties go to the last in π, as raire-java does
                if loser is None or tallies[other] <= tallies[loser]:
                    loser = other
            assert loser is not None
            cost = self.difficulty(tallies[c], tallies[loser])
            if best is None or cost < best.difficulty:
                best = _Found(Kind.NEN, c, loser, continuing, tallies[c], tallies[loser], cost)
        return best if best is not None and best.difficulty < math.inf else None


@dataclass(slots=True)
class _Node:
    pi: tuple[int, ...]
    assertion: _Found | None
    ancestor: int
    """How many of π's last candidates the assertion rules out (its best ancestor's length)."""

    @property
    def cost(self) -> float:
        return math.inf if self.assertion is None else self.assertion.difficulty


def _search(
    votes: IrvVotes, winner: int, difficulty: Difficulty, max_steps: int
) -> tuple[list[_Found], float]:
    """RAIRE's Algorithm 1: the assertions found and the audit's difficulty (lower bound)."""
    search = _Search(votes, winner, difficulty)
    n = votes.size
    counter = itertools.count()
    frontier: list[tuple[float, int, _Node]] = []
    taken: dict[tuple[Kind, int, int, int], _Found] = {}
    covered: set[tuple[int, ...]] = set()
    bound = 0.0

    def push(node: _Node) -> None:
        heapq.heappush(frontier, (-node.cost, next(counter), node))

    def take(node: _Node) -> None:
        assert node.assertion is not None
        covered.add(node.pi[len(node.pi) - node.ancestor :])
        taken.setdefault(node.assertion.key, node.assertion)

    def extend(node: _Node, c: int) -> _Node:
        pi = (c, *node.pi)
        found = search.best(pi)
        if found is not None and found.difficulty < node.cost:
            return _Node(pi, found, len(pi))
        return _Node(pi, node.assertion, node.ancestor)

    for c in range(n):
        if c != winner:
            push(_Node((c,), search.best((c,)), 1))
    steps = 0
    while frontier:
        _, _, node = heapq.heappop(frontier)
        steps += 1
        if steps > max_steps:
            raise InvalidInput(
                f"RAIRE gave up after {max_steps:,} elimination-order suffixes; the contest has "
                "too many candidates close together for this search",
                where="RAIRE",
            )
        if any(node.pi[k:] in covered for k in range(len(node.pi))):
            continue  # an assertion already taken rules this suffix out
        if node.cost <= bound:
            take(node)
            continue
        for c in range(n):
            if c in node.pi:
                continue
            child = extend(node, c)
            if len(child.pi) < n:
                push(child)
                continue
            if child.assertion is None:
                order = [votes.candidates[i] for i in child.pi]
                raise InvalidInput(
                    f"no assertion can rule out the elimination order {order}: the outcome "
                    "cannot be audited by sampling and needs a full hand count",
                    where="RAIRE",
                )
            bound = max(bound, child.cost)
            take(child)
    return list(taken.values()), bound


def _sort_key(found: _Found, n: int) -> tuple[int, int, int, int, list[int]]:
    if found.kind is Kind.NEB:
        return (0, 0, found.winner, found.loser, [])
    inside = members(found.continuing, n)
    return (1, len(inside), found.winner, found.loser, inside)


def raire(
    votes: IrvVotes,
    winner: str,
    *,
    contest_id: str,
    ballots: int | None = None,
    difficulty: Difficulty | None = None,
    trim: Trim = Trim.MINIMIZE_TREE,
    max_steps: int = 2_000_000,
) -> RaireResult:
    """The RAIRE assertions proving ``winner`` won the IRV count of ``votes``.

    ``ballots`` is N, the cards the audit samples from (default: the ballots
    counted; it may be larger, which dilutes every margin). ``difficulty``
    defaults to :func:`one_on_margin` of N. Refused: a reported winner the
    count does not elect, a tie that could elect someone else, an outcome no
    assertion can prove (a full hand count is then the only audit), and a
    search longer than ``max_steps`` suffixes (the search is exponential in the
    number of candidates at worst; the largest of raire-java's NSW cases, 10
    candidates, takes 19,272).
    """
    population = votes.ballots if ballots is None else ballots
    if population < max(votes.ballots, 1):
        raise InvalidInput(
            f"must be at least the {votes.ballots} ballots counted", where=f"ballots {population}"
        )
    cost = difficulty or one_on_margin(population)
    w = votes.index(winner)
    outcome = irv_outcome(votes)
    if len(outcome.winners) > 1:
        names = [votes.candidates[c] for c in outcome.winners]
        raise InvalidInput(
            f"a tie for elimination means any of {names} could win; a tied outcome cannot be "
            "audited by sampling",
            where=f"contest {contest_id!r}",
        )
    if outcome.winners != (w,):
        raise InvalidInput(
            f"the reported winner {winner!r} is not the IRV winner "
            f"{votes.candidates[outcome.winners[0]]!r} of these ballots",
            where=f"contest {contest_id!r}",
        )
    if votes.size == 1:
        found: list[_Found] = []
        bound = 0.0
    else:
        found, bound = _search(votes, w, cost, max_steps)
    found.sort(key=lambda a: _sort_key(a, votes.size))
    assertions = [_named(a, votes, contest_id, population) for a in found]
    if trim is not Trim.NONE:
        assertions = trim_assertions(
            assertions,
            winner,
            votes.candidates,
            minimize_assertions=trim is Trim.MINIMIZE_ASSERTIONS,
        )
    order = tuple(votes.candidates[c] for c in outcome.elimination_order)
    for assertion in assertions:
        if assertion.effect(order) is not Effect.ALLOWED:
            raise AssertionError(f"{assertion.id} rules out the reported elimination order")
    return RaireResult(
        contest_id=contest_id,
        winner=winner,
        assertions=tuple(assertions),
        difficulty=bound,
        margin_votes=min((a.margin_votes for a in assertions), default=0),
        elimination_order=order,
        ballots=population,
    )


def _named(found: _Found, votes: IrvVotes, contest_id: str, ballots: int) -> IrvAssertion:
    names = votes.candidates
    return IrvAssertion(
        contest_id=contest_id,
        kind=found.kind,
        winner=names[found.winner],
        loser=names[found.loser],
        continuing=frozenset(names[c] for c in members(found.continuing, votes.size)),
        winner_tally=found.winner_tally,
        loser_tally=found.loser_tally,
        ballots=ballots,
        difficulty=found.difficulty,
    )


def assertion_for(
    votes: IrvVotes,
    kind: Kind,
    winner: str,
    loser: str,
    *,
    contest_id: str,
    continuing: Sequence[str] = (),
    ballots: int | None = None,
    difficulty: Difficulty | None = None,
) -> IrvAssertion:
    """One named assertion with its tallies from ``votes``: to check or re-audit a published set.

    Its margin may be zero or negative (an assertion that is false on these
    ballots); its difficulty is then infinite.
    """
    population = votes.ballots if ballots is None else ballots
    cost = difficulty or one_on_margin(population)
    w, lo = votes.index(winner), votes.index(loser)
    if w == lo:
        raise InvalidInput("winner and loser must differ", where=f"assertion {winner!r}")
    if kind is Kind.NEB:
        if continuing:
            raise InvalidInput(
                "an NEB assertion has no continuing set", where=f"assertion {winner}>{loser}"
            )
        tallies = (votes.first_preferences(w), votes.tallies(mask((w, lo)))[lo])
        bits = 0
    else:
        bits = mask(votes.index(name) for name in continuing)
        if not (bits >> w & 1 and bits >> lo & 1):
            raise InvalidInput(
                "the continuing set must include the winner and the loser",
                where=f"assertion {winner}>{loser} if {sorted(continuing)}",
            )
        counts = votes.tallies(bits)
        tallies = (counts[w], counts[lo])
    found = _Found(kind, w, lo, bits, tallies[0], tallies[1], cost(*tallies))
    return _named(found, votes, contest_id, population)
