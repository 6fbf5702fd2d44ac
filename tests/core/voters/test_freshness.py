"""The freshness link of a voter proof, on a log built in memory."""

from __future__ import annotations

from votetrail.core.ledger import merkle
from votetrail.core.ledger.canonical import canonical_bytes
from votetrail.core.ledger.events import LogEntry
from votetrail.core.ledger.frontier import Frontier
from votetrail.core.voters.freshness import freshness_problems
from votetrail.core.voters.version_facts import VersionFacts


def _entry(n: int, record_type: str | None) -> LogEntry:
    name = "voters.map_updated" if record_type == "voter_map" else "access.denied"
    return LogEntry(name, "adams-admin", "adams", f"2026-11-03T00:00:{n:02d}.000000Z",
                    record_type, "voters" if record_type else None, f"{n:064x}")  # fmt: skip


LOG = [_entry(n, "voter_map" if n in (2, 5) else None) for n in range(9)]
LEAVES = [e.leaf() for e in LOG]


def _frontier(index: int) -> list[bytes]:
    """The perfect subtrees that make up the first ``index`` entries, largest first."""
    return [
        merkle.root(LEAVES[s.index << s.level : (s.index + 1) << s.level])
        for s in Frontier.layout(index)
    ]


def _check(index: int, size: int, later: list[tuple[int, LogEntry]] | None = None) -> list[str]:
    trail = [(i, LOG[i]) for i in range(index + 1, size)] if later is None else later
    root = merkle.root(LEAVES[:size])
    return freshness_problems(_frontier(index), index, LOG[index], trail, size, root)


def test_the_latest_map_update_is_fresh_at_every_later_size() -> None:
    for size in range(6, 10):
        assert _check(5, size) == []
    assert _check(2, 3) == []
    assert _check(2, 5) == []


def test_an_earlier_map_update_is_stale_once_another_precedes_the_checkpoint() -> None:
    problems = _check(2, 9)
    assert len(problems) == 1
    assert problems[0].startswith("stale: log entry #5 (voters.map_updated)")


def test_a_trail_that_hides_the_later_update_does_not_rebuild_the_root() -> None:
    hidden = [(i, LOG[i]) for i in range(3, 9) if i != 5]
    assert _check(2, 9, hidden)[0].startswith("stale or unproven")
    renumbered = [(i, LOG[i if i < 5 else i + 1]) for i in range(3, 8)]
    assert _check(2, 9, renumbered)[0].startswith("stale or unproven")
    assert freshness_problems([], 2, LOG[2], [], 3, merkle.root(LEAVES[:3]))[0].startswith(
        "stale or unproven"
    )


def test_version_facts_encode_canonically() -> None:
    facts = VersionFacts("A\u00e9\"1", 2, "address", "adams-admin", "moved\n\u2603", "DMV-1",
                         "2026-11-03T00:00:00.000000Z", "ab" * 32, None, None)  # fmt: skip
    assert facts.leaf() == canonical_bytes(facts.payload())
    imported = VersionFacts("A1", 1, "registration", "x", "loaded", "f.csv:2",
                            "2026-11-03T00:00:00.000000Z", "cd" * 32, "vi-1", 0)  # fmt: skip
    assert imported.leaf() == canonical_bytes(imported.payload())
    assert imported.hash() != VersionFacts(**{**imported.payload(), "actor": "y"}).hash()  # type: ignore[arg-type]
