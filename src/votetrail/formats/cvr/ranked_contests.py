"""Ranked-choice contests, which votetrail cannot count yet: named, never miscounted.

Counting a ranked contest as plurality is silently wrong: a voter's second and
third rankings become extra votes or overvotes. Until ranked contests are read
properly, every CVR reader finds them *from the file* (ranks the file itself
records: a rank above 1, a manifest's number of ranks, ranked headings; never a
guess from how many positions a contest has) and hands them here:

* a file that also has plurality contests imports those, and the ranked
  contest is left out with a notice naming it, which the import stores with
  the file's description (so the log covers it) and shows the clerk;
* a file with nothing but ranked contests is refused with a sentence naming
  them, since importing it would import no contest at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from votetrail.core.tally.records import ContestDefinition
from votetrail.errors import InvalidInput

NOT_COUNTED = "votetrail does not count ranked-choice contests yet"


def left_out_notice(contest: str, evidence: str) -> str:
    """The sentence a clerk reads for one ranked contest left out of a mixed file."""
    return (
        f"contest {contest!r} is ranked-choice ({evidence}); {NOT_COUNTED}, "
        f"so it is left out of this import"
    )


def check_ranked(
    path: Path | str, kept: Sequence[ContestDefinition], ranked: Mapping[str, str]
) -> tuple[str, ...]:
    """The notices for ``ranked`` (contest -> evidence), or the refusal of a ranked-only file."""
    if ranked and not kept:
        named = [f"{name!r} ({evidence})" for name, evidence in ranked.items()]
        which = (
            f"contest {named[0]} is"
            if len(named) == 1
            else f"contests {', '.join(named[:-1])} and {named[-1]} are"
        )
        raise InvalidInput(
            f"{which} ranked-choice; {NOT_COUNTED}, and the file has no plurality contest "
            f"to import",
            where=str(path),
        )
    return tuple(left_out_notice(name, evidence) for name, evidence in ranked.items())
