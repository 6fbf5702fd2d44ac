"""The flat rows, leaves and subtrees of a voter file read in parts are today's, byte for byte.

Issue 21 had the helpers build insert rows as plain tuples, the import's leaf
hashes from a form encoded once per import, and hand back the perfect
subtrees of their part of the Merkle tree instead of a leaf per record. Each
shortcut is held here against the code it replaces (``record_to_row``,
``version_row``, ``VersionFacts.leaf``, ``Frontier``), on awkward text too;
and a whole load through the old sequential path (one stream, no helper)
against the new one (parts, helpers), on both backends.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from tests.services.voters import test_import_parts as parts
from votetrail.core.ledger.frontier import Frontier
from votetrail.core.ledger.merkle import leaf_hash
from votetrail.core.voters.record import Address, Protected, Status, VoterRecord
from votetrail.core.voters.transactions import Kind
from votetrail.services.context import App
from votetrail.services.directory import principal
from votetrail.services.verify import verify
from votetrail.services.voters import imports
from votetrail.services.voters.files import import_file
from votetrail.services.voters.records import facts_of, version_row
from votetrail.store import voter_rows

HEADER, _line, _rows, _voters = parts.HEADER, parts._line, parts._rows, parts._voters
twins, small_parts, same_nonces = parts.twins, parts.small_parts, parts.same_nonces
"""The fixtures of the parts test: two copies of one state, small parts, alike nonces."""

AWKWARD = 'Ñoño "Q" \\ back\x01slash \u2028 \U0001f5f3'


def _record(text: str, notice: date | None) -> VoterRecord:
    return VoterRecord(
        voter_id=f"id-{text}",
        county="adams",
        version=1,
        status=Status.INACTIVE,
        status_reason=text,
        first_name=text,
        middle_name="",
        last_name=f"L{text}",
        suffix="JR",
        residence=Address(text, "Springfield", "CO", "80001"),
        mailing=Address(),
        precinct="P-1",
        ballot_style="BS-1",
        party="UNA",
        gender="X",
        registered_on=date(2001, 2, 3),
        status_since=date(2002, 3, 4),
        dob=Protected("mac", "sealed"),
        ssn4=Protected(),
        drivers_license=Protected("m2", "s2"),
        notice_sent_on=notice,
    )


@pytest.mark.parametrize("text", ["plain", AWKWARD])
@pytest.mark.parametrize("notice", [None, date(2024, 5, 6)])
def test_flat_rows_are_the_rows_of_record_to_row_and_version_row(
    text: str, notice: date | None
) -> None:
    record = _record(text, notice)
    batch = imports._Batch(
        b"m" * 32,
        b"s" * 32,
        date(2026, 1, 2),
        f"actor {text}",
        f"/tmp/{text}.csv",
        "2026-01-02T03:04:05Z",
        "vi-1",
    )
    version = version_row(
        record,
        Kind.REGISTRATION,
        batch.actor,
        f"loaded from {batch.file_name}",
        f"{batch.file_name}:17",
        batch.at,
        import_id=batch.import_id,
        position=41,
    )
    row = voter_rows.record_to_row(record, version["version_hash"])
    assert tuple(row) == imports.VOTER_COLUMNS
    assert imports._voter_row(record, version["version_hash"]) == tuple(row.values())
    assert tuple(version) == imports.VERSION_COLUMNS
    leaf = imports._Leaves(batch).hash(record.voter_id, 1, 17, version["version_hash"], 41)
    assert leaf == leaf_hash(facts_of(version).leaf())
    imports._Leaves(batch).check(tuple(version.values()), leaf)
    with pytest.raises(RuntimeError):
        imports._Leaves(batch).check(tuple(version.values()), leaf_hash(b"other"))


def test_subtrees_of_parts_make_the_frontier_root() -> None:
    """Any cut of the leaves into parts, each hashed as subtrees, gives the one-by-one root."""
    rng = random.Random(21)
    for size in [*range(1, 70), 1000, 4097]:
        leaves = [leaf_hash(f"leaf {n}".encode()) for n in range(size)]
        frontier = Frontier(0, [])
        for leaf in leaves:
            frontier.append(leaf)
        tree = imports._Tree()
        start = 0
        while start < size:
            end = min(size, start + rng.randint(1, 40))
            tree.add(imports._blocks(start, leaves[start:end]))
            start = end
        assert (tree.size, tree.root()) == (frontier.size, frontier.root()), size
    imports._Tree().add([(1, leaves[0])])  # a pair of leaves at position 0 is fine...
    with pytest.raises(ValueError, match="cannot start at"):
        imports._Tree().add([(0, leaves[0]), (1, leaves[1])])  # ...but not at position 1


def write_awkward(path: Path, count: int) -> Path:
    """A file with blank lines and names no ASCII-only or escaping-free shortcut gets right."""
    lines = [HEADER]
    for n in range(count):
        line = _line(n)
        if n % 5 == 0:
            line = line.replace(f"NAME{n % 17}", f"Ñ\\o{n} \U0001f5f3", 1)
        lines.append(line)
        if n % 8 == 7:
            lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(app: App, path: Path, *, in_parts: bool) -> imports.ImportResult:
    admin = principal(app, "state-admin")
    assert admin is not None
    return import_file(app, admin, path, in_parts=in_parts)


def test_the_old_sequential_path_and_the_parts_store_the_same_bytes(
    twins: tuple[App, App],
    tmp_path: Path,
    small_parts: None,
    same_nonces: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first load and a second one into the list, each way: every row, the log, the roots."""
    parts_app, stream_app = twins
    first = write_awkward(tmp_path / "statewide.csv", 50)
    more = tmp_path / "more.csv"
    more.write_text(
        "\n".join([HEADER, *(_line(n) for n in range(50, 83))]) + "\n", encoding="utf-8"
    )
    results = []
    for path in (first, more):
        with monkeypatch.context() as sequential:
            sequential.setattr(imports, "PARALLEL_FROM", 10**12)  # no helper at all
            by_stream = _import(stream_app, path, in_parts=False)
        by_parts = _import(parts_app, path, in_parts=True)
        assert by_parts == by_stream
        results.append(by_parts)
    assert [r.records for r in results] == [50, 33]
    assert _voters(parts_app) == _voters(stream_app)
    parts.assert_same_tables(parts_app, stream_app)
    assert verify(parts_app).ok
