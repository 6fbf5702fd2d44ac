"""The files of a batch-comparison audit: reported batch tallies, hand tallies, drawn batches.

Reported batch tallies (CSV): ``County``, ``Batch``, ``Contest``, ``Choice``,
``Votes``, ``Cards``; one row per choice per batch. ``Cards`` is the number of
cards in the batch that carry the contest and must be the same on every row of
one batch and contest: the error bound assumes every such card could be a
vote for the loser, so it cannot be taken from the votes (undervotes would
make it too small).

Hand tallies (CSV): ``County``, ``Batch``, ``Contest``, ``Choice``, ``Votes``,
what the audit board counted in each sampled batch; a choice with no row has 0
votes. ``MISSING`` in ``Votes`` records a batch that could not be found (the
worst case); such a batch has no other rows.

Drawn batches (CSV, as ``votetrail audit batch-sample`` writes it): at least
``county`` and ``batch``, one row per draw in draw order.

Batches are keyed by (county, batch). Every problem names the file, line and
field; each key keeps the line it first appeared on so later checks can too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from votetrail.core.audit.batch import BatchTally
from votetrail.errors import InvalidInput
from votetrail.formats.audit.inputs import MISSING, _rows
from votetrail.formats.audit.results_file import whole_number as _whole

BatchKey = tuple[str, str]
"""(county, batch)."""

REPORTED_COLUMNS = ("County", "Batch", "Contest", "Choice", "Votes", "Cards")
TALLY_COLUMNS = ("County", "Batch", "Contest", "Choice", "Votes")


@dataclass
class _Draft:
    line: int
    cards: int
    votes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportedBatches:
    """Every batch's reported tally per contest, and the line each batch first appears on."""

    path: Path
    tallies: dict[BatchKey, dict[str, BatchTally]]
    lines: dict[BatchKey, int]


@dataclass(frozen=True)
class HandTallies:
    """Each counted batch's votes per contest and choice; None for a batch not found."""

    path: Path
    counts: dict[BatchKey, dict[str, dict[str, int]] | None]
    lines: dict[BatchKey, int]


def _keyed(
    path: Path, columns: tuple[str, ...]
) -> Iterator[tuple[int, str, BatchKey, dict[str, str]]]:
    """Rows with County, Batch, Contest and Choice present (a missing one is named)."""
    for line, row in _rows(path, columns):
        where = f"{path}, line {line}"
        for name in ("County", "Batch", "Contest", "Choice"):
            if not row[name] and not (name in ("Contest", "Choice") and row["Votes"] == MISSING):
                raise InvalidInput("is empty", where=f"{where}, field {name!r}")
        yield line, where, (row["County"], row["Batch"]), row


def read_reported_batches(path: Path) -> ReportedBatches:
    drafts: dict[BatchKey, dict[str, _Draft]] = {}
    lines: dict[BatchKey, int] = {}
    for line, where, key, row in _keyed(path, REPORTED_COLUMNS):
        votes = _whole(row["Votes"], f"{where}, field 'Votes'")
        cards = _whole(row["Cards"], f"{where}, field 'Cards'")
        lines.setdefault(key, line)
        contest = row["Contest"]
        draft = drafts.setdefault(key, {}).setdefault(contest, _Draft(line, cards))
        if draft.cards != cards:
            raise InvalidInput(
                f"{cards} cards, but line {draft.line} gives {draft.cards} for this batch "
                "and contest",
                where=f"{where}, field 'Cards'",
            )
        if row["Choice"] in draft.votes:
            raise InvalidInput(
                f"choice {row['Choice']!r} appears twice for this batch and contest",
                where=f"{where}, field 'Choice'",
            )
        if votes > cards:
            raise InvalidInput(
                f"{votes} votes but only {cards} cards", where=f"{where}, field 'Votes'"
            )
        draft.votes[row["Choice"]] = votes
    if not drafts:
        raise InvalidInput("has no batches", where=str(path))
    tallies = {
        key: {name: BatchTally(d.votes, d.cards) for name, d in contests.items()}
        for key, contests in drafts.items()
    }
    return ReportedBatches(path, tallies, lines)


def read_hand_tallies(path: Path) -> HandTallies:
    counts: dict[BatchKey, dict[str, dict[str, int]] | None] = {}
    lines: dict[BatchKey, int] = {}
    for line, where, key, row in _keyed(path, TALLY_COLUMNS):
        missing = row["Votes"] == MISSING
        if key in counts and (missing or counts[key] is None):
            raise InvalidInput(
                f"a batch marked {MISSING} has no other rows; this batch also has line "
                f"{lines[key]}",
                where=f"{where}, field 'Votes'",
            )
        lines.setdefault(key, line)
        if missing:
            counts[key] = None
            continue
        votes = _whole(row["Votes"], f"{where}, field 'Votes'")
        batch = counts.setdefault(key, {})
        assert batch is not None  # a MISSING batch with more rows was refused above
        choices = batch.setdefault(row["Contest"], {})
        if row["Choice"] in choices:
            raise InvalidInput(
                f"choice {row['Choice']!r} appears twice for this batch and contest",
                where=f"{where}, field 'Choice'",
            )
        choices[row["Choice"]] = votes
    return HandTallies(path, counts, lines)


def read_batch_draws(path: Path) -> list[tuple[int, BatchKey]]:
    """Each draw's line and batch, in file order (the draw order)."""
    draws: list[tuple[int, BatchKey]] = []
    for line, row in _rows(path, ("county", "batch")):
        for name in ("county", "batch"):
            if not row[name]:
                raise InvalidInput("is empty", where=f"{path}, line {line}, field {name!r}")
        draws.append((line, (row["county"], row["batch"])))
    return draws
