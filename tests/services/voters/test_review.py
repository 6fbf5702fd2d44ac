"""List maintenance through the real services: findings go to review, nobody is cancelled."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from tests.services.voters.fixtures import load as load_voters
from tests.services.voters.fixtures import who
from votetrail.core.voters.record import Status, VoterInput
from votetrail.errors import InvalidInput, PermissionDenied
from votetrail.services.context import App
from votetrail.services.demo.voters import generated_people
from votetrail.services.verify import verify
from votetrail.services.voters import imports as voter_import
from votetrail.services.voters import review as voter_review
from votetrail.store.models import LEDGER_ENTRIES, VOTER_REVIEWS, VOTERS


def _people() -> list[VoterInput]:
    return generated_people("adams", random.Random(7), 800)


def _load(app: App) -> list[VoterInput]:
    base = _people()
    dup = replace(
        base[4],
        voter_id="adams-90000004",
        first_name=base[4].first_name.upper(),
        residence=replace(base[4].residence, street=base[4].residence.street + " Apt 2"),
        line=9001,
    )
    twin = replace(base[6], voter_id="adams-90000006", first_name="Zelda", line=9002)
    voter_import.import_voters(
        app, who(app, "adams-admin"), [*base, dup, twin], file_name="adams.csv",
        sha256="a" * 64, fmt="votetrail", county="adams",
    )  # fmt: skip
    return base


def _statuses(app: App) -> dict[str, int]:
    with app.engine.connect() as conn:
        return {
            s: n
            for s, n in conn.execute(
                select(VOTERS.c.status, func.count()).group_by(VOTERS.c.status)
            )
        }


def test_duplicates_go_to_review_and_nobody_is_cancelled(demo_app: App) -> None:
    _load(demo_app)
    admin = who(demo_app, "adams-admin")
    result = voter_review.find_duplicates(demo_app, admin, county="adams")
    pairs = {(r.voter_id, r.other_id) for r in voter_review.reviews(demo_app, admin, "adams")}
    assert ("adams-00000005", "adams-90000004") in pairs
    assert ("adams-00000007", "adams-90000006") not in pairs  # twins: different first names
    assert result.new == len(pairs)
    assert _statuses(demo_app) == {Status.ACTIVE.value: 802}
    again = voter_review.find_duplicates(demo_app, admin, county="adams")
    assert again.new == 0
    item = next(
        r for r in voter_review.reviews(demo_app, admin, "adams") if r.other_id == "adams-90000004"
    )
    decided = voter_review.decide(demo_app, admin, item.id, "confirmed", "same person, typo")
    assert decided.status == "confirmed"
    assert decided.decided_by == "adams-admin"
    with pytest.raises(InvalidInput, match="already confirmed"):
        voter_review.decide(demo_app, admin, item.id, "rejected", "changed my mind")
    assert _statuses(demo_app) == {Status.ACTIVE.value: 802}
    with demo_app.engine.connect() as conn:
        kinds = [
            r[0]
            for r in conn.execute(
                select(LEDGER_ENTRIES.c.event_type).where(
                    LEDGER_ENTRIES.c.event_type.like("voters.review%")
                )
            )
        ]
    # Each item found is its own ledgered record (logged before the run's summary).
    opened = ["voters.review_opened"] * len(pairs)
    assert kinds == [*opened, "voters.review_found", "voters.review_found", "voters.review_decided"]


def test_statewide_runs_are_the_states(demo_app: App) -> None:
    _load(demo_app)
    with pytest.raises(PermissionDenied):
        voter_review.find_duplicates(demo_app, who(demo_app, "adams-admin"))
    with pytest.raises(PermissionDenied):
        voter_review.find_duplicates(demo_app, who(demo_app, "baker-admin"), county="adams")


def test_death_list_match(demo_app: App, tmp_path: Path) -> None:
    target = _load(demo_app)[9]
    deaths = tmp_path / "deaths.csv"
    others = generated_people("baker", random.Random(99), 400)
    with deaths.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cert", "given", "surname", "dob", "street", "city", "zip"])
        for n, person in enumerate([*others[:200], target, *others[200:]]):
            born = person.dob.strftime("%m/%d/%Y") if person.dob else ""
            writer.writerow(
                [f"D-{n}", person.first_name, person.last_name, born,
                 person.residence.street, person.residence.city, person.residence.zip]
            )  # fmt: skip
    result = voter_review.match_deceased(
        demo_app, who(demo_app, "state-admin"), deaths, id_column="cert",
        mapping={"first_name": "given", "last_name": "surname"},
    )  # fmt: skip
    assert result.found == 1
    found = voter_review.reviews(demo_app, who(demo_app, "adams-admin"), "adams")
    assert [(r.kind, r.voter_id, r.other_id) for r in found] == [
        ("deceased", target.voter_id, "D-200")
    ]


def test_cross_state_exchange_shares_only_tokens(demo_app: App, tmp_path: Path) -> None:
    _load(demo_app)
    state = who(demo_app, "state-admin")
    secret = bytes(range(32))
    ours = voter_review.export_exchange(demo_app, state, secret)
    header, *rows = ours.splitlines()
    assert header == "voter_id,name_dob,dl,ssn4_dob"
    assert len(rows) == 802
    assert "Garcia" not in ours
    assert "1961-07-23" not in ours
    # The other state holds one of our voters (same licence and SSN4+DOB tokens).
    theirs = tmp_path / "theirs.csv"
    first = rows[0].split(",")
    theirs.write_text(header + "\n" + ",".join(["NV-77", *first[1:]]) + "\nNV-78,,,\n")
    result = voter_review.match_exchange(demo_app, state, theirs, secret)
    assert result.found == 1
    found = voter_review.reviews(demo_app, state, "adams")
    assert [(r.kind, r.voter_id, r.other_id) for r in found] == [("cross-state", first[0], "NV-77")]


def test_a_decided_review_deleted_in_sql_is_not_reopened_by_the_next_run(
    demo_app: App, tmp_path: Path
) -> None:
    """Deleting a decided finding and letting the next run re-open it must not verify clean.

    Review ids are derived from the pair, so the next run of the same check
    finds the pair again. It used to insert it as a new "open" item with a new
    ``voters.review_opened`` event, after which ``verify`` saw nothing wrong:
    a rejected (or confirmed) decision was undone by a raw ``DELETE`` alone.
    """
    load_voters(demo_app, "adams", 6)
    state = who(demo_app, "state-admin")
    secret = bytes(range(32))
    header, first, *_ = voter_review.export_exchange(demo_app, state, secret).splitlines()
    theirs = tmp_path / "theirs.csv"
    theirs.write_text(header + "\nNV-77," + first.split(",", 1)[1] + "\n", encoding="utf-8")
    voter_review.match_exchange(demo_app, state, theirs, secret)
    (review,) = voter_review.reviews(demo_app, state, "adams")
    voter_review.decide(demo_app, state, review.id, "rejected", "a different person")
    with demo_app.engine.begin() as conn:
        conn.execute(delete(VOTER_REVIEWS).where(VOTER_REVIEWS.c.id == review.id))
    voter_review.match_exchange(demo_app, state, theirs, secret)
    assert voter_review.reviews(demo_app, state, "adams") == []
    assert any(
        f"voter_review {review.id!r} was deleted without an event" in p
        for p in verify(demo_app).problems
    )


def test_two_officials_deciding_at_once_cannot_both_succeed(
    demo_app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The status was checked before the transaction: the second decision overwrote the first."""
    load_voters(demo_app, "adams", 6)
    state = who(demo_app, "state-admin")
    secret = bytes(range(32))
    header, first, *_ = voter_review.export_exchange(demo_app, state, secret).splitlines()
    theirs = tmp_path / "theirs.csv"
    theirs.write_text(header + "\nNV-77," + first.split(",", 1)[1] + "\n", encoding="utf-8")
    voter_review.match_exchange(demo_app, state, theirs, secret)
    (review,) = voter_review.reviews(demo_app, state, "adams")
    allowed = voter_review._allowed

    @contextmanager
    def racing(*args: Any) -> Iterator[str]:
        """Another official decides right after this one read the item as open."""
        with allowed(*args) as found:
            monkeypatch.setattr(voter_review, "_allowed", allowed)
            voter_review.decide(demo_app, state, review.id, "confirmed", "same licence")
            yield found

    monkeypatch.setattr(voter_review, "_allowed", racing)
    with pytest.raises(InvalidInput, match="decided meanwhile"):
        voter_review.decide(demo_app, state, review.id, "rejected", "a different person")
    (kept,) = voter_review.reviews(demo_app, state, "adams", status="all")
    assert (kept.status, kept.decision_note) == ("confirmed", "same licence")
    assert verify(demo_app).problems == []
