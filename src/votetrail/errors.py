"""The one tree of expected errors.

A bad file, a forbidden action or a failed verification is part of running an
election, not a bug: each raises a subclass of :class:`VotetrailError` whose
message a clerk can act on. The CLI and the web application each turn these
into output in exactly one place; anything else is a bug and crashes loudly.
Messages never carry a voter's date of birth, SSN4 or licence number.
"""

from __future__ import annotations


class VotetrailError(Exception):
    """An expected failure with a message meant for the person at the keyboard."""

    exit_code = 1


class ConfigurationError(VotetrailError):
    """The deployment is set up wrongly: a bad database URL, data directory or key."""

    exit_code = 2


class SigningKeyError(ConfigurationError):
    """The log's signing key is missing, unreadable or corrupt."""


class SchemaError(ConfigurationError):
    """The database schema is missing, older or newer than this program knows."""


class InvalidInput(VotetrailError):
    """Input that cannot be accepted; ``where`` names the file, line and field."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where


class StorageFailed(ConfigurationError):
    """The database could not be written: its disk is full, a file size limit was reached
    or the disk failed.

    The transaction was rolled back, so the log and the records are as they
    were; the person at the keyboard needs one sentence saying so, not a trace.
    """


class NotFound(VotetrailError):
    """The thing asked for does not exist."""


class PermissionDenied(VotetrailError):
    """The signed-in user may not do or see this."""


class AuthenticationFailed(VotetrailError):
    """Wrong user name or password; deliberately says no more than that."""


class TooManyAttempts(VotetrailError):
    """Too many tries in a short time; ``retry_after`` is how many seconds to wait.

    The message says how many minutes, so a person locked out knows when to
    come back without being told anything about the account itself.
    """

    def __init__(self, retry_after: int, what: str = "attempts") -> None:
        self.retry_after = max(1, retry_after)
        minutes = -(-self.retry_after // 60)
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"too many {what}: try again in {minutes} {unit}")


class VerificationFailed(VotetrailError):
    """A proof, signature or the log itself did not check out."""


class LogAlarm(VerificationFailed):
    """The log forked, rewound or was signed by someone else: ``votetrail monitor`` exits 1."""


class ServerUnreachable(VotetrailError):
    """The log's server did not answer or answered nonsense: not proof of a rewrite.

    A monitor run from cron must tell "the office's site is down" (retry later)
    from "the office's log was rewritten" (raise the alarm), hence its own code.
    """

    exit_code = 3


class AlertDeliveryFailed(VotetrailError):
    """An alert could not be delivered (mail relay or webhook refused or unreachable)."""
