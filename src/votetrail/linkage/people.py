"""Person records from a CSV or Parquet file, or from rows, in votetrail's voter fields.

Officials receive voter files, death records and other states' lists in
whatever layout the sender uses, so a file is read by naming its columns:
like-named columns are taken as they are, ``mapping`` points a voter field at
another column, ``extras`` adds free-text attributes, and every other column
is ignored. Nothing is written anywhere.

Decisions a clerk may need to know (also in ``docs/linkage.md``):

* Ids are text, stripped of surrounding spaces; a blank or repeated id is
  refused, naming the line (CSV) or row (Parquet), because every output pair
  must point back at exactly one record.
* CSV is read with Python's ``csv`` module so every problem names its line;
  spaces after a delimiter are skipped (the FEBRL layout). A row with more
  cells than the header is refused; a shorter row is padded with blanks, as
  spreadsheets drop trailing empty cells.
* A date of birth in none of the layouts ``YYYY-MM-DD``, ``YYYYMMDD`` and
  ``MM/DD/YYYY`` counts as missing: one bad cell should not stop a
  million-row run, and a missing date only removes evidence. A dob column in
  which *no* value can be read is refused, because then the column is
  probably not dates at all (or in a layout votetrail would misread).
* An extra that is already read as the id or a voter field (``--extra
  "First Name"`` beside ``--map "first_name=First Name"``) is left out with a
  note, not refused: the column is compared once, as that field, and
  comparing it twice would count the same evidence twice.
* Messages name files, lines and columns, never a cell's value: these files
  carry dates of birth and other identifiers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from votetrail.errors import InvalidInput
from votetrail.linkage.normalise import FIELD_CLEANERS, VOTER_FIELDS, quote, text

if TYPE_CHECKING:
    from _csv import Reader as _CsvReader

ID = "id"
_ROW_KEY = "unique_id"
_PARQUET_MAGIC = b"PAR1"
_SNIFF_BYTES = 65536
_DELIMITERS = ",;\t|"


@dataclass(frozen=True, eq=False)
class People:
    """Normalised person records, ready for the model.

    ``table`` has ``unique_id`` (the row's position, what the model keys on),
    ``id`` (the caller's id), one column per voter field in ``fields`` and
    ``extra_0`` … for the attributes named in ``extras``. ``notes`` are what
    the caller should tell the person who named the columns (an extra left out).
    """

    table: pa.Table
    fields: tuple[str, ...]
    extras: tuple[str, ...]
    source: str
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def ids(self) -> list[str]:
        return [str(value) for value in self.table.column(ID).to_pylist()]

    def extra_column(self, extra: str) -> str:
        return f"extra_{self.extras.index(extra)}"


def read_people(
    path: Path,
    *,
    id_column: str = ID,
    mapping: Mapping[str, str] | None = None,
    extras: Sequence[str] = (),
) -> People:
    """Read ``path`` (CSV or Parquet) into normalised records."""
    where = str(path)
    if _is_parquet(path):
        columns = _parquet_columns(path)
        plan = _Plan.make(columns, id_column, mapping or {}, extras, where)
        raw = _read_parquet(path, plan, where)
        raw_ids = raw.column(ID).to_pylist()
        _check_ids(raw_ids, lambda index: f"row {index + 1}", id_column, where)
    else:
        header, reader = _open_csv(path)
        plan = _Plan.make(header, id_column, mapping or {}, extras, where)
        raw, lines = _read_csv_rows(header, reader, plan, where)
        raw_ids = raw.column(ID).to_pylist()
        _check_ids(raw_ids, lambda index: f"line {lines[index]}", id_column, where)
    people = _normalise(raw, plan.fields, tuple(plan.extras), where, plan.dob_column)
    return replace(people, notes=plan.notes)


def people_from_rows(
    rows: Iterable[Mapping[str, str | None]], *, extras: Sequence[str] = ()
) -> People:
    """Records handed over in memory (by the voter service), keyed by voter field names and "id".

    Keys that are neither are ignored, as unmapped file columns are.
    """
    data: dict[str, list[str | None]] = {ID: []}
    present: set[str] = set()
    extras = tuple(extras)
    if len(set(extras)) != len(extras):
        raise InvalidInput("an extra attribute is named twice", where="records")
    extra_lists: list[list[str | None]] = [[] for _ in extras]
    field_lists: dict[str, list[str | None]] = {field: [] for field in VOTER_FIELDS}
    for row in rows:
        data[ID].append(row.get(ID))
        for field, values in field_lists.items():
            value = row.get(field)
            if field in row:
                present.add(field)
            values.append(value)
        for values, extra in zip(extra_lists, extras, strict=True):
            values.append(row.get(extra))
    fields = tuple(field for field in VOTER_FIELDS if field in present)
    for field in fields:
        data[field] = field_lists[field]
    for index, values in enumerate(extra_lists):
        data[f"extra_{index}"] = values
    raw = pa.table({key: pa.array(values, pa.string()) for key, values in data.items()})
    _check_ids(raw.column(ID).to_pylist(), lambda index: f"record {index + 1}", ID, "records")
    return _normalise(raw, fields, extras, "records", "dob" if "dob" in fields else None)


@dataclass(frozen=True)
class _Plan:
    """Which source column feeds which normalised column."""

    id_column: str
    fields: tuple[str, ...]
    sources: dict[str, str]  # normalised column name -> source column
    extras: list[str]
    dob_column: str | None
    notes: tuple[str, ...]

    @classmethod
    def make(
        cls,
        columns: Sequence[str],
        id_column: str,
        mapping: Mapping[str, str],
        extras: Sequence[str],
        where: str,
    ) -> _Plan:
        available = set(columns)
        listed = ", ".join(repr(column) for column in columns)
        if id_column not in available:
            raise InvalidInput(
                f"has no id column {id_column!r} (use --id-column; the columns are {listed})",
                where=where,
            )
        for field, column in mapping.items():
            if field not in VOTER_FIELDS:
                raise InvalidInput(
                    f"--map {field}={column}: {field!r} is not a voter field "
                    f"(one of {', '.join(VOTER_FIELDS)})",
                    where=where,
                )
            if column not in available:
                raise InvalidInput(
                    f"--map {field}={column}: there is no column {column!r} (the columns are "
                    f"{listed})",
                    where=where,
                )
            if column == id_column:
                raise InvalidInput(
                    f"--map {field}={column}: {column!r} is the id column", where=where
                )
        sources = {ID: id_column}
        for field in VOTER_FIELDS:
            if field in mapping:
                sources[field] = mapping[field]
            elif field in available and field != id_column and field not in mapping.values():
                sources[field] = field
        read_as = {column: target for target, column in sources.items()}
        if len(set(extras)) != len(extras):
            raise InvalidInput("an --extra column is named twice", where=where)
        kept: list[str] = []
        notes: list[str] = []
        for extra in extras:
            if extra not in available:
                raise InvalidInput(
                    f"--extra {extra}: there is no column {extra!r} (the columns are {listed})",
                    where=where,
                )
            if extra in read_as:
                what = "the id column" if read_as[extra] == ID else f"field {read_as[extra]}"
                notes.append(f"--extra {extra}: ignored, the column is already read as {what}")
                continue
            sources[f"extra_{len(kept)}"] = extra
            kept.append(extra)
        fields = tuple(field for field in VOTER_FIELDS if field in sources)
        return cls(id_column, fields, sources, kept, sources.get("dob"), tuple(notes))


def _is_parquet(path: Path) -> bool:
    if path.suffix.lower() in {".parquet", ".pq"}:
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(4) == _PARQUET_MAGIC
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None


def _parquet_columns(path: Path) -> list[str]:
    try:
        return list(pq.read_schema(path).names)
    except (OSError, pa.ArrowException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not Parquet"
        raise InvalidInput(f"cannot be read as Parquet: {reason}", where=str(path)) from None


def _read_parquet(path: Path, plan: _Plan, where: str) -> pa.Table:
    wanted = list(dict.fromkeys(plan.sources.values()))
    try:
        table = pq.read_table(path, columns=wanted)
    except (OSError, pa.ArrowException):
        raise InvalidInput("cannot be read as Parquet", where=where) from None
    columns = {}
    for target, source in plan.sources.items():
        column = table.column(source)
        try:
            columns[target] = column.cast(pa.string())
        except pa.ArrowException:
            raise InvalidInput(f"column {source!r} cannot be read as text", where=where) from None
    return pa.table(columns)


def _open_csv(path: Path) -> tuple[list[str], _CsvReader]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInput("is not UTF-8 text", where=f"{path}, line {line}") from None
    del data
    try:
        delimiter = csv.Sniffer().sniff(content[:_SNIFF_BYTES], delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter, skipinitialspace=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("is empty", where=str(path)) from None
    except csv.Error:
        raise InvalidInput("is not valid CSV", where=f"{path}, line 1") from None
    header = [column.strip() for column in header]
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise InvalidInput(f"the header names column {column!r} twice", where=f"{path}, line 1")
        seen.add(column)
    return header, reader


def _read_csv_rows(
    header: list[str], reader: _CsvReader, plan: _Plan, where: str
) -> tuple[pa.Table, list[int]]:
    """The planned columns as Arrow text, and each kept row's line for messages."""
    width = len(header)
    targets = list(plan.sources)
    indexes = [header.index(plan.sources[target]) for target in targets]
    id_index = indexes[0]
    columns: list[list[str]] = [[] for _ in targets]
    lines: list[int] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise InvalidInput(
                "is not valid CSV", where=f"{where}, line {reader.line_num}"
            ) from None
        if len(row) != width:
            if not row:
                continue
            if len(row) > width:
                raise InvalidInput(
                    f"has {len(row)} cells but the header has {width}",
                    where=f"{where}, line {reader.line_num}",
                )
            row.extend([""] * (width - len(row)))
        if not row[id_index].strip() and not "".join(row).strip():
            continue  # a blank row, often trailing, from a spreadsheet
        lines.append(reader.line_num)
        for values, index in zip(columns, indexes, strict=True):
            values.append(row[index])
    arrays = {
        target: pa.array(values, pa.string())
        for target, values in zip(targets, columns, strict=True)
    }
    return pa.table(arrays), lines


def _check_ids(ids: list[str | None], place: Callable[[int], str], column: str, where: str) -> None:
    """Every id present and used once; ``place`` names a row ("line 7") for the message."""
    first_seen: dict[str, int] = {}
    for index, raw in enumerate(ids):
        value = raw.strip() if raw is not None else ""
        if not value:
            raise InvalidInput(
                f"the id column {column!r} is empty", where=f"{where}, {place(index)}"
            )
        earlier = first_seen.setdefault(value, index)
        if earlier != index:
            raise InvalidInput(
                f"id {value!r} (column {column!r}) was already used on {place(earlier)}",
                where=f"{where}, {place(index)}",
            )


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that prints nothing: stdout carries the command's CSV."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    return con


def _normalise(
    raw: pa.Table,
    fields: tuple[str, ...],
    extras: tuple[str, ...],
    where: str,
    dob_column: str | None,
) -> People:
    select = [f"row_number() over () - 1 as {_ROW_KEY}", f"trim({ID}) as {ID}"]
    select += [f"{FIELD_CLEANERS[field](quote(field))} as {field}" for field in fields]
    select += [f"{text(f'extra_{index}')} as extra_{index}" for index in range(len(extras))]
    with connect() as con:
        con.register("raw_people", raw)
        table = con.sql(f"select {', '.join(select)} from raw_people").to_arrow_table()
        if "dob" in fields:
            _check_dob_column(con, table, where, dob_column or "dob")
    return People(table, fields, extras, where)


def _check_dob_column(
    con: duckdb.DuckDBPyConnection, table: pa.Table, where: str, column: str
) -> None:
    con.register("normalised_people", table)
    [(given, read)] = con.sql(
        "select count(nullif(trim(r.dob), '')), count(n.dob) "
        "from raw_people r positional join normalised_people n"
    ).fetchall()
    if given and not read:
        raise InvalidInput(
            f"no value in the date-of-birth column {column!r} is a date in a known layout "
            "(YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY)",
            where=where,
        )
