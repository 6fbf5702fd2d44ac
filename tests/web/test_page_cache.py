"""Cached page data is never stale: a new upload shows on the very next request.

The results, a county's numbers, its audits and its L&A tests are kept per
state of the log (``web/page_cache.py``). The pages are walked on a server
that has them cached, then the county's files are uploaded through the
services (as the CLI or another worker would, so this server is not told),
and the next request must show them, byte for byte as a server that never
cached anything shows them. Before the upload, a second request is served
from the cache (the count is not redone), which is what the cache is for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.web.server import login, serving
from votetrail.services.context import App
from votetrail.services.demo.election import load_demo_election
from votetrail.services.setup import DEMO_COUNTIES, DEMO_PASSWORD, DEMO_STATE, SYSTEM_ACTOR
from votetrail.services.unit_of_work import unit_of_work
from votetrail.web import results as results_pages
from votetrail.web.page_cache import PageCache

_TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')
PUBLIC = ("/results", "/results/adams", "/lat", "/results/adams/results.csv")
CLERK = ("/j/adams", "/j/adams/uploads", "/j/adams/results", "/j/adams/audits", "/j/adams/lat")


def _pages(base: str) -> dict[str, str]:
    """Every cached page, a visitor's and Adams's clerk's, without the session's form token."""
    seen: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=60) as visitor:
        for url in PUBLIC:
            answer = visitor.get(url)
            # No results file before any CVRs: a 404, which must not be kept either.
            assert answer.status_code in ((200, 404) if url.endswith(".csv") else (200,)), url
            seen[url] = f"{answer.status_code} {answer.text}"
    with httpx.Client(base_url=base, timeout=60) as clerk:
        assert login(clerk, "adams-admin", DEMO_PASSWORD).status_code == 303
        for url in CLERK:
            answer = clerk.get(url)
            assert answer.status_code == 200, (url, answer.status_code)
            seen[url] = _TOKEN.sub("", answer.text)
    return seen


def test_a_new_upload_shows_on_the_next_request(
    demo_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[str] = []
    original: Callable[[App, str], dict[str, object]] = results_pages._context

    def counting(app: App, slug: str) -> dict[str, object]:
        counted.append(slug)
        return original(app, slug)

    monkeypatch.setattr(results_pages, "_context", counting)
    with serving(demo_app) as warm:
        before = _pages(warm)
        assert "No cast vote records have been uploaded yet." in before["/results"]
        _pages(warm)
        assert len(counted) == 2, counted  # statewide and Adams; the second walk was cached

        load_demo_election(demo_app, list(DEMO_COUNTIES), SYSTEM_ACTOR)  # behind its back

        after = _pages(warm)
    with serving(demo_app) as cold:
        fresh = _pages(cold)
    assert len(counted) == 2 + 2 + 2  # recounted once after the upload, and by the cold server
    assert "No cast vote records" not in after["/results"]
    for url in (*PUBLIC, *CLERK):
        assert after[url] == fresh[url], f"{url} was served stale after the upload"
    changed = [url for url in (*PUBLIC, *CLERK) if after[url] != before[url]]
    expected = {"/results", "/results/adams", "/results/adams/results.csv", "/j/adams/uploads"}
    assert set(changed) >= expected | {"/j/adams", "/j/adams/results"}, changed
    assert after["/results/adams/results.csv"].startswith("200 ")


def test_the_size_is_read_before_the_value_is_computed(demo_app: App) -> None:
    """An entry stored while the value is computed makes the value old at once: recomputed."""
    cache = PageCache()
    made: list[int] = []

    def compute_while_someone_stores() -> int:
        made.append(len(made))
        if len(made) == 1:
            with unit_of_work(demo_app, SYSTEM_ACTOR) as uow:
                uow.note("log.annotation", {"text": "stored during the count"}, DEMO_STATE[0])
        return made[-1]

    assert cache.get(demo_app, "k", compute_while_someone_stores) == 0
    assert cache.get(demo_app, "k", compute_while_someone_stores) == 1  # not the value from before
    assert cache.get(demo_app, "k", compute_while_someone_stores) == 1  # now kept
    assert cache.computed == 2


def test_a_failure_is_not_kept_and_the_least_used_key_goes_first(demo_app: App) -> None:
    cache = PageCache(entries=2)

    def fails() -> Any:
        raise LookupError("no such county")

    for _ in range(2):
        with pytest.raises(LookupError):
            cache.get(demo_app, "bad", fails)
    cache.get(demo_app, "a", lambda: "a")
    cache.get(demo_app, "b", lambda: "b")
    cache.get(demo_app, "a", lambda: "a again")  # "a" is now the most recent
    cache.get(demo_app, "c", lambda: "c")  # pushes out "b"
    assert cache.get(demo_app, "a", lambda: "recomputed") == "a"
    assert cache.get(demo_app, "b", lambda: "recomputed") == "recomputed"
