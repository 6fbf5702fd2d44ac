"""``votetrail backup`` and ``votetrail restore``: the whole office in one sealed file.

One format serves both backends: every table of the schema is read inside one
snapshot (SQLite: one read transaction, which WAL keeps stable while writers
go on; PostgreSQL: one REPEATABLE READ, READ ONLY transaction) and written as
JSON lines, so the backup never depends on ``pg_dump`` being installed or on
its version matching the server's. The data directory's files (uploaded
originals, publications, the voter-identifier key) are copied after the
snapshot: files are only ever added, so each file the snapshot names is there.
The signing key goes in only with ``include_signing_key``; without it, it must
be kept (and restored) separately, as docs/reliability.md says.

Everything is a tar stream sealed by ``formats.sealed`` under a passphrase.
A restore goes only into an empty database and an empty (or new) data
directory, runs the schema and every row in one transaction, and removes what
it wrote if anything fails, so a half-restored office cannot exist.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Connection, Engine, LargeBinary, Table, func, inspect, select, text

from votetrail.errors import ConfigurationError, InvalidInput
from votetrail.formats.sealed import SealedReader, SealedWriter
from votetrail.services.context import App, resolve_url
from votetrail.services.keys import KEY_FILE
from votetrail.store import db, ledger, migrate
from votetrail.store.models import METADATA

FORMAT = "votetrail-backup/1"
ROWS_PER_MEMBER = 20_000
_SKIPPED = ("votetrail.sqlite3", "votetrail.sqlite3-wal", "votetrail.sqlite3-shm")


@dataclass(frozen=True)
class BackupSummary:
    origin: str
    size: int
    rows: int
    files: int
    signing_key: bool


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    if db.is_postgres(engine):
        engine = engine.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    with engine.connect() as conn, conn.begin():
        yield conn


def _encode(row: Any, binary: list[bool]) -> list[Any]:
    return [
        base64.b64encode(value).decode() if is_bytes and value is not None else value
        for value, is_bytes in zip(row, binary, strict=True)
    ]


def _binary_columns(table: Table) -> list[bool]:
    return [isinstance(column.type, LargeBinary) for column in table.columns]


def _self_references(table: Table) -> list[tuple[int, int]]:
    """(child column, parent column) positions of foreign keys into the table itself."""
    names = [column.name for column in table.columns]
    return [
        (names.index(fk.parent.name), names.index(fk.column.name))
        for fk in table.foreign_keys
        if fk.column.table is table
    ]


def _parents_first(table: Table, rows: list[Any]) -> list[Any]:
    """Rows ordered so each row's parent (a state, a superseded publication) comes before it.

    Only small tables refer to themselves (jurisdictions, publications), so
    they are sorted whole; a restore then inserts them with foreign keys on.
    """
    links = _self_references(table)
    placed: set[tuple[int, Any]] = set()
    ordered: list[Any] = []
    waiting = rows
    while waiting:
        ready = [
            row
            for row in waiting
            if all(row[child] is None or (parent, row[child]) in placed for child, parent in links)
        ]
        if not ready:  # a cycle cannot be stored with foreign keys on; keep the rest as read
            ready = waiting
        for row in ready:
            ordered.append(row)
            placed.update((parent, row[parent]) for _, parent in links)
        waiting = [row for row in waiting if row not in ready]
    return ordered


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def _dump_tables(conn: Connection, archive: tarfile.TarFile) -> int:
    total = 0
    for number, table in enumerate(METADATA.sorted_tables):
        binary = _binary_columns(table)
        order = list(table.primary_key.columns) or list(table.columns)
        result = conn.execute(select(table).order_by(*order)).yield_per(ROWS_PER_MEMBER)
        partitions = result.partitions()
        if _self_references(table):
            partitions = iter([_parents_first(table, list(result))])
        for part, rows in enumerate(partitions):
            if not rows:
                continue
            lines = [json.dumps(_encode(row, binary), separators=(",", ":")) for row in rows]
            name = f"database/{number:03d}-{table.name}-{part:05d}.jsonl"
            _add(archive, name, ("\n".join(lines) + "\n").encode())
            total += len(lines)
    return total


def _data_files(data_dir: Path, include_signing_key: bool) -> Iterator[tuple[str, Path]]:
    for path in sorted(data_dir.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        relative = path.relative_to(data_dir).as_posix()
        if relative in _SKIPPED or path.suffix in (".tmp", ".new", ".rotating"):
            continue
        if relative == KEY_FILE and not include_signing_key:
            continue
        yield relative, path


def backup(app: App, output: Path, passphrase: str, *, include_signing_key: bool) -> BackupSummary:
    """Write a sealed snapshot of the database and data directory to ``output``."""
    if output.exists():
        raise InvalidInput("already exists; refusing to overwrite a backup", where=str(output))
    if output.resolve().is_relative_to(app.data_dir.resolve()):
        raise InvalidInput("must lie outside the data directory", where=str(output))
    partial = output.with_name(output.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise InvalidInput(f"cannot be written: {exc.strerror}", where=str(output)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            sealed = SealedWriter(handle, passphrase)
            with tarfile.open(fileobj=sealed, mode="w|gz") as archive:  # type: ignore[call-overload]
                with _snapshot(app.engine) as conn:
                    size, _root = ledger.head(conn)
                    revision = migrate.current_revision_on(conn)
                    manifest = {
                        "format": FORMAT,
                        "origin": app.origin,
                        "revision": revision,
                        "backend": app.engine.dialect.name,
                        "size": size,
                        "created": app.clock().isoformat(timespec="seconds"),
                        "signing_key": include_signing_key,
                    }
                    _add(archive, "manifest.json", json.dumps(manifest).encode())
                    rows = _dump_tables(conn, archive)
                files = 0
                for relative, path in _data_files(app.data_dir, include_signing_key):
                    archive.add(str(path), arcname=f"files/{relative}", recursive=False)
                    files += 1
            sealed.close()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupSummary(app.origin, size, rows, files, include_signing_key)


def _safe_member(name: str, backup_name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2:
        raise InvalidInput(f"member {name!r} has an unsafe path", where=backup_name)
    return "/".join(path.parts[1:])


def _read_manifest(archive: tarfile.TarFile, backup_name: str) -> dict[str, Any]:
    first = archive.next()
    stream = archive.extractfile(first) if first is not None else None
    if first is None or first.name != "manifest.json" or stream is None:
        raise InvalidInput(
            "has no manifest; it was not written by votetrail backup", where=backup_name
        )
    manifest: dict[str, Any] = json.loads(stream.read())
    if manifest.get("format") != FORMAT:
        raise InvalidInput(f"format {manifest.get('format')!r} is not {FORMAT}", where=backup_name)
    if manifest.get("revision") != migrate.head_revision():
        raise InvalidInput(
            f"was made at schema revision {manifest.get('revision')}, but this votetrail is at "
            f"{migrate.head_revision()}; restore it with the votetrail version that made it",
            where=backup_name,
        )
    return manifest


def _insert_rows(conn: Connection, table: Table, data: bytes) -> int:
    binary = _binary_columns(table)
    names = [column.name for column in table.columns]
    rows = []
    for line in data.decode("utf-8").splitlines():
        if not line:
            continue
        values = json.loads(line)
        rows.append(
            {
                name: base64.b64decode(value) if is_bytes and value is not None else value
                for name, value, is_bytes in zip(names, values, binary, strict=True)
            }
        )
    if rows:
        conn.execute(table.insert(), rows)
    return len(rows)


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL serial columns restart after the highest restored id."""
    if conn.dialect.name != "postgresql":
        return
    for table in METADATA.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        highest = conn.execute(select(func.max(column))).scalar()
        if highest is not None:
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                {"t": table.name, "c": column.name, "v": highest},
            )


@dataclass(frozen=True)
class RestoreSummary:
    origin: str
    size: int
    rows: int
    files: int
    signing_key: bool


def restore(
    source: Path, passphrase: str, data_dir: Path, database_url: str | None
) -> RestoreSummary:
    """Restore a sealed backup into an empty database and data directory, wholly or not at all."""
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise ConfigurationError(
            f"the data directory {data_dir} is not empty; restore only into a new, empty one"
        )
    created = not data_dir.exists()
    data_dir.mkdir(parents=True, exist_ok=True)
    engine: Engine | None = None
    try:
        engine = db.create(resolve_url(data_dir, database_url))
        _refuse_non_empty_database(engine)
        with source.open("rb") as handle:
            reader = SealedReader(handle, passphrase, str(source))
            return _restore_stream(reader, str(source), data_dir, engine)
    except OSError as exc:
        _undo(data_dir, created)
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(source)) from None
    except BaseException:
        _undo(data_dir, created)
        raise
    finally:
        if engine is not None:
            engine.dispose()


def _refuse_non_empty_database(engine: Engine) -> None:
    tables = inspect(engine).get_table_names()
    if tables:
        raise ConfigurationError(
            f"the database at {db.describe(str(engine.url))} already holds tables; "
            "restore only into an empty database"
        )


def _undo(data_dir: Path, created: bool) -> None:
    if not data_dir.is_dir():
        return
    if created:
        shutil.rmtree(data_dir, ignore_errors=True)
        return
    for child in data_dir.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _restore_stream(
    reader: SealedReader, name: str, data_dir: Path, engine: Engine
) -> RestoreSummary:
    tables = {table.name: table for table in METADATA.sorted_tables}
    rows = files = 0
    with tarfile.open(fileobj=reader, mode="r|gz") as archive:  # type: ignore[call-overload]
        manifest = _read_manifest(archive, name)
        with engine.execution_options(**{db.WRITE_OPTION: True}).begin() as conn:
            migrate.upgrade_on(conn)
            for member in archive:
                if member.name == "manifest.json":
                    continue  # read first, above; tar iteration starts over from it
                relative = _safe_member(member.name, name)
                stream = archive.extractfile(member) if member.isfile() else None
                if stream is None:
                    raise InvalidInput(f"member {member.name!r} is not a file", where=name)
                if member.name.startswith("database/"):
                    table_name = relative.split("-", 1)[1].rsplit("-", 1)[0]
                    table = tables.get(table_name)
                    if table is None:
                        raise InvalidInput(f"names an unknown table {table_name!r}", where=name)
                    rows += _insert_rows(conn, table, stream.read())
                elif member.name.startswith("files/"):
                    target = data_dir / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "wb") as out:
                        shutil.copyfileobj(stream, out)
                    files += 1
                else:
                    raise InvalidInput(f"member {member.name!r} is not expected", where=name)
            _reset_sequences(conn)
    return RestoreSummary(
        origin=str(manifest["origin"]),
        size=int(manifest["size"]),
        rows=rows,
        files=files,
        signing_key=bool(manifest.get("signing_key")),
    )
