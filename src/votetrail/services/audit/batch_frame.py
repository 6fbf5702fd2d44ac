"""The batches a batch-comparison audit draws from, with their reported tallies, from the uploads.

A batch is what one tabulator's CVRs name as one batch: the reported votes of
each batch are the county's current CVRs grouped by (tabulator, batch) and
counted by the same rules as the results (``services/counting/results.
batch_results``), so the batches add up exactly to the reported totals and
nobody uploads a second copy of the numbers. A batch's id is
``<county>:<tabulator>:<batch>`` with ``%`` and ``:`` in names escaped as in
ballot ids; batches are given to the PPEB sampler sorted by county, tabulator
and batch. Every audit contest, targeted or opportunistic, weighs the batches
(MACRO's error bound is over every audited contest); a contest is in a batch
when some card of the batch carries it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from votetrail.core.audit.batch import BatchContest, BatchElection, BatchTally
from votetrail.core.tally.tabulate import ContestResult, merge
from votetrail.errors import InvalidInput
from votetrail.services.audit.access import audit_row
from votetrail.services.audit.setup import audit_contests, audit_counties
from votetrail.services.context import App
from votetrail.services.counting.results import batch_results


def batch_id(county: str, tabulator: str | None, batch: str) -> str:
    """``<county>:<tabulator>:<batch>``, each name escaped so no two batches share an id."""
    return ":".join(
        part.replace("%", "%25").replace(":", "%3A") for part in (county, tabulator or "", batch)
    )


@dataclass(frozen=True)
class Place:
    """Where a batch is kept: its county, tabulator and batch name."""

    county: str
    tabulator: str | None
    batch: str


@dataclass(frozen=True)
class BatchFrame:
    """Every batch of the audit's counties, in sampler order, weighed over the audit's contests."""

    election: BatchElection
    order: list[str]
    places: dict[str, Place]
    totals: dict[str, ContestResult]

    @property
    def sha256(self) -> str:
        """SHA-256 of the batches and their reported tallies: the draws depend on all of it."""
        listed = [
            [
                bid,
                {
                    name: [tally.cards, dict(tally.votes)]
                    for name, tally in self.election.batches[bid].items()
                },
            ]
            for bid in self.order
        ]
        text = json.dumps(listed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def batch_frame(app: App, audit_id: str) -> BatchFrame:
    """The audit's batches from its counties' current CVRs (refused if a CVR has no batch)."""
    with app.engine.connect() as conn:
        audit_row(conn, audit_id)
        contests = audit_contests(conn, audit_id, "targeted")
        contests += audit_contests(conn, audit_id, "opportunistic")
        counties = audit_counties(conn, audit_id)
    places: dict[str, Place] = {}
    reported: dict[str, list[ContestResult]] = {}
    per_county: dict[str, list[ContestResult]] = {}
    for county in counties:
        batches = batch_results(app, county)
        for (tabulator, batch), results in batches.items():
            if batch is None:
                raise InvalidInput(
                    f"cast vote records of tabulator {tabulator!r} name no batch, so the "
                    "county's batches cannot be audited by batch comparison",
                    where=f"county {county!r}",
                )
            bid = batch_id(county, tabulator, batch)
            places[bid] = Place(county, tabulator, batch)
            reported[bid] = results
        per_county[county] = merge({str(k): v for k, v in batches.items()})
    totals = {r.name: r for r in merge(per_county) if r.name in contests}
    for contest in contests:
        if contest not in totals:
            raise InvalidInput("no county in the audit counts it now", where=f"contest {contest!r}")
    order = sorted(
        places, key=lambda b: (places[b].county, places[b].tabulator or "", places[b].batch)
    )
    election = BatchElection(
        tuple(BatchContest(c, dict(totals[c].tally), totals[c].votes_allowed) for c in contests),
        {
            bid: {
                r.name: BatchTally(dict(r.tally), r.ballots)
                for r in reported[bid]
                if r.name in totals and r.ballots > 0
            }
            for bid in order
        },
    )
    return BatchFrame(election, order, places, totals)
