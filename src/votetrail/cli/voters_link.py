"""``votetrail voters link FILE``: the pairs of records in a file that are the same person.

Officials receive voter files, death records and other states' lists as plain
files and need the duplicates in one without loading it anywhere: this reads
the file, trains the model on it, and prints pairs. It opens no database.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from votetrail import linkage
from votetrail.cli.linkage_engine import Engine, EngineOption, SparkMaster, spark_engine
from votetrail.errors import InvalidInput
from votetrail.formats.csv_out import CsvWriter
from votetrail.linkage import DEFAULT_THRESHOLD, VOTER_FIELDS

_FIELDS = ", ".join(VOTER_FIELDS)


def link_command(
    file: Annotated[
        Path, typer.Argument(help="Person records, CSV or Parquet.", show_default=False)
    ],
    id_column: Annotated[
        str, typer.Option("--id-column", help="The column holding each record's id.")
    ] = "id",
    maps: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help=f"FIELD=COLUMN: read COLUMN as a voter field (one of {_FIELDS}). Repeatable.",
            show_default=False,
        ),
    ] = None,
    extras: Annotated[
        list[str] | None,
        typer.Option(
            "--extra",
            help=(
                "Also compare this column as free text (e.g. birth place); a column already "
                "read as a voter field is ignored, with a note. Repeatable."
            ),
            show_default=False,
        ),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold",
            help="Print pairs at least this likely to be the same person (0 < P < 1).",
        ),
    ] = DEFAULT_THRESHOLD,
    engine: EngineOption = Engine.duckdb,
    spark_master: SparkMaster = None,
) -> None:
    """Print left_id,right_id,match_probability for each pair judged the same person.

    Columns named like voter fields (first_name, last_name, dob, zip, ...) are
    used as they are; others only when named by --map or --extra.
    """
    if not 0 < threshold < 1:
        raise InvalidInput(f"--threshold {threshold}: give a probability between 0 and 1")
    spark = spark_engine(engine, spark_master)
    mapping = _parse_maps(maps or [])
    people = linkage.read_people(file, id_column=id_column, mapping=mapping, extras=extras or [])
    for note in people.notes:  # stderr: stdout carries only the pairs, as CSV
        typer.echo(f"note: {file}: {note}.", err=True)
    matches = linkage.dedupe(people, threshold=threshold, engine=spark)
    writer = CsvWriter(sys.stdout)
    writer.writerow(["left_id", "right_id", "match_probability"])
    writer.writerows(
        (match.left_id, match.right_id, f"{match.match_probability:.6f}") for match in matches
    )


def _parse_maps(maps: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in maps:
        field, sep, column = item.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise InvalidInput(f"--map {item}: write it as FIELD=COLUMN, e.g. last_name=surname")
        if field in mapping:
            raise InvalidInput(f"--map {item}: {field!r} is already mapped to {mapping[field]!r}")
        mapping[field] = column
    return mapping
