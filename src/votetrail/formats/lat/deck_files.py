"""A test deck written out for the people and programs that use it.

* ``write_deck_json``: the documented deck contract, for other tools to recount;
* ``write_deck_csv``: one row per ballot and contest with a marking
  instruction in words, for the officials who mark the ballots;
* ``write_expected_csv``: the expected totals in the very layout
  :mod:`votetrail.formats.lat.results` reads as a tabulator's totals CSV, so
  expected totals can be fed back and compared (and pass);
* ``write_deck_cvrs``: the deck as NIST SP 1500-103 JSON cast vote records,
  the "expected CVRs": what a correctly programmed tabulator would export
  (a ranked contest's selections carry their ``Rank``);
* ``write_round_tables``: each ranked contest's expected rounds as a text table.

Every writer is deterministic, since the deck itself is never stored: the same
definition must give the same files for anyone who regenerates them.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, TextIO

from votetrail.core.lat.deck import Deck, DeckBallot
from votetrail.core.lat.definition import Contest, ElectionDefinition
from votetrail.core.lat.ranked_deck import Ranking, round_table
from votetrail.errors import InvalidInput
from votetrail.formats.csv_out import CsvWriter
from votetrail.formats.lat.names import Resolver

TEST_WRITE_IN = "TEST WRITE-IN"
"""What officials write on a write-in line of a test ballot."""
DECK_CSV_COLUMNS = (
    "ballot",
    "ballot_style",
    "precinct",
    "purpose",
    "contest",
    "contest_title",
    "marks",
    "mark_names",
    "instruction",
)
EXPECTED_CSV_COLUMNS = ("contest", "choice", "votes")
CVR_VERSION = "1.0.0"


def write_deck_json(deck: Deck, out: TextIO) -> None:
    """The deck contract, in the deck's own order (ballot order is the marking order)."""
    json.dump(deck.contract(), out, indent=2, ensure_ascii=False)
    out.write("\n")


def marking_instruction(contest: Contest, marks: Sequence[str]) -> str:
    """What to do to one contest of one ballot, in the words an official reads out."""
    if not marks:
        return "Leave blank"
    chosen = [contest.choice(choice_id) for choice_id in marks]
    several = sum(1 for choice in contest.choices if choice.write_in) > 1
    named = [choice.name for choice in chosen if not choice.write_in]
    written = [
        f"write in {TEST_WRITE_IN}" + (f" on the {choice.name} line" if several else "")
        for choice in chosen
        if choice.write_in
    ]
    parts = ([f"mark {', '.join(named)}"] if named else []) + written
    text = "; ".join(parts)
    if len(marks) > contest.votes_allowed:
        return f"Overvote: {text}"
    return text[0].upper() + text[1:]


def ranking_instruction(contest: Contest, ranking: Ranking) -> str:
    """A ranked contest's marks in words: "Rank 1: Ada; rank 2: Bo" (two at a rank: overvote)."""
    if not ranking:
        return "Leave blank"
    parts = []
    for rank, marks in enumerate(ranking, start=1):
        names = [
            f"write in {TEST_WRITE_IN}" if contest.choice(c).write_in else contest.choice(c).name
            for c in marks
        ]
        parts.append(f"rank {rank}: {' and '.join(names) if names else 'leave blank'}")
    text = "; ".join(parts)
    if any(len(marks) > 1 for marks in ranking):
        return f"Overvote: {text}"
    return text[0].upper() + text[1:]


def write_deck_csv(deck: Deck, out: TextIO) -> None:
    """One row per ballot and contest, ballots in deck order, contests in the style's order.

    Names and ids come from an uploaded definition: the one CSV writer defuses
    any a spreadsheet would run as a formula.
    """
    writer = CsvWriter(out)
    writer.writerow(DECK_CSV_COLUMNS)
    for ballot in deck.ballots:
        for contest, marks, names, instruction in ballot_instructions(deck.definition, ballot):
            writer.writerow(
                (
                    ballot.number,
                    ballot.ballot_style,
                    ballot.precinct,
                    ballot.purpose,
                    contest.id,
                    contest.title,
                    marks,
                    names,
                    instruction,
                )
            )


def ballot_instructions(
    definition: ElectionDefinition, ballot: DeckBallot
) -> list[tuple[Contest, str, str, str]]:
    """Each contest of a ballot: its marks by id, by name, and the marking instruction.

    Plurality contests first, then ranked ones, whose marks list the ranks in
    order, ``|`` between ranks and ``+`` between choices at one rank.
    """
    rows = []
    for contest_id, marks in ballot.votes.items():
        contest = definition.contest(contest_id)
        names = "; ".join(contest.choice(choice).name for choice in marks)
        rows.append((contest, "|".join(marks), names, marking_instruction(contest, marks)))
    for contest_id, ranking in ballot.rankings.items():
        contest = definition.contest(contest_id)
        names = "; ".join(" and ".join(contest.choice(c).name for c in at) for at in ranking)
        ids = "|".join("+".join(at) for at in ranking)
        rows.append((contest, ids, names, ranking_instruction(contest, ranking)))
    return rows


def write_expected_csv(
    deck: Deck,
    out: TextIO,
    precincts: Collection[str] | None = None,
    *,
    by_style: bool = False,
) -> None:
    """Expected totals by ids: each choice's votes, then ``overvotes``, ``undervotes``, ``ballots``.

    With ``by_style`` the rows carry a ``ballot_style`` column and are given
    style by style, for a tabulator report that breaks totals down that way;
    like :meth:`Deck.expected_by_style`, every style lists every contest, at
    zero where the style does not carry it.
    """
    writer = CsvWriter(out)
    if not by_style:
        writer.writerow(EXPECTED_CSV_COLUMNS)
        for contest_id, totals in deck.expected(precincts).items():
            writer.writerows((contest_id, c, votes) for c, votes in totals.votes.items())
            writer.writerow((contest_id, "overvotes", totals.overvotes))
            writer.writerow((contest_id, "undervotes", totals.undervotes))
            writer.writerow((contest_id, "ballots", totals.ballots))
        return
    writer.writerow(("ballot_style", *EXPECTED_CSV_COLUMNS))
    for style, style_totals in deck.expected_by_style(precincts).items():
        for contest_id, totals in style_totals.items():
            writer.writerows((style, contest_id, c, votes) for c, votes in totals.votes.items())
            writer.writerow((style, contest_id, "overvotes", totals.overvotes))
            writer.writerow((style, contest_id, "undervotes", totals.undervotes))
            writer.writerow((style, contest_id, "ballots", totals.ballots))


def write_round_tables(deck: Deck, out: TextIO, precincts: Collection[str] | None = None) -> None:
    """Each ranked contest's expected rounds: a row per candidate, a column per round."""
    rounds = deck.expected_rounds(precincts)
    if not rounds:
        out.write("The deck has no ranked-choice contest.\n")
        return
    for contest_id, tabulation in rounds.items():
        table = round_table(deck.definition.contest(contest_id), tabulation)
        rows = [
            ["", *(f"Round {n}" for n in range(1, len(table.outcomes) + 1))],
            *([row.name, *(v if v is not None else "-" for v in row.votes)] for row in table.rows),
            ["Inactive ballots", *table.exhausted],
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        out.write(f"{table.title} (ranked choice)\n")
        for row in rows:
            cells = [row[0].ljust(widths[0])]
            cells += [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
            out.write("  ".join(cells).rstrip() + "\n")
        for number, outcome in enumerate(table.outcomes, start=1):
            out.write(f"Round {number}: {outcome or 'no decision'}\n")
        out.write(f"Elected: {', '.join(table.winners) or 'nobody'}\n\n")


def write_deck_cvrs(
    deck: Deck, path: Path, tabulator: str, precincts: Collection[str] | None = None
) -> None:
    """The deck's ballots (those of ``precincts``) as a NIST SP 1500-103 JSON CVR report."""
    text = json.dumps(deck_cvr_report(deck, tabulator, precincts), indent=2, ensure_ascii=False)
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write the CVRs: {exc.strerror}", where=str(path)) from None


def deck_cvr_report(
    deck: Deck, tabulator: str, precincts: Collection[str] | None = None
) -> dict[str, Any]:
    """The CVR report as a JSON-ready dict.

    Object ids are positional (``contest-2``, ``contest-2-choice-1``) because
    the definition's ids need not be unique across kinds (every yes/no
    contest has a ``yes``). Names are the definition's titles and choice
    names wherever :class:`~votetrail.formats.lat.names.Resolver` maps them
    back to the same contest or choice, and the ids where it would not (two
    contests titled alike), so the report always reads back to the deck.
    ``GeneratedDate`` is the election's date, not the clock, so the file is
    the same each time.
    """
    definition = deck.definition
    ballots = deck.for_precincts(precincts)
    scope = "election-scope"
    names = _report_names(definition)
    candidates: list[dict[str, Any]] = []
    contests: list[dict[str, Any]] = []
    for number, contest in enumerate(definition.contests, start=1):
        contest_name, choice_names = names[contest.id]
        measure = contest.kind == "yesno" and contest.votes_allowed == 1
        selections: list[dict[str, Any]] = []
        for position, choice in enumerate(contest.choices, start=1):
            selection_id = f"contest-{number}-choice-{position}"
            if measure:
                selections.append(
                    {
                        "@id": selection_id,
                        "@type": "CVR.BallotMeasureSelection",
                        "Selection": choice_names[choice.id],
                    }
                )
                continue
            candidate_id = f"candidate-{number}-{position}"
            candidates.append(
                {"@id": candidate_id, "@type": "CVR.Candidate", "Name": choice_names[choice.id]}
            )
            selections.append(
                {
                    "@id": selection_id,
                    "@type": "CVR.CandidateSelection",
                    "CandidateIds": [candidate_id],
                    "IsWriteIn": choice.write_in,
                }
            )
        entry: dict[str, Any] = {
            "@id": f"contest-{number}",
            "@type": "CVR.BallotMeasureContest" if measure else "CVR.CandidateContest",
            "Name": contest_name,
            "ContestSelection": selections,
        }
        if not measure:
            entry["VotesAllowed"] = contest.votes_allowed
        contests.append(entry)
    positions = {contest.id: number for number, contest in enumerate(definition.contests, 1)}
    used = list(dict.fromkeys(ballot.precinct for ballot in ballots))
    return {
        "@type": "CVR.CastVoteRecordReport",
        "Version": CVR_VERSION,
        "GeneratedDate": f"{definition.date or '1970-01-01'}T00:00:00Z",
        "ReportType": ["other"],
        "OtherReportType": "L&A test deck: expected cast vote records",
        "Notes": (
            f"The {len(ballots)} ballots of the L&A test deck of {definition.title} as "
            f"tabulator {tabulator} should record them, made by votetrail from the election "
            f"definition ({definition.source_format})."
        ),
        "ReportGeneratingDeviceIds": [tabulator],
        "ReportingDevice": [
            {"@id": tabulator, "@type": "CVR.ReportingDevice", "SerialNumber": tabulator}
        ],
        "GpUnit": [
            {
                "@id": scope,
                "@type": "CVR.GpUnit",
                "Name": definition.place or definition.title,
                "Type": "other",
                "ReportingDeviceIds": [tabulator],
            },
            *(
                {
                    "@id": precinct,
                    "@type": "CVR.GpUnit",
                    "Name": definition.precinct_name(precinct),
                    "Type": "precinct",
                }
                for precinct in used
            ),
        ],
        "Election": [
            {
                "@id": "election-1",
                "@type": "CVR.Election",
                "Name": definition.title,
                "ElectionScopeId": scope,
                "Candidate": candidates,
                "Contest": contests,
            }
        ],
        "CVR": [_cvr(ballot, definition, tabulator, positions) for ballot in ballots],
    }


def _position(contest: Contest, choice_id: str, *, allocable: bool) -> dict[str, Any]:
    """One marked position; a write-in's carries the text written on the test ballot."""
    position: dict[str, Any] = {
        "@type": "CVR.SelectionPosition",
        "HasIndication": "yes",
        "IsAllocable": "yes" if allocable else "no",
        "NumberVotes": 1,
        "Position": 1,
    }
    if contest.choice(choice_id).write_in:
        position["CVRWriteIn"] = {"@type": "CVR.CVRWriteIn", "Text": TEST_WRITE_IN}
    return position


def _ranked_contest(contest: Contest, number: int, ranking: Ranking) -> dict[str, Any]:
    """A ranked contest of one ballot: each marked choice's position carries its ``Rank``."""
    selections = []
    for rank, marks in enumerate(ranking, start=1):
        for choice_id in marks:
            place = next(i for i, c in enumerate(contest.choices, 1) if c.id == choice_id)
            position = _position(contest, choice_id, allocable=True)
            position["Rank"] = rank
            selections.append(
                {
                    "@type": "CVR.CVRContestSelection",
                    "ContestSelectionId": f"contest-{number}-choice-{place}",
                    "OptionPosition": place,
                    "SelectionPosition": [position],
                }
            )
    entry: dict[str, Any] = {"@type": "CVR.CVRContest", "ContestId": f"contest-{number}"}
    if selections:
        entry["CVRContestSelection"] = selections
    else:
        entry["Status"] = ["undervoted"]
    return entry


def _report_names(definition: ElectionDefinition) -> dict[str, tuple[str, dict[str, str]]]:
    """Contest id to (its name in the report, choice id to the choice's name in the report)."""
    resolver = Resolver(definition)
    names: dict[str, tuple[str, dict[str, str]]] = {}
    for contest in definition.contests:
        title = contest.title if resolver.contest(contest.title) is contest else contest.id
        choices = {
            choice.id: choice.name if resolver.choice(contest, choice.name) is choice else choice.id
            for choice in contest.choices
        }
        names[contest.id] = (title, choices)
    return names


def _cvr(
    ballot: DeckBallot, definition: ElectionDefinition, tabulator: str, positions: dict[str, int]
) -> dict[str, Any]:
    """One ballot; an overvoted contest says so, so its marks are kept but counted for no one."""
    snapshot = f"{tabulator}-{ballot.number}-original"
    contests: list[dict[str, Any]] = []
    for contest_id, marks in ballot.votes.items():
        contest = definition.contest(contest_id)
        number = positions[contest_id]
        over = len(marks) > contest.votes_allowed
        entry: dict[str, Any] = {
            "@type": "CVR.CVRContest",
            "ContestId": f"contest-{number}",
            "Selections": len(marks),
        }
        if over:
            entry["Overvotes"] = len(marks) - contest.votes_allowed
            entry["Status"] = ["overvoted"]
        else:
            entry["Undervotes"] = contest.votes_allowed - len(marks)
            if marks and len(marks) < contest.votes_allowed:
                entry["Status"] = ["undervoted"]
        selections = []
        for choice_id in marks:
            place = next(i for i, c in enumerate(contest.choices, 1) if c.id == choice_id)
            position = _position(contest, choice_id, allocable=not over)
            selections.append(
                {
                    "@type": "CVR.CVRContestSelection",
                    "ContestSelectionId": f"contest-{number}-choice-{place}",
                    "OptionPosition": place,
                    "TotalNumberVotes": 0 if over else 1,
                    "SelectionPosition": [position],
                }
            )
        if selections:
            entry["CVRContestSelection"] = selections
        else:
            entry["Status"] = ["undervoted"]
        contests.append(entry)
    contests.extend(
        _ranked_contest(definition.contest(contest_id), positions[contest_id], ranking)
        for contest_id, ranking in ballot.rankings.items()
    )
    return {
        "@type": "CVR.CVR",
        "UniqueId": f"{tabulator}-{ballot.number}",
        "BallotStyleId": ballot.ballot_style,
        "BallotStyleUnitId": ballot.precinct,
        "CreatingDeviceId": tabulator,
        "ElectionId": "election-1",
        "CurrentSnapshotId": snapshot,
        "CVRSnapshot": [
            {
                "@id": snapshot,
                "@type": "CVR.CVRSnapshot",
                "Type": "original",
                "CVRContest": contests,
            }
        ],
    }
