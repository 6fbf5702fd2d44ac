"""The public "check my registration" page, and the limits that keep it from being an oracle.

The check asks for the voter id, last name and date of birth (or, for a
voter who does not know their id, first and last name, date of birth and
county) in a POST form (never a query string, so no access log or browser
history keeps a birth date) and answers one neutral sentence for every kind
of mismatch, including an unknown id. Failed checks are counted per client and voter id, per client
and overall (:class:`FailedChecks`), so the page cannot be used to guess a
known voter's birth date either, nor to lock a voter out of their own record.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from datetime import date, datetime
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from votetrail.errors import ConfigurationError, InvalidInput
from votetrail.services import directory
from votetrail.services.voters import proofs as voter_proofs
from votetrail.services.voters import records as voters
from votetrail.web.auth import check_csrf, client_network
from votetrail.web.state import app_of
from votetrail.web.templating import render
from votetrail.web.voters.common import check_lengths, form_text, private

log = logging.getLogger("votetrail.web.voters")

NO_MATCH = "No registration matches those details."
"""The one answer to every mismatch: unknown id, wrong last name, wrong date of birth."""

CHECK_LIMIT = 10
"""Failed checks one client may make on one voter id per window."""
CLIENT_LIMIT = 30
"""Failed checks one client may make in all per window, whatever the ids."""
SURGE_LIMIT = 1000
"""Failed checks from everyone in an hour that mean someone is guessing from many addresses."""
SURGE_CLIENT_LIMIT = 3
"""During such a surge, the failures a client may already have and still be answered."""
CHECK_WINDOW_SECONDS = 24 * 3600
TOO_MANY = (
    "Too many unsuccessful checks for this voter id today. Try again tomorrow, "
    "or ask your county election office."
)
TOO_MANY_FOR_DETAILS = (
    "Too many unsuccessful checks for these details today. Try again tomorrow, "
    "or ask your county election office."
)
ASK = (
    "Enter your voter id, last name and date of birth; or, without the voter id, "
    "your first and last name, date of birth and county."
)
TOO_MANY_FROM_CLIENT = (
    "Too many unsuccessful checks from your network today. Try again tomorrow, "
    "or ask your county election office."
)
TOO_MANY_NOW = (
    "Too many unsuccessful checks right now. Try again in an hour, "
    "or ask your county election office."
)


# ---------------------------------------------------------------- public check


Key = str


class _WindowCounts:
    """Failures per key, each key counting for a fixed window from its first failure.

    At most ``capacity`` keys are kept: the least recently failed is dropped
    when a new one comes, so memory is bounded and every operation is O(1),
    whatever the number of ids tried.
    """

    def __init__(self, capacity: int, window: float) -> None:
        self.capacity = capacity
        self.window = window
        self._counts: OrderedDict[Key, tuple[float, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._counts)

    def count(self, key: Key, now: float) -> int:
        found = self._counts.get(key)
        if found is None or now - found[0] >= self.window:
            return 0
        return found[1]

    def add(self, key: Key, now: float) -> None:
        found = self._counts.get(key)
        if found is None or now - found[0] >= self.window:
            found = (now, 0)
        self._counts[key] = (found[0], found[1] + 1)
        self._counts.move_to_end(key)
        if len(self._counts) > self.capacity:
            self._counts.popitem(last=False)

    def take_back(self, key: Key, now: float) -> None:
        """Undo one :meth:`add` of this window (a check counted in advance that matched)."""
        found = self._counts.get(key)
        if found is not None and now - found[0] < self.window and found[1] > 0:
            self._counts[key] = (found[0], found[1] - 1)


class FailedChecks:
    """Failed registration checks, counted per client and voter id, per client, and overall.

    Voter ids and last names are often public, so without a limit the form
    would confirm a birth date after some thousands of guesses. A client (an
    IPv4 address, or an IPv6 /64 network) may fail :data:`CHECK_LIMIT` times
    on one id and :data:`CLIENT_LIMIT` times in all per window; while everyone
    together fails more than :data:`SURGE_LIMIT` times an hour (guessing spread
    over many addresses), a client that has already failed
    :data:`SURGE_CLIENT_LIMIT` times is refused too. Only a client's own
    failures ever refuse it, so nobody can lock a voter out of their own
    record: the voter's right details are answered. Failures are counted
    whether or not the id exists, so the limit itself reveals nothing.

    Kept in memory, bounded to ``keys`` counters per table: a restart starts
    the count again, which still keeps guessing slow; under ``serve --workers N``
    each worker keeps 1/N of each limit (:meth:`shared_by`).
    """

    def __init__(
        self,
        limit: int = CHECK_LIMIT,
        window: float = CHECK_WINDOW_SECONDS,
        keys: int = 100_000,
        *,
        client_limit: int = CLIENT_LIMIT,
        surge_limit: int = SURGE_LIMIT,
        surge_client_limit: int = SURGE_CLIENT_LIMIT,
    ) -> None:
        self.limit = limit
        self.client_limit = client_limit
        self.surge_limit = surge_limit
        self.surge_client_limit = surge_client_limit
        self.pairs = _WindowCounts(keys, window)
        self.clients = _WindowCounts(keys, window)
        self._hour = -1
        self._this_hour = 0
        self._last_hour = 0
        self._lock = threading.Lock()

    @classmethod
    def shared_by(cls, workers: int) -> FailedChecks:
        """Each of ``workers`` processes' share of the limits, so together they allow no more.

        Every worker of ``serve --workers N`` keeps its own counts; a client whose
        requests land on all of them would otherwise get N times the guesses.
        """
        n = max(1, workers)
        return cls(
            max(1, CHECK_LIMIT // n),
            client_limit=max(1, CLIENT_LIMIT // n),
            surge_limit=max(1, SURGE_LIMIT // n),
            surge_client_limit=max(1, SURGE_CLIENT_LIMIT // n),
        )

    @staticmethod
    def key(voter_id: str) -> str:
        return voter_id.strip().casefold()

    @staticmethod
    def client(host: str | None) -> str:
        """Who is asking: the address, or for IPv6 its /64 (one subscriber's whole network)."""
        return client_network(host)

    def _pair(self, client: str, voter_id: str) -> Key:
        return f"{client}\x00{self.key(voter_id)}"

    def _roll(self, now: float) -> None:
        hour = int(now // 3600)
        if hour != self._hour:
            self._last_hour = self._this_hour if hour == self._hour + 1 else 0
            self._this_hour = 0
            self._hour = hour

    def refusal(self, client: str, voter_id: str) -> str | None:
        """Why this client may not check this id now, or None when it may."""
        with self._lock:
            return self._refusal(client, voter_id, time.monotonic())

    def _refusal(self, client: str, voter_id: str, now: float) -> str | None:
        self._roll(now)
        if self.pairs.count(self._pair(client, voter_id), now) >= self.limit:
            return TOO_MANY
        failed = self.clients.count(client, now)
        if failed >= self.client_limit:
            return TOO_MANY_FROM_CLIENT
        surge = self._this_hour + self._last_hour >= self.surge_limit
        if surge and failed >= self.surge_client_limit:
            return TOO_MANY_NOW
        return None

    def failed(self, client: str, voter_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._add(client, voter_id, now)

    def _add(self, client: str, voter_id: str, now: float) -> None:
        self._roll(now)
        self._this_hour += 1
        self.pairs.add(self._pair(client, voter_id), now)
        self.clients.add(client, now)

    def attempt(self, client: str, voter_id: str) -> str | None:
        """Refuse, or count this check as failed in advance, in one step.

        The check itself runs in a worker thread; counting only once it has
        failed would let a client that sends a hundred checks at once have
        all of them answered before the first was counted. A check that
        matches is taken back with :meth:`matched`.
        """
        now = time.monotonic()
        with self._lock:
            refusal = self._refusal(client, voter_id, now)
            if refusal is None:
                self._add(client, voter_id, now)
            return refusal

    def matched(self, client: str, voter_id: str) -> None:
        """Take back the failure :meth:`attempt` counted, for a check that was answered."""
        now = time.monotonic()
        with self._lock:
            if int(now // 3600) == self._hour and self._this_hour > 0:
                self._this_hour -= 1
            self.pairs.take_back(self._pair(client, voter_id), now)
            self.clients.take_back(client, now)


def _failed_checks(request: Request) -> FailedChecks:
    found = getattr(request.app.state, "failed_registration_checks", None)
    if not isinstance(found, FailedChecks):
        raise RuntimeError("create_app sets up the failed-check counter")
    return found


def _parse_dob(text: str) -> date:
    """The browser's date field sends YYYY-MM-DD; a typed MM/DD/YYYY is understood too.

    The message never repeats what was typed.
    """
    for layout in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise InvalidInput("enter the date of birth as YYYY-MM-DD")


def _checkpoint_size(note: str) -> int:
    """The tree size line of a signed checkpoint (origin, size, root, ...)."""
    return int(note.split("\n", 2)[1])


def _counties(request: Request) -> list[tuple[str, str]]:
    """The counties a voter may choose from (slug, name): public, like the home page."""
    return [(j.id, j.name) for j in directory.jurisdictions(app_of(request)) if j.kind == "county"]


def check_form(request: Request) -> Response:
    return _check_page(request, {})


def _check_page(request: Request, context: dict[str, object], status: int = 200) -> Response:
    if "voter" not in context:
        context = {"counties": _counties(request), **context}
    return private(render(request, "voters_check.html", context, status))


def _target(voter_id: str, county: str, last_name: str, first_name: str) -> str:
    """What a check asks about, for counting failures: the id, or the county and name."""
    if voter_id:
        return voter_id
    return "\x1f".join(("by-name", county, last_name, first_name))


async def check_registration(request: Request) -> Response:
    """A voter's own record and its proof, for the right id (or name and county) and birth date.

    Two ways in, one answer: the voter id with last name and birth date, or,
    for a voter who does not know their id, first and last name, birth date
    and county. Both give the same neutral sentence for any mismatch and
    count their failures in the same limits (per client and what was asked
    about, per client, overall), so neither is an easier oracle than the other.

    ``format=json`` answers the proof bundle itself (for a script, or to keep
    as a file); the page embeds the same bundle, so no URL ever carries the
    birth date.
    """
    app = app_of(request)
    await check_csrf(request)
    form = await request.form()
    as_json = form_text(form, "format") == "json"
    voter_id = form_text(form, "voter_id")
    last_name = form_text(form, "last_name")
    first_name = form_text(form, "first_name")
    county = form_text(form, "county")
    dob_text = form_text(form, "dob")

    async def refuse(message: str, status: int) -> Response:
        if as_json:
            return private(JSONResponse({"error": message, "status": status}, status))
        # The page lists the counties to choose from: a query, so off the event loop.
        return await run_in_threadpool(_check_page, request, {"message": message}, status)

    by_name = not voter_id
    # A NUL can match no record, and PostgreSQL refuses it in a query (a 500).
    complete = bool(last_name and dob_text and (voter_id or (first_name and county)))
    if not complete or "\x00" in voter_id + last_name + first_name + county:
        return await refuse(ASK, 400)
    try:
        check_lengths(
            {
                "voter_id": voter_id,
                "last_name": last_name,
                "first_name": first_name,
                "county": county,
            }
        )
        dob = _parse_dob(dob_text)
    except InvalidInput as exc:
        return await refuse(str(exc).capitalize() + ".", 400)
    limiter = _failed_checks(request)
    client = FailedChecks.client(request.client.host if request.client else None)
    target = _target(voter_id, county, last_name, first_name)
    # Counted as a failure before the check runs, so checks sent at once are all counted.
    refusal = limiter.attempt(client, target)
    if refusal is not None:
        return await refuse(
            TOO_MANY_FOR_DETAILS if by_name and refusal == TOO_MANY else refusal, 429
        )
    try:
        if by_name:
            found = await run_in_threadpool(
                voter_proofs.check_registration_by_name, app, first_name, last_name, dob, county
            )
        else:
            found = await run_in_threadpool(
                voter_proofs.check_registration, app, voter_id, last_name, dob
            )
    except ConfigurationError as exc:
        limiter.matched(client, target)
        # e.g. the identifier key file is lost; the details are for the operator, not the public.
        log.error("registration check unavailable: %s", exc)
        return await refuse("The registration check is not available right now.", 503)
    if found is None:
        return await refuse(NO_MATCH, 404 if as_json else 200)
    limiter.matched(client, target)
    if as_json:
        name = quote(f"{found.record.voter_id}-proof.json")
        return private(
            JSONResponse(
                found.bundle,
                headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
            )
        )
    bundle_json = json.dumps(found.bundle, indent=2, sort_keys=True)
    context: dict[str, object] = {
        "voter": voters.public_view(found.record),
        "history": found.history,
        "problems": found.problems,
        "checkpoint_size": _checkpoint_size(found.bundle["checkpoint"]),
        "bundle_json": bundle_json,
        "bundle_href": "data:application/json;charset=utf-8," + quote(bundle_json, safe=""),
        "bundle_name": f"{found.record.voter_id}-proof.json",
    }
    return _check_page(request, context)
