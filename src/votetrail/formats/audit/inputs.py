"""The files an audit's statistics read: reported contest results and audited samples.

Contests (CSV or JSON, told apart by the content: JSON opens with ``{``),
either the output of ``votetrail results --format csv|json`` as it is
(``formats/audit/results_file.py``) or a file written for the audit:

* CSV columns ``Contest``, ``Choice``, ``Votes``, ``Ballots`` and optionally
  ``Vote For`` (default 1), ``Kind`` (plurality, vote_for_n, supermajority,
  approval) and ``Fraction`` (a supermajority's threshold, e.g. ``2/3``); one
  row per choice, and the contest-wide columns must agree on every row of a
  contest. ``Ballots`` is the number of ballots in the audited population.
* JSON ``{"contests": [{"id", "votes": {choice: n}, "ballots", "vote_for",
  "kind", "fraction"}]}``.

Ballot-polling sample (CSV): ``Ballot``, ``Contest``, ``Choice`` and
optionally ``Generation`` (the sampler's, for a ballot drawn again when
sampling with replacement); one row per mark, in the order the ballots were
drawn. A row with an empty ``Choice`` records that the ballot carries the
contest with no vote; a ballot whose rows never name a contest does not carry it.

Comparison sample (CSV): ``Ballot``, ``Contest``, ``CVR``, ``Audit``; one row
per ballot and contest, in draw order (a ballot drawn twice with replacement
appears twice). ``CVR`` is what the cast vote record
says and ``Audit`` what the audit board read on paper: choices separated by
``;``, empty for no vote, ``NOT ON BALLOT`` when the card lacks the contest
and ``MISSING`` for a phantom CVR or a paper ballot that could not be found
(counted as the worst case).

Every problem names the file, line and column.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from votetrail.core.audit.assertions import Contest, ContestKind
from votetrail.core.audit.comparison import ABSENT, NO_CONTEST, CardVotes, votes_for
from votetrail.errors import InvalidInput
from votetrail.formats.audit.results_file import (
    NIST_REFUSAL,
    RESULTS_CSV_COLUMNS,
    contests_from_results_csv,
    contests_from_results_json,
    whole_number,
)

NOT_ON_BALLOT = "NOT ON BALLOT"
MISSING = "MISSING"


def _rows(
    path: Path, required: tuple[str, ...], *, fold: bool = False
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows as ``{heading: cell}`` with their line; ``fold`` lower-cases the headings."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip().lower() if fold else h.strip() for h in next(reader)]
        except StopIteration:
            raise InvalidInput("is empty", where=str(path)) from None
        except UnicodeDecodeError:
            raise InvalidInput("is not UTF-8 text", where=f"{path}, line 1") from None
        for name in required:
            if name not in header:
                raise InvalidInput(f"has no column {name!r}", where=f"{path}, line 1")
        try:
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) > len(header):
                    raise InvalidInput(
                        f"has {len(row)} fields but the header has {len(header)}",
                        where=f"{path}, line {line}",
                    )
                yield (
                    line,
                    {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)},
                )
        except UnicodeDecodeError:
            raise InvalidInput(
                "is not UTF-8 text", where=f"{path}, line {reader.line_num + 1}"
            ) from None


def _fraction(raw: str, where: str) -> Fraction | None:
    if not raw:
        return None
    try:
        return Fraction(raw)
    except (ValueError, ZeroDivisionError):
        raise InvalidInput(f"{raw!r} is not a fraction such as 2/3", where=where) from None


def _kind(raw: str, vote_for: int, where: str) -> ContestKind:
    if not raw:
        return ContestKind.PLURALITY if vote_for == 1 else ContestKind.VOTE_FOR_N
    try:
        return ContestKind(raw)
    except ValueError:
        choices = ", ".join(k.value for k in ContestKind)
        raise InvalidInput(f"{raw!r} is not one of {choices}", where=where) from None


@dataclass
class _Draft:
    line: int
    ballots: int
    vote_for: int
    kind: ContestKind
    fraction: Fraction | None
    votes: dict[str, int] = field(default_factory=dict)


def read_contests(path: Path) -> list[Contest]:
    """The contests in a contests file or a ``votetrail results`` file, told apart by content."""
    header = _first_line(path)
    if path.suffix.lower() == ".json" or header.lstrip().startswith(("{", "[")):
        return _contests_from_json(path)
    columns = {cell.strip().lower() for cell in next(csv.reader([header]), [])}
    if set(RESULTS_CSV_COLUMNS) <= columns:
        return contests_from_results_csv(path, _rows(path, RESULTS_CSV_COLUMNS, fold=True))
    if {"contest", "choice", "votes"} <= columns and "ballots" not in columns:
        raise InvalidInput(
            "has no column 'Ballots': the audit needs each contest's ballot count. Give "
            "the file `votetrail results --format csv` writes (it has votes_allowed and "
            "ballots), or add the columns Ballots and Vote For",
            where=f"{path}, line 1",
        )
    drafts: dict[str, _Draft] = {}
    for line, row in _rows(path, ("Contest", "Choice", "Votes", "Ballots")):
        where = f"{path}, line {line}"
        name = row["Contest"]
        choice = row["Choice"]
        if not name or not choice:
            raise InvalidInput(
                "is empty", where=f"{where}, field {'Contest' if not name else 'Choice'!r}"
            )
        vote_for = whole_number(row.get("Vote For") or "1", f"{where}, field 'Vote For'")
        shape = (
            whole_number(row["Ballots"], f"{where}, field 'Ballots'"),
            vote_for,
            _kind(row.get("Kind", ""), vote_for, f"{where}, field 'Kind'"),
            _fraction(row.get("Fraction", ""), f"{where}, field 'Fraction'"),
        )
        draft = drafts.setdefault(name, _Draft(line, *shape))
        if (draft.ballots, draft.vote_for, draft.kind, draft.fraction) != shape:
            raise InvalidInput(
                f"disagrees with line {draft.line} on Ballots, Vote For, Kind or Fraction",
                where=f"{where}, contest {name!r}",
            )
        if choice in draft.votes:
            raise InvalidInput(f"choice {choice!r} appears twice", where=f"{where}, field 'Choice'")
        draft.votes[choice] = whole_number(row["Votes"], f"{where}, field 'Votes'")
    if not drafts:
        raise InvalidInput("has no contests", where=str(path))
    return [_contest(name, d, f"{path}, line {d.line}") for name, d in drafts.items()]


def _contest(name: str, draft: _Draft, where: str) -> Contest:
    try:
        return Contest(
            id=name,
            votes=draft.votes,
            ballots=draft.ballots,
            vote_for=draft.vote_for,
            kind=draft.kind,
            fraction=draft.fraction,
        )
    except InvalidInput as exc:
        raise InvalidInput(str(exc), where=where) from None


def _first_line(path: Path) -> str:
    """The first line, to tell the file's form; an unreadable file is refused here."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return handle.readline()
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    except UnicodeDecodeError:
        raise InvalidInput("is not UTF-8 text", where=f"{path}, line 1") from None


def _contests_from_json(path: Path) -> list[Contest]:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        raise InvalidInput(f"is not valid JSON ({exc})", where=f"{path}, line {line}") from None
    if isinstance(data, dict) and "ElectionReport" in str(data.get("@type", "")):
        raise InvalidInput(NIST_REFUSAL, where=str(path))
    items = data.get("contests") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise InvalidInput(
            "needs a non-empty list 'contests' (a contests file, or what "
            "`votetrail results --format json` writes)",
            where=str(path),
        )
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidInput("must be an object", where=f"{path}, contests[{index}]")
    if all("tally" in item and "votes" not in item for item in items):
        return contests_from_results_json(path, items)
    out = []
    for index, item in enumerate(items):
        where = f"{path}, contests[{index}]"
        votes = item.get("votes")
        if not isinstance(votes, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in votes.values()
        ):
            raise InvalidInput("field 'votes' must map choices to whole numbers", where=where)
        ballots = item.get("ballots")
        vote_for = item.get("vote_for", 1)
        if not isinstance(ballots, int) or not isinstance(vote_for, int):
            raise InvalidInput("fields 'ballots' and 'vote_for' must be whole numbers", where=where)
        draft = _Draft(
            0,
            ballots,
            vote_for,
            _kind(str(item.get("kind", "")), vote_for, f"{where}, field 'kind'"),
            _fraction(str(item.get("fraction") or ""), f"{where}, field 'fraction'"),
            {str(k): v for k, v in votes.items()},
        )
        out.append(_contest(str(item.get("id", "")), draft, where))
    return out


@dataclass(frozen=True)
class PolledBallot:
    """One sampled ballot as the audit board read it: contest id -> choices marked."""

    ballot: str
    votes: dict[str, frozenset[str]]


def read_polling_sample(path: Path) -> list[PolledBallot]:
    order: list[str] = []
    marks: dict[str, dict[str, set[str]]] = {}
    for line, row in _rows(path, ("Ballot", "Contest", "Choice")):
        if not row["Ballot"]:
            raise InvalidInput("is empty", where=f"{path}, line {line}, field 'Ballot'")
        generation = row.get("Generation") or "1"
        ballot = row["Ballot"] if generation == "1" else f"{row['Ballot']}#{generation}"
        if ballot not in marks:
            order.append(ballot)
            marks[ballot] = {}
        if row["Contest"]:
            chosen = marks[ballot].setdefault(row["Contest"], set())
            if row["Choice"]:
                chosen.add(row["Choice"])
        elif row["Choice"]:
            raise InvalidInput("names a choice without a contest", where=f"{path}, line {line}")
    return [PolledBallot(b, {c: frozenset(v) for c, v in marks[b].items()}) for b in order]


@dataclass(frozen=True)
class ComparedCard:
    """One sampled card for one contest: what the CVR said and what the paper showed."""

    ballot: str
    contest: str
    cvr: CardVotes
    paper: CardVotes
    reading: int = -1
    """Equal for cards whose CVR and paper read alike, so a pair is scored once per reading."""


def _card(raw: str, where: str) -> CardVotes:
    if raw.upper() == MISSING:
        return ABSENT
    if raw.upper() == NOT_ON_BALLOT:
        return NO_CONTEST
    choices = [c.strip() for c in raw.split(";") if c.strip()]
    if len(set(choices)) != len(choices):
        raise InvalidInput("names a choice twice", where=where)
    return votes_for(*choices)


def read_comparison_sample(path: Path) -> list[ComparedCard]:
    """Cards in draw order; equal readings share one ``CardVotes`` so they are cheap to compare."""
    cards: list[ComparedCard] = []
    readings: dict[str, CardVotes] = {}
    pairs: dict[tuple[str, str], int] = {}

    def reading(raw: str, where: str) -> CardVotes:
        found = readings.get(raw)
        if found is None:
            found = readings[raw] = _card(raw, where)
        return found

    for line, row in _rows(path, ("Ballot", "Contest", "CVR", "Audit")):
        where = f"{path}, line {line}"
        if not row["Ballot"] or not row["Contest"]:
            field_name = "Ballot" if not row["Ballot"] else "Contest"
            raise InvalidInput("is empty", where=f"{where}, field {field_name!r}")
        cards.append(
            ComparedCard(
                row["Ballot"],
                row["Contest"],
                reading(row["CVR"], f"{where}, field 'CVR'"),
                reading(row["Audit"], f"{where}, field 'Audit'"),
                pairs.setdefault((row["CVR"], row["Audit"]), len(pairs)),
            )
        )
    return cards
