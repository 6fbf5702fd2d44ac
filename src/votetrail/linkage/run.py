"""Training the model on the records themselves, scoring candidate pairs, and clustering.

Training is unsupervised and repeated on every input (there are no labels to
learn from, and each file has its own error rates): u probabilities come from
a seeded random sample of pairs, m probabilities from expectation maximisation
on a few blocking rules, and the prior (how likely two random records are the
same person) from the scored pairs themselves. The same input therefore always
yields the same pairs. How the pieces fit is in ``docs/linkage.md``.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from votetrail.errors import InvalidInput
from votetrail.linkage import model
from votetrail.linkage.clusters import Edge, Pair, cluster_pairs, find_components
from votetrail.linkage.model import DEFAULT_THRESHOLD
from votetrail.linkage.nicknames import GROUPS
from votetrail.linkage.people import People, connect

if TYPE_CHECKING:
    from votetrail.linkage.spark import SparkEngine

SEED = 20261129
_log = logging.getLogger(__name__)  # phase timings only, never data
_EQUAL_SIDES = re.compile(r"\bl\.(\w+) = r\.\1\b")

_PREDICT_FLOOR = 1e-4  # scored pairs kept below this add nothing to the prior's refit
_RECALL_OF_EXACT_RULES = 0.7
_U_SAMPLE_PAIRS = 1.5e6
_U_FLOOR = 0.1
_EM_PAIRS = 5e5
_EM_MIN_PAIRS = 50
_EM_MIN_MATCHES = 30
_IDENTIFIER_U = 1e-4  # an extra whose exact agreement is rarer than this among strangers
_COMPONENT_PAIR_BUDGET = 5_000_000  # within-cluster pairs scored for the cannot-link check
_PER_RULE_PAIRS, _MIN_PER_RULE = 10, 100_000
_TOTAL_PAIRS, _MIN_TOTAL = 40, 500_000


@dataclass(frozen=True)
class Match:
    """Two records the model judges to be the same person."""

    left_id: str
    right_id: str
    match_probability: float


@dataclass(frozen=True)
class _Job:
    """What is being matched: one table (dedupe) or the two sides of a link, as one table."""

    fields: tuple[str, ...]
    extras: tuple[tuple[str, str], ...]  # (column, display name)
    ids: list[str]  # by unique_id
    left_size: int  # unique_ids below this are the left side
    link: bool

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def total_pairs(self) -> int:
        if self.link:
            return self.left_size * (self.size - self.left_size)
        return self.size * (self.size - 1) // 2


def dedupe(
    people: People, *, threshold: float = DEFAULT_THRESHOLD, engine: SparkEngine | None = None
) -> list[Match]:
    """Pairs of records in ``people`` that are the same person (scored on Spark with ``engine``)."""
    _check_threshold(threshold)
    extras = tuple((people.extra_column(extra), extra) for extra in people.extras)
    job = _Job(people.fields, extras, people.ids(), len(people), link=False)
    if job.size < 2:
        return []
    _check_evidence(job, people.source, "it has")
    return _run(job, people.table, threshold, engine)


def link(
    left: People,
    right: People,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    engine: SparkEngine | None = None,
) -> list[Match]:
    """Pairs (one record from each side) that are the same person.

    Only what both sides record is compared: fields present on both, and
    extra attributes named alike on both.
    """
    _check_threshold(threshold)
    fields = tuple(field for field in left.fields if field in right.fields)
    shared = [extra for extra in left.extras if extra in right.extras]
    extras = tuple((f"extra_{index}", extra) for index, extra in enumerate(shared))
    if not left.table.num_rows or not right.table.num_rows:
        return []
    table = pa.concat_tables(
        [_project(left, fields, shared, 0), _project(right, fields, shared, left.table.num_rows)]
    )
    job = _Job(fields, extras, left.ids() + right.ids(), len(left), link=True)
    _check_evidence(job, right.source, "the two lists share")
    return _run(job, table, threshold, engine)


def _check_evidence(job: _Job, where: str, subject: str) -> None:
    """Refuse, in one sentence, a set of fields that cannot tell one person from another.

    With one identifying field (a surname, say) every "match" is only a shared
    surname; better to say which fields are needed than to print such pairs.
    """
    found = model.evidence(job.fields, [label for _, label in job.extras])
    if len(found) >= model.MIN_EVIDENCE:
        return
    needed = ", ".join(model.IDENTIFYING_FIELDS)
    raise InvalidInput(
        f"too few fields to tell people apart: linking needs at least {model.MIN_EVIDENCE} of "
        f"{needed} or an --extra column, and {subject} "
        + (f"only {', '.join(found)}" if found else "none of them"),
        where=where,
    )


def _check_threshold(threshold: float) -> None:
    if not 0 < threshold < 1:
        raise ValueError("the threshold is a probability strictly between 0 and 1")


def _project(people: People, fields: tuple[str, ...], extras: list[str], offset: int) -> pa.Table:
    columns = {
        "unique_id": pc.add(people.table.column("unique_id"), offset),
        "id": people.table.column("id"),
    }
    for field in fields:
        columns[field] = people.table.column(field)
    for index, extra in enumerate(extras):
        columns[f"extra_{index}"] = people.table.column(people.extra_column(extra))
    return pa.table(columns)


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink's progress and advice lines are not for a clerk (and must not leak data)."""
    logger = logging.getLogger("splink")
    before = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(before)


def _run(
    job: _Job, table: pa.Table, threshold: float, engine: SparkEngine | None = None
) -> list[Match]:
    with _quiet_splink(), connect() as con:
        with _phase("prepare"):
            _prepare(con, job, table)
        with _phase("choose rules"):
            rules = _choose_rules(con, job)
        with _phase("train"):
            linker, frame = _train(con, job, rules)
        with _phase("score"):
            if engine is None:
                edges, scores, twins = _score(con, job, linker, frame, threshold)
            else:  # trained here, scored on Spark (linkage/spark.py says why)
                from votetrail.linkage import spark

                edges, scores, twins = spark.score(con, job, linker, threshold, engine)
    with _phase("cluster"):
        clusters = cluster_pairs(edges, scores, twins)
        return [
            Match(job.ids[a], job.ids[b], probability)
            for a, b, probability in clusters
            if not job.link or (a < job.left_size) != (b < job.left_size)
        ]


@contextmanager
def _phase(name: str) -> Iterator[None]:
    """Log how long a step took (at INFO, off by default): bench_dedupe's profile at size."""
    start = time.perf_counter()
    try:
        yield
    finally:
        _log.info("phase %s: %.2f s", name, time.perf_counter() - start)


# -- preparing -------------------------------------------------------------------------------


def _prepare(con: duckdb.DuckDBPyConnection, job: _Job, table: pa.Table) -> None:
    """The input plus the blocking keys, word lists and nickname groups the model refers to."""
    con.register("people_raw", table)
    derived = [f"{sql} as {name}" for name, sql in model.derived_columns(job.fields).items()]
    words = [column for column in model.WORD_COLUMNS if column in job.fields]
    words += [column for column, _ in job.extras]
    derived += [f"string_split(p.{column}, ' ') as {column}_words" for column in words]
    side = f"(p.unique_id >= {job.left_size})::integer as side"
    columns = ", ".join(["p.*", side, *derived])
    if "first_name" not in job.fields:
        con.execute(f"create table people as select {columns} from people_raw p order by unique_id")
        return
    names = [(name, index) for index, group in enumerate(GROUPS) for name in group]
    nicknames = pa.table(
        {
            "name": pa.array([name for name, _ in names], pa.string()),
            "grp": pa.array([index for _, index in names], pa.int32()),
        }
    )
    con.register("nickname_groups", nicknames)
    con.execute(
        f"create table people as select {columns}, g.groups as first_groups "
        "from people_raw p left join (select name, list(grp order by grp) as groups "
        "from nickname_groups group by name) g on g.name = split_part(p.first_name, ' ', 1) "
        "order by p.unique_id"
    )


def _pairs_for(con: duckdb.DuckDBPyConnection, job: _Job, rule: model.Rule) -> int:
    """How many comparisons a rule makes, counted from group sizes without making them."""
    if not rule.columns:
        return job.total_pairs
    present = " and ".join(f"{column} is not null" for column in rule.columns)
    columns = list(rule.columns)
    keys_l = ", ".join(f"{column} as k{index}" for index, column in enumerate(columns))
    keys_r = ", ".join(
        f"{column} as k{index}"
        for index, column in enumerate(columns[::-1] if rule.swapped else columns)
    )
    if job.link:
        sql = (
            f"with l as (select {keys_l}, count(*) as n from people where side = 0 and {present} "
            f"group by all), r as (select {keys_r}, count(*) as n from people where side = 1 "
            f"and {present} group by all) "
            f"select coalesce(sum(l.n * r.n), 0) from l natural join r"
        )
    elif rule.swapped:
        a, b = rule.columns
        sql = (
            f"with g as (select {a} as x, {b} as y, count(*) as n from people where {present} "
            "group by all) "
            "select coalesce(sum(l.n * r.n), 0) / 2 from g l join g r on l.x = r.y and l.y = r.x"
        )
    else:
        sql = (
            "select coalesce(sum(n * (n - 1) / 2), 0) from "
            f"(select count(*) as n from people where {present} group by {', '.join(columns)})"
        )
    [(count,)] = con.sql(sql).fetchall()
    return int(count)


def _choose_rules(con: duckdb.DuckDBPyConnection, job: _Job) -> list[model.Rule]:
    """Every pair when that is affordable, otherwise the telling rules that fit the budget.

    A rule is skipped when it alone would compare more than ``_PER_RULE_PAIRS``
    pairs per record (a rule on a common surname alone in a big file), and
    rules stop being added once all together reach ``_TOTAL_PAIRS`` per record.
    """
    per_rule = max(_PER_RULE_PAIRS * job.size, _MIN_PER_RULE)
    total = max(_TOTAL_PAIRS * job.size, _MIN_TOTAL)
    if job.total_pairs <= total:
        return [model.Rule(())]
    candidates = model.candidate_rules(job.fields, [column for column, _ in job.extras])
    chosen: list[model.Rule] = []
    spent = 0
    for rule in candidates:
        pairs = _pairs_for(con, job, rule)
        if 0 < pairs <= per_rule and spent + pairs <= total:
            chosen.append(rule)
            spent += pairs
    return chosen or candidates[:1]


# -- training --------------------------------------------------------------------------------


def _first_prior(con: duckdb.DuckDBPyConnection, job: _Job) -> float:
    """A starting prior from near-certain rules; the scored pairs correct it later."""
    rules = [
        model.Rule(columns)
        for columns in (("first_name", "last_name", "dob"), ("email",), ("phone",))
        if set(columns) <= set(job.fields)
    ]
    if not rules:
        return 1 / max(job.size, 2)
    side = "l.side <> r.side" if job.link else "l.unique_id < r.unique_id"
    each = [
        f"select l.unique_id as a, r.unique_id as b from people l join people r "
        f"on {rule.sql()} and {side}"
        for rule in rules
    ]  # one hash join per rule: an OR of them would compare every pair
    [(found,)] = con.sql(f"select count(*) from ({' union '.join(each)})").fetchall()
    expected = max(int(found), 1) / _RECALL_OF_EXACT_RULES
    return min(expected / max(job.total_pairs, 1), 0.5)


def _train(con: duckdb.DuckDBPyConnection, job: _Job, rules: list[model.Rule]) -> tuple[Any, Any]:
    from splink import DuckDBAPI, Linker
    from splink.internals.exceptions import SplinkException

    settings = model.settings(job.fields, job.extras, rules, link=job.link)
    prior = _first_prior(con, job)
    settings["probability_two_random_records_match"] = prior
    db_api = DuckDBAPI(con)
    frame = db_api.register("people")
    linker = Linker(frame, settings, log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=_U_SAMPLE_PAIRS, seed=SEED)
    if prior * job.total_pairs < _EM_MIN_MATCHES:
        # A short death list against a county: a handful of true matches among
        # hundreds of thousands of pairs. EM would fit its "match" class to
        # something else (people who share a common name), so the starting m
        # values, which encode how often true matches agree, are kept.
        return linker, frame
    for rule in model.training_rules(job.fields, job.extras):
        pairs = _training_pairs(con, rule)
        if pairs < _EM_MIN_PAIRS:
            continue  # too few pairs to learn from: keep the starting m values
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule,
                estimate_without_term_frequencies=True,
                max_pairs=_EM_PAIRS if pairs > _EM_PAIRS else None,
            )
        except (SplinkException, ValueError):
            # EM did not converge to anything usable (or drove an m to zero, which
            # Splink refuses, as on a short death list): keep the values before it.
            continue
    return linker, frame


def _training_pairs(con: duckdb.DuckDBPyConnection, rule: str) -> int:
    """How many pairs a training rule blocks, from group sizes when it is plain equalities.

    Joining to count makes every pair: with 10,000,000 records a rule on the
    date of birth alone blocks over a billion, where grouping reads the table once.
    """
    columns = _EQUAL_SIDES.findall(rule)
    if not columns or rule != " and ".join(f"l.{column} = r.{column}" for column in columns):
        [(count,)] = con.sql(
            f"select count(*) from people l join people r on {rule} and l.unique_id < r.unique_id"
        ).fetchall()
        return int(count)
    present = " and ".join(f"{column} is not null" for column in columns)
    [(count,)] = con.sql(
        "select coalesce(sum(n * (n - 1) // 2), 0) from (select count(*) as n from people "
        f"where {present} group by {', '.join(columns)})"
    ).fetchall()
    return int(count)


# -- scoring ---------------------------------------------------------------------------------


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))


def _score(
    con: duckdb.DuckDBPyConnection, job: _Job, trained: Any, frame: Any, threshold: float
) -> tuple[list[Edge], dict[Pair, float], set[Pair]]:
    """Edges at the threshold, plus scores and twins inside the groups they could form."""
    from splink import Linker

    first = _settled_model(trained.misc.save_model_to_json())
    trained = Linker(frame, first, log_level=None)
    predictions = trained.inference.predict(threshold_match_probability=_PREDICT_FLOOR)
    prior = _refit_prior(
        con,
        predictions.physical_name,
        first["probability_two_random_records_match"],
        job.total_pairs,
    )
    settings = _uncontaminated(first, prior)
    linker = Linker(frame, settings, log_level=None)
    predictions = linker.inference.predict(threshold_match_probability=_PREDICT_FLOOR)
    prior = _refit_prior(
        con,
        predictions.physical_name,
        settings["probability_two_random_records_match"],
        job.total_pairs,
    )
    shift = _logit2(prior) - _logit2(settings["probability_two_random_records_match"])
    settings["probability_two_random_records_match"] = prior
    probability = f"1 / (1 + pow(2, -(match_weight + {shift})))"
    edges = [
        Edge(a, b, p)
        for a, b, p in con.sql(
            f"select unique_id_l, unique_id_r, {probability} as p "
            f"from {predictions.physical_name} where {probability} >= {threshold}"
        ).fetchall()
    ]
    scores, twins = _score_components(con, frame, settings, job, edges)
    return edges, scores, twins


def _settled(value: float) -> float:
    """``value`` to ten significant digits.

    DuckDB adds floating-point numbers in whatever order its threads finish,
    so EM's estimates can differ in the last bits from one run to the next;
    cut to ten digits, the same file always gets the same model, and so the
    same pairs in the same order.
    """
    return float(f"{value:.10g}")


def _settled_model(trained: dict[str, Any]) -> dict[str, Any]:
    settings = dict(trained)
    settings["probability_two_random_records_match"] = _settled(
        trained["probability_two_random_records_match"]
    )
    settings["comparisons"] = [
        {
            **comparison,
            "comparison_levels": [
                {
                    **level,
                    **{
                        key: _settled(level[key])
                        for key in ("m_probability", "u_probability")
                        if isinstance(level.get(key), float)
                    },
                }
                for level in comparison["comparison_levels"]
            ],
        }
        for comparison in trained["comparisons"]
    ]
    return settings


def _uncontaminated(trained: dict[str, Any], prior: float) -> dict[str, Any]:
    """The model with the true matches taken out of its u probabilities.

    u comes from random pairs, and a random pair is a match with probability
    ``prior``: the sample's share of pairs at a level is ``prior * m + (1 -
    prior) * u``. On a big file the correction is nil; on a small file full
    of duplicates the raw share overstates u (an exact e-mail agreement looks
    common because the duplicates agree) and undersells the evidence. The
    correction is capped (u never below ``_U_FLOOR`` of its sampled value) so
    an m or prior slightly off cannot make a level conclusive.
    """
    settings = dict(trained)
    settings["probability_two_random_records_match"] = prior
    comparisons = []
    for comparison in settings["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if m is not None and u is not None and not level.get("is_null_level"):
                cleaned = max((u - prior * m) / (1 - prior), u * _U_FLOOR)
                level = {**level, "u_probability": _settled(cleaned)}
            levels.append(level)
        comparisons.append({**comparison, "comparison_levels": levels})
    settings["comparisons"] = comparisons
    return settings


def _refit_prior(
    con: duckdb.DuckDBPyConnection, table: str, first_prior: float, total: int
) -> float:
    """The share of pairs that match, refitted to the scores until it agrees with them.

    The starting prior assumes exact rules find 70 % of matches; on noisy
    files they find far fewer, and every probability would come out too low.
    The expected number of matches is the sum of the match probabilities of
    the scored pairs, which depends on the prior: iterating the two to a fixed
    point is expectation maximisation of the prior alone, with m and u fixed.
    """

    def expected(shift: float) -> float:
        [(found,)] = con.sql(
            f"select coalesce(sum(1 / (1 + pow(2, -(match_weight + {shift})))), 0) from {table}"
        ).fetchall()
        return float(found)

    return refit_prior(expected, first_prior, total)


def refit_prior(expected_at: Callable[[float], float], first_prior: float, total: int) -> float:
    """The fixed point of ``_refit_prior``; ``expected_at(shift)`` sums the shifted probabilities.

    Apart from the engine that sums, so DuckDB and Spark refit alike.
    """
    first = _logit2(first_prior)
    prior = first_prior
    for _ in range(50):
        expected = expected_at(_logit2(prior) - first)
        refitted = _settled(min(max(float(expected), 1.0) / max(total, 1), 0.5))
        if abs(refitted - prior) <= 1e-4 * prior:
            return refitted
        prior = refitted
    return prior


def _score_components(
    con: duckdb.DuckDBPyConnection,
    frame: Any,
    settings: dict[str, Any],
    job: _Job,
    edges: list[Edge],
) -> tuple[dict[Pair, float], set[Pair]]:
    """Every pair inside each would-be group, scored, and the twins among them.

    Blocking compares only pairs that share something; a group grown by
    chaining also holds pairs nobody compared. Scoring all pairs inside each
    connected component at the threshold (smallest first, within
    ``_COMPONENT_PAIR_BUDGET``) lets clustering see when a chain joins people
    the model is sure differ. Twins are the first-name comparison's
    "different" level with the same surname and date of birth.
    """
    from splink import Linker

    pairs = component_pairs(job, edges)
    if not pairs:
        return {}, set()
    blocked = pa.table(
        {
            "match_key": pa.array(["0"] * len(pairs)),
            "join_key_l": pa.array([a for a, _ in pairs], pa.int64()),
            "join_key_r": pa.array([b for _, b in pairs], pa.int64()),
        }
    )
    checker = Linker(frame, {**settings, "retain_matching_columns": True}, log_level=None)
    checker.table_management.register_blocked_pairs_for_predict(
        frame.db_api.register(blocked, table_name="component_pairs")
    )
    scored = checker.inference.predict().physical_name
    scores: dict[Pair, float] = {}
    twins: set[Pair] = set()
    twin_sql = f"coalesce({model.twins_sql(job.fields, _identifiers(settings, job))}, false)"
    for a, b, probability, twin in con.sql(
        f"select unique_id_l, unique_id_r, match_probability, {twin_sql} from {scored}"
    ).fetchall():
        scores[(a, b)] = probability
        if twin:
            twins.add((a, b))
    return scores, twins


def component_pairs(job: _Job, edges: list[Edge]) -> list[Pair]:
    """The pairs inside would-be groups, smallest group first, within the budget."""
    pairs: list[Pair] = []
    for members in find_components(edges):
        new = [
            (a, b)
            for i, a in enumerate(members)
            for b in members[i + 1 :]
            if not job.link or (a < job.left_size) != (b < job.left_size)
        ]
        if len(pairs) + len(new) > _COMPONENT_PAIR_BUDGET:
            break
        pairs += new
    return pairs


def _identifiers(settings: dict[str, Any], job: _Job) -> list[str]:
    """Extra attributes on which strangers agree too rarely to be anything but one person."""
    found = []
    extras = {column for column, _ in job.extras}
    for comparison in settings["comparisons"]:
        column = comparison["output_column_name"]
        exact = comparison["comparison_levels"][1]
        if column in extras and exact.get("u_probability", 1.0) < _IDENTIFIER_U:
            found.append(column)
    return found
