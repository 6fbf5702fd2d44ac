"""Probabilistic record linkage (Fellegi–Sunter, with Splink on DuckDB) of person records.

Used by ``votetrail voters link`` on any file of person records, and by the
voter service for in-state duplicates and deceased-list matching. It reads
and returns; it never writes to the voter database.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from votetrail.linkage.model import DEFAULT_THRESHOLD
from votetrail.linkage.normalise import VOTER_FIELDS

if TYPE_CHECKING:
    from votetrail.linkage.people import People, people_from_rows, read_people
    from votetrail.linkage.run import Match, dedupe, link

# DuckDB, pyarrow and Splink take about half a second to import; every
# ``votetrail`` command imports this package for its option defaults, so the
# modules that need them load on first use only.
_LAZY = {
    "People": "people",
    "people_from_rows": "people",
    "read_people": "people",
    "Match": "run",
    "dedupe": "run",
    "link": "run",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "DEFAULT_THRESHOLD",
    "VOTER_FIELDS",
    "Match",
    "People",
    "dedupe",
    "link",
    "people_from_rows",
    "read_people",
]
