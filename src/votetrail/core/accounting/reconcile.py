"""Ballot accounting: every ballot tabulated is checked against paper, manifest and poll book.

"There is a paper record of every vote" is only true if someone counts. This
module compares four independent counts of the same ballots, per place:

* cast vote records (what tabulators counted), per tabulator, batch and precinct;
* paper records per device (what a device's tape or printer kept, e.g. VVPAT);
* the ballot manifest (the batches of paper on the shelf, which the audit samples);
* poll-book check-ins per precinct (voters who were issued a ballot);

plus, optionally, each device's count in the previous upload. Every
disagreement becomes a :class:`~votetrail.core.accounting.findings.Finding`.
The inputs are plain counts so that a service may fill them from a file, a
database aggregate or :func:`summarise_cvrs`; nothing here reads or stores.
Names are compared exactly: mapping a vendor's "Tabulator 12" to the
manifest's "T-12" is the reader's job, not a guess made here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from votetrail.core.accounting import findings as f
from votetrail.core.audit.types import check_count
from votetrail.core.tally.records import CastVoteRecord
from votetrail.errors import InvalidInput

BatchKey = tuple[str | None, str | None]
"""(tabulator, batch) as the CVRs name them; either may be absent from an export."""


@dataclass(frozen=True, slots=True)
class ManifestBatch:
    """One batch of paper ballots on the shelf, as a service reads it from the manifest."""

    tabulator: str | None
    batch: str
    ballots: int

    def __post_init__(self) -> None:
        check_count(f"ballots in manifest batch {self.batch!r}", self.ballots)


@dataclass(frozen=True, slots=True)
class CvrSummary:
    """CVR counts per (tabulator, batch) and per precinct, and ids seen more than once.

    Built by :func:`summarise_cvrs`, or by a service from database aggregates
    when a state's millions of records should not travel through Python.
    """

    batches: Mapping[BatchKey, int] = field(default_factory=dict, hash=False)
    precincts: Mapping[str | None, int] = field(default_factory=dict, hash=False)
    duplicates: Mapping[str, int] = field(default_factory=dict, hash=False)
    """CVR id -> number of records carrying it (2 or more)."""

    def __post_init__(self) -> None:
        for (tabulator, batch), n in self.batches.items():
            check_count(f"CVRs of tabulator {tabulator!r} batch {batch!r}", n)
        for precinct, n in self.precincts.items():
            check_count(f"CVRs of precinct {precinct!r}", n)
        for cvr_id, n in self.duplicates.items():
            if check_count(f"records with CVR id {cvr_id!r}", n) < 2:
                raise InvalidInput("a duplicate appears at least twice", where=f"CVR id {cvr_id!r}")
        if sum(self.batches.values()) != sum(self.precincts.values()):
            raise InvalidInput(
                "per-batch and per-precinct CVR counts must add up to the same total",
                where="CVR summary",
            )
        for name in ("batches", "precincts", "duplicates"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    @property
    def total(self) -> int:
        """All CVRs, duplicates included: each record is a ballot the tabulator claims."""
        return sum(self.batches.values())

    def per_tabulator(self) -> dict[str | None, int]:
        """CVRs per device, summed over its batches."""
        totals: dict[str | None, int] = {}
        for (tabulator, _), n in self.batches.items():
            totals[tabulator] = totals.get(tabulator, 0) + n
        return totals


def summarise_cvrs(records: Iterable[CastVoteRecord]) -> CvrSummary:
    """Count CVRs per batch and precinct and find repeated ids, in one pass over a stream."""
    batches: dict[BatchKey, int] = {}
    precincts: dict[str | None, int] = {}
    seen: set[str] = set()
    duplicates: dict[str, int] = {}
    for record in records:
        key = (record.tabulator, record.batch)
        batches[key] = batches.get(key, 0) + 1
        precincts[record.precinct] = precincts.get(record.precinct, 0) + 1
        if record.id in seen:
            duplicates[record.id] = duplicates.get(record.id, 1) + 1
        else:
            seen.add(record.id)
    return CvrSummary(batches=batches, precincts=precincts, duplicates=duplicates)


@dataclass(frozen=True, slots=True)
class DeviceCounts:
    """One tabulator's three counts of the same ballots; the phantom plan is built from these."""

    tabulator: str | None
    cvrs: int
    paper_records: int | None
    """What the device's own tape or printer kept; None when it reported none (no VVPAT)."""
    manifest_ballots: int

    def __post_init__(self) -> None:
        name = f"tabulator {self.tabulator!r}"
        check_count(f"CVRs of {name}", self.cvrs)
        check_count(f"manifest ballots of {name}", self.manifest_ballots)
        if self.paper_records is not None:
            check_count(f"paper records of {name}", self.paper_records)

    @property
    def paper(self) -> int:
        """Paper the audit can pull: the smaller count when tape and manifest disagree."""
        if self.paper_records is None:
            return self.manifest_ballots
        return min(self.paper_records, self.manifest_ballots)

    @property
    def missing_paper(self) -> int:
        """Ballots tabulated with no paper to back them: the phantoms this device needs."""
        return max(0, self.cvrs - self.paper)

    @property
    def frame_ballots(self) -> int:
        """Cards this device adds to the audit's sample frame, phantoms included."""
        return max(self.cvrs, self.paper)


@dataclass(frozen=True, slots=True)
class Summary:
    """Totals per source, and whether everything agreed."""

    cvrs: int
    tabulators: int
    manifest_ballots: int
    paper_records: int | None
    check_ins: int | None
    cvrs_without_precinct: int
    errors: int
    warnings: int
    explanation: str

    @property
    def ok(self) -> bool:
        """True only when no finding at all was made."""
        return self.errors == 0 and self.warnings == 0


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The findings in report order, each device's counts, and the summary."""

    findings: tuple[f.Finding, ...]
    devices: tuple[DeviceCounts, ...]
    summary: Summary


def _checked(counts: Mapping[str, int] | None, what: str) -> dict[str, int] | None:
    if counts is None:
        return None
    return {name: check_count(f"{what} {name!r}", n) for name, n in counts.items()}


def _manifest_index(manifest: Iterable[ManifestBatch]) -> dict[BatchKey, int]:
    index: dict[BatchKey, int] = {}
    for entry in manifest:
        key = (entry.tabulator, entry.batch)
        if key in index:
            raise InvalidInput(
                "is listed twice in the ballot manifest",
                where=f"tabulator {entry.tabulator!r} batch {entry.batch!r}",
            )
        index[key] = entry.ballots
    return index


def reconcile(
    cvrs: CvrSummary,
    manifest: Iterable[ManifestBatch],
    *,
    paper_records: Mapping[str, int] | None = None,
    check_ins: Mapping[str, int] | None = None,
    previous: Mapping[str | None, int] | None = None,
) -> Reconciliation:
    """Compare every source at every place and explain each disagreement.

    ``paper_records`` maps a tabulator to the records its tape kept (devices
    without one are absent); ``check_ins`` maps every precinct compared to its
    voters checked in (None: no poll book, no comparison; a precinct missing
    from it had no check-ins); ``previous`` maps a tabulator to its CVR count
    in the previous upload (a device first seen now is not a change).
    """
    papers = _checked(paper_records, "paper records of tabulator") or {}
    voters = _checked(check_ins, "check-ins of precinct")
    before = {
        t: check_count(f"previous CVRs of tabulator {t!r}", n) for t, n in (previous or {}).items()
    }
    listed = _manifest_index(manifest)
    found = _batch_findings(cvrs.batches, listed)
    found += [f.duplicate_cvr_id(cvr_id, n) for cvr_id, n in cvrs.duplicates.items()]
    devices = _devices(cvrs.per_tabulator(), listed, papers)
    found += _device_findings(devices)
    now = {device.tabulator: device.cvrs for device in devices}
    found += [
        f.device_count_changed(t, n, now.get(t, 0)) for t, n in before.items() if n != now.get(t, 0)
    ]
    if voters is not None:
        found += _precinct_findings(cvrs.precincts, voters)
    ordered = tuple(sorted(found, key=f.Finding.sort_key))
    summary = _summary(
        cvrs, devices, papers if paper_records is not None else None, voters, ordered
    )
    return Reconciliation(findings=ordered, devices=devices, summary=summary)


def _batch_findings(
    batches: Mapping[BatchKey, int], listed: Mapping[BatchKey, int]
) -> list[f.Finding]:
    out: list[f.Finding] = []
    for key in batches.keys() | listed.keys():
        place = f.Place(tabulator=key[0], batch=key[1])
        tabulated, shelved = batches.get(key, 0), listed.get(key)
        if shelved is None:
            out.append(f.cvr_not_in_manifest(place, tabulated))
        elif tabulated == 0 and shelved > 0:
            out.append(f.manifest_batch_without_cvrs(place, shelved))
        elif tabulated > shelved:
            out.append(f.manifest_short(place, tabulated, shelved))
        elif shelved > tabulated:
            out.append(f.paper_without_cvr(place, tabulated, shelved, manifest=True))
    return out


def _device_findings(devices: Iterable[DeviceCounts]) -> list[f.Finding]:
    out: list[f.Finding] = []
    for device in devices:
        paper = device.paper_records
        place = f.Place(tabulator=device.tabulator)
        if paper is not None and device.cvrs > paper:
            out.append(f.missing_paper(place, device.cvrs, paper))
        elif paper is not None and paper > device.cvrs:
            out.append(f.paper_without_cvr(place, device.cvrs, paper, manifest=False))
    return out


def _devices(
    tabulated: Mapping[str | None, int], listed: Mapping[BatchKey, int], papers: Mapping[str, int]
) -> tuple[DeviceCounts, ...]:
    shelved: dict[str | None, int] = {}
    for (tabulator, _), n in listed.items():
        shelved[tabulator] = shelved.get(tabulator, 0) + n
    names = tabulated.keys() | shelved.keys() | papers.keys()
    devices = (
        DeviceCounts(
            t, tabulated.get(t, 0), papers.get(t) if t is not None else None, shelved.get(t, 0)
        )
        for t in names
    )
    return tuple(sorted(devices, key=lambda d: f.Place(tabulator=d.tabulator).sort_key()))


def _precinct_findings(
    precincts: Mapping[str | None, int], voters: Mapping[str, int]
) -> list[f.Finding]:
    names = {p for p in precincts if p is not None} | voters.keys()
    return [
        f.check_ins_differ(p, precincts.get(p, 0), voters.get(p, 0))
        for p in names
        if precincts.get(p, 0) != voters.get(p, 0)
    ]


def _summary(
    cvrs: CvrSummary,
    devices: tuple[DeviceCounts, ...],
    papers: Mapping[str, int] | None,
    voters: Mapping[str, int] | None,
    found: tuple[f.Finding, ...],
) -> Summary:
    errors = sum(1 for x in found if x.severity is f.Severity.ERROR)
    warnings = len(found) - errors
    tabulators = sum(1 for d in devices if d.cvrs)
    shelved = sum(d.manifest_ballots for d in devices)
    paper = sum(papers.values()) if papers is not None else None
    checked_in = sum(voters.values()) if voters is not None else None
    unplaced = cvrs.precincts.get(None, 0) if voters is not None else 0
    totals = [
        f"{f.count_of(cvrs.total, 'ballot')} tabulated by {f.count_of(tabulators, 'tabulator')}",
        f"{f.count_of(shelved, 'paper ballot')} in the ballot manifest",
    ]
    if paper is not None:
        totals.append(f"{f.count_of(paper, 'paper record')} kept by devices")
    if checked_in is not None:
        totals.append(f"{f.count_of(checked_in, 'voter')} checked in")
    head = (
        "All sources agree"
        if not found
        else f"Found {f.count_of(errors, 'error')} and {f.count_of(warnings, 'warning')}"
    )
    text = f"{head}: {', '.join(totals[:-1])} and {totals[-1]}."
    if unplaced:
        were = "was" if unplaced == 1 else "were"
        text += (
            f" {f.count_of(unplaced, 'ballot')} named no precinct and {were} not compared"
            " with check-ins."
        )
    return Summary(
        cvrs=cvrs.total,
        tabulators=tabulators,
        manifest_ballots=shelved,
        paper_records=paper,
        check_ins=checked_in,
        cvrs_without_precinct=cvrs.precincts.get(None, 0),
        errors=errors,
        warnings=warnings,
        explanation=text,
    )
