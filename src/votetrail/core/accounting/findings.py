"""What ballot accounting found, each finding with a sentence a county clerk and the public read.

A finding is a published fact about the election ("54 ballots have no paper
record"), so its explanation is written here, once, next to the numbers it
quotes: the web page, the CLI and the signed report all show the same words.
Numbers are written with thousands separators and "ballot"/"ballots" agrees
with the count, because these sentences are read aloud at canvass meetings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """An error must be resolved or explained before certification; a warning must be explained."""

    ERROR = "error"
    WARNING = "warning"


class FindingKind(StrEnum):
    """Every kind of disagreement between the sources, in the order reports list them."""

    MISSING_PAPER = "missing_paper"
    MANIFEST_SHORT = "manifest_short"
    CVR_NOT_IN_MANIFEST = "cvr_not_in_manifest"
    PAPER_WITHOUT_CVR = "paper_without_cvr"
    MANIFEST_BATCH_WITHOUT_CVRS = "manifest_batch_without_cvrs"
    DUPLICATE_CVR_ID = "duplicate_cvr_id"
    MORE_BALLOTS_THAN_CHECKINS = "more_ballots_than_checkins"
    FEWER_BALLOTS_THAN_CHECKINS = "fewer_ballots_than_checkins"
    DEVICE_COUNT_CHANGED = "device_count_changed"


_SEVERITY_ORDER = {severity: i for i, severity in enumerate(Severity)}
_KIND_ORDER = {kind: i for i, kind in enumerate(FindingKind)}
_DIGITS = re.compile(r"([0-9]+)")

WORST_CASE = "The audit will treat them as votes for the losers."
"""Said wherever ballots lack paper: the audit adds them as worst-case phantoms."""
DRAWN_WORST_CASE = "Each one the audit draws counts as a vote for the losers."
"""Said wherever paper lacks a CVR: a drawn card with no CVR is scored as the worst case."""


def _natural(name: str | None) -> tuple[tuple[object, ...], str]:
    # "T-2" before "T-10"; the raw name breaks ties ("T01" vs "T1") so order never varies.
    if name is None:
        return ((), "")
    parts = _DIGITS.split(name)
    return (tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts)), name)


def _named(word: str, name: str | None) -> str:
    # "Tabulator T-12", but "Tabulator A" stays as exported rather than "Tabulator Tabulator A".
    if name is None:
        return f"{word} (not named)"
    if name.casefold().startswith(word.casefold()):
        return name
    return f"{word} {name}"


def count_of(n: int, noun: str) -> str:
    """``1 ballot``, ``1,204 ballots``: the form every explanation uses for a number of things."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a finding is: a precinct, a tabulator, a batch of a tabulator, or one CVR id."""

    precinct: str | None = None
    tabulator: str | None = None
    batch: str | None = None
    cvr_id: str | None = None

    def sort_key(self) -> tuple[tuple[tuple[object, ...], str], ...]:
        """Natural order of names, so reports list T-2 before T-10 every time."""
        return tuple(_natural(n) for n in (self.precinct, self.tabulator, self.batch, self.cvr_id))

    def describe(self) -> str:
        """The place as the subject of a sentence: ``Batch 3 of tabulator T-12``."""
        if self.batch is not None:
            return f"{_named('Batch', self.batch)} of {_named('tabulator', self.tabulator)}"
        if self.tabulator is not None:
            return _named("Tabulator", self.tabulator)
        if self.precinct is not None:
            return _named("Precinct", self.precinct)
        if self.cvr_id is not None:
            return f'The cast vote record id "{self.cvr_id}"'
        return "Tabulator (not named)"


@dataclass(frozen=True, slots=True)
class Finding:
    """One disagreement between the sources, with the numbers it rests on.

    ``numbers`` are the counts compared, named (``cvrs``, ``paper_records``,
    ``manifest_ballots``, ``check_ins``, ``previous_cvrs``, ``occurrences``),
    in the order the explanation quotes them; ``count`` is how many ballots
    (or, for a duplicate id, extra records) are at issue.
    """

    kind: FindingKind
    severity: Severity
    place: Place
    numbers: tuple[tuple[str, int], ...]
    count: int
    explanation: str

    def number(self, name: str) -> int:
        """One of the compared counts by name; a KeyError names a number this kind lacks."""
        return dict(self.numbers)[name]

    def sort_key(self) -> tuple[object, ...]:
        """Errors first, then kind, then place: the order every report prints."""
        return (
            _SEVERITY_ORDER[self.severity],
            _KIND_ORDER[self.kind],
            self.place.sort_key(),
            self.explanation,
        )


def missing_paper(place: Place, cvrs: int, paper_records: int) -> Finding:
    """A device tabulated more ballots than its printer or tape kept paper records of."""
    gap = cvrs - paper_records
    has = "has" if gap == 1 else "have"
    text = (
        f"{place.describe()} recorded {count_of(cvrs, 'ballot')} but its paper record holds "
        f"{paper_records:,}: {count_of(gap, 'ballot')} {has} no paper record "
        f"(a jammed or failed printer?). {WORST_CASE}"
    )
    numbers = (("cvrs", cvrs), ("paper_records", paper_records))
    return Finding(FindingKind.MISSING_PAPER, Severity.ERROR, place, numbers, gap, text)


def manifest_short(place: Place, cvrs: int, manifest_ballots: int) -> Finding:
    """A batch has more ballots tabulated than the manifest says are stored in it."""
    gap = cvrs - manifest_ballots
    has = "has" if gap == 1 else "have"
    text = (
        f"{place.describe()} has {count_of(cvrs, 'ballot')} tabulated but the ballot manifest "
        f"lists {manifest_ballots:,}: {count_of(gap, 'tabulated ballot')} {has} no paper ballot "
        f"in the manifest (a miscount, or paper stored with another batch?). {WORST_CASE}"
    )
    numbers = (("cvrs", cvrs), ("manifest_ballots", manifest_ballots))
    return Finding(FindingKind.MANIFEST_SHORT, Severity.ERROR, place, numbers, gap, text)


def cvr_not_in_manifest(place: Place, cvrs: int) -> Finding:
    """Tabulated ballots whose batch the manifest does not list, so the audit cannot pull them."""
    text = (
        f"{place.describe()} has {count_of(cvrs, 'ballot')} tabulated but no entry in the "
        f"ballot manifest, so the audit cannot find their paper. {WORST_CASE}"
    )
    numbers = (("cvrs", cvrs), ("manifest_ballots", 0))
    return Finding(FindingKind.CVR_NOT_IN_MANIFEST, Severity.ERROR, place, numbers, cvrs, text)


def paper_without_cvr(place: Place, cvrs: int, paper: int, *, manifest: bool) -> Finding:
    """More paper (on a device's tape, or in a manifest batch) than ballots tabulated."""
    gap = paper - cvrs
    has = "has" if gap == 1 else "have"
    if manifest:
        source, name = f"the ballot manifest lists {paper:,}", "manifest_ballots"
        noun, guess = "paper ballot", "ballots not scanned, or a miscount in the manifest?"
    else:
        source, name = f"its paper record holds {paper:,}", "paper_records"
        noun, guess = "paper record", "ballots printed but never counted?"
    text = (
        f"{place.describe()} has {count_of(cvrs, 'ballot')} tabulated but {source}: "
        f"{count_of(gap, noun)} {has} no cast vote record ({guess}). {DRAWN_WORST_CASE}"
    )
    numbers = (("cvrs", cvrs), (name, paper))
    return Finding(FindingKind.PAPER_WITHOUT_CVR, Severity.ERROR, place, numbers, gap, text)


def manifest_batch_without_cvrs(place: Place, manifest_ballots: int) -> Finding:
    """A batch of paper in the manifest with no ballot tabulated from it: possibly never counted."""
    text = (
        f"{place.describe()} holds {count_of(manifest_ballots, 'paper ballot')} according to the "
        f"ballot manifest but none were tabulated: were they never scanned, or uploaded under "
        f"another name? {DRAWN_WORST_CASE}"
    )
    numbers = (("cvrs", 0), ("manifest_ballots", manifest_ballots))
    kind = FindingKind.MANIFEST_BATCH_WITHOUT_CVRS
    return Finding(kind, Severity.ERROR, place, numbers, manifest_ballots, text)


def duplicate_cvr_id(cvr_id: str, occurrences: int) -> Finding:
    """One id on several records: a ballot may be counted more than once."""
    place = Place(cvr_id=cvr_id)
    extra = occurrences - 1
    text = (
        f"{place.describe()} appears {occurrences:,} times: each ballot has one record, so "
        f"{count_of(extra, 'ballot')} may have been counted twice (a file uploaded twice?)."
    )
    numbers = (("occurrences", occurrences),)
    return Finding(FindingKind.DUPLICATE_CVR_ID, Severity.ERROR, place, numbers, extra, text)


def check_ins_differ(precinct: str, cvrs: int, check_ins: int) -> Finding:
    """Ballots vs voters checked in: more ballots is an error, fewer can be innocent."""
    place = Place(precinct=precinct)
    numbers = (("cvrs", cvrs), ("check_ins", check_ins))
    voters = count_of(check_ins, "voter")
    if cvrs > check_ins:
        gap = cvrs - check_ins
        only = f"only {voters}" if check_ins else "no voters"
        text = (
            f"{place.describe()} has {count_of(cvrs, 'ballot')} tabulated but {only} "
            f"checked in: {gap:,} more {'ballot' if gap == 1 else 'ballots'} than voters, which "
            f"should never happen."
        )
        kind, severity = FindingKind.MORE_BALLOTS_THAN_CHECKINS, Severity.ERROR
    else:
        gap = check_ins - cvrs
        text = (
            f"{place.describe()} has {count_of(cvrs, 'ballot')} tabulated and {voters} checked "
            f"in: {gap:,} fewer {'ballot' if gap == 1 else 'ballots'} than voters. This can be "
            f"innocent, since a voter may check in and leave without casting a ballot, but the "
            f"poll workers' records should say so."
        )
        kind, severity = FindingKind.FEWER_BALLOTS_THAN_CHECKINS, Severity.WARNING
    return Finding(kind, severity, place, numbers, gap, text)


def device_count_changed(tabulator: str | None, previous: int, cvrs: int) -> Finding:
    """A device's count moved between uploads: fewer is an error, more must be explained."""
    place = Place(tabulator=tabulator)
    numbers = (("previous_cvrs", previous), ("cvrs", cvrs))
    gap = abs(cvrs - previous)
    head = f"{place.describe()} had {count_of(previous, 'ballot')} in the previous upload and "
    if cvrs < previous:
        text = (
            f"{head}has {cvrs:,} now: {gap:,} fewer. Ballots once counted should not "
            f"disappear; find out why before publishing results."
        )
        severity = Severity.ERROR
    else:
        text = (
            f"{head}has {cvrs:,} now: {gap:,} more. This is expected only if ballots were "
            f"added since (a late batch, adjudicated or provisional ballots)."
        )
        severity = Severity.WARNING
    return Finding(FindingKind.DEVICE_COUNT_CHANGED, severity, place, numbers, gap, text)
