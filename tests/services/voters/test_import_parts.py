"""A voter file read in parts by helper processes loads exactly as read in one stream (issue 21).

Two copies of the same demo state (the same keys, the same log) load the same
file at the same instant, one reading it in parts and one in a single stream;
every stored row, every log entry and the import's root must be the same. Only
the sealed identifiers differ (each is sealed under a fresh nonce), so they are
compared opened: the version hashes cover the ciphertext, so for the test of
identical hashes and roots the helpers run as threads of this process, where
each voter's nonces can be made a function of their id. Errors must name the
same file, line and column either way, with real helper processes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import signal
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, select

from tests.databases import _admin
from votetrail.core.voters.record import Protected
from votetrail.errors import InvalidInput
from votetrail.formats.voters import delimited
from votetrail.formats.voters.delimited import PRESETS, file_parts
from votetrail.services.context import App, open_app
from votetrail.services.directory import principal
from votetrail.services.setup import load_demo
from votetrail.services.verify import verify
from votetrail.services.voters import imports, pii
from votetrail.services.voters.files import import_file
from votetrail.services.voters.records import pii_keys
from votetrail.store.models import (
    CHECKPOINTS,
    LEDGER_ENTRIES,
    LEDGER_NODES,
    VOTER_BUCKETS,
    VOTER_IMPORTS,
    VOTER_MAP,
    VOTER_VERSIONS,
    VOTERS,
)

HEADER = (
    "voter_id,county,first_name,middle_name,last_name,suffix,residence_street,residence_city,"
    "residence_state,residence_zip,mailing_street,mailing_city,mailing_state,mailing_zip,"
    "precinct,ballot_style,party,gender,status_reason,status,registered_on,dob,ssn4,"
    "drivers_license"
)
SEALED = (("dob", "dob"), ("ssn4", "ssn4"), ("dl", "drivers_license"))


def _line(n: int) -> str:
    county = ("adams", "Baker County", "clark")[n % 3]
    mailing = f"PO BOX {n},RIVERTON,CO,80002" if n % 4 == 0 else ",,,"
    status = ("active", "inactive", "active", "ACTIVE")[n % 4]
    return (
        f"CO{n:07d},{county},NAME{n % 17},{'AB'[n % 2]},LAST{n % 23},{'JR' if n % 11 == 0 else ''},"
        f"{n} MAIN ST,SPRINGFIELD,CO,8000{n % 10},{mailing},P-{n % 7},BS-{n % 3},"
        f"{('DEM', 'REP', 'UNA')[n % 3]},{'FMX'[n % 3]},,{status},"
        f"{2000 + n % 20}-0{1 + n % 9}-1{n % 10},19{50 + n % 40}-1{n % 3}-2{n % 8},"
        f"{f'{n % 10000:04d}' if n % 2 else ''},{f'D{n:08d}' if n % 3 == 0 else ''}"
    )


def write(
    path: Path, count: int, *, blank_every: int = 0, lines: dict[int, str] | None = None
) -> Path:
    """A votetrail-layout file; ``blank_every`` puts blank lines in, ``lines`` replaces records."""
    out = [HEADER]
    for n in range(count):
        out.append((lines or {}).get(n, _line(n)))
        if blank_every and n % blank_every == blank_every - 1:
            out.append("")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Helpers and parts for a file of a few dozen lines, as for millions."""
    monkeypatch.setattr(imports, "PARALLEL_FROM", 0)
    monkeypatch.setattr(imports, "CHUNK", 7)
    monkeypatch.setattr(delimited, "PART_LINES", 7)


@pytest.fixture
def same_nonces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Helpers as threads, and each voter's nonces from their id: two loads seal alike."""

    def threads(expected: int | None, workers: int = 1) -> Executor:
        return ThreadPoolExecutor(max_workers=workers)

    def protect_all(
        self: pii.PiiKeys, voter_id: str, dob: str, ssn4: str, drivers_license: str
    ) -> tuple[Protected, Protected, Protected]:
        nonces = hashlib.shake_256(voter_id.encode()).digest(36)
        values = (("dob", dob), ("ssn4", ssn4), ("drivers_license", drivers_license))
        sealed = [
            self.protect(kind, voter_id, value, nonces[12 * n : 12 * n + 12])
            if value
            else Protected()
            for n, (kind, value) in enumerate(values)
        ]
        return sealed[0], sealed[1], sealed[2]

    monkeypatch.setattr(imports, "_executor", threads)
    monkeypatch.setattr(pii.PiiKeys, "protect_all", protect_all)


@pytest.fixture
def twins(tmp_path: Path, database_url: str | None) -> Iterator[tuple[App, App]]:
    """Two copies of one demo state at the same clock: same keys, same log, same database."""
    first_dir = tmp_path / "first"
    load_demo(first_dir, database_url, with_election=False).engine.dispose()
    second_dir = tmp_path / "second"
    shutil.copytree(first_dir, second_dir)
    second_url = database_url
    if database_url is not None:
        server, name = database_url.rsplit("/", 1)
        second_url = f"{server}/{name}_twin"
        with _admin(server) as conn:
            conn.execute(f'CREATE DATABASE "{name}_twin" TEMPLATE "{name}"')
    at = datetime.now(UTC) + timedelta(seconds=1)  # after the demo's own entries, for verify
    apps = tuple(
        dataclasses.replace(open_app(folder, url), clock=lambda: at)
        for folder, url in ((first_dir, database_url), (second_dir, second_url))
    )
    try:
        yield apps[0], apps[1]
    finally:
        for app in apps:
            app.engine.dispose()
        if database_url is not None:
            server, name = database_url.rsplit("/", 1)
            with _admin(server) as conn:
                conn.execute(f'DROP DATABASE "{name}_twin" WITH (FORCE)')


def _rows(app: App, table: Table, *order: str) -> list[tuple[Any, ...]]:
    with app.engine.connect() as conn:
        query = select(table).order_by(*(table.c[name] for name in order))
        return [tuple(row) for row in conn.execute(query)]


def _voters(app: App) -> list[dict[str, Any]]:
    """Every stored voter column; the sealed identifiers opened, as their nonces differ."""
    keys = pii_keys(app)
    out = []
    with app.engine.connect() as conn:
        for row in conn.execute(select(VOTERS).order_by(VOTERS.c.voter_id)):
            values = dict(row._mapping)
            for column, kind in SEALED:
                sealed = values.pop(f"{column}_sealed")
                protected = Protected(values[f"{column}_mac"], sealed)
                values[column] = keys.reveal(kind, values["voter_id"], protected)
            out.append(values)
    return out


def _load(app: App, path: Path, *, in_parts: bool) -> imports.ImportResult:
    admin = principal(app, "state-admin")
    assert admin is not None
    return import_file(app, admin, path, in_parts=in_parts)


@pytest.mark.parametrize("blank_every", [0, 5])
def test_parts_and_stream_store_the_same_rows_log_and_root(
    twins: tuple[App, App], tmp_path: Path, small_parts: None, same_nonces: None, blank_every: int
) -> None:
    parts_app, stream_app = twins
    path = write(tmp_path / "statewide.csv", 60, blank_every=blank_every)
    found = file_parts(path, PRESETS["votetrail"])
    assert found is not None
    assert len(found) > 5
    by_parts = _load(parts_app, path, in_parts=True)
    by_stream = _load(stream_app, path, in_parts=False)
    assert by_parts == by_stream
    assert by_parts.records == 60
    assert _rows(parts_app, VOTERS, "voter_id") == _rows(stream_app, VOTERS, "voter_id")
    assert _voters(parts_app) == _voters(stream_app)
    assert {v["dob"] for v in _voters(parts_app)} != {""}  # identifiers were really compared
    assert_same_tables(parts_app, stream_app)
    assert verify(parts_app).ok


LOADED_TABLES = (
    (VOTERS, "voter_id"),
    (VOTER_VERSIONS, "voter_id", "version"),
    (VOTER_IMPORTS, "id"),
    (VOTER_BUCKETS, "bucket"),
    (VOTER_MAP, "id"),
    (LEDGER_ENTRIES, "seq"),
    (LEDGER_NODES, "level", "idx"),
    (CHECKPOINTS, "size"),
)
"""Every table a voter load writes, with the columns that order its rows."""


def assert_same_tables(first: App, second: App) -> None:
    """Two twins hold the same rows in every table a voter load writes, log included."""
    for table, *order in LOADED_TABLES:
        assert _rows(first, table, *order) == _rows(second, table, *order), table.name


def test_helper_processes_store_what_the_stream_stores(
    twins: tuple[App, App], tmp_path: Path, small_parts: None
) -> None:
    """Real helper processes: the same voters, identifiers and versions but for the nonces."""
    parts_app, stream_app = twins
    path = write(tmp_path / "statewide.csv", 45, blank_every=4)
    assert _load(parts_app, path, in_parts=True).records == 45
    _load(stream_app, path, in_parts=False)
    assert _voters(parts_app) == [
        {**v, "version_hash": p["version_hash"]}
        for v, p in zip(_voters(stream_app), _voters(parts_app), strict=True)
    ]
    hashless = [
        row[:8] + row[9:] for row in _rows(parts_app, VOTER_VERSIONS, "voter_id", "version")
    ]
    assert hashless == [
        row[:8] + row[9:] for row in _rows(stream_app, VOTER_VERSIONS, "voter_id", "version")
    ]
    assert verify(parts_app).ok


@pytest.mark.parametrize(
    ("number", "bad", "message"),
    [
        (23, _line(23).replace("2003-06-13", "2003/06/13"), "column registered_on: not a date"),
        (31, _line(3), "appears twice (first on line 5)"),
        (39, _line(39).replace(",adams,", ",denver,"), "is not a county of this state"),
        (12, _line(12).replace(",LAST12,", ",,"), "column last_name: is empty"),
        (50, _line(50) + ",extra", "columns but the votetrail layout has 24"),
    ],
)
def test_an_error_names_the_same_line_and_column_either_way(
    demo_app: App, tmp_path: Path, small_parts: None, number: int, bad: str, message: str
) -> None:
    path = write(tmp_path / "bad.csv", 60, blank_every=9, lines={number: bad})
    seen = []
    for in_parts in (True, False):
        with pytest.raises(InvalidInput) as caught:
            _load(demo_app, path, in_parts=in_parts)
        seen.append(str(caught.value))
    assert seen[0] == seen[1]
    assert message in seen[0]
    assert seen[0].startswith(f"{path}:")
    with demo_app.engine.connect() as conn:
        assert conn.execute(select(VOTERS.c.voter_id).limit(1)).first() is None


def test_a_bad_byte_is_named_by_its_line_either_way(
    demo_app: App, tmp_path: Path, small_parts: None
) -> None:
    path = write(tmp_path / "latin1.csv", 40)
    data = path.read_bytes().replace(b"NAME4,", b"NAM\xc9,", 1)
    path.write_bytes(data)
    seen = []
    for in_parts in (True, False):
        with pytest.raises(InvalidInput) as caught:
            _load(demo_app, path, in_parts=in_parts)
        seen.append(str(caught.value))
    assert seen[0] == seen[1] == f"{path}:6: is not UTF-8 text; save the file as UTF-8"


def test_files_that_cannot_be_cut_at_line_ends_are_read_in_one_stream(
    demo_app: App, tmp_path: Path, small_parts: None
) -> None:
    quoted = write(
        tmp_path / "quoted.csv", 20, lines={4: _line(4).replace("4 MAIN ST", '"4\nMAIN"')}
    )
    assert file_parts(quoted, PRESETS["votetrail"]) is None
    lone_cr = tmp_path / "lone-cr.csv"
    lone_cr.write_bytes(write(tmp_path / "plain.csv", 20).read_bytes().replace(b"\n", b"\r", 3))
    assert file_parts(lone_cr, PRESETS["votetrail"]) is None
    assert file_parts(tmp_path / "plain.csv", PRESETS["votetrail"]) is not None
    new = dataclasses.replace(PRESETS["votetrail"], new_registrations=True)
    assert file_parts(tmp_path / "plain.csv", new) is None
    assert _load(demo_app, quoted, in_parts=True).records == 20
    with demo_app.engine.connect() as conn:
        street = conn.execute(
            select(VOTERS.c.res_street).where(VOTERS.c.voter_id == "CO0000004")
        ).scalar_one()
    assert street == "4\nMAIN"


def test_a_header_only_file_is_refused_the_same_way(
    demo_app: App, tmp_path: Path, small_parts: None
) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(HEADER.replace("last_name,", "") + "\n", encoding="utf-8")
    seen = []
    for in_parts in (True, False):
        with pytest.raises(InvalidInput) as caught:
            _load(demo_app, path, in_parts=in_parts)
        seen.append(str(caught.value))
    assert seen[0] == seen[1]
    assert "last_name" in seen[0]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_every_part_reader_ends_when_the_import_is_killed() -> None:
    """Both helpers that read parts, not only the first, end with a SIGKILLed command."""
    reader, writer = os.pipe()
    command = os.fork()
    if command == 0:  # stands for the command: starts the helpers, then is killed mid-import
        try:
            os.close(reader)
            executor = imports._executor(None, imports.PART_WORKERS)
            assert executor is not None
            started = [executor.submit(os.getpid) for _ in range(imports.PART_WORKERS)]
            for future in started:
                future.result(timeout=60)
            pids = set(executor._processes)  # type: ignore[attr-defined]
            for _ in range(imports.PART_WORKERS):
                executor.submit(time.sleep, 60)
            os.write(writer, (" ".join(map(str, sorted(pids))) + "\n").encode())
            time.sleep(60)
        finally:
            os._exit(1)
    os.close(writer)
    with os.fdopen(reader, encoding="ascii") as pipe:
        helpers = [int(pid) for pid in pipe.readline().split()]
    assert len(helpers) == imports.PART_WORKERS
    assert all(_alive(pid) for pid in helpers)
    os.kill(command, signal.SIGKILL)
    os.waitpid(command, 0)
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not any(_alive(pid) for pid in helpers), "a helper outlived the killed import"
    finally:
        for pid in helpers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_windows_line_ends_are_cut_into_parts_and_load_as_the_stream_does(
    demo_app: App, tmp_path: Path, small_parts: None
) -> None:
    """County exports from Windows end lines in CR LF; they must not fall back to one stream."""
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(write(tmp_path / "plain.csv", 20).read_bytes().replace(b"\n", b"\r\n"))
    parts = file_parts(crlf, PRESETS["votetrail"])
    assert parts is not None
    assert len(parts) > 1
    assert parts[-1].end == crlf.stat().st_size
    assert _load(demo_app, crlf, in_parts=True).records == 20
    with demo_app.engine.connect() as conn:
        streets = conn.execute(select(VOTERS.c.res_street).order_by(VOTERS.c.voter_id)).scalars()
        assert not any("\r" in street for street in streets)
