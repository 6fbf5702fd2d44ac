"""How the audit pages name a method and a round's decision, so every page says the same."""

from __future__ import annotations

from votetrail.services.audit.setup import AuditMethod

METHODS = {
    AuditMethod.BALLOT_COMPARISON.value: "Ballot comparison",
    AuditMethod.BALLOT_POLLING.value: "Ballot polling",
    AuditMethod.BATCH_COMPARISON.value: "Batch comparison",
}

DECISIONS = {
    "confirmed": "confirmed",
    "continue": "another round",
    "full_hand_count": "full hand count",
}
