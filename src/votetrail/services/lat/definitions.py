"""Election definitions a county tests against: loaded once, kept canonical, decks regenerated.

The stored form is votetrail's canonical JSON of the definition, so the deck
(and every expected total) can be rebuilt by anyone from what the log hashes;
loading the same definition again changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, insert, select

from votetrail.core.access import Principal
from votetrail.core.lat.deck import Deck, generate_deck
from votetrail.core.lat.definition import ElectionDefinition, from_data, to_data
from votetrail.core.lat.ranked_deck import RoundTable, round_table
from votetrail.core.ledger.canonical import canonical_bytes, canonical_hash, iso_utc
from votetrail.errors import NotFound
from votetrail.formats.election.read import read_definition
from votetrail.services.context import App
from votetrail.services.digests import sha256_file
from votetrail.services.lat.access import guarded, require, require_county
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store import ledger
from votetrail.store.models import LAT_DEFINITIONS


@dataclass(frozen=True)
class DefinitionLoaded:
    id: str
    title: str
    source_format: str
    file_sha256: str
    created: bool


def load_definition_file(
    app: App, principal: Principal, jurisdiction: str, path: Path, file_name: str | None = None
) -> DefinitionLoaded:
    """Read and store a definition; loading the same definition again changes nothing.

    The permission is checked before the file is read, so a refused caller
    learns nothing about the file from its parse errors.
    """
    with guarded(app, principal), app.engine.connect() as conn:
        require_county(conn, jurisdiction)
        require(conn, principal, jurisdiction, "load an election definition")
    definition = read_definition(path)
    data = to_data(definition)
    digest = canonical_hash(data)
    file_digest = sha256_file(path)
    definition_id = f"{jurisdiction}-def-{digest[:16]}"
    with guarded(app, principal), unit_of_work(app, principal.username) as uow:
        require_county(uow.conn, jurisdiction)
        require(uow.conn, principal, jurisdiction, "load an election definition")
        ledger.head(uow.conn, lock=True)  # check-then-write, one writer at a time
        existing = uow.conn.execute(
            select(LAT_DEFINITIONS.c.id).where(LAT_DEFINITIONS.c.id == definition_id)
        ).first()
        if existing is not None:
            return DefinitionLoaded(
                definition_id, definition.title, definition.source_format, file_digest, False
            )
        uow.conn.execute(
            insert(LAT_DEFINITIONS).values(
                id=definition_id,
                jurisdiction_id=jurisdiction,
                title=definition.title,
                source_format=definition.source_format,
                file_name=file_name or path.name,
                file_sha256=file_digest,
                definition=canonical_bytes(data).decode(),
                definition_sha256=digest,
                imported_at=iso_utc(app.clock()),
            )
        )
        uow.record("lat.definition_loaded", definition_id, jurisdiction)
    return DefinitionLoaded(
        definition_id, definition.title, definition.source_format, file_digest, True
    )


def stored_definition(conn: Connection, definition_id: str) -> ElectionDefinition:
    text = conn.execute(
        select(LAT_DEFINITIONS.c.definition).where(LAT_DEFINITIONS.c.id == definition_id)
    ).scalar()
    if text is None:
        raise NotFound(f"no election definition {definition_id!r}")
    return from_data(json.loads(text))


def definition_of(app: App, definition_id: str) -> ElectionDefinition:
    with app.engine.connect() as conn:
        return stored_definition(conn, definition_id)


def deck_of(app: App, definition_id: str) -> Deck:
    """The deck of a stored definition: regenerated, never stored, since it is deterministic."""
    return generate_deck(definition_of(app, definition_id))


def round_tables(app: App, definition_id: str) -> list[RoundTable]:
    """The expected round table of each ranked contest in the whole deck, for the test's pages.

    Only a definition with a ranked contest costs a deck: pages of plurality
    tests stay as fast as before.
    """
    definition = definition_of(app, definition_id)
    if not any(contest.ranked for contest in definition.contests):
        return []
    deck = generate_deck(definition)
    return [
        round_table(definition.contest(contest_id), tabulation)
        for contest_id, tabulation in deck.expected_rounds().items()
    ]
