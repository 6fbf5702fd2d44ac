"""The demo's publications: results, a polling-place change and its correction, a rumor answer.

A newcomer should find something on ``/rumor-control`` and something to check
on ``/verify-document``, so the demo publishes through the same service the
offices' forms call (``services/publications``), as the demo's own accounts:

* the state publishes the statewide results of the demo election as a CSV,
  written by the writer the portal's ``/results/state/results.csv`` download
  uses (``services/counting/published.py: results_text``), so the portal's
  download is that very file and verifies;
* Adams County publishes a polling-place change, with the wrong opening
  hour, and then its correction, which supersedes it: the portal shows both,
  the first marked "corrected";
* the state answers a rumor (``RUMOR_RESPONSE``): pasting that text into
  ``/verify-document`` shows it was published and the proof checks.

A second demo start finds the state's publications and publishes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from votetrail.services.context import App
from votetrail.services.counting.published import ResultsFormat, results_text
from votetrail.services.counting.results import results
from votetrail.services.demo.accounts import officer
from votetrail.services.publications import views
from votetrail.services.publications.publish import Document, publish
from votetrail.services.setup import DEMO_STATE

RESULTS_FILE = "Demo General Election - statewide results.csv"
_NOTICE = """\
Adams County Clerk and Recorder - polling place change

Precinct Adams P-2 votes at the Adams County Fairgrounds Exhibit Hall,
100 Fairground Road, for the General Election on Tuesday, November 3, 2026.
Its usual polling place, Lincoln Elementary School, is closed for roof
repairs.

The Exhibit Hall is open from {opens} to 7 p.m. Curbside voting is available
at the north entrance; call (970) 555-0144 on arrival.
"""
FIRST_NOTICE = _NOTICE.format(opens="8 a.m.")
CORRECTION = _NOTICE.format(opens="7 a.m. (not 8 a.m. as first announced)")
"""The notice as corrected: the first version gave the wrong opening hour."""
RUMOR_RESPONSE = """\
Rumor: "The voting machines were connected to the internet on election day."

Fact: No. The ballot scanners and the tabulation computers used in the
State of Columbia are never connected to the internet or to any network
outside the counting room. They have no wireless hardware, and their
network ports are sealed with numbered tamper-evident seals that election
judges from both parties check and log before and after the count.

Results leave the counting room on write-once media that bipartisan teams
carry to the county clerk. Every county tested its equipment in public
before the election (logic and accuracy testing), and the paper ballots are
checked against the machine count in a risk-limiting audit after it.

The state's answer to this rumor is published and signed in the state's
public log. To check a copy you were sent, paste it into the
"Verify a document" page of the state's election site.
"""


@dataclass(frozen=True)
class DemoPublications:
    results: str
    notice: str
    correction: str
    rumor_response: str


def load_demo_publications(app: App) -> DemoPublications | None:
    """Publish the demo's documents once (a second call finds them and does nothing)."""
    state = DEMO_STATE[0]
    if views.publications(app, state):
        return None
    state_admin = officer(app, "state-admin")
    adams_admin = officer(app, "adams-admin")
    folder = app.data_dir / "demo-files"
    folder.mkdir(exist_ok=True)
    csv = folder / RESULTS_FILE
    with csv.open("w", encoding="utf-8", newline="") as out:
        out.write(results_text(app, results(app), ResultsFormat.CSV))
    published = publish(
        app,
        state_admin,
        state,
        Document(RESULTS_FILE, path=csv),
        "Certified statewide results, Demo General Election",
        "results",
    )
    notice = publish(
        app,
        adams_admin,
        "adams",
        Document("polling-place-change.txt", text=FIRST_NOTICE),
        "Polling place change: precinct Adams P-2",
        "polling_place_change",
    )
    correction = publish(
        app,
        adams_admin,
        "adams",
        Document("polling-place-change.txt", text=CORRECTION),
        "Polling place change: precinct Adams P-2 (corrected opening hour)",
        "polling_place_change",
        supersedes=notice,
    )
    rumor = publish(
        app,
        state_admin,
        state,
        Document("voting-machines-internet.txt", text=RUMOR_RESPONSE),
        "Were voting machines connected to the internet? No.",
        "rumor_response",
    )
    return DemoPublications(published, notice, correction, rumor)
