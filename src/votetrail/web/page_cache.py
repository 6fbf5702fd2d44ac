"""Page data computed once per state of the log, not once per request.

Some pages count the whole state on every visit: ``/results`` tabulates every
county's current CVRs, a county's audits page reconciles its ballots for each
audit. Under load those recomputations, not the database, set the latency,
and they give the same answer until something is stored.

Everything a page shows from the records is written through the transparency
log in the same transaction (``services/unit_of_work.py``), and the log only
grows. So the log's size is a version of the state: data computed after the
size was read as *n* is at least as new as *n*, and may be served to any
request that reads *n* again; once anything is stored the size is larger and
nothing computed before it is served. Reading the size first and computing
second is what makes this safe; the other order could keep an old answer
under a new size. An upload therefore shows on the very next request, in
every worker, because each worker reads the same size from the database.

Only data that depends on the records is kept here, never a rendered page
(it carries the session's form token) nor anything read from the clock,
sessions or refusal counters, which change without a log entry. A key that
depends on who asks (a county official's view) must name them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from starlette.requests import Request

from votetrail.services import log_view
from votetrail.services.context import App

T = TypeVar("T")

ENTRIES = 512
"""Keys kept, least recently used dropped first: a few per county and page, far fewer
than this in a state of a few hundred counties, so each page's data stays cached."""


class PageCache:
    """``{key: (log size, value)}``, shared by one worker's threads.

    Two requests missing the same key at once compute it once: the second
    waits for the first (a lock per key), so a new upload under 200 clients
    costs one recount per worker rather than one per client.
    """

    def __init__(self, entries: int = ENTRIES) -> None:
        self._entries = entries
        self._kept: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self.computed = 0  # how many times a value was computed (for tests and benches)

    def get(self, app: App, key: Hashable, compute: Callable[[], T], size: int | None = None) -> T:
        """The value of ``key`` for the log as it is now (or at ``size``, read before this
        call), computed by ``compute`` if needed."""
        if size is None:
            size = log_view.size(app)  # before computing: see the module's docstring
        found = self._fresh(key, size)
        if found is not None:
            return found[0]  # type: ignore[no-any-return]
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            found = self._fresh(key, size)
            if found is not None:
                return found[0]  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                self.computed += 1
                kept = self._kept.get(key)
                # A slower request that read an older size must not replace a newer answer.
                if kept is None or kept[0] <= size:
                    self._kept[key] = (size, value)
                    self._kept.move_to_end(key)
                while len(self._kept) > self._entries:
                    dropped, _ = self._kept.popitem(last=False)
                    self._computing.pop(dropped, None)
            return value

    def _fresh(self, key: Hashable, size: int) -> tuple[Any] | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or kept[0] != size:
                return None
            self._kept.move_to_end(key)
            return (kept[1],)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def cached(request: Request, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its value kept for this state of the log (``create_app`` sets it up).

    The size is read once per request, at its first cached value: every later one
    is computed after that read, so the rule above holds, and a page made of
    several cached parts costs one query for the log rather than one per part.
    """
    cache: PageCache = request.app.state.page_cache
    app = request.app.state.votetrail
    size = getattr(request.state, "log_size", None)
    if not isinstance(size, int):
        size = log_view.size(app)
        if request.method == "GET":  # a form may store something after this read
            request.state.log_size = size
    return cache.get(app, key, compute, size)
