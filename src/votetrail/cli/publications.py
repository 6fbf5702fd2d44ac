"""Publishing documents, and checking one offline against its proof bundle.

``votetrail publish`` (and ``publication withdraw``) act for an official's
account, as the web forms do. ``votetrail verify-document`` needs no database
and no account: only the document, the proof bundle downloaded beside it and
the office's verifier key (see docs/publications.md).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Annotated, Any

import typer

from votetrail.cli.options import DatabaseUrl, DataDir, write_text
from votetrail.cli.voter_auth import User, sign_in
from votetrail.core.ledger.note import NoteVerifier
from votetrail.core.publications import KINDS, check_bundle
from votetrail.errors import InvalidInput, SigningKeyError, VerificationFailed
from votetrail.services.context import open_app
from votetrail.services.publications import views
from votetrail.services.publications.publish import STATEMENT_NAME, Document, publish, withdraw

publication_cli = typer.Typer(help="Publications: withdraw one, download its proof bundle.")

_KIND_HELP = "One of: " + ", ".join(KINDS) + "."
_FETCH_LIMIT = 1 << 20


def publish_command(
    file: Annotated[
        Path | None,
        typer.Argument(help="The document: PDF, PNG/JPEG/GIF/WebP, CSV, JSON or .txt."),
    ] = None,
    title: Annotated[str, typer.Option(help="The title readers see.")] = "",
    kind: Annotated[str, typer.Option(help=_KIND_HELP)] = "notice",
    jurisdiction: Annotated[
        str, typer.Option(help="The office: the state's or a county's id.")
    ] = "",
    user: User = "",
    text: Annotated[
        str | None, typer.Option("--text", help="Publish this statement instead of a file.")
    ] = None,
    supersedes: Annotated[
        str | None,
        typer.Option(help="Publish as the correction of this publication (its id)."),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Publish a document (or a correction): stored, hashed, logged and provable."""
    if (file is None) == (text is None):
        raise InvalidInput("give exactly one of FILE or --text")
    if not title or not jurisdiction or not user:
        raise InvalidInput("give --title, --jurisdiction and --user")
    document = (
        Document(STATEMENT_NAME, text=text) if file is None else Document(file.name, path=file)
    )
    app = open_app(data_dir, database_url)
    principal = sign_in(app, user)
    publication_id = publish(app, principal, jurisdiction, document, title, kind, supersedes)
    view = views.publication(app, publication_id)
    typer.echo(
        f"Published {publication_id}: {view.title} (SHA-256 {view.sha256}), log entry {view.entry}."
    )


@publication_cli.command("withdraw")
def withdraw_command(
    publication_id: Annotated[str, typer.Argument(help="The publication, e.g. adams-pub-3.")],
    reason: Annotated[str, typer.Option(help="Why it is withdrawn; shown to everyone.")],
    user: User,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Withdraw a publication: it stays listed, marked withdrawn with the reason and date."""
    app = open_app(data_dir, database_url)
    withdraw(app, sign_in(app, user), publication_id, reason)
    typer.echo(f"Withdrew {publication_id}.")


@publication_cli.command("bundle")
def bundle_command(
    publication_id: Annotated[str, typer.Argument(help="The publication, e.g. adams-pub-3.")],
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Print a publication's proof bundle (JSON), as /publications/ID/bundle.json serves it."""
    bundle = views.bundle(open_app(data_dir, database_url), publication_id)
    write_text(json.dumps(bundle, indent=2) + "\n", output)


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InvalidInput(f"cannot be read: {reason}", where=f"{what} {path}") from None


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - http(s) only
            return str(answer.read(_FETCH_LIMIT).decode("utf-8"))
    except (urllib.error.URLError, OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"could not be fetched ({exc})", where=url) from None


fetch_text = _fetch
"""A checkpoint (or other text) from an office's site, for ``verify --against URL`` too."""


def _newer(source: str, size: int) -> tuple[str, list[bytes]]:
    """The checkpoint given and, fetched from its site, the proof it extends the bundle's."""
    url = source.startswith(("https://", "http://"))
    note = _fetch(source) if url else _read(Path(source), "checkpoint")
    lines = note.split("\n")
    new_size = int(lines[1]) if len(lines) > 2 and lines[1].isdigit() else size
    if new_size <= size:
        return note, []
    if not url:
        raise InvalidInput(
            f"signs a log of {new_size} entries, newer than the bundle's {size}: give the "
            "office's /checkpoint URL (the consistency proof is fetched from it) or download "
            "a fresh bundle",
            where=f"checkpoint {source}",
        )
    site = source.removesuffix("/").removesuffix("/checkpoint")
    proof = _fetch(f"{site}/log/proof/consistency/{size}/{new_size}")
    try:
        path = [base64.b64decode(h) for h in json.loads(proof)["consistency_path"]]
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("did not answer with a consistency proof", where=site) from None
    return note, path


def _verifier(key: str) -> NoteVerifier:
    path = Path(key)
    text = _read(path, "verifier key") if path.is_file() else key
    try:
        return NoteVerifier.parse(text)
    except SigningKeyError as exc:
        raise InvalidInput(str(exc), where="--verifier-key") from None


def verify_document_command(
    file: Annotated[Path, typer.Argument(help="The document you were given.")],
    verifier_key: Annotated[
        str,
        typer.Option(help="The office's verifier key (name+id+key), or a file holding it."),
    ],
    bundle: Annotated[
        Path | None,
        typer.Option(help="The proof bundle downloaded with it (default: FILE.bundle.json)."),
    ] = None,
    checkpoint: Annotated[
        str | None,
        typer.Option(
            metavar="FILE_OR_URL",
            help="A newer signed checkpoint (file, or the office's /checkpoint URL) the "
            "bundle must still be part of (default: the bundle's own).",
        ),
    ] = None,
) -> None:
    """Check a document offline against its proof bundle; exit 1 with one sentence if not."""
    bundle_path = bundle or file.with_name(file.name + ".bundle.json")
    try:
        loaded: Any = json.loads(_read(bundle_path, "bundle"))
    except ValueError:
        raise InvalidInput("is not JSON", where=f"bundle {bundle_path}") from None
    verifier = _verifier(verifier_key)
    try:
        with file.open("rb") as handle:
            digests = views.digests(handle)
    except OSError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(file)) from None
    size = loaded.get("inclusion_proof", {}).get("tree_size") if isinstance(loaded, dict) else 0
    newer = _newer(checkpoint, size if isinstance(size, int) else 0) if checkpoint else None
    try:
        result = check_bundle(loaded, verifier, digests, newer)
    except VerificationFailed as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    record = result.publication
    typer.echo(
        f"Published by {record.get('office')} on {str(record.get('published_at'))[:10]} as "
        f"{record.get('title')!r}, log entry {result.index}; proof checked against checkpoint "
        f"of size {result.size}."
    )
    status = loaded.get("status_when_downloaded") or {}
    withdrawn = status.get("withdrawn") if isinstance(status, dict) else None
    if isinstance(withdrawn, dict):
        typer.echo(
            f"When the bundle was downloaded it had been withdrawn on "
            f"{str(withdrawn.get('at'))[:10]} because: {withdrawn.get('reason')}"
        )
