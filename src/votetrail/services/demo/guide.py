"""What ``votetrail demo`` tells a newcomer at every start, on a demo state built now or before.

``make demo`` keeps ``demo-data`` between runs, so the loaders find their work
done and return nothing; the account to try as an audit board is then looked
up rather than remembered.
"""

from __future__ import annotations

from votetrail.services.audit import boards, progress
from votetrail.services.audit.setup import AuditMethod
from votetrail.services.context import App
from votetrail.services.demo.accounts import officer


def board_account(app: App) -> tuple[str, str] | None:
    """(user name, audit) of the board account with the published demo password, if any.

    ``demo.audit.load_demo_audits`` gives it to the first Adams board of the
    demo's ballot-polling audit, the oldest such audit (one a visitor starts
    later is newer).
    """
    polling = [
        audit_id
        for audit_id, _, method, _ in progress.audits(app)
        if method == AuditMethod.BALLOT_POLLING.value
    ]
    if not polling:
        return None
    found = boards.boards_of(app, officer(app, "adams-admin"), polling[-1], "adams")
    return (found[0].username, polling[-1]) if found else None
