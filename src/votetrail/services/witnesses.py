"""The office's side of witnessing: which witnesses it accepts, and their cosignatures.

A witness (anyone running ``votetrail monitor --witness``) sends back the
checkpoint it verified with its C2SP cosignature line added. The office keeps
only a line that verifies against a witness key it has configured, for a
checkpoint it really signed, and serves the checkpoint with those lines added
so a reader can require k independent witnesses. A cosignature is kept, not
logged: it is signed evidence in itself, and logging it would make a new
checkpoint for the witnesses to cosign, forever.
"""

from __future__ import annotations

from votetrail.core.ledger.canonical import iso_utc
from votetrail.core.ledger.checkpoint import Checkpoint
from votetrail.core.ledger.cosignature import CosignerVerifier
from votetrail.core.ledger.note import parse_signed_note
from votetrail.errors import InvalidInput, NotFound, SigningKeyError, VerificationFailed
from votetrail.services.context import App
from votetrail.services.unit_of_work import unit_of_work
from votetrail.store import witnesses as store

MAX_CLOCK_SKEW = 300
"""Seconds a cosignature's timestamp may be ahead of this server's clock."""


def _parse_key(text: str) -> CosignerVerifier:
    try:
        return CosignerVerifier.parse(text)
    except SigningKeyError as exc:
        raise InvalidInput(str(exc), where="witness key") from None


def add_witness(app: App, actor: str, verifier_key: str) -> CosignerVerifier:
    """Accept cosignatures from this witness key from now on (logged)."""
    witness = _parse_key(verifier_key)
    with unit_of_work(app, actor) as uow:
        if store.has_witness(uow.conn, witness.name):
            raise InvalidInput(f"a witness named {witness.name} is already configured")
        store.add_witness(uow.conn, witness.name, witness.encode(), actor, iso_utc(app.clock()))
        uow.record("witness.added", witness.name, None)
    return witness


def remove_witness(app: App, actor: str, name: str) -> None:
    """Stop accepting (and serving) this witness's cosignatures (logged)."""
    with unit_of_work(app, actor) as uow:
        if not store.has_witness(uow.conn, name):
            raise NotFound(f"no witness named {name} is configured")
        store.remove_witness(uow.conn, name)
        uow.record("witness.removed", name, None)


def witnesses(app: App) -> list[CosignerVerifier]:
    with app.engine.connect() as conn:
        return [CosignerVerifier.parse(key) for key in store.witness_keys(conn)]


def accept_cosignature(app: App, submitted: str) -> list[str]:
    """Keep the configured witnesses' cosignatures in ``submitted``; return their names.

    ``submitted`` is a checkpoint this office signed, as a signed note carrying
    the witness's line (other lines are ignored). Anything else is refused with
    a sentence saying why: not a signed note, a checkpoint this office never
    signed, no line from a configured witness, or a line that does not verify.
    """
    try:
        body, signatures = parse_signed_note(submitted)
        checkpoint = Checkpoint.parse(body)
    except VerificationFailed as exc:
        raise InvalidInput(f"not a signed checkpoint: {exc}", where="cosignature") from None
    now = int(app.clock().timestamp())
    accepted: list[str] = []
    with unit_of_work(app, "witness") as uow:
        signed = store.checkpoint_note(uow.conn, checkpoint.size)
        if signed is None or parse_signed_note(signed)[0] != body:
            raise InvalidInput(
                f"this office never signed that checkpoint (size {checkpoint.size} with that "
                "root and origin)",
                where="cosignature",
            )
        for witness in (CosignerVerifier.parse(k) for k in store.witness_keys(uow.conn)):
            for signature in signatures:
                if not witness.matches(signature):
                    continue
                try:
                    timestamp = witness.timestamp(body, signature)
                except VerificationFailed as exc:
                    raise InvalidInput(str(exc), where="cosignature") from None
                if timestamp > now + MAX_CLOCK_SKEW:
                    raise InvalidInput(
                        f"cosignature by {witness.name} is dated in the future", where="cosignature"
                    )
                store.save_cosignature(
                    uow.conn,
                    checkpoint.size,
                    witness.name,
                    timestamp,
                    signature.line(),
                    iso_utc(app.clock()),
                )
                accepted.append(witness.name)
    if not accepted:
        raise InvalidInput(
            "no signature line is from a witness this office has configured", where="cosignature"
        )
    return accepted


def cosigned_checkpoint(app: App, size: int | None = None) -> str:
    """The signed checkpoint (latest, or at ``size``) with every kept cosignature line."""
    with app.engine.connect() as conn:
        note = store.checkpoint_note(conn, size)
        if note is None:
            what = (
                "the log has no checkpoint yet" if size is None else f"no checkpoint of size {size}"
            )
            raise NotFound(what)
        current = Checkpoint.parse(parse_signed_note(note)[0]).size
        lines = store.cosignature_lines(conn, current)
    return note + "".join(lines)
