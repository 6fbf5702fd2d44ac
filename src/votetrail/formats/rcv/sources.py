"""Every CVR source of an RCTab configuration, read into ranked ballots.

Each provider module (one per vendor format) finds, per ballot, its marks as
``(rank, what the file says)`` pairs; this module turns them into
:class:`~votetrail.core.rcv.ballots.RankedBallot` the same way for all of
them, following RCTab:

* the source's ``overvoteLabel`` becomes :data:`OVERVOTE` and its
  ``undeclaredWriteInLabel`` :data:`UNDECLARED_WRITE_IN`;
* a candidate's name, alias or code becomes the candidate's name;
* anything else is an unknown candidate, and the source is refused naming
  each unknown name, how often it occurs and where first (RCTab refuses it
  too: a misspelt name or a wrong column counted as nobody would change the
  result in silence);
* a ranking past ``maxRankingsAllowed`` refuses the source, naming the
  ballot (RCTab's "CVR has a ranking N but the contest has max ranking M");
* a configuration whose sources hold no ballot at all is refused.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from votetrail.core.rcv.ballots import OVERVOTE, UNDECLARED_WRITE_IN, RankedBallot
from votetrail.core.rcv.rules import ContestRules
from votetrail.errors import InvalidInput
from votetrail.formats.archives import check_size
from votetrail.formats.rcv.config import ContestConfig, CvrSource, Provider

Mark = tuple[int, str]
"""A rank (1 = first choice) and what the file marks there."""

MAX_UNKNOWN_SHOWN = 5


@dataclass(slots=True)
class BallotBuilder:
    """Applies one source's labels and the contest's candidate spellings."""

    source: CvrSource
    rules: ContestRules
    names: dict[str, str] = field(init=False)
    unknown: Counter[str] = field(init=False, default_factory=Counter)
    first_seen: dict[str, str] = field(init=False, default_factory=dict)
    count: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.names = self.rules.name_for()
        self.names[OVERVOTE] = OVERVOTE
        self.names[UNDECLARED_WRITE_IN] = UNDECLARED_WRITE_IN
        if self.source.overvote_label:
            self.names[self.source.overvote_label] = OVERVOTE
        if self.source.undeclared_write_in_label:
            self.names[self.source.undeclared_write_in_label] = UNDECLARED_WRITE_IN

    def ballot(
        self,
        ballot_id: str,
        marks: Iterable[Mark],
        where: str,
        precinct: str | None = None,
        batch: str | None = None,
    ) -> RankedBallot:
        """One ballot from its marks; ``where`` says where it is in the file."""
        by_rank: dict[int, list[str]] = {}
        for rank, said in marks:
            if rank < 1:
                raise InvalidInput(f"ballot {ballot_id} has rank {rank}; ranks start at 1", where)
            name = self.names.get(said)
            if name is None:
                self.unknown[said] += 1
                self.first_seen.setdefault(said, where)
                continue
            at_rank = by_rank.setdefault(rank, [])
            if name not in at_rank:
                at_rank.append(name)
        last = max(by_rank, default=0)
        limit = self.rules.max_rankings_allowed
        if limit is not None and last > limit:
            raise InvalidInput(
                f"ballot {ballot_id} ranks a candidate at rank {last}, but the contest allows "
                f"{limit} rankings (maxRankingsAllowed); RCTab refuses such a file too, since "
                "the rankings past the limit cannot be counted or ignored in silence",
                where,
            )
        self.count += 1
        return RankedBallot(
            id=ballot_id,
            ranks=tuple(tuple(by_rank.get(rank, ())) for rank in range(1, last + 1)),
            precinct=precinct,
            batch=batch,
            source=str(self.source.path),
        )

    def check_known(self) -> None:
        """Refuse the source if any mark named no declared candidate."""
        if not self.unknown:
            return
        shown = [
            f"{name!r} ({count:,} time{'s' if count != 1 else ''}, first at "
            f"{self.first_seen[name]})"
            for name, count in self.unknown.most_common(MAX_UNKNOWN_SHOWN)
        ]
        more = len(self.unknown) - len(shown)
        rest = f" and {more} more" if more > 0 else ""
        raise InvalidInput(
            f"names candidates the configuration does not declare: {', '.join(shown)}{rest}; "
            "add them (or aliases) to the configuration's candidates, or check the columns "
            "and rows configured for this source",
            self.source.label,
        )


def read_json_object(path: Path, limit: int, what: str) -> dict[str, Any]:
    """A vendor's JSON document (one object), refused in words if it is not one."""
    where = str(path)
    try:
        check_size(path.stat().st_size, where, limit)
        loaded = json.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise InvalidInput("does not exist", where) from None
    except OSError as exc:
        raise InvalidInput(f"cannot be read ({exc.strerror})", where) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = f", line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise InvalidInput(f"is not {what} (not JSON{line})", where) from None
    if not isinstance(loaded, dict):
        raise InvalidInput(f"is not {what} (a JSON object)", where)
    return loaded


Reader = Callable[[CvrSource, BallotBuilder], Iterator[RankedBallot]]


def _reader(provider: Provider) -> Reader:
    """The module that reads one provider's files (imported when needed)."""
    if provider is Provider.ESS:
        from votetrail.formats.rcv.ess_xlsx import read_ess

        return read_ess
    if provider is Provider.GENERIC_CSV:
        from votetrail.formats.rcv.generic_csv import read_generic_csv

        return read_generic_csv
    if provider is Provider.CLEAR_BALLOT:
        from votetrail.formats.rcv.clear_ballot import read_clear_ballot

        return read_clear_ballot
    if provider is Provider.DOMINION:
        from votetrail.formats.rcv.dominion import read_dominion

        return read_dominion
    if provider is Provider.HART:
        from votetrail.formats.rcv.hart import read_hart

        return read_hart
    from votetrail.formats.rcv.cdf import read_cdf

    return read_cdf


def read_source(config: ContestConfig, source: CvrSource) -> list[RankedBallot]:
    """One source's ballots for the configured contest, all checked."""
    builder = BallotBuilder(source, config.rules)
    ballots = list(_reader(source.provider)(source, builder))
    builder.check_known()
    return ballots


def read_ballots(config: ContestConfig) -> list[RankedBallot]:
    """Every source's ballots, in configuration order."""
    ballots: list[RankedBallot] = []
    for source in config.sources:
        ballots.extend(read_source(config, source))
    if not ballots:
        raise InvalidInput(
            "the configured CVR sources hold no ballot for this contest", str(config.path)
        )
    return ballots
