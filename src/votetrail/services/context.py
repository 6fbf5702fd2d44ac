"""What every service call needs: the database, the signing key, the clock.

Opening an ``App`` checks the whole configuration up front (URL, schema
revision, key, origin) so a misconfigured deployment fails with one sentence
before it touches anything.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from sqlalchemy import Engine, select

from votetrail.core.ledger.note import NoteSigner
from votetrail.errors import ConfigurationError, SigningKeyError
from votetrail.services.keys import load_key, require_key_in_force
from votetrail.store import db, migrate
from votetrail.store.models import SETTINGS

DEFAULT_DATA_DIR = "votetrail-data"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    engine: Engine
    signer: NoteSigner
    origin: str
    data_dir: Path
    clock: Callable[[], datetime] = field(default=utc_now)
    public_url: str | None = None
    """The office's public base URL (``--public-url`` / ``VOTETRAIL_PUBLIC_URL``), the only
    source of absolute links printed for observers; never a request's Host header."""


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    return Path(data_dir or os.environ.get("VOTETRAIL_DATA_DIR") or DEFAULT_DATA_DIR)


def resolve_url(data_dir: Path, database_url: str | None) -> str:
    return database_url or os.environ.get("VOTETRAIL_DATABASE_URL") or db.sqlite_url(data_dir)


def resolve_public_url(value: str | None = None) -> str | None:
    """The configured public base URL, checked, without a trailing slash; None if not set.

    It goes on printed certificates observers keep, so only a plain absolute
    http(s) address is accepted: no user name, query or fragment.
    """
    text = (value or os.environ.get("VOTETRAIL_PUBLIC_URL") or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or "@" in parts.netloc
        # An empty "?" or "#" would still turn the record's path into a query or fragment.
        or "?" in text
        or "#" in text
        # Browsers read a backslash as a slash: https://evil.example\good.gov is evil.example.
        or "\\" in text
        or any(c.isspace() or not c.isprintable() for c in text)
        or not _valid_port(parts)
    ):
        raise ConfigurationError(
            f"the public URL {text!r} (--public-url or VOTETRAIL_PUBLIC_URL) must be an "
            "absolute http(s) address such as https://elections.example.gov"
        )
    return text.rstrip("/")


def _valid_port(parts: SplitResult) -> bool:
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return False
    return True


def read_origin(engine: Engine) -> str:
    with engine.connect() as conn:
        origin = conn.execute(select(SETTINGS.c.value).where(SETTINGS.c.key == "origin")).scalar()
    if origin is None:
        raise ConfigurationError("the database has no log origin; run `votetrail init`")
    return str(origin)


def open_app(data_dir: str | Path | None = None, database_url: str | None = None) -> App:
    folder = resolve_data_dir(data_dir)
    if not folder.is_dir():
        raise ConfigurationError(
            f"the data directory {folder} does not exist; run `votetrail init` first"
        )
    engine = db.create(resolve_url(folder, database_url))
    migrate.require_current(engine)
    signer = load_key(folder)
    origin = read_origin(engine)
    if signer.name != origin:
        raise SigningKeyError(
            f"the signing key in {folder} is for {signer.name!r}, but this database's log "
            f"is {origin!r}; the key and the database do not belong together"
        )
    with engine.connect() as conn:
        require_key_in_force(conn, signer, folder)
    return App(
        engine=engine,
        signer=signer,
        origin=origin,
        data_dir=folder,
        public_url=resolve_public_url(),
    )
