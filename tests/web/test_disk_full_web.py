"""A full disk during a web upload (issue 19): 507 with the sentence, nothing saved, then success.

As in ``tests/cli/test_crash_safety.py``, a full disk is a file size limit
(RLIMIT_FSIZE): SQLite's write fails with EFBIG as it would with ENOSPC. The
limit is set on this process, which serves the real app over real HTTP from a
thread, only while the upload is in flight, and only its soft value, so it is
lifted again afterwards. Python ignores SIGXFSZ, so the write fails instead of
the process dying. The limit sits just above the database file and above the
uploaded file (saved to a temporary folder first), so it is the import's
transaction that hits it, when it writes its pages to the write-ahead log.
"""

from __future__ import annotations

import html
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.bench_loader import load_bench
from tests.web.server import csrf, login, serving
from votetrail.services.context import App
from votetrail.services.counting.county_view import uploads_of
from votetrail.services.setup import DEMO_PASSWORD
from votetrail.services.verify import verify

CVRS_UPLOADED = 3_000


@pytest.fixture
def cvr_file(tmp_path: Path) -> Path:
    """A Dominion CSV export from the generator the CVR benchmark and the crash tests use."""
    cvr_bench = load_bench("bench_cvr_import")
    options = cvr_bench.parse_args(["--cvrs", str(CVRS_UPLOADED), "--files", "1", "--skip-json"])
    generated = cvr_bench.generate(tmp_path, options, cvr_bench.read_header(options.template))
    [path] = generated.csv_files
    return Path(path)


@contextmanager
def files_limited_to(size: int) -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def _post(client: httpx.Client, path: Path, token: str) -> httpx.Response:
    return client.post(
        "/j/adams/upload/cvrs",
        data={"csrf_token": token},
        files=[("files", (path.name, path.read_bytes(), "text/csv"))],
        follow_redirects=False,
    )


@pytest.mark.only_on("sqlite")
def test_a_full_disk_during_an_upload_answers_507_and_saves_nothing(
    demo_app: App, data_dir: Path, cvr_file: Path
) -> None:
    database = data_dir / "votetrail.sqlite3"
    with demo_app.engine.connect() as conn:  # an empty write-ahead log: the import starts it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = verify(demo_app)
    assert before.ok
    limit = database.stat().st_size + 64 * 1024
    assert cvr_file.stat().st_size < limit  # saving the upload itself does not hit the limit
    with (
        serving(demo_app) as url,
        httpx.Client(base_url=url, follow_redirects=True, timeout=60) as client,
    ):
        login(client, "adams-admin", DEMO_PASSWORD)
        token = csrf(client.get("/j/adams").text)

        with files_limited_to(limit):
            refused = _post(client, cvr_file, token)

        assert refused.status_code == 507, refused.text[:2000]
        page = html.unescape(refused.text)
        assert "Traceback" not in page
        alert = page.split('role="alert">', 1)[1].split("</p>", 1)[0]
        assert alert.startswith("the database could not be written (")
        assert "the disk may be full" in alert
        assert alert.endswith("nothing of this change was saved")
        assert uploads_of(demo_app, "adams") == []
        after = verify(demo_app)
        assert after.ok, after.problems
        assert after.size == before.size

        accepted = _post(client, cvr_file, csrf(client.get("/j/adams").text))

        assert accepted.status_code == 303, accepted.text[:2000]
        [upload] = uploads_of(demo_app, "adams")
        assert upload.records == CVRS_UPLOADED
        done = verify(demo_app)
        assert done.ok, done.problems
        assert done.size > before.size
