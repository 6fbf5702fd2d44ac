"""A finished audit to test against: the demo's two-county comparison audit with one discrepancy.

``services/demo/audit.py`` runs it through the real services (set-up, seed,
draw, boards entering every ballot, sign-off, close) exactly as officials
would: round 1 finds one Adams ballot whose Governor vote for the winner the
board reads as blank, so round 2 is drawn and Governor is confirmed. It also
leaves a ballot-polling audit with round 1 under way.
"""

from __future__ import annotations

from dataclasses import dataclass

from votetrail.services.context import App
from votetrail.services.demo.audit import load_demo_audits


@dataclass(frozen=True)
class Audits:
    comparison: str
    polling: str


def run_demo_audits(app: App) -> Audits:
    ran = load_demo_audits(app)
    assert ran is not None, "the app already had audits"
    return Audits(ran.comparison, ran.polling)
