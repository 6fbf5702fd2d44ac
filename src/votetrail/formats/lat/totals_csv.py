"""Reading a tabulator's totals typed into a spreadsheet and saved as CSV.

Counties without an export their equipment can write copy the results tape
into rows of ``contest,choice,votes``, by name or id, and sometimes by ballot
style. A typed sheet is where typing mistakes happen, so a repeated row or a
non-number is refused naming its line rather than summed or skipped.
"""

from __future__ import annotations

import csv
from pathlib import Path

from votetrail.core.lat.definition import ElectionDefinition
from votetrail.errors import InvalidInput
from votetrail.formats.csv_out import restore_cell
from votetrail.formats.lat.names import Resolver
from votetrail.formats.lat.report_parts import (
    FIGURES,
    WHOLE,
    ContestSum,
    TabulatorReport,
    Unmatched,
    add_up,
    ordered_totals,
)

TOTALS_CSV = "totals CSV"


def is_totals_csv(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return {"contest", "choice", "votes"} <= {cell.strip().casefold() for cell in header}


def read_totals_csv(path: Path, definition: ElectionDefinition) -> TabulatorReport:
    """Rows of ``contest,choice,votes`` (and optionally ``ballot_style``), names or ids."""
    resolver = Resolver(definition)
    unmatched = Unmatched()
    name = path.name
    sums: dict[str | None, dict[str, ContestSum]] = {}
    seen: dict[tuple[str | None, str, str], int] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [cell.strip().casefold() for cell in next(reader, [])]
            columns = {column: header.index(column) for column in set(header)}
            for column in ("contest", "choice", "votes", "ballot_style"):
                if header.count(column) > 1:
                    raise InvalidInput(f'names column "{column}" twice', where=f"{name}: line 1")
            missing = [c for c in ("contest", "choice", "votes") if c not in columns]
            if missing:
                raise InvalidInput(
                    "the header must name the columns contest, choice and votes "
                    f"(missing: {', '.join(missing)})",
                    where=f"{name}: line 1",
                )
            styled = "ballot_style" in columns
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise InvalidInput(
                        f"has {len(row)} fields, the header {len(header)}",
                        where=f"{name}: line {line}",
                    )
                at = f"{name}: line {line}"
                contest_name = _cell(row, columns, "contest", at)
                choice_name = _cell(row, columns, "choice", at)
                votes = _whole(_cell(row, columns, "votes", at), f'{at}, column "votes"')
                style: str | None = None
                if styled:
                    style_name = _cell(row, columns, "ballot_style", at)
                    style = resolver.ballot_style(style_name)
                    if style is None:
                        unmatched.add(resolver.style_problem(style_name))
                        continue
                contest = resolver.contest(contest_name)
                if contest is None:
                    unmatched.add(resolver.contest_problem(contest_name))
                    continue
                figure = choice_name.casefold()
                if figure in FIGURES:
                    key = figure
                else:
                    choice = resolver.choice(contest, choice_name)
                    if choice is None:
                        unmatched.add(resolver.choice_problem(contest, choice_name))
                        continue
                    key = choice.id
                first = seen.setdefault((style, contest.id, key), line)
                if first != line:
                    raise InvalidInput(
                        f"{contest.title}, {choice_name!r} is already given on line {first}",
                        where=f'{name}: line {line}, column "choice"',
                    )
                total = sums.setdefault(style, {}).setdefault(contest.id, ContestSum())
                if figure in FIGURES:
                    total.figures[key] = votes
                else:
                    total.votes[key] = votes
    except UnicodeDecodeError:
        raise InvalidInput("is not UTF-8 text", where=name) from None
    except csv.Error as exc:
        raise InvalidInput(f"is not a readable CSV file: {exc}", where=name) from None
    except OSError as exc:
        raise InvalidInput(f"cannot read the report: {exc.strerror}", where=name) from None
    if not styled:
        overall = ordered_totals(sums.get(None, {}), definition)
        return TabulatorReport(path, TOTALS_CSV, overall, None, None, unmatched())
    by_style = {
        style.id: ordered_totals(sums[style.id], definition)
        for style in definition.ballot_styles
        if style.id in sums
    }
    overall = add_up(by_style.values(), definition)
    return TabulatorReport(
        path, f"{TOTALS_CSV} by ballot style", overall, by_style, None, unmatched()
    )


def _cell(row: list[str], columns: dict[str, int], column: str, at: str) -> str:
    value = restore_cell(row[columns[column]].strip())
    if not value:
        raise InvalidInput("is empty", where=f'{at}, column "{column}"')
    return value


def _whole(text: str, where: str) -> int:
    if text.startswith("-") and WHOLE.match(text[1:]):
        raise InvalidInput(f'"{text}" is negative: votes are counted from zero', where=where)
    if not WHOLE.match(text):
        raise InvalidInput(f'"{text[:40]}" is not a whole number of at most 15 digits', where=where)
    return int(text)
