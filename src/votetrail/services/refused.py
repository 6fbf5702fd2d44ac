"""A refusal found inside a transaction, logged as ``access.denied`` once it rolled back.

Services check their rules inside the transaction that would make the change
(the rule may depend on rows read there), but the refusal must be logged in a
transaction of its own after that one rolled back, or its log entry would go
with the writes it refused. So the check raises :class:`Refused` and
:func:`guarded`, around the transaction, logs it and tells the person why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from votetrail.core.access import Principal
from votetrail.errors import PermissionDenied
from votetrail.services.context import App
from votetrail.services.unit_of_work import deny


class Refused(Exception):
    """``what`` is logged; ``reason``, if given, is what the person is told."""

    def __init__(self, jurisdiction: str | None, what: str, reason: str | None = None) -> None:
        super().__init__(reason or what)
        self.jurisdiction = jurisdiction
        self.what = what
        self.reason = reason


@contextmanager
def guarded(
    app: App, principal: Principal, scope: Callable[[Refused], str] | None = None
) -> Iterator[None]:
    """Log a :class:`Refused` raised inside as ``access.denied`` and raise PermissionDenied.

    Without a ``reason`` the message is "<user> may not <what>", followed by
    ``scope(refused)`` in brackets when given (e.g. "L&A tests of adams").
    """
    try:
        yield
    except Refused as refused:
        deny(app, principal.username, refused.jurisdiction, refused.what)
        message = refused.reason or f"{principal.username} may not {refused.what}"
        if refused.reason is None and scope is not None:
            message += f" ({scope(refused)})"
        raise PermissionDenied(message) from None
