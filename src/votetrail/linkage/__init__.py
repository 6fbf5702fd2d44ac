"""Probabilistic record linkage (Fellegi–Sunter, with Splink on DuckDB) of person records.

Used by ``votetrail voters link`` on any file of person records, and by the
voter service for in-state duplicates and deceased-list matching. It reads
and returns; it never writes to the voter database.
"""

from __future__ import annotations

from votetrail.linkage.normalise import VOTER_FIELDS
from votetrail.linkage.people import People, people_from_rows, read_people
from votetrail.linkage.run import DEFAULT_THRESHOLD, Match, dedupe, link

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
