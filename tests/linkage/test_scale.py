"""What lets a 10,000,000-record file through changes nothing a small file shows.

The CSV is streamed and turned into Arrow a batch at a time, ids are checked
in Arrow, training counts come from group sizes, and DuckDB gets a memory
share and a spill folder. Each is checked here against the plain way at a size
where the batches, blocks and groups are many.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest

from tests.bench_loader import load_bench
from votetrail.errors import InvalidInput
from votetrail.linkage import dedupe, people, people_from_rows, read_people, run
from votetrail.linkage.model import Rule, training_rules


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(people, "_ROWS_PER_BATCH", 3)
    monkeypatch.setattr(people, "_UTF8_BLOCK", 8)


def test_a_file_read_in_small_batches_is_the_file_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path / "people.csv",
        "\ufeffid,first_name,last_name,dob\r\n"
        'a,Ann,"Smith\r\nJones",1980-01-02\r\n'
        "b,Bob,Lee\r\n"
        "\r\n"
        "c,Cy,Ng,19800102\r\n"
        + "".join(f"d{index}, Dee ,Orr,01/02/1980\r\n" for index in range(10))
        + ",,,\r\n",
    )
    whole = read_people(path)
    small_batches(monkeypatch)
    batched = read_people(path)
    assert batched.table.equals(whole.table)
    assert batched.table.num_rows == 13
    assert batched.table.column("id").num_chunks == whole.table.column("id").num_chunks


def test_faults_past_the_first_batch_name_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_batches(monkeypatch)
    rows = "".join(f"r{index},Ann\n" for index in range(8))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(("id,first_name\n" + rows).encode() + b"x,Ren\xe9e\n")
    with pytest.raises(InvalidInput, match=r"bad\.csv, line 10: is not UTF-8"):
        read_people(bad)
    again = write(tmp_path / "again.csv", "id,first_name\n" + rows + "r3,Bo\n")
    with pytest.raises(InvalidInput, match=r"line 10: id 'r3' .* already used on line 5"):
        read_people(again)
    empty = write(tmp_path / "empty.csv", "id,first_name\n" + rows + " ,Bo\n")
    with pytest.raises(InvalidInput, match=r"line 10: the id column 'id' is empty"):
        read_people(empty)


def test_ids_alike_once_python_strips_them_are_one_id() -> None:
    # U+3000 and U+001C are white space to str.strip(); the Arrow check must agree.
    for spaced in ("r1\u3000", "\x1cr1"):
        with pytest.raises(InvalidInput, match=r"id 'r1' .* already used on record 1"):
            people_from_rows([{"id": "r1", "last_name": "Orr"}, {"id": spaced}])
    python_spaces = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
    assert python_spaces == people._PY_WHITESPACE


def test_training_pairs_from_group_sizes_equal_the_join() -> None:
    rows = load_bench("bench_dedupe").VoterGenerator(3).registrations(3000)[0]
    columns = load_bench("bench_dedupe").COLUMNS
    records = people_from_rows([dict(zip(columns, row, strict=True)) for row in rows])
    job = run._Job(records.fields, (), records.ids(), len(records), link=False)
    with people.connect() as con:
        run._prepare(con, job, records.table)
        rules = [*training_rules(job.fields), Rule(("dob", "zip")).sql(), "l.dob = r.zip"]
        for rule in rules:
            [(joined,)] = con.sql(
                f"select count(*) from people l join people r on {rule} "
                "and l.unique_id < r.unique_id"
            ).fetchall()
            assert run._training_pairs(con, rule) == joined > 0 or rule == "l.dob = r.zip"


def test_a_file_gives_the_pairs_its_rows_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The streamed reader, end to end, against the in-memory path that never reads a file."""
    bench = load_bench("bench_dedupe")
    path = tmp_path / "voters.csv"
    bench.write_voter_file(path, 1500, 11)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]
    monkeypatch.setattr(people, "_ROWS_PER_BATCH", 97)
    monkeypatch.setattr(people, "_UTF8_BLOCK", 4096)
    from_file = dedupe(read_people(path))
    assert from_file == dedupe(people_from_rows(rows))
    assert len(from_file) > 50


def test_duckdb_spills_to_the_temporary_folder_within_its_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with people.connect() as con:
        [(folder, limit)] = con.sql(
            "select current_setting('temp_directory'), current_setting('memory_limit')"
        ).fetchall()
        con.register("numbers", pa.table({"n": list(range(10))}))
        assert con.sql("select sum(n) from numbers").fetchall() == [(45,)]
    assert str(os.getpid()) in folder
    assert not folder.startswith(str(tmp_path))
    assert not (tmp_path / ".tmp").exists()
    assert limit.endswith("iB")
