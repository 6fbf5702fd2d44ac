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
import logging
import os
import tempfile
import time
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from votetrail.errors import InvalidInput
from votetrail.linkage.normalise import FIELD_CLEANERS, VOTER_FIELDS, quote, text

if TYPE_CHECKING:
    from _csv import Reader as _CsvReader

ID = "id"
_log = logging.getLogger(__name__)  # phase timings only (the bench reads them), never data
_ROW_KEY = "unique_id"
_PARQUET_MAGIC = b"PAR1"
_SNIFF_BYTES = 65536
_DELIMITERS = ",;\t|"
_UTF8_BLOCK = 1 << 22
_ROWS_PER_BATCH = 100_000
_DUCKDB_MEMORY_SHARE = 0.3
_PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""What ``str.strip()`` removes, so Arrow trims ids exactly as the Python check does."""


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
    start = time.perf_counter()
    where = str(path)
    if _is_parquet(path):
        columns = _parquet_columns(path)
        plan = _Plan.make(columns, id_column, mapping or {}, extras, where)
        raw = _read_parquet(path, plan, where)
        _check_ids(raw.column(ID), lambda index: f"row {index + 1}", id_column, where)
    else:
        header, reader, handle = _open_csv(path)
        with handle:
            plan = _Plan.make(header, id_column, mapping or {}, extras, where)
            raw, lines = _read_csv_rows(header, reader, plan, where)
        _check_ids(raw.column(ID), lambda index: f"line {lines[index]}", id_column, where)
    people = _normalise(raw, plan.fields, tuple(plan.extras), where, plan.dob_column)
    _log.info("phase read: %.2f s", time.perf_counter() - start)
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
    _check_ids(raw.column(ID), lambda index: f"record {index + 1}", ID, "records")
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


def _open_csv(path: Path) -> tuple[list[str], _CsvReader, TextIO]:
    """The header and a reader over the rest, streamed from the file.

    The file is checked to be UTF-8 first, a block at a time, so a bad byte is
    reported before any CSV fault as when the whole file was decoded at once,
    but a 10,000,000-row file is never held as one string.
    """
    _check_utf8(path)
    with path.open(encoding="utf-8-sig", newline="\n") as handle:
        sample = handle.read(_SNIFF_BYTES)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    # newline="\n" splits lines as a string read whole would, so line numbers do not change.
    handle = path.open(encoding="utf-8-sig", newline="\n")  # the caller closes it
    reader = csv.reader(handle, delimiter=delimiter, skipinitialspace=True)
    try:
        header = next(reader)
        header = [column.strip() for column in header]
        seen: set[str] = set()
        for column in header:
            if column in seen:
                raise InvalidInput(
                    f"the header names column {column!r} twice", where=f"{path}, line 1"
                )
            seen.add(column)
    except StopIteration:
        handle.close()
        raise InvalidInput("is empty", where=str(path)) from None
    except csv.Error:
        handle.close()
        raise InvalidInput("is not valid CSV", where=f"{path}, line 1") from None
    except BaseException:
        handle.close()
        raise
    return header, reader, handle


def _check_utf8(path: Path) -> None:
    """Refuse a file that is not UTF-8, naming the line of the first bad byte.

    Blocks end at a line break, which never falls inside a UTF-8 sequence, so
    each block decodes on its own.
    """
    lines = 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(_UTF8_BLOCK):
                block += handle.readline()
                try:
                    block.decode("utf-8")
                except UnicodeDecodeError as exc:
                    line = lines + block.count(b"\n", 0, exc.start) + 1
                    raise InvalidInput("is not UTF-8 text", where=f"{path}, line {line}") from None
                lines += block.count(b"\n")
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None


def _read_csv_rows(
    header: list[str], reader: _CsvReader, plan: _Plan, where: str
) -> tuple[pa.Table, array[int]]:
    """The planned columns as Arrow text, and each kept row's line for messages.

    Rows become Arrow arrays a batch at a time: as Python strings a
    10,000,000-row file would take several times the memory of its Arrow form.
    """
    width = len(header)
    targets = list(plan.sources)
    indexes = [header.index(plan.sources[target]) for target in targets]
    id_index = indexes[0]
    columns: list[list[str]] = [[] for _ in targets]
    batches: list[list[pa.Array]] = [[] for _ in targets]
    lines: array[int] = array("q")
    try:
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
            if len(columns[0]) >= _ROWS_PER_BATCH:
                _to_arrow(columns, batches)
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=where) from None
    _to_arrow(columns, batches)
    arrays = {
        target: pa.concat_arrays(parts) for target, parts in zip(targets, batches, strict=True)
    }
    return pa.table(arrays), lines


def _to_arrow(columns: list[list[str]], batches: list[list[pa.Array]]) -> None:
    for values, parts in zip(columns, batches, strict=True):
        parts.append(pa.array(values, pa.string()))
        values.clear()


def _check_ids(ids: pa.ChunkedArray, place: Callable[[int], str], column: str, where: str) -> None:
    """Every id present and used once; ``place`` names a row ("line 7") for the message.

    Arrow answers "all present and distinct" for the usual good file without
    a Python string per id; only a file with a fault is walked in Python, to
    name the first bad row as before.
    """
    trimmed = pc.utf8_trim(ids, characters=_PY_WHITESPACE)
    if (
        trimmed.null_count == 0
        and not pc.any(pc.equal(trimmed, "")).as_py()
        and pc.count_distinct(trimmed).as_py() == len(trimmed)
    ):
        return
    first_seen: dict[str, int] = {}
    for index, raw in enumerate(ids.to_pylist()):
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
    """An in-memory DuckDB that prints nothing: stdout carries the command's CSV.

    DuckDB would take 80 % of the machine's memory and spill into ``.tmp`` in
    the caller's working folder; a 10,000,000-record run also holds its Arrow
    tables, ids and pairs in Python, so DuckDB gets a smaller share and spills
    (past it) into the system's temporary folder, which it empties on close.
    """
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(f"set memory_limit = '{_duckdb_memory_mb()}MB'")
    spill = Path(tempfile.gettempdir()) / f"votetrail-duckdb-{os.getpid()}"
    con.execute("set temp_directory = ?", [str(spill)])
    return con


def _duckdb_memory_mb() -> int:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX: DuckDB's own default share
        total = 8 << 30
    return max(int(total * _DUCKDB_MEMORY_SHARE) >> 20, 512)


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
