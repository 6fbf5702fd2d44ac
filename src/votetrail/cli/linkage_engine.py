"""``--engine`` and ``--spark-master``: where the linkage commands score their pairs.

Shared by ``voters link`` and ``voters dedupe``. Spark is named here only as
text: the module that talks to it is imported when ``--engine spark`` is
given, so no other command (and no ``--help``) pays for it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from votetrail.errors import InvalidInput

if TYPE_CHECKING:
    from votetrail.linkage.spark import SparkEngine

LOCAL_MASTER = "local[*]"


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


EngineOption = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help="Score pairs on DuckDB (this machine) or on Spark (a cluster, or local mode); "
        "the model is trained on DuckDB either way.",
    ),
]
SparkMaster = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="Spark master URL for --engine spark (spark://HOST:PORT, yarn, local[N]).",
        show_default=LOCAL_MASTER,
    ),
]


def spark_engine(engine: Engine, master: str | None) -> SparkEngine | None:
    """The Spark engine the options ask for, or None for DuckDB."""
    if engine is Engine.duckdb:
        if master is not None:
            raise InvalidInput("--spark-master is only for --engine spark")
        return None
    from votetrail.linkage.spark import SparkEngine, preflight

    preflight(master or LOCAL_MASTER)  # before reading and training, not after
    return SparkEngine(master=master or LOCAL_MASTER)
