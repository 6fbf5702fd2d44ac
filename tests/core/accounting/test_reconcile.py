"""Ballot accounting: each finding's numbers and exact words, a demo county, order, bad input.

The explanations are published to clerks and the public, so each is pinned
word for word; a change of wording is a change a reviewer must see.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pytest

from votetrail.core.accounting.findings import FindingKind, Place, Severity
from votetrail.core.accounting.reconcile import (
    CvrSummary,
    DeviceCounts,
    ManifestBatch,
    Reconciliation,
    reconcile,
    summarise_cvrs,
)
from votetrail.core.tally.records import CastVoteRecord
from votetrail.errors import InvalidInput


def records(
    tabulator: str | None, batch: str | None, precinct: str | None, n: int
) -> Iterator[CastVoteRecord]:
    """n CVRs of one batch, with ids as Dominion builds them (tabulator-batch-record)."""
    for k in range(1, n + 1):
        yield CastVoteRecord(f"{tabulator}-{batch}-{k}", tabulator, batch, str(k), precinct)


@dataclass(frozen=True)
class County:
    """Every input of one accounting run; ``run`` reconciles it."""

    cvrs: list[CastVoteRecord]
    manifest: list[ManifestBatch]
    paper: dict[str, int] | None = None
    check_ins: dict[str, int] | None = None
    previous: Mapping[str | None, int] | None = field(default=None)

    def run(self) -> Reconciliation:
        return reconcile(
            summarise_cvrs(self.cvrs),
            self.manifest,
            paper_records=self.paper,
            check_ins=self.check_ins,
            previous=self.previous,
        )


# The seeded demo county: 3 precincts, 4 tabulators (T-4 counts mail for all
# three), (tabulator, batch, precinct, ballots).
DEMO_BATCHES = [
    ("T-1", "1", "Precinct 1", 412),
    ("T-1", "2", "Precinct 1", 388),
    ("T-2", "1", "Precinct 2", 530),
    ("T-3", "1", "Precinct 3", 301),
    ("T-3", "2", "Precinct 3", 299),
    ("T-4", "1", "Precinct 1", 150),
    ("T-4", "2", "Precinct 2", 175),
    ("T-4", "3", "Precinct 3", 125),
]


def demo_county(*, short_tape: int = 0) -> County:
    """The demo county with every source agreeing, except T-3's tape short by ``short_tape``."""
    cvrs = [r for t, b, p, n in DEMO_BATCHES for r in records(t, b, p, n)]
    manifest = [ManifestBatch(t, b, n) for t, b, _, n in DEMO_BATCHES]
    paper: dict[str, int] = {}
    check_ins: dict[str, int] = {}
    for t, _, p, n in DEMO_BATCHES:
        paper[t] = paper.get(t, 0) + n
        check_ins[p] = check_ins.get(p, 0) + n
    paper["T-3"] -= short_tape
    return County(cvrs, manifest, paper, check_ins, previous={"T-1": 800, "T-3": 600})


def one_batch(n: int, *, tabulator: str = "T-1", batch: str = "1") -> list[CastVoteRecord]:
    return list(records(tabulator, batch, "P1", n))


CASES = [
    pytest.param(
        County(
            one_batch(1204, tabulator="T-12"), [ManifestBatch("T-12", "1", 1204)], {"T-12": 1150}
        ),
        FindingKind.MISSING_PAPER,
        Severity.ERROR,
        Place(tabulator="T-12"),
        (("cvrs", 1204), ("paper_records", 1150)),
        54,
        "Tabulator T-12 recorded 1,204 ballots but its paper record holds 1,150: 54 ballots "
        "have no paper record (a jammed or failed printer?). The audit will treat them as "
        "votes for the losers.",
        id="missing paper",
    ),
    pytest.param(
        County(
            one_batch(10, tabulator="Tabulator A"),
            [ManifestBatch("Tabulator A", "1", 10)],
            {"Tabulator A": 9},
        ),
        FindingKind.MISSING_PAPER,
        Severity.ERROR,
        Place(tabulator="Tabulator A"),
        (("cvrs", 10), ("paper_records", 9)),
        1,
        "Tabulator A recorded 10 ballots but its paper record holds 9: 1 ballot has no paper "
        "record (a jammed or failed printer?). The audit will treat them as votes for the losers.",
        id="missing paper, one ballot, name not repeated",
    ),
    pytest.param(
        County(one_batch(980), [ManifestBatch("T-1", "1", 980)], {"T-1": 1000}),
        FindingKind.PAPER_WITHOUT_CVR,
        Severity.ERROR,
        Place(tabulator="T-1"),
        (("cvrs", 980), ("paper_records", 1000)),
        20,
        "Tabulator T-1 has 980 ballots tabulated but its paper record holds 1,000: 20 paper "
        "records have no cast vote record (ballots printed but never counted?). Each one the "
        "audit draws counts as a vote for the losers.",
        id="paper record without CVR",
    ),
    pytest.param(
        County(one_batch(480), [ManifestBatch("T-1", "1", 500)]),
        FindingKind.PAPER_WITHOUT_CVR,
        Severity.ERROR,
        Place(tabulator="T-1", batch="1"),
        (("cvrs", 480), ("manifest_ballots", 500)),
        20,
        "Batch 1 of tabulator T-1 has 480 ballots tabulated but the ballot manifest lists 500: "
        "20 paper ballots have no cast vote record (ballots not scanned, or a miscount in the "
        "manifest?). Each one the audit draws counts as a vote for the losers.",
        id="manifest ballots without CVR",
    ),
    pytest.param(
        County(one_batch(500), [ManifestBatch("T-1", "1", 480)]),
        FindingKind.MANIFEST_SHORT,
        Severity.ERROR,
        Place(tabulator="T-1", batch="1"),
        (("cvrs", 500), ("manifest_ballots", 480)),
        20,
        "Batch 1 of tabulator T-1 has 500 ballots tabulated but the ballot manifest lists 480: "
        "20 tabulated ballots have no paper ballot in the manifest (a miscount, or paper stored "
        "with another batch?). The audit will treat them as votes for the losers.",
        id="manifest short",
    ),
    pytest.param(
        County(one_batch(5) + one_batch(120, batch="9"), [ManifestBatch("T-1", "1", 5)]),
        FindingKind.CVR_NOT_IN_MANIFEST,
        Severity.ERROR,
        Place(tabulator="T-1", batch="9"),
        (("cvrs", 120), ("manifest_ballots", 0)),
        120,
        "Batch 9 of tabulator T-1 has 120 ballots tabulated but no entry in the ballot "
        "manifest, so the audit cannot find their paper. The audit will treat them as votes "
        "for the losers.",
        id="CVRs with no manifest entry",
    ),
    pytest.param(
        County(one_batch(5), [ManifestBatch("T-1", "1", 5), ManifestBatch("T-1", "Batch 9", 1)]),
        FindingKind.MANIFEST_BATCH_WITHOUT_CVRS,
        Severity.ERROR,
        Place(tabulator="T-1", batch="Batch 9"),
        (("cvrs", 0), ("manifest_ballots", 1)),
        1,
        "Batch 9 of tabulator T-1 holds 1 paper ballot according to the ballot manifest but "
        "none were tabulated: were they never scanned, or uploaded under another name? Each "
        "one the audit draws counts as a vote for the losers.",
        id="manifest batch with no CVRs",
    ),
    pytest.param(
        County(one_batch(3) + one_batch(1) + one_batch(1), [ManifestBatch("T-1", "1", 5)]),
        FindingKind.DUPLICATE_CVR_ID,
        Severity.ERROR,
        Place(cvr_id="T-1-1-1"),
        (("occurrences", 3),),
        2,
        'The cast vote record id "T-1-1-1" appears 3 times: each ballot has one record, so 2 '
        "ballots may have been counted twice (a file uploaded twice?).",
        id="duplicate CVR id",
    ),
    pytest.param(
        County(one_batch(812), [ManifestBatch("T-1", "1", 812)], check_ins={"P1": 800}),
        FindingKind.MORE_BALLOTS_THAN_CHECKINS,
        Severity.ERROR,
        Place(precinct="P1"),
        (("cvrs", 812), ("check_ins", 800)),
        12,
        "Precinct P1 has 812 ballots tabulated but only 800 voters checked in: 12 more ballots "
        "than voters, which should never happen.",
        id="more ballots than check-ins",
    ),
    pytest.param(
        County(one_batch(3), [ManifestBatch("T-1", "1", 3)], check_ins={}),
        FindingKind.MORE_BALLOTS_THAN_CHECKINS,
        Severity.ERROR,
        Place(precinct="P1"),
        (("cvrs", 3), ("check_ins", 0)),
        3,
        "Precinct P1 has 3 ballots tabulated but no voters checked in: 3 more ballots than "
        "voters, which should never happen.",
        id="ballots in a precinct missing from the poll book",
    ),
    pytest.param(
        County(one_batch(799), [ManifestBatch("T-1", "1", 799)], check_ins={"P1": 800}),
        FindingKind.FEWER_BALLOTS_THAN_CHECKINS,
        Severity.WARNING,
        Place(precinct="P1"),
        (("cvrs", 799), ("check_ins", 800)),
        1,
        "Precinct P1 has 799 ballots tabulated and 800 voters checked in: 1 fewer ballot than "
        "voters. This can be innocent, since a voter may check in and leave without casting a "
        "ballot, but the poll workers' records should say so.",
        id="fewer ballots than check-ins",
    ),
    pytest.param(
        County(one_batch(950), [ManifestBatch("T-1", "1", 950)], previous={"T-1": 1000}),
        FindingKind.DEVICE_COUNT_CHANGED,
        Severity.ERROR,
        Place(tabulator="T-1"),
        (("previous_cvrs", 1000), ("cvrs", 950)),
        50,
        "Tabulator T-1 had 1,000 ballots in the previous upload and has 950 now: 50 fewer. "
        "Ballots once counted should not disappear; find out why before publishing results.",
        id="device count fell",
    ),
    pytest.param(
        County(one_batch(1000), [ManifestBatch("T-1", "1", 1000)], previous={"T-1": 950}),
        FindingKind.DEVICE_COUNT_CHANGED,
        Severity.WARNING,
        Place(tabulator="T-1"),
        (("previous_cvrs", 950), ("cvrs", 1000)),
        50,
        "Tabulator T-1 had 950 ballots in the previous upload and has 1,000 now: 50 more. This "
        "is expected only if ballots were added since (a late batch, adjudicated or provisional "
        "ballots).",
        id="device count rose",
    ),
    pytest.param(
        County(
            list(records(None, "1", "P1", 4)), [ManifestBatch(None, "1", 4)], previous={None: 5}
        ),
        FindingKind.DEVICE_COUNT_CHANGED,
        Severity.ERROR,
        Place(tabulator=None),
        (("previous_cvrs", 5), ("cvrs", 4)),
        1,
        "Tabulator (not named) had 5 ballots in the previous upload and has 4 now: 1 fewer. "
        "Ballots once counted should not disappear; find out why before publishing results.",
        id="unnamed tabulator",
    ),
]


@pytest.mark.parametrize(
    ("county", "kind", "severity", "place", "numbers", "count", "explanation"), CASES
)
def test_each_finding_kind(
    county: County,
    kind: FindingKind,
    severity: Severity,
    place: Place,
    numbers: tuple[tuple[str, int], ...],
    count: int,
    explanation: str,
) -> None:
    result = county.run()
    assert len(result.findings) == 1, [x.explanation for x in result.findings]
    (finding,) = result.findings
    assert (finding.kind, finding.severity, finding.place) == (kind, severity, place)
    assert finding.numbers == numbers
    assert finding.number(numbers[0][0]) == numbers[0][1]
    assert finding.count == count
    assert finding.explanation == explanation
    assert not result.summary.ok


def test_everything_agrees_in_the_demo_county() -> None:
    result = demo_county().run()
    assert result.findings == ()
    assert result.summary.ok
    assert result.summary.explanation == (
        "All sources agree: 2,380 ballots tabulated by 4 tabulators, 2,380 paper ballots in the "
        "ballot manifest, 2,380 paper records kept by devices and 2,380 voters checked in."
    )
    assert [(d.tabulator, d.cvrs, d.paper_records, d.manifest_ballots) for d in result.devices] == [
        ("T-1", 800, 800, 800),
        ("T-2", 530, 530, 530),
        ("T-3", 600, 600, 600),
        ("T-4", 450, 450, 450),
    ]


def test_jammed_tape_yields_exactly_the_missing_paper_finding() -> None:
    result = demo_county(short_tape=37).run()
    assert [(x.kind, x.place, x.count) for x in result.findings] == [
        (FindingKind.MISSING_PAPER, Place(tabulator="T-3"), 37)
    ]
    assert result.findings[0].explanation == (
        "Tabulator T-3 recorded 600 ballots but its paper record holds 563: 37 ballots have no "
        "paper record (a jammed or failed printer?). The audit will treat them as votes for the "
        "losers."
    )
    assert result.summary.explanation == (
        "Found 1 error and 0 warnings: 2,380 ballots tabulated by 4 tabulators, 2,380 paper "
        "ballots in the ballot manifest, 2,343 paper records kept by devices and 2,380 voters "
        "checked in."
    )
    assert (result.summary.errors, result.summary.warnings, result.summary.paper_records) == (
        1,
        0,
        2343,
    )


def test_a_device_missing_from_the_new_upload_is_a_change_to_zero() -> None:
    county = demo_county()
    without_t1 = [r for r in county.cvrs if r.tabulator != "T-1"]
    result = reconcile(summarise_cvrs(without_t1), [], previous={"T-1": 800})
    changed = [x for x in result.findings if x.kind is FindingKind.DEVICE_COUNT_CHANGED]
    assert [(x.place.tabulator, x.numbers, x.severity) for x in changed] == [
        ("T-1", (("previous_cvrs", 800), ("cvrs", 0)), Severity.ERROR)
    ]


def test_ballots_without_a_precinct_are_counted_but_not_compared() -> None:
    cvrs = one_batch(10) + list(records("T-1", "2", None, 1))
    manifest = [ManifestBatch("T-1", "1", 10), ManifestBatch("T-1", "2", 1)]
    result = reconcile(summarise_cvrs(cvrs), manifest, check_ins={"P1": 10})
    assert result.findings == ()
    assert result.summary.cvrs_without_precinct == 1
    assert result.summary.explanation == (
        "All sources agree: 11 ballots tabulated by 1 tabulator, 11 paper ballots in the ballot "
        "manifest and 10 voters checked in. 1 ballot named no precinct and was not compared "
        "with check-ins."
    )


def _messy_county() -> County:
    cvrs = (
        one_batch(5, tabulator="T-10")
        + one_batch(7, tabulator="T-2")
        + one_batch(1, tabulator="T-2")
        + list(records("T-9", "1", "P2", 3))
    )
    manifest = [
        ManifestBatch("T-10", "1", 4),
        ManifestBatch("T-2", "1", 9),
        ManifestBatch("T-3", "1", 2),
    ]
    return County(cvrs, manifest, {"T-10": 3, "T-2": 7}, {"P1": 20, "P2": 1}, {"T-2": 6})


def test_findings_are_sorted_by_severity_kind_and_natural_place() -> None:
    result = _messy_county().run()
    assert [(x.severity, x.kind, x.place) for x in result.findings] == [
        (Severity.ERROR, FindingKind.MISSING_PAPER, Place(tabulator="T-2")),
        (Severity.ERROR, FindingKind.MISSING_PAPER, Place(tabulator="T-10")),
        (Severity.ERROR, FindingKind.MANIFEST_SHORT, Place(tabulator="T-10", batch="1")),
        (Severity.ERROR, FindingKind.CVR_NOT_IN_MANIFEST, Place(tabulator="T-9", batch="1")),
        (Severity.ERROR, FindingKind.PAPER_WITHOUT_CVR, Place(tabulator="T-2", batch="1")),
        (
            Severity.ERROR,
            FindingKind.MANIFEST_BATCH_WITHOUT_CVRS,
            Place(tabulator="T-3", batch="1"),
        ),
        (Severity.ERROR, FindingKind.DUPLICATE_CVR_ID, Place(cvr_id="T-2-1-1")),
        (Severity.ERROR, FindingKind.MORE_BALLOTS_THAN_CHECKINS, Place(precinct="P2")),
        (Severity.WARNING, FindingKind.FEWER_BALLOTS_THAN_CHECKINS, Place(precinct="P1")),
        (Severity.WARNING, FindingKind.DEVICE_COUNT_CHANGED, Place(tabulator="T-2")),
    ]


def test_order_does_not_depend_on_input_order() -> None:
    county = _messy_county()
    expected = county.run()
    rng = random.Random(20240101)
    for _ in range(20):
        cvrs, manifest = list(county.cvrs), list(county.manifest)
        rng.shuffle(cvrs)
        rng.shuffle(manifest)
        paper = dict(rng.sample(sorted((county.paper or {}).items()), k=len(county.paper or {})))
        shuffled = County(cvrs, manifest, paper, county.check_ins, county.previous)
        assert shuffled.run() == expected


def test_summarise_counts_batches_precincts_and_repeats_in_one_pass() -> None:
    stream = iter([*one_batch(2), *one_batch(1), *records("T-2", None, None, 1)])
    summary = summarise_cvrs(stream)
    assert dict(summary.batches) == {("T-1", "1"): 3, ("T-2", None): 1}
    assert dict(summary.precincts) == {"P1": 3, None: 1}
    assert dict(summary.duplicates) == {"T-1-1-1": 2}
    assert (summary.total, summary.per_tabulator()) == (4, {"T-1": 3, "T-2": 1})


BAD_INPUT = [
    pytest.param(
        lambda: ManifestBatch("T-1", "B1", -3), "ballots in manifest batch 'B1' -3", id="manifest"
    ),
    pytest.param(
        lambda: reconcile(CvrSummary(), [], paper_records={"T-1": -5}),
        "paper records of tabulator 'T-1' -5",
        id="paper records",
    ),
    pytest.param(
        lambda: reconcile(CvrSummary(), [], check_ins={"P1": -2}),
        "check-ins of precinct 'P1' -2",
        id="check-ins",
    ),
    pytest.param(
        lambda: reconcile(CvrSummary(), [], previous={"T-1": -1}),
        "previous CVRs of tabulator 'T-1' -1",
        id="previous upload",
    ),
    pytest.param(
        lambda: CvrSummary(batches={("T-1", "1"): -4}, precincts={"P1": -4}),
        "CVRs of tabulator 'T-1' batch '1' -4",
        id="CVR summary",
    ),
    pytest.param(
        lambda: DeviceCounts("T-1", 5, -1, 5), "paper records of tabulator 'T-1' -1", id="device"
    ),
    pytest.param(
        lambda: CvrSummary(batches={("T-1", "1"): 4}, precincts={"P1": 3}),
        "CVR summary: per-batch and per-precinct CVR counts must add up",
        id="summary totals disagree",
    ),
    pytest.param(
        lambda: reconcile(
            CvrSummary(), [ManifestBatch("T-1", "1", 2), ManifestBatch("T-1", "1", 3)]
        ),
        "tabulator 'T-1' batch '1': is listed twice in the ballot manifest",
        id="batch listed twice",
    ),
]


@pytest.mark.parametrize(("build", "message"), BAD_INPUT)
def test_bad_input_is_refused_naming_the_value(build: object, message: str) -> None:
    assert callable(build)
    with pytest.raises(InvalidInput) as caught:
        build()
    assert message in str(caught.value)
