"""Findings gathered under one headline, so a page leads with "21 batches have ..."."""

from __future__ import annotations

from votetrail.core.accounting import findings as f
from votetrail.core.accounting.groups import group_findings


def _short(batch: str, cvrs: int, listed: int) -> f.Finding:
    return f.manifest_short(f.Place(tabulator="T-1", batch=batch), cvrs, listed)


def test_repeated_findings_share_one_headline_and_keep_their_own_sentences() -> None:
    shorts = [_short(f"B-{n}", 10, 10 - n) for n in (10, 2, 1)]
    fewer = f.check_ins_differ("P-1", 5, 7)
    one_paper = f.missing_paper(f.Place(tabulator="T-9"), 12, 10)
    groups = group_findings([fewer, *shorts, one_paper])
    assert [g.headline for g in groups] == [
        "1 tabulator recorded more ballots than its paper record holds",
        "3 batches have more ballots tabulated than the ballot manifest lists",
        "1 precinct has fewer ballots than voters checked in",
    ]
    assert [g.severity.value for g in groups] == ["error", "error", "warning"]
    batches = groups[1]
    assert [x.place.batch for x in batches.findings] == ["B-1", "B-2", "B-10"]  # natural order
    assert batches.ballots == 1 + 2 + 10
    assert sum(len(g.findings) for g in groups) == 5  # nothing dropped


def test_no_findings_no_groups() -> None:
    assert group_findings([]) == []
