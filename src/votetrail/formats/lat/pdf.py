"""The printed papers of an L&A test: the deck officials mark, and the certificate they sign.

Both are public records handed to observers, so both must be reproducible:
the same deck or the same test always gives the same bytes (a fixed creation
date; the page machinery is ``formats/printed.py``'s).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime

from fpdf.enums import XPos, YPos

from votetrail.core.lat.deck import Deck
from votetrail.core.lat.definition import ElectionDefinition
from votetrail.core.lat.ranked_deck import RoundTable, round_table
from votetrail.core.lat.totals import Totals
from votetrail.formats.lat.certificate import Certificate
from votetrail.formats.lat.deck_files import TEST_WRITE_IN, ballot_instructions
from votetrail.formats.printed import FONT, Document, clip, latin1

__all__ = ["FIXED_DATE", "FONT", "certificate_pdf", "deck_pdf", "latin1"]

FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
"""The creation date of a deck PDF: the deck has no date of its own, and the clock varies."""


def deck_pdf(deck: Deck, *, heading: str, precincts: Collection[str] | None = None) -> bytes:
    """The printable deck: a cover page, every ballot's marking instructions, expected totals."""
    definition = deck.definition
    ballots = deck.for_precincts(precincts)
    pdf = Document(heading, FIXED_DATE)
    pdf.set_title(latin1(heading))
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.heading(heading, 18)
    pdf.facts(
        [
            ("Election", definition.title),
            ("Place", definition.place or "not given in the definition"),
            ("Date", definition.date or "not given in the definition"),
            ("Definition format", definition.source_format),
            ("Ballots in the deck", str(len(ballots))),
        ]
    )
    pdf.ln(3)
    sections: dict[tuple[str, str], list[int]] = {}
    for ballot in ballots:
        sections.setdefault((ballot.ballot_style, ballot.precinct), []).append(ballot.number)
    pdf.grid(
        ("Ballot style", "Precinct", "Ballots", "Deck numbers"),
        (
            (
                style,
                _precinct(definition, precinct),
                str(len(numbers)),
                f"{numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else str(numbers[0]),
            )
            for (style, precinct), numbers in sections.items()
        ),
        (40, 70, 25, 39),
        numeric={2},
    )
    pdf.para("How to use this deck", bold=True, size=11)
    for step in _HOW_TO:
        pdf.para(step)
        pdf.ln(1)
    untested = definition.untested_contests()
    if untested:
        titles = ", ".join(contest.title for contest in untested)
        pdf.para(f"Not tested: no ballot style carries {titles}, so no deck ballot can.")
    pdf.add_page()
    pdf.heading("Marking instructions")
    for ballot in ballots:
        pdf.room(9 + 5.5 * (len(ballot.votes) + len(ballot.rankings)))
        pdf.para(
            f"Ballot {ballot.number} — style {ballot.ballot_style}, precinct "
            f"{_precinct(definition, ballot.precinct)} ({ballot.purpose})",
            bold=True,
        )
        for contest, _, _, instruction in ballot_instructions(definition, ballot):
            pdf.set_x(pdf.l_margin + 6)
            pdf.set_font(FONT, "B", 9)
            pdf.cell(55, 5.5, latin1(clip(pdf, contest.title, 54)))
            pdf.set_font(FONT, size=9)
            pdf.multi_cell(0, 5.5, latin1(instruction), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    pdf.add_page()
    pdf.heading("Expected totals")
    pdf.para(
        "What a correctly programmed tabulator reports for the ballots of this deck. Every "
        "choice has a different total, so exchanged or shifted totals show."
    )
    pdf.ln(2)
    _totals_tables(pdf, definition, deck.expected(precincts), "All ballots")
    for style, totals in deck.expected_by_style(precincts).items():
        _totals_tables(pdf, definition, totals, f"Ballot style {style}")
    rounds = deck.expected_rounds(precincts)
    if rounds:
        pdf.add_page()
        pdf.heading("Expected rounds (ranked-choice contests)")
        pdf.para(
            "Each ranked contest counted round by round from these ballots. Every candidate has "
            "a different first-round total and the first elimination moves votes to the "
            "ballots' next choices, so a tabulator that misreads a rank shows here."
        )
        pdf.ln(2)
        for contest_id, tabulation in rounds.items():
            _round_table(pdf, round_table(definition.contest(contest_id), tabulation))
    return bytes(pdf.output())


def _round_table(pdf: Document, table: RoundTable) -> None:
    count = len(table.outcomes)
    width = min(30.0, 120.0 / max(count, 1))
    header = (table.title, *(f"Round {n}" for n in range(1, count + 1)))
    rows = [(row.name, *(votes or "-" for votes in row.votes)) for row in table.rows]
    rows.append(("Inactive ballots", *table.exhausted))
    pdf.room(12 + 5 * (len(rows) + count + 1))
    pdf.grid(header, rows, (54, *([width] * count)), numeric=set(range(1, count + 1)))
    for number, outcome in enumerate(table.outcomes, start=1):
        if outcome:
            pdf.para(f"Round {number}: {outcome}.")
    pdf.para(f"Elected: {', '.join(table.winners) or 'nobody'}.", bold=True)
    pdf.ln(2)


_HOW_TO = (
    f"1. Mark one official test ballot of the given style for each ballot below, exactly as "
    f"its instructions say. Where a write-in is to be marked, fill in the write-in target and "
    f'write "{TEST_WRITE_IN}" on the line. Number each ballot in the margin.',
    "2. Blank ballots are left unmarked; overvoted ballots get more marks than the contest "
    "allows and must count for no choice in that contest.",
    "3. Run the ballots of each tabulator's precincts through it (a central-count tabulator "
    "runs the whole deck) and print or export its report.",
    "4. Compare the report with the expected totals at the end of this deck, or load it into "
    "votetrail, which names every difference.",
)


def _totals_tables(
    pdf: Document, definition: ElectionDefinition, totals: Totals, title: str
) -> None:
    carried = {contest: part for contest, part in totals.items() if part.ballots}
    if not carried:
        return
    for number, (contest_id, part) in enumerate(carried.items()):
        contest = definition.contest(contest_id)
        rows = [(contest.choice(choice).name, str(votes)) for choice, votes in part.votes.items()]
        rows += [
            ("Ballots", _figure(part.ballots)),
            ("Overvotes", _figure(part.overvotes)),
            ("Undervotes", _figure(part.undervotes)),
        ]
        pdf.room((12 if number == 0 else 0) + 12 + 5 * len(rows))
        if number == 0:
            pdf.para(title, bold=True, size=12)
            pdf.ln(1)
        pdf.grid((contest.title, "Votes"), rows, (134, 40), numeric={1})


def certificate_pdf(cert: Certificate) -> bytes:
    """The certificate: facts, devices and seals, every run, what went wrong, who watched, who
    signed.

    Only a signed test has a certificate (an open one gets a status page from
    the web and a refusal from the CLI), so one without officials is refused
    here too. Every run is listed, failed ones included: a device that failed
    and passed after repair is not a device that passed first time.
    """
    if not cert.officials:
        raise ValueError(f"L&A test {cert.session_id} is not signed; it has no certificate")
    pdf = Document(
        f"L&A test {cert.session_id} - {cert.jurisdiction} - {cert.held_on}", _held_on(cert)
    )
    pdf.set_title(latin1(f"Certificate of logic and accuracy testing - {cert.jurisdiction}"))
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(
        0,
        10,
        "Certificate of logic and accuracy testing",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font(FONT, size=12)
    pdf.multi_cell(
        0,
        7,
        latin1(f"{cert.phase} test - {cert.jurisdiction}"),
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(4)
    pdf.facts(
        [
            ("Jurisdiction", cert.jurisdiction),
            ("Test", cert.phase),
            ("Held on", cert.held_on),
            ("Location", cert.location),
            ("Election", cert.election),
            ("Test session", cert.session_id),
        ]
    )
    pdf.set_font(FONT, "B", 10)
    pdf.cell(48, 6, "Definition SHA-256")
    pdf.set_font("Courier", size=8.5)
    pdf.multi_cell(0, 6, latin1(cert.definition_sha256), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    pdf.ln(3)
    _certificate_devices(pdf, cert)
    pdf.ln(3)
    pdf.para("Observers present", bold=True, size=12)
    for observer in cert.observers or ["None recorded."]:
        pdf.para(observer)
    pdf.ln(3)
    pdf.room(40)
    pdf.para("Statement and sign-off", bold=True, size=12)
    pdf.para(cert.statement)
    pdf.ln(2)
    for official in cert.officials:
        pdf.para(f"Signed: {official}")
    pdf.ln(4)
    if cert.log_entry is not None:
        where = ""
        if cert.verify_url and cert.verify_url.startswith("/"):
            where = f"; check it at {cert.verify_url} on the election office's votetrail site"
        elif cert.verify_url:
            where = f"; check it at {cert.verify_url}"
        pdf.para(f"This certificate is entry {cert.log_entry} of the public log{where}.")
    return bytes(pdf.output())


def _certificate_devices(pdf: Document, cert: Certificate) -> None:
    """The devices with their seals, every run with its verdict, and every discrepancy."""
    pdf.para("Devices tested", bold=True, size=12)
    pdf.ln(1)
    if not cert.devices:
        pdf.para("No device was added to this test.")
        pdf.ln(2)
        return
    pdf.grid(
        ("Serial", "Kind", "Precincts", "Seal before", "Seal after", "Outcome"),
        (
            (
                d.serial,
                d.kind,
                d.precincts,
                d.seal_before,
                d.seal_after or ("none: see below" if d.unsealed_reason else "none"),
                d.outcome,
            )
            for d in cert.devices
        ),
        (28, 30, 38, 27, 27, 24),
    )
    unsealed = [d for d in cert.devices if not d.seal_after]
    if unsealed:
        pdf.para("Devices left unsealed after the test", bold=True, size=12)
        for device in unsealed:
            pdf.para(f"{device.serial}: {device.unsealed_reason or 'no reason recorded'}")
        pdf.ln(2)
    pdf.para("Every run of the test deck", bold=True, size=12)
    pdf.ln(1)
    pdf.grid(
        ("Device", "Run", "Report file", "Report SHA-256 (start)", "Result"),
        (
            (d.serial, str(r.run), r.file_name, r.file_sha256[:16], _verdict(r.passed))
            for d in cert.devices
            for r in d.runs
        ),
        (28, 14, 64, 44, 24),
    )
    failed = [(d, r) for d in cert.devices for r in d.runs if not r.passed]
    pdf.para("Discrepancies", bold=True, size=12)
    if not failed and all(d.runs for d in cert.devices):
        pdf.para("None: every run of every device matched the expected totals.")
    for device, run in failed:
        after = [r.run for r in device.runs if r.run > run.run]
        later = f"; run again as run {after[-1]}: {device.outcome}" if after else ""
        pdf.para(f"{device.serial}, run {run.run} (failed{later}):", bold=True)
        for sentence in run.discrepancies:
            pdf.set_x(pdf.l_margin + 5)
            pdf.multi_cell(0, 5, latin1(f"- {sentence}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)


def _verdict(passed: bool) -> str:
    return "passed" if passed else "FAILED"


def _held_on(cert: Certificate) -> datetime:
    """The test's own date as the creation date, so the same test always prints the same bytes."""
    try:
        day = date.fromisoformat(cert.held_on[:10])
    except ValueError:
        return FIXED_DATE
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _precinct(definition: ElectionDefinition, precinct_id: str) -> str:
    name = definition.precinct_name(precinct_id)
    return precinct_id if name == precinct_id else f"{name} ({precinct_id})"


def _figure(value: int | None) -> str:
    return "-" if value is None else str(value)
