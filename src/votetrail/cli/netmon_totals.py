"""``votetrail netmon totals``: a day's unsolicited attempts, whole, per source or per /24.

Every unsolicited attempt is counted per UTC day, whether or not it belongs to
a scan incident (:mod:`votetrail.services.netmon.totals`); this prints the
day's totals, its sources (most attempts first, ``returning`` when the source
was counted on an earlier day too) or its /24 and /64 networks.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from votetrail.cli.netmon import _day, netmon_cli
from votetrail.cli.options import DatabaseUrl, DataDir
from votetrail.formats.csv_out import write_dicts
from votetrail.services.context import open_app
from votetrail.services.netmon import totals


class By(StrEnum):
    DAY = "day"
    SOURCE = "source"
    NETWORK = "network"


class TotalsFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


NUMBERS = ("attempts", "answered", "unexpected", "ports", "hosts")
COLUMNS = {
    By.DAY: ("day", "sources", *NUMBERS, "ingests"),
    By.SOURCE: ("source", "network", *NUMBERS, "first_seen", "last_seen", "returning"),
    By.NETWORK: ("network", "sources", *NUMBERS),
}


@netmon_cli.command("totals")
def totals_command(
    day: Annotated[
        str | None,
        typer.Option(help="The day, YYYY-MM-DD (UTC); by default the latest day with counts."),
    ] = None,
    by: Annotated[By, typer.Option(help="The whole day, each source, or each /24 or /64.")] = (
        By.DAY
    ),
    fmt: Annotated[TotalsFormat, typer.Option("--format", help="Output format.")] = (
        TotalsFormat.TABLE
    ),
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many rows, most attempts first.")
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Unsolicited attempts on a day: sources, attempts, answers, ports and hosts."""
    app = open_app(data_dir, database_url)
    chosen = _day(day) if day is not None else totals.latest_day(app)
    if chosen is None:
        typer.echo(
            "No day has counts yet: no log was read since votetrail began counting every "
            "probe (logs read before that have incidents only).",
            err=True,
        )
        rows: list[dict[str, Any]] = []
    else:
        rows = totals.rows(app, chosen, by.value, limit)
        if not rows:
            typer.echo(
                f"No counts for {chosen.isoformat()}: no log of that day was read since "
                "votetrail began counting every probe.",
                err=True,
            )
    columns = COLUMNS[by]
    if fmt is TotalsFormat.JSON:
        text = chosen.isoformat() if chosen is not None else None
        document = {"day": text, "by": by.value, "rows": rows}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    elif fmt is TotalsFormat.CSV:
        write_dicts(sys.stdout, rows, columns)
    elif rows:
        sys.stdout.write(_table(rows, columns))
        if by is By.DAY and rows[0]["ingests"] > 1:
            typer.echo(
                f"{rows[0]['ingests']} ingests counted this day: attempts are added up; "
                "ports and hosts are the most one of them counted (at least that many)."
            )


def _table(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """Aligned columns: numbers to the right with thousands separators, text to the left."""
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    numeric = [isinstance(rows[0][c], int) and not isinstance(rows[0][c], bool) for c in columns]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(list(columns)), *(line(values) for values in cells)]) + "\n"


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
