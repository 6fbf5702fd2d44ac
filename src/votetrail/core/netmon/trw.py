"""Threshold Random Walk: a sequential test that tells a scanner from a client.

Jung, Paxson, Berger and Balakrishnan ("Fast Portscan Detection Using
Sequential Hypothesis Testing", IEEE Symposium on Security and Privacy, 2004)
observe that a benign remote host mostly reaches the machines it contacts,
while a scanner, probing addresses it does not know, mostly fails. Each *first
contact* of a remote source with a local host is a Bernoulli trial: success
with probability θ0 if the source is benign (hypothesis H0) and θ1 if it is a
scanner (H1). Wald's sequential probability ratio test multiplies the
likelihood ratio Λ by θ1/θ0 after a success and by (1−θ1)/(1−θ0) after a
failure, and stops as soon as Λ ≥ η1 (scanner) or Λ ≤ η0 (benign), where
η1 = PD/PF and η0 = (1−PD)/(1−PF) for a wanted detection probability PD and
false-positive probability PF. With the paper's θ0 = 0.8, θ1 = 0.2, PD = 0.99,
PF = 0.01, four failed first contacts in a row make a scanner (4⁴ = 256 ≥ 99)
and four successes in a row make a client (0.25⁴ ≈ 0.0039 ≤ 0.0101).

This module is only the arithmetic of the walk for one source. Which
attempts count as first contacts is the detector's business: it already keeps,
for the fan-out rules, the hosts each source has reached (see
:mod:`votetrail.core.netmon.detector`), so the walk does not keep a second copy.

Two choices the paper leaves to the implementer:

* **After a benign verdict the walk restarts at Λ = 1.** The paper's test
  stops; a monitor that runs all day must still catch a client that later
  turns to scanning, so a benign verdict only clears the evidence so far.
* **A scanner verdict is final** for as long as the detector keeps the source
  (until it has been idle for the idle timeout).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from votetrail.errors import InvalidInput


class Verdict(StrEnum):
    """Where a source's walk stands."""

    PENDING = "pending"
    """Neither threshold reached yet."""
    BENIGN = "benign"
    """Λ fell to η0 on the last step; the walk has restarted at 1."""
    SCANNER = "scanner"
    """Λ reached η1; final."""


@dataclass(frozen=True, slots=True)
class TrwParams:
    """The test's four parameters; the defaults are the values the paper evaluates."""

    theta0: float = 0.8
    """P[first contact succeeds | benign source]."""
    theta1: float = 0.2
    """P[first contact succeeds | scanner]."""
    detection: float = 0.99
    """PD, the wanted probability of flagging a scanner."""
    false_positive: float = 0.01
    """PF, the tolerated probability of flagging a benign source."""

    def __post_init__(self) -> None:
        for name in ("theta0", "theta1", "detection", "false_positive"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise InvalidInput(f"{name} must lie strictly between 0 and 1, not {value}")
        if self.theta1 >= self.theta0:
            raise InvalidInput("theta1 (scanner success rate) must be below theta0 (benign)")
        if self.false_positive >= self.detection:
            raise InvalidInput("false_positive must be below detection")

    @property
    def eta1(self) -> float:
        """Upper threshold PD/PF: at or above it the source is a scanner."""
        return self.detection / self.false_positive

    @property
    def eta0(self) -> float:
        """Lower threshold (1−PD)/(1−PF): at or below it the source is benign."""
        return (1.0 - self.detection) / (1.0 - self.false_positive)

    @property
    def success_factor(self) -> float:
        """What a successful first contact multiplies Λ by: θ1/θ0 (< 1)."""
        return self.theta1 / self.theta0

    @property
    def failure_factor(self) -> float:
        """What a failed first contact multiplies Λ by: (1−θ1)/(1−θ0) (> 1)."""
        return (1.0 - self.theta1) / (1.0 - self.theta0)


@dataclass(frozen=True, slots=True)
class TrwFactors:
    """:class:`TrwParams` reduced to the four numbers a step needs, computed once."""

    success: float
    failure: float
    eta0: float
    eta1: float

    @classmethod
    def of(cls, params: TrwParams) -> TrwFactors:
        """The factors and thresholds of ``params``."""
        return cls(params.success_factor, params.failure_factor, params.eta0, params.eta1)


class TrwWalk:
    """One source's walk; mutable working state of the detector, not a domain value.

    The detector's per-source state *is* a walk (it subclasses this), so a
    step costs one method call and the factors are shared, precomputed, by
    every source: the detector steps on every first contact and must keep up
    with hundreds of thousands of events a second.
    """

    __slots__ = ("_factors", "ratio", "verdict")

    def __init__(self, factors: TrwFactors) -> None:
        self._factors = factors
        self.ratio = 1.0
        self.verdict = Verdict.PENDING

    def observe(self, success: bool) -> Verdict:
        """Take one step for a first contact that succeeded or failed, and say where it stands."""
        if self.verdict is Verdict.SCANNER:
            return Verdict.SCANNER
        factors = self._factors
        ratio = self.ratio * (factors.success if success else factors.failure)
        if ratio >= factors.eta1:
            self.ratio = ratio
            self.verdict = Verdict.SCANNER
        elif ratio <= factors.eta0:
            self.ratio = 1.0
            self.verdict = Verdict.BENIGN
        else:
            self.ratio = ratio
            self.verdict = Verdict.PENDING
        return self.verdict

    @property
    def is_scanner(self) -> bool:
        """True once the walk has reached η1."""
        return self.verdict is Verdict.SCANNER
