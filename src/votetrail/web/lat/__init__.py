"""Logic and accuracy (L&A) tests: a county's workspace to run one, and the public record of all.

A public L&A test is public by law, so everything a test records (the
definition's hash, each device and its seals, every run of the deck with its
discrepancies in words, who watched and who signed) is on a page anyone can
open without signing in, together with the deck files observers need to
check the expected totals themselves and a printable certificate.

The county's pages add one plain form per step. A refusal by a rule (a
report that cannot be read, a missing seal number, signing before every
device was run) comes back on the same page with the rule's words at the
top and the official's typed input kept, and nothing is stored; success
redirects with a one-shot message, so reloading never sends a form twice.
Files are saved under their own names in a private temporary folder, read
by the service in a worker thread and deleted, as the county uploads are.

Who may run a county's tests is :func:`~votetrail.core.access.may_test_equipment`.
The workspace asks it before anything else (after the CSRF check, so a
forged post cannot fill the log with refusals): a refusal is logged once,
and no uploaded file is read for someone who may not send it. The services
ask again inside each transaction.

Two page groups, as the L&A services are split: ``workspace`` (the county's
forms) and ``public`` (the record anyone can read); ``common`` holds the file
download both serve. This module only lists the routes.
"""

from __future__ import annotations

from starlette.routing import Route

from votetrail.web.lat.public import certificate, deck_file, public_list, public_session
from votetrail.web.lat.workspace import (
    add_device,
    county_page,
    expected_cvrs,
    open_test,
    seal,
    session_page,
    sign,
    unsealed,
    upload_result,
)

ROUTES = [
    Route("/lat", public_list, methods=["GET"]),
    Route("/lat/{session_id}", public_session, methods=["GET"]),
    Route("/lat/{session_id}/certificate.pdf", certificate, methods=["GET"]),
    Route("/lat/{session_id}/deck.{kind}", deck_file, methods=["GET"]),
    Route("/j/{slug}/lat", county_page, methods=["GET"]),
    Route("/j/{slug}/lat", open_test, methods=["POST"]),
    Route("/j/{slug}/lat/{session_id}", session_page, methods=["GET"]),
    Route("/j/{slug}/lat/{session_id}/devices", add_device, methods=["POST"]),
    Route("/j/{slug}/lat/{session_id}/sign", sign, methods=["POST"]),
    # A serial number may hold a slash, so it is a path segment that ends at the action.
    Route(
        "/j/{slug}/lat/{session_id}/devices/{serial:path}/results", upload_result, methods=["POST"]
    ),
    Route("/j/{slug}/lat/{session_id}/devices/{serial:path}/seal", seal, methods=["POST"]),
    Route("/j/{slug}/lat/{session_id}/devices/{serial:path}/unsealed", unsealed, methods=["POST"]),
    Route(
        "/j/{slug}/lat/{session_id}/devices/{serial:path}/expected-cvrs.json",
        expected_cvrs,
        methods=["GET"],
    ),
]
