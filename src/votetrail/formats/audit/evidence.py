"""``evidence.zip``: the audit's public evidence, written byte for byte the same every time.

Members (the contract observers rely on, see docs/audit.md "Evidence package"):
``audit.json``, ``frame.csv`` (``ballot_id``), ``sample.csv``
(``round,ticket_number,ballot_id``) and ``interpretations.csv``
(``ballot_id,contest_id,cvr,audited``); a batch-comparison package adds
``batches.csv`` (``batch_id,contest_id,choice_id,reported,audited,cards``) and
its frame and sample name batches.

Writing is deterministic (members in a fixed order, a fixed 1980-01-01
timestamp, fixed permissions, JSON keys sorted) so that two downloads of one
audit have the same SHA-256 and the hash can be published or logged. CSVs go
through ``csv_out`` like every CSV votetrail writes; the reader takes the
formula-defusing quote off again.

Reading trusts nothing: members are decompressed through ``archives``' bomb
guards, and every problem names the member, line and field.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from votetrail.core.audit.evidence import (
    BLANK,
    MARKS,
    NOT_FOUND,
    AuditMethod,
    BatchRow,
    Draw,
    Evidence,
    EvidenceContest,
    EvidenceRound,
    Interpretation,
    Reading,
)
from votetrail.core.audit.ranked_reading import parse_ranks
from votetrail.core.audit.types import Seed
from votetrail.core.rcv.raire_assertions import IrvAssertion, Kind
from votetrail.errors import InvalidInput
from votetrail.formats.archives import NOT_A_ZIP, MiB, read_member
from votetrail.formats.csv_out import CsvWriter, restore_cell

AUDIT = "audit.json"
FRAME = "frame.csv"
SAMPLE = "sample.csv"
INTERPRETATIONS = "interpretations.csv"
BATCHES = "batches.csv"
MEMBERS = (AUDIT, FRAME, SAMPLE, INTERPRETATIONS)
"""Every package's members; ``batches.csv`` follows them in a batch-comparison package only."""

FRAME_COLUMNS = ("ballot_id",)
SAMPLE_COLUMNS = ("round", "ticket_number", "ballot_id")
INTERPRETATION_COLUMNS = ("ballot_id", "contest_id", "cvr", "audited")
BATCH_COLUMNS = ("batch_id", "contest_id", "choice_id", "reported", "audited", "cards")

MAX_MEMBER = 2048 * MiB
"""Largest member read: a state's frame of ten million ids is about 500 MB."""

_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def write_evidence(evidence: Evidence, out: IO[bytes]) -> None:
    """Write the package; the same evidence always gives the same bytes."""
    batches: list[tuple[str, bytes]] = []
    if evidence.method is AuditMethod.BATCH_COMPARISON:
        batches.append((BATCHES, _csv(BATCH_COLUMNS, map(_batch_cells, evidence.batches))))
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in (
            (AUDIT, _audit_json(evidence)),
            (FRAME, _csv(FRAME_COLUMNS, ([ballot] for ballot in evidence.frame))),
            (
                SAMPLE,
                _csv(
                    SAMPLE_COLUMNS,
                    ([d.round, d.ticket_number, d.ballot_id] for d in evidence.sample),
                ),
            ),
            (
                INTERPRETATIONS,
                _csv(
                    INTERPRETATION_COLUMNS,
                    (
                        [
                            i.ballot_id,
                            i.contest_id,
                            "" if i.cvr is None else str(i.cvr),
                            str(i.audited),
                        ]
                        for i in evidence.interpretations
                    ),
                ),
            ),
            *batches,
        ):
            info = zipfile.ZipInfo(name, date_time=_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, data)


def _batch_cells(row: BatchRow) -> list[object]:
    audited = NOT_FOUND if row.not_found else "" if row.audited is None else row.audited
    return [row.batch_id, row.contest_id, row.choice_id, row.reported, audited, row.cards]


def _contest_json(contest: EvidenceContest) -> dict[str, Any]:
    """A contest of ``audit.json``; an IRV contest adds ``irv_assertions`` (docs/rcv.md)."""
    out: dict[str, Any] = {
        "id": contest.id,
        "name": contest.name,
        "vote_for": contest.vote_for,
        "winners": list(contest.winners),
        "reported": dict(contest.reported),
        "ballots": contest.ballots,
    }
    if contest.irv_assertions is not None:
        out["irv_assertions"] = [
            {
                "kind": a.kind.value,
                "winner": a.winner,
                "loser": a.loser,
                "continuing": sorted(a.continuing),
                "winner_tally": a.winner_tally,
                "loser_tally": a.loser_tally,
                "difficulty": a.difficulty,
            }
            for a in contest.irv_assertions
        ]
    return out


def _audit_json(evidence: Evidence) -> bytes:
    document = {
        "audit_id": evidence.audit_id,
        "election": evidence.election,
        "method": evidence.method.value,
        "risk_limit": evidence.risk_limit,
        "seed": evidence.seed,
        "with_replacement": evidence.with_replacement,
        "contests": [_contest_json(c) for c in evidence.contests],
        "rounds": [
            {
                "round": r.round,
                "sample_size": r.sample_size,
                "risk": dict(r.risk),
                "decision": dict(r.decision),
            }
            for r in evidence.rounds
        ],
    }
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def read_evidence(path: Path) -> Evidence:
    """Read and validate a package; any problem names the member, line and field."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise InvalidInput(f"cannot be read: {exc.strerror}", where=str(path)) from None
    except NOT_A_ZIP:
        raise InvalidInput("is not a ZIP archive", where=str(path)) from None
    with archive:
        names = set(archive.namelist())
        texts: dict[str, str] = {}
        for member in MEMBERS + ((BATCHES,) if BATCHES in names else ()):
            where = f"{path}: {member}"
            if member not in names:
                raise InvalidInput("is missing from the package", where=where)
            data = read_member(archive, member, where, MAX_MEMBER)
            try:
                texts[member] = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                raise InvalidInput("is not UTF-8 text", where=f"{where}, line {line}") from None
    header = _read_audit(texts[AUDIT], f"{path}: {AUDIT}")
    frame = _read_frame(texts[FRAME], f"{path}: {FRAME}")
    draws = _read_sample(texts[SAMPLE], f"{path}: {SAMPLE}")
    interpretations = _read_interpretations(
        texts[INTERPRETATIONS], f"{path}: {INTERPRETATIONS}", header
    )
    batches: tuple[BatchRow, ...] = ()
    if header["method"] is AuditMethod.BATCH_COMPARISON:
        if BATCHES not in texts:
            raise InvalidInput(
                "is missing from the package (a batch-comparison audit has one)",
                where=f"{path}: {BATCHES}",
            )
        batches = _read_batches(texts[BATCHES], f"{path}: {BATCHES}", header, frame)
    return Evidence(
        **header, frame=frame, sample=draws, interpretations=interpretations, batches=batches
    )


def _read_batches(
    text: str, where: str, header: Mapping[str, Any], frame: Sequence[str]
) -> tuple[BatchRow, ...]:
    """``batches.csv``: known batch, contest and choice; whole numbers; one kind of tally."""
    contests = {c.id: c for c in header["contests"]}
    in_frame = set(frame)
    out: list[BatchRow] = []
    seen: set[tuple[str, str, str]] = set()
    cards: dict[tuple[str, str], int] = {}
    state: dict[str, str] = {}
    for place, row in _rows(text, where, BATCH_COLUMNS):
        batch, contest_id, choice = row["batch_id"], row["contest_id"], row["choice_id"]
        if batch not in in_frame:
            raise InvalidInput(f"{batch!r} is not a batch in {FRAME}", f"{place}, field 'batch_id'")
        contest = contests.get(contest_id)
        if contest is None:
            raise InvalidInput(
                f"{contest_id!r} is not a contest in audit.json", f"{place}, field 'contest_id'"
            )
        if choice not in contest.reported:
            raise InvalidInput(
                f"{choice!r} is not a choice in contest {contest_id!r}",
                f"{place}, field 'choice_id'",
            )
        if (batch, contest_id, choice) in seen:
            raise InvalidInput("repeats this batch, contest and choice", place)
        seen.add((batch, contest_id, choice))
        reported = _whole_cell(row, "reported", place)
        count = _whole_cell(row, "cards", place)
        if cards.setdefault((batch, contest_id), count) != count:
            raise InvalidInput(
                f"gives {count} cards, but an earlier row of this batch and contest gives "
                f"{cards[(batch, contest_id)]}",
                f"{place}, field 'cards'",
            )
        raw = row["audited"].strip()
        kind = "not_found" if raw == NOT_FOUND else "none" if not raw else "tallied"
        if state.setdefault(batch, kind) != kind:
            raise InvalidInput(
                "a batch's rows must all be tallied, all empty or all not_found",
                f"{place}, field 'audited'",
            )
        audited = _whole_cell(row, "audited", place) if kind == "tallied" else None
        out.append(
            BatchRow(batch, contest_id, choice, reported, audited, count, kind == "not_found")
        )
    return tuple(out)


def _whole_cell(row: Mapping[str, str], name: str, place: str) -> int:
    text = row[name].strip()
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(f"{text!r} is not a whole number", f"{place}, field {name!r}")
    return int(text)


def _rows(text: str, where: str, columns: Sequence[str]) -> Iterator[tuple[str, dict[str, str]]]:
    """Each data row as (its "member, line N" place, cells by column); the header must be exact."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != tuple(columns):
        raise InvalidInput(f"must have the header {','.join(columns)}", where=f"{where}, line 1")
    for row in reader:
        place = f"{where}, line {reader.line_num}"
        if not row:
            continue
        if len(row) != len(columns):
            raise InvalidInput(f"has {len(row)} fields, not {len(columns)}", where=place)
        yield place, {c: restore_cell(cell) for c, cell in zip(columns, row, strict=True)}


def _read_frame(text: str, where: str) -> tuple[str, ...]:
    ids: list[str] = []
    seen: dict[str, str] = {}
    for place, row in _rows(text, where, FRAME_COLUMNS):
        ballot = row["ballot_id"]
        if not ballot:
            raise InvalidInput("is empty", where=f"{place}, field 'ballot_id'")
        if ballot in seen:
            raise InvalidInput(
                f"repeats ballot {ballot!r} (first at {seen[ballot].rsplit(', ', 1)[-1]})",
                where=f"{place}, field 'ballot_id'",
            )
        seen[ballot] = place
        ids.append(ballot)
    return tuple(ids)


def _read_sample(text: str, where: str) -> tuple[Draw, ...]:
    draws: list[Draw] = []
    for place, row in _rows(text, where, SAMPLE_COLUMNS):
        number = row["round"].strip()
        if not number.isdigit() or int(number) < 1:
            raise InvalidInput(f"{number!r} is not a round number", where=f"{place}, field 'round'")
        for name in ("ticket_number", "ballot_id"):
            if not row[name]:
                raise InvalidInput("is empty", where=f"{place}, field {name!r}")
        draws.append(Draw(int(number), row["ticket_number"], row["ballot_id"]))
    return tuple(draws)


def _reading(raw: str, choices: Sequence[str], vote_for: int, where: str) -> Reading:
    text = raw.strip()
    if text in MARKS:
        return Reading(mark=text)
    if not text:
        raise InvalidInput(
            "is empty; write choice ids joined by ';', or blank, overvote or not_found",
            where=where,
        )
    named = [part.strip() for part in text.split(";")]
    for choice in named:
        if choice not in choices:
            raise InvalidInput(f"names {choice!r}, which is not a choice in the contest", where)
    if len(set(named)) != len(named):
        raise InvalidInput("names a choice twice", where=where)
    if len(named) > vote_for:
        raise InvalidInput(
            f"names {len(named)} choices in a vote-for-{vote_for} contest; write overvote",
            where=where,
        )
    return Reading(frozenset(named))


def _ranked_reading(raw: str, choices: Sequence[str], vote_for: int, where: str) -> Reading:
    """An IRV contest's reading: ``R:choice`` entries, or ``blank`` or ``not_found``."""
    text = raw.strip()
    if text == NOT_FOUND:
        return Reading(mark=text)
    if parse_ranks(text, choices, None, where) == ():
        return Reading(mark=BLANK)
    return Reading(frozenset(part.strip() for part in text.split(";")))


def _read_interpretations(
    text: str, where: str, header: Mapping[str, Any]
) -> tuple[Interpretation, ...]:
    contests = {c.id: c for c in header["contests"]}
    polling = header["method"] is AuditMethod.BALLOT_POLLING
    out: list[Interpretation] = []
    seen: set[tuple[str, str]] = set()
    for place, row in _rows(text, where, INTERPRETATION_COLUMNS):
        ballot, contest_id = row["ballot_id"], row["contest_id"]
        if not ballot:
            raise InvalidInput("is empty", where=f"{place}, field 'ballot_id'")
        contest = contests.get(contest_id)
        if contest is None:
            raise InvalidInput(
                f"{contest_id!r} is not a contest in audit.json",
                where=f"{place}, field 'contest_id'",
            )
        if (ballot, contest_id) in seen:
            raise InvalidInput(
                f"reads ballot {ballot!r} in contest {contest_id!r} a second time",
                where=f"{place}, field 'ballot_id'",
            )
        seen.add((ballot, contest_id))
        choices = list(contest.reported)
        read = _reading if contest.irv_assertions is None else _ranked_reading
        cvr: Reading | None = None
        if polling:
            if row["cvr"].strip():
                raise InvalidInput(
                    "must be empty in a ballot-polling audit", where=f"{place}, field 'cvr'"
                )
        else:
            cvr = read(row["cvr"], choices, contest.vote_for, f"{place}, field 'cvr'")
        audited = read(row["audited"], choices, contest.vote_for, f"{place}, field 'audited'")
        out.append(Interpretation(ballot, contest_id, cvr, audited))
    return tuple(out)


def _read_audit(text: str, where: str) -> dict[str, Any]:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"is not valid JSON ({exc.msg})", where=f"{where}, line {exc.lineno}"
        ) from None
    doc = _Fields(data, where)
    method_text = doc.text("method")
    try:
        method = AuditMethod(method_text)
    except ValueError:
        allowed = ", ".join(m.value for m in AuditMethod)
        raise InvalidInput(f"{method_text!r} is not one of {allowed}", doc.at("method")) from None
    seed = doc.text("seed")
    try:
        Seed(seed)
    except InvalidInput:
        raise InvalidInput("must be exactly 20 decimal digits", doc.at("seed")) from None
    contests = tuple(
        _contest(item, doc.at(f"contests[{n}]")) for n, item in enumerate(doc.items("contests"))
    )
    ids = [c.id for c in contests]
    if len(set(ids)) != len(ids):
        raise InvalidInput("name a contest id twice", doc.at("contests"))
    rounds = tuple(
        _round(item, doc.at(f"rounds[{n}]")) for n, item in enumerate(doc.items("rounds"))
    )
    return {
        "audit_id": doc.text("audit_id"),
        "election": doc.text("election"),
        "method": method,
        "risk_limit": doc.number("risk_limit"),
        "seed": seed,
        "with_replacement": doc.flag("with_replacement"),
        "contests": contests,
        "rounds": rounds,
    }


class _Fields:
    """Typed access to one JSON object's fields, naming ``member, field 'path'`` on error."""

    def __init__(self, data: Any, where: str, path: str = "") -> None:
        if not isinstance(data, dict):
            raise InvalidInput(
                "must be a JSON object", where if not path else f"{where}, field {path!r}"
            )
        self.data, self.where, self.path = data, where, path

    def at(self, name: str) -> str:
        return f"{self.where}, field {self.path + ('.' if self.path else '') + name!r}"

    def get(self, name: str) -> Any:
        if name not in self.data:
            raise InvalidInput("is missing", self.at(name))
        return self.data[name]

    def text(self, name: str) -> str:
        value = self.get(name)
        if not isinstance(value, str) or not value:
            raise InvalidInput("must be a non-empty string", self.at(name))
        return value

    def whole(self, name: str) -> int:
        value = self.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput("must be a whole number of at least 0", self.at(name))
        return value

    def number(self, name: str) -> float:
        value = self.get(name)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InvalidInput("must be a number", self.at(name))
        return float(value)

    def flag(self, name: str) -> bool:
        value = self.get(name)
        if not isinstance(value, bool):
            raise InvalidInput("must be true or false", self.at(name))
        return value

    def items(self, name: str) -> list[Any]:
        value = self.get(name)
        if not isinstance(value, list):
            raise InvalidInput("must be a list", self.at(name))
        return value

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.get(name)
        if not isinstance(value, dict):
            raise InvalidInput("must be an object", self.at(name))
        return value


def _contest(item: Any, where: str) -> EvidenceContest:
    member, path = where.rsplit(", field ", 1)
    doc = _Fields(item, member, path.strip("'"))
    reported = doc.mapping("reported")
    for choice, votes in reported.items():
        if choice in MARKS:
            raise InvalidInput(
                f"{choice!r} is a reserved word, not a choice id", doc.at("reported")
            )
        if isinstance(votes, bool) or not isinstance(votes, int) or votes < 0:
            raise InvalidInput("must be a whole number of at least 0", doc.at(f"reported.{choice}"))
    winners = doc.items("winners")
    for winner in winners:
        if winner not in reported:
            raise InvalidInput(f"{winner!r} is not a choice in 'reported'", doc.at("winners"))
    contest_id, ballots = doc.text("id"), doc.whole("ballots")
    irv = None
    if "irv_assertions" in doc.data:
        irv = tuple(
            _assertion(item, contest_id, ballots, f"{doc.at('irv_assertions')}[{n}]")
            for n, item in enumerate(doc.items("irv_assertions"))
        )
    return EvidenceContest(
        id=contest_id,
        name=doc.text("name"),
        vote_for=doc.whole("vote_for"),
        winners=tuple(winners),
        reported=dict(reported),
        ballots=ballots,
        irv_assertions=irv,
    )


def _assertion(item: Any, contest_id: str, ballots: int, where: str) -> IrvAssertion:
    """One published RAIRE assertion; its id and margin follow from these fields."""
    member, path = where.rsplit(", field ", 1)
    doc = _Fields(item, member, path.strip("'"))
    kind_text = doc.text("kind")
    if kind_text not in (Kind.NEB.value, Kind.NEN.value):
        raise InvalidInput(f"{kind_text!r} is not NEB or NEN", doc.at("kind"))
    continuing = doc.items("continuing")
    if not all(isinstance(name, str) and name for name in continuing):
        raise InvalidInput("must be a list of candidate names", doc.at("continuing"))
    return IrvAssertion(
        contest_id=contest_id,
        kind=Kind(kind_text),
        winner=doc.text("winner"),
        loser=doc.text("loser"),
        continuing=frozenset(continuing),
        winner_tally=doc.whole("winner_tally"),
        loser_tally=doc.whole("loser_tally"),
        ballots=max(ballots, 1),
        difficulty=doc.number("difficulty") if doc.data.get("difficulty") is not None else 0.0,
    )


def _round(item: Any, where: str) -> EvidenceRound:
    member, path = where.rsplit(", field ", 1)
    doc = _Fields(item, member, path.strip("'"))
    risk = doc.mapping("risk")
    for contest, value in risk.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput("must be a number", doc.at(f"risk.{contest}"))
    decision = doc.mapping("decision")
    allowed = ("confirmed", "continue", "full_hand_count")
    for contest, value in decision.items():
        if value not in allowed:
            raise InvalidInput(
                f"{value!r} is not one of {', '.join(allowed)}", doc.at(f"decision.{contest}")
            )
    number = doc.whole("round")
    return EvidenceRound(
        round=number,
        sample_size=doc.whole("sample_size"),
        risk={k: float(v) for k, v in risk.items()},
        decision=dict(decision),
    )
