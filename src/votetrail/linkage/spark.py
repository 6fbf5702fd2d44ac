"""Scoring on Spark, through Splink's Spark backend, for a list past one machine.

What grows with the square of a list is scoring candidate pairs; reading,
blocking-key preparation, choosing rules and training grow linearly or work on
fixed-size samples. So a Spark run prepares and trains exactly as the DuckDB
run does (same records, same seed, so the same m and u, cut to ten digits) and
hands the settled model to Spark, which scores every candidate pair, refits the
prior on the scored pairs and scores the pairs inside would-be groups. Training
on Spark instead would draw other random pairs for u (Spark's sampling is not
DuckDB's) and give another model; training where it is cheap keeps one model
for both engines, and the pairs match the DuckDB engine's (tested).

The model's SQL is written for DuckDB; ``to_spark_sql`` rewrites it for Spark
(with sqlglot, as Splink itself does), mapping the few functions Spark lacks
or names differently. Spark is imported only here, only when asked for: the
CLI must start fast, and pyspark is an optional extra (``votetrail[spark]``).
How to run it on a cluster is in ``docs/scaling.md``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

from votetrail.errors import ConfigurationError
from votetrail.linkage import model
from votetrail.linkage.clusters import Edge, Pair

if TYPE_CHECKING:
    import duckdb

    from votetrail.linkage.run import _Job

DEFAULT_MASTER = "local[*]"
_CONNECT_TIMEOUT = 5.0  # seconds to reach a standalone master before saying it is unreachable
_HAMMING_WIDTH = 10
_JARO_WINKLER = "votetrail_jaro_winkler"
_STANDALONE = re.compile(r"^spark://(?P<hosts>[^/]+)/?$")


@dataclass(frozen=True, eq=False)
class SparkEngine:
    """Score on Spark: on ``master``, or in ``session`` when the caller already has one.

    A session handed in (tests, a notebook on a cluster) is used as it is and
    left running; otherwise one is started for the run and stopped after it.
    """

    master: str = DEFAULT_MASTER
    session: Any = None
    shuffle_partitions: int | None = None


# -- the model's SQL in Spark's dialect ------------------------------------------------------


def _rewrite(node: exp.Expression) -> exp.Expression:
    """DuckDB functions Spark names differently, or lacks, as Spark expressions."""
    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.Anonymous(this=_JARO_WINKLER, expressions=[node.this, node.expression])
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="arrays_overlap", expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "hamming":
        left, right = node.expressions
        return _hamming(left, right)
    return node


def jaro_winkler_function() -> Callable[[str | None, str | None], float | None]:
    """DuckDB's ``jaro_winkler_similarity``, as a function Spark runs on its executors.

    Splink's jar has a ``jaro_winkler``, but it scores differently (0.54
    where DuckDB says 0.58 for "aberdeen" and "bradford"), which moves pairs
    across the 0.9 and 0.92 levels; this is the textbook Jaro (window half the
    longer string less one, half the transpositions) with Winkler's bonus of
    0.1 per shared leading character, up to four, above 0.7, as DuckDB
    computes it (the same value to the last bit or two). Built inside a
    function so Spark ships it by value: executors need no votetrail.
    """

    def jaro_winkler(left: str | None, right: str | None) -> float | None:
        if left is None or right is None:
            return None
        if not left or not right:
            return 0.0
        window = max(max(len(left), len(right)) // 2 - 1, 0)
        taken = [False] * len(right)
        matched = []
        for i, char in enumerate(left):
            for j in range(max(0, i - window), min(len(right), i + window + 1)):
                if not taken[j] and right[j] == char:
                    taken[j] = True
                    matched.append(char)
                    break
        common = len(matched)
        if not common:
            return 0.0
        in_right = [char for char, hit in zip(right, taken, strict=True) if hit]
        half = sum(a != b for a, b in zip(matched, in_right, strict=True)) // 2
        similarity = (common / len(left) + common / len(right) + (common - half) / common) / 3
        if similarity > 0.7:
            prefix = 0
            for a, b in zip(left[:4], right[:4], strict=False):
                if a != b:
                    break
                prefix += 1
            similarity += prefix * 0.1 * (1.0 - similarity)
        return similarity

    return jaro_winkler


def register_functions(session: Any) -> None:
    """Make the functions ``to_spark_sql`` calls that Spark lacks known to ``session``."""
    from pyspark.sql.types import DoubleType

    session.udf.register(_JARO_WINKLER, jaro_winkler_function(), DoubleType())


def _hamming(left: exp.Expression, right: exp.Expression) -> exp.Expression:
    """Positions at which two strings differ, for strings up to ``_HAMMING_WIDTH`` characters.

    The model measures Hamming distance on dates only (always ``YYYY-MM-DD``).
    Spelled out position by position rather than with ``filter(sequence(...))``,
    which Spark interprets row by row: that made scoring ten times slower.
    """
    a, b = left.sql(dialect="spark"), right.sql(dialect="spark")
    positions = " + ".join(
        f"if(substring({a}, {i}, 1) <> substring({b}, {i}, 1), 1, 0)"
        for i in range(1, _HAMMING_WIDTH + 1)
    )
    return exp.maybe_parse(
        f"if({a} is null or {b} is null, null, abs(length({a}) - length({b})) + {positions})",
        dialect="spark",
    )


def to_spark_sql(sql: str) -> str:
    """One of the model's DuckDB conditions (or expressions) as Spark SQL."""
    tree = sqlglot.parse_one(sql, read="duckdb").transform(_rewrite)
    return tree.sql(dialect="spark")


def spark_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """A trained model's settings with every SQL condition and blocking rule in Spark's dialect."""
    comparisons = [
        {
            **comparison,
            "comparison_levels": [
                level
                if level["sql_condition"] == "else"
                else {**level, "sql_condition": to_spark_sql(level["sql_condition"])}
                for level in comparison["comparison_levels"]
            ],
        }
        for comparison in settings["comparisons"]
    ]
    rules = [
        {"blocking_rule": to_spark_sql(rule["blocking_rule"]), "sql_dialect": "spark"}
        if isinstance(rule, dict)
        else to_spark_sql(rule)
        for rule in settings["blocking_rules_to_generate_predictions"]
    ]
    return {
        **settings,
        "sql_dialect": "spark",
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": rules,
    }


# -- the session -----------------------------------------------------------------------------


def _check_master(master: str) -> None:
    """A standalone master that does not answer is named at once, not after Spark's retries."""
    found = _STANDALONE.match(master)
    if found is None:
        return
    for host_port in found["hosts"].split(","):
        host, _, port = host_port.rpartition(":")
        if not host or not port.isdigit():
            raise ConfigurationError(f"--spark-master {master}: write it as spark://HOST:PORT")
        try:
            with socket.create_connection((host, int(port)), timeout=_CONNECT_TIMEOUT):
                return
        except OSError:
            continue
    raise ConfigurationError(
        f"--spark-master {master}: no Spark master answers there "
        f"(tried for {_CONNECT_TIMEOUT:.0f} s); is the cluster up and the address right?"
    )


def preflight(master: str) -> None:
    """Fail before any work when pyspark or Java is missing or the master does not answer."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ConfigurationError(
            "--engine spark needs pyspark, which is not installed: "
            "pip install 'votetrail[spark]' (and Java 17 or later)"
        ) from None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ConfigurationError(
            "--engine spark needs Java 17 or later: install it or set JAVA_HOME"
        )
    _check_master(master)


def start_session(master: str, *, shuffle_partitions: int | None = None) -> Any:
    """A Spark session on ``master`` with Splink's similarity functions loaded, or a clear error.

    In a process that already runs a session, Spark hands that one back, whatever ``master``.
    """
    preflight(master)
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise ConfigurationError(f"--engine spark: pyspark is unusable: {exc}") from None
    builder = (
        SparkSession.builder.master(master)
        .appName("votetrail dedupe")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.showConsoleProgress", "false")
    )
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # Java gateway, master URL or resource errors, all from the JVM
        raise ConfigurationError(
            f"--spark-master {master}: Spark did not start: {_first_line(exc)}"
        ) from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


@contextmanager
def _session(engine: SparkEngine) -> Iterator[Any]:
    if engine.session is not None:
        yield engine.session
        return
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    session = start_session(engine.master, shuffle_partitions=engine.shuffle_partitions)
    try:
        yield session
    finally:
        if session is not running:  # a session someone else started stays up
            with suppress(Exception):
                session.stop()


# -- scoring ---------------------------------------------------------------------------------


def score(
    con: duckdb.DuckDBPyConnection, job: _Job, trained: Any, threshold: float, engine: SparkEngine
) -> tuple[list[Edge], dict[Pair, float], set[Pair]]:
    """What ``run._score`` finds, with every pair scored on Spark."""
    from splink import Linker

    from votetrail.linkage import run

    first = run._settled_model(trained.misc.save_model_to_json())
    table = con.table("people").to_arrow_table()
    with _session(engine) as session:
        from splink.backends.spark import SparkAPI
        from splink.internals.misc import threshold_args_to_match_weight

        db_api = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=session, break_lineage_method="persist"
        )
        frame = db_api.register(table)

        register_functions(session)
        floor = threshold_args_to_match_weight(run._PREDICT_FLOOR, None)

        def predict(settings: dict[str, Any]) -> str:
            linker = Linker(frame, spark_settings(settings), log_level=None)
            # The floor is applied here, not by predict(): Spark would push Splink's filter
            # into the join and compute every comparison twice, once to filter, once to keep.
            found = linker.inference.predict()
            kept = (
                found.as_spark_dataframe()
                .where(f"match_weight >= {floor}")
                .select("unique_id_l", "unique_id_r", "match_weight")
                .persist()
            )  # read again and again by the prior's refit: kept in memory once
            kept.count()
            name = f"{found.physical_name}_weights"
            kept.createOrReplaceTempView(name)
            return name

        def expected(scored: str) -> Callable[[float], float]:
            def at(shift: float) -> float:
                [row] = session.sql(
                    f"select coalesce(sum(1 / (1 + power(2, -(match_weight + {shift})))), 0) "
                    f"from {scored}"
                ).collect()
                return float(row[0])

            return at

        prior = run.refit_prior(
            expected(predict(first)), first["probability_two_random_records_match"], job.total_pairs
        )
        settings = run._uncontaminated(first, prior)
        scored = predict(settings)
        prior = run.refit_prior(
            expected(scored), settings["probability_two_random_records_match"], job.total_pairs
        )
        shift = run._logit2(prior) - run._logit2(settings["probability_two_random_records_match"])
        settings["probability_two_random_records_match"] = prior
        probability = f"1 / (1 + power(2, -(match_weight + {shift})))"
        edges = [
            Edge(int(row[0]), int(row[1]), float(row[2]))
            for row in session.sql(
                f"select unique_id_l, unique_id_r, {probability} as p "
                f"from {scored} where {probability} >= {threshold}"
            ).collect()
        ]
        scores, twins = _score_components(session, frame, settings, job, edges)
    return edges, scores, twins


def _score_components(
    session: Any, frame: Any, settings: dict[str, Any], job: _Job, edges: list[Edge]
) -> tuple[dict[Pair, float], set[Pair]]:
    """``run._score_components`` on Spark: every pair inside each would-be group, and its twins."""
    from splink import Linker

    from votetrail.linkage import run

    pairs = run.component_pairs(job, edges)
    if not pairs:
        return {}, set()
    blocked = pa.table(
        {
            "match_key": pa.array(["0"] * len(pairs)),
            "join_key_l": pa.array([a for a, _ in pairs], pa.int64()),
            "join_key_r": pa.array([b for _, b in pairs], pa.int64()),
        }
    )
    checker = Linker(
        frame, spark_settings({**settings, "retain_matching_columns": True}), log_level=None
    )
    checker.table_management.register_blocked_pairs_for_predict(
        frame.db_api.register(blocked)  # a fresh name: the session may outlive this run
    )
    scored = checker.inference.predict().physical_name
    twin = to_spark_sql(
        f"coalesce({model.twins_sql(job.fields, run._identifiers(settings, job))}, false)"
    )
    scores: dict[Pair, float] = {}
    twins: set[Pair] = set()
    for row in session.sql(
        f"select unique_id_l, unique_id_r, match_probability, {twin} from {scored}"
    ).collect():
        pair = (int(row[0]), int(row[1]))
        scores[pair] = float(row[2])
        if row[3]:
            twins.add(pair)
    return scores, twins
