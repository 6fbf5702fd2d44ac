"""Why an audit may not be launched yet: missing files, or totals that do not add up.

An audit confirms the *reported* outcome: the totals the counties published
on election night or in the canvass. Each county uploads those as its
``reported_results`` (``formats/tally/reported.py``), and the audit's sizes,
risk and evidence are computed from its current CVR uploads, tabulated
(``services/counting/results``). The audit stands on the reported outcome only
if the CVRs count exactly what was reported, so the check is:

* a county in the audit needs its ballot manifest (the frame), and for ballot
  comparison its CVRs (what each paper ballot is compared with);
* a county with CVRs needs its reported results, and for every targeted
  contest its CVRs or its reported results name, the CVRs' votes for each
  choice must equal the reported votes (a choice one side leaves out counts
  0); otherwise one sentence per contest and county gives both sets of
  numbers, since either file may be the wrong one;
* the contest must be in some audit county's CVRs, with the same vote-for in
  every county (totals of a vote-for-1 and a vote-for-2 contest cannot be added);
* no CVR may be counted twice: a county whose current uploads hold the same
  CVR id more than once (a file uploaded again instead of replacing the old
  one) has totals that disagree with its own ballots;
* the totals must name the winners: a tie for the last seat leaves no
  reported outcome to confirm;
* an IRV (ranked-choice) targeted contest is checked by its winner instead
  (``services/audit/irv.py``): the counties' reported results must name one
  winner, and RAIRE over the audit counties' CVRs must prove it.

Each problem is one sentence the state's page shows; the seed ceremony and
the draw are refused while any remains. Counties outside the audit are not
compared: an audit of some counties (a practice audit, a county contest) is
legitimate, and the audit's contest totals are those of its counties. A
county whose CVRs and reported results both lack a contest is simply not
part of that contest.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from votetrail.core.accounting.findings import FindingKind
from votetrail.core.audit.assertions import Contest, ContestKind
from votetrail.core.tally.tabulate import ContestResult
from votetrail.errors import InvalidInput, NotFound
from votetrail.services.audit.access import audit_row
from votetrail.services.audit.irv import irv_assertions, irv_contest, ranked_definitions
from votetrail.services.audit.setup import AuditMethod, audit_contests, audit_counties
from votetrail.services.context import App
from votetrail.services.counting.current_uploads import current_document, current_uploads
from votetrail.services.counting.results import accounting, reported_results, results
from votetrail.store.models import JURISDICTIONS


def _votes(tally: dict[str, int]) -> str:
    return ", ".join(f"{choice} {votes:,}" for choice, votes in tally.items())


def _listed(votes: dict[str, int], choices: list[str]) -> str:
    """``A 1,204 and B 1,010`` (``A 1, B 2 and C 3`` for more)."""
    parts = [f"{choice} {votes.get(choice, 0):,}" for choice in choices]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def reported_mismatch(
    contest: str, county_name: str, counted: ContestResult | None, reported: dict[str, int] | None
) -> str | None:
    """The sentence saying how a contest's CVR totals differ from those reported; None if equal.

    A county with neither is not in the contest. A choice one side leaves out
    counts 0 there; choices with no votes on either side are not listed.
    """
    if counted is None and reported is None:
        return None
    cvr = dict(counted.tally) if counted is not None else {}
    said = reported or {}
    choices = list(dict.fromkeys([*cvr, *said]))
    if all(cvr.get(c, 0) == said.get(c, 0) for c in choices):
        return None
    shown = [c for c in choices if cvr.get(c, 0) or said.get(c, 0)]
    fix = "Correct the CVR upload or the reported results before launching."
    where = f"{contest} in {county_name}"
    if reported is None:
        return (
            f"{where}: the CVRs give {_listed(cvr, shown)} votes, but the reported results do "
            f"not name the contest. {fix}"
        )
    if counted is None:
        return (
            f"{where}: the reported results say {_listed(said, shown)}, but the CVRs do not "
            f"have the contest. {fix}"
        )
    return (
        f"{where}: the CVRs give {_listed(cvr, shown)} votes; the reported results say "
        f"{_listed(said, shown)}. {fix}"
    )


def _county_name(conn: Connection, county: str) -> str:
    name = conn.execute(select(JURISDICTIONS.c.name).where(JURISDICTIONS.c.id == county)).scalar()
    return str(name or county)


def reported_status(app: App, conn: Connection, audit_id: str, county: str) -> str:
    """``missing``, ``in`` (no CVRs to compare yet), ``match`` or ``differ``, over the
    audit's targeted contests: what the state's status board shows for the county."""
    reported = reported_results(conn, county)
    if reported is None:
        return "missing"
    try:
        counted = {r.name: r for r in results(app, county)}
    except NotFound:
        return "in"
    name = _county_name(conn, county)
    ranked = ranked_definitions(app, [county])
    for contest in audit_contests(conn, audit_id, "targeted"):
        if contest in ranked:
            if contest not in reported:
                return "differ"
            continue  # its reported winner is checked against all counties' CVRs at launch
        if reported_mismatch(contest, name, counted.get(contest), reported.get(contest)):
            return "differ"
    return "match"


def launch_problems(app: App, audit_id: str) -> list[str]:
    """Sentences saying why the audit may not be launched; empty when it may."""
    with app.engine.connect() as conn:
        audit = audit_row(conn, audit_id)
        counties = audit_counties(conn, audit_id)
        targeted = audit_contests(conn, audit_id, "targeted")
        ranked = ranked_definitions(app, counties)
        irv = [c for c in targeted if c in ranked]
        targeted = [c for c in targeted if c not in ranked]
        irv_problems = _irv_problems(app, conn, counties, irv)
        names = {county: _county_name(conn, county) for county in counties}
        reported = {county: reported_results(conn, county) for county in counties}
        problems: list[str] = []
        with_cvrs = []
        for county in counties:
            if current_document(conn, county, "manifest") is None:
                problems.append(f"{county} has not uploaded its ballot manifest")
            if current_uploads(conn, county, "cvrs"):
                with_cvrs.append(county)
            elif audit.method == AuditMethod.BALLOT_COMPARISON:
                problems.append(
                    f"{county} has not uploaded its cast vote records, which a ballot-comparison "
                    "audit compares each paper ballot with"
                )
    per_county: dict[str, dict[str, ContestResult]] = {}
    for county in with_cvrs:
        try:
            per_county[county] = {r.name: r for r in results(app, county)}
        except NotFound:
            continue
        report = accounting(app, county)
        twice = [
            f for f in report.reconciliation.findings if f.kind is FindingKind.DUPLICATE_CVR_ID
        ]
        if twice:
            problems.append(
                f"{county}'s current uploads hold {len(twice)} CVR id(s) more than once, so its "
                "totals count those ballots twice and disagree with its ballots; replace the "
                "duplicate upload"
            )
        said = reported[county]
        if said is None:
            problems.append(
                f"{county} has not uploaded its reported results (the totals it published), "
                "which its CVR totals must equal before the audit can confirm them"
            )
            continue
        for contest in targeted:
            found = reported_mismatch(
                contest, names[county], per_county[county].get(contest), said.get(contest)
            )
            if found is not None:
                problems.append(found)
    for contest in targeted:
        problems += _contest_problems(contest, per_county)
    return problems + irv_problems


def _irv_problems(
    app: App, conn: Connection, counties: list[str], contests: list[str]
) -> list[str]:
    """An IRV contest needs one reported winner, and RAIRE assertions proving it from the CVRs.

    The frame's size is N only for the draw; here the ballots counted stand
    for it (a larger N dilutes margins but never changes whether RAIRE can
    prove the winner).
    """
    problems: list[str] = []
    for contest in contests:
        found = irv_contest(app, conn, counties, contest)
        if found.problems:
            problems += found.problems
            continue
        try:
            irv_assertions(found, found.votes.ballots)
        except InvalidInput as exc:
            problems.append(f"IRV contest {contest!r}: {exc}")
    return problems


def _contest_problems(contest: str, per_county: dict[str, dict[str, ContestResult]]) -> list[str]:
    counted = {c: r[contest] for c, r in per_county.items() if contest in r}
    if not counted:
        return [
            f"contest {contest!r}: no county in the audit has it in its current cast vote "
            "records, so there are no reported totals to confirm"
        ]
    allowed = {c: r.votes_allowed for c, r in counted.items()}
    if len(set(allowed.values())) > 1:
        listed = ", ".join(f"{c} vote for {n}" for c, n in sorted(allowed.items()))
        return [
            f"contest {contest!r}: the counties' uploads disagree on how many votes it allows "
            f"({listed}), so their totals cannot be added"
        ]
    tally: dict[str, int] = {}
    ballots = 0
    for result in counted.values():
        ballots += result.ballots
        for choice, votes in result.tally.items():
            tally[choice] = tally.get(choice, 0) + votes
    vote_for = next(iter(allowed.values()))
    try:
        Contest(
            id=contest,
            votes=tally,
            ballots=max(ballots, 1),
            vote_for=vote_for,
            kind=ContestKind.PLURALITY if vote_for == 1 else ContestKind.VOTE_FOR_N,
        )
    except InvalidInput as exc:
        return [
            f"contest {contest!r}: the counties' totals ({_votes(tally)}) do not give a reported "
            f"outcome the audit can confirm: {exc}"
        ]
    return []
