"""The voter list in the workspace, the state's alerts, and the public "check my registration".

Officials search their county's list, read a voter's full history and make
each kind of change through its own form; every form needs a reason and a
source document reference because the service refuses a change without
them, and a refusal by a rule comes back on the same page with the user's
input kept, so the official can correct one field instead of starting over.
Who may read or change a voter is decided (and a refusal logged) by the
services; these modules only turn their answers into pages.

The public check asks for the voter id, last name and date of birth in a
POST form (never a query string, so no access log or browser history keeps a
birth date) and answers one neutral sentence for every kind of mismatch,
including an unknown id, so it cannot be used to learn whether an id exists.
The birth date is never written back into any page. Failed checks are
counted per client and voter id, per client and overall (:class:`FailedChecks`),
so the page cannot be used to guess a known voter's birth date either, nor to
lock a voter out of their own record.

One module per page group, as the voter services are split: ``search``,
``record`` (a voter and their changes), ``review``, ``alerts`` and the public
``check``; ``common`` holds what they share. This module only lists the routes.
"""

from __future__ import annotations

from starlette.routing import Route

from votetrail.web.voters.alerts import alerts_page
from votetrail.web.voters.check import check_form, check_registration
from votetrail.web.voters.record import change, voter_page, voter_proof
from votetrail.web.voters.review import decide, review_page
from votetrail.web.voters.search import search_page

ROUTES = [
    Route("/j/{slug}/voters", search_page, methods=["GET"]),
    Route("/j/{slug}/voters/review", review_page, methods=["GET"]),
    Route("/j/{slug}/voters/review/{review_id}", decide, methods=["POST"]),
    Route("/voters/alerts", alerts_page, methods=["GET"]),  # before /voters/{voter_id}
    Route("/voters/{voter_id}", voter_page, methods=["GET"]),
    Route("/voters/{voter_id}/proof", voter_proof, methods=["GET"]),
    Route("/voters/{voter_id}/change/{kind}", change, methods=["POST"]),
    Route("/check-registration", check_form, methods=["GET"]),
    Route("/check-registration", check_registration, methods=["POST"]),
]
