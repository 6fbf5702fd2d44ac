"""Issue 16's acceptance on real labelled traffic: the four CTU-Normal desktops.

Each capture in ``../shared/data/netmon/ctu-normal`` (Stratosphere Lab,
``stratosphereips/security-datasets-for-testing`` at 1c90a369, folders
``008``/``010``/``011``/``012-zeek-mixed``; see the folder's README) is a
Windows desktop with a public address, ~24 h of its real Zeek conn.log, and
every flow to it labelled an attack. ``tests/netmon_labels.py`` turns the
labels into the ground truth. Read through the real service with the
office's network 147.32.0.0/16: no desktop may be a scanner (the old detector
flagged every one for reaching 20+ HTTPS servers in 15 minutes), the labelled
sources that touched ≥ 20 ports or hosts must be found (recall ≥ 0.9; the old
one missed the slow ones), and every other unsolicited source must be counted
in its day's totals (the old one counted none).

The ground truth corrects the labels in one respect (``tests/netmon_labels.py``):
112 labelled flows are the ends of the desktops' own connections that Zeek
joined mid-stream (no SYN from the "originator", which sent data), and are no
attempts. Against the corrected labels the day totals are exact; against the
labels as they are, votetrail counts at most 2.1 % fewer attempts on a day
(57 of 2,801 on 2022-06-23, nearly all 1.1.1.2 port 853 ending the desktop's
DNS-over-TLS connections), and 1.1.1.2, the one labelled "scanner" that is
none, is not found: recall 24 of 25.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import votetrail_on
from tests.netmon_labels import (
    DESKTOPS,
    FOLDER,
    HOME_NETWORK,
    GroundTruth,
    all_ground_truth,
    combined_day_totals,
)
from votetrail.core.netmon.detector import Detector, DetectorConfig
from votetrail.formats.netmon.logs.common import ReadReport
from votetrail.formats.netmon.logs.zeek import read_zeek
from votetrail.services.context import App
from votetrail.services.netmon import ingest as netmon

RECALL = 0.9
TOLERANCE = 0.01
RAW_TOLERANCE = 0.021
"""Against the labels as they are: the 57 connection ends of 2022-06-23 are 2.03 %."""


@pytest.fixture(scope="module")
def truths(shared_data: Path) -> list[GroundTruth]:
    return all_ground_truth(shared_data / FOLDER)


@pytest.fixture(scope="module")
def raw_truths(shared_data: Path) -> list[GroundTruth]:
    return all_ground_truth(shared_data / FOLDER, corrected=False)


def _recall(found: set[str], scanners: frozenset[str]) -> float:
    return len(found & scanners) / len(scanners)


@pytest.mark.only_on("sqlite")  # one backend is enough: the detector is what is judged
def test_desktops_are_never_scanners_and_labelled_scanners_are_found(
    demo_app: App, shared_data: Path, truths: list[GroundTruth], raw_truths: list[GroundTruth]
) -> None:
    logs = [truth.capture.conn_log(shared_data / FOLDER) for truth in truths]
    result = netmon.ingest(demo_app, "analyst", logs, home_networks=[HOME_NETWORK])
    assert all(f.created and f.bad == 0 for f in result.files)
    stored = netmon.incidents(demo_app)
    flagged_anyhow = {source for incident in stored for source in incident["sources"]}
    assert not flagged_anyhow & DESKTOPS
    hits = 0
    total = 0
    missed: list[str] = []
    for truth in truths:
        desktop = truth.capture.desktop
        found = {
            source
            for incident in stored
            if incident["kind"] != "internal" and desktop in incident["targets"]
            for source in incident["sources"]
        }
        scanners = truth.scanners
        hits += len(found & scanners)
        total += len(scanners)
        missed += [f"{truth.capture.name} {s}" for s in sorted(scanners - found)]
        print(f"{truth.capture.name}: {len(found & scanners)} of {len(scanners)} found")
        assert _recall(found, scanners) >= RECALL, f"missed {missed}"
        assert _recall(found, truth.day_scanners) >= RECALL
    print(f"overall {hits} of {total}; missed: {', '.join(missed) or 'none'}")
    assert hits / total >= RECALL
    raw = frozenset().union(*(truth.scanners for truth in raw_truths))
    everyone = {source for incident in stored for source in incident["sources"]}
    assert len(raw & everyone) / len(raw) >= RECALL
    assert raw - everyone == {"1.1.1.2"}  # the DNS-over-TLS server, no scanner


def test_day_totals_equal_the_labelled_sources_and_attempts(
    shared_data: Path, truths: list[GroundTruth], raw_truths: list[GroundTruth]
) -> None:
    """The detector's own day totals, as ``netmon ingest --home-net`` configures it."""
    config = DetectorConfig(home_networks=(HOME_NETWORK,), local_networks=(HOME_NETWORK,))
    for truth in truths:
        log = truth.capture.conn_log(shared_data / FOLDER)
        detector = Detector(config)
        detector.feed_many(read_zeek(log, ReadReport(str(log))))
        counted = {total.day: total for total in detector.close_days(final=True).days}
        labelled = truth.day_totals()
        assert sorted(counted) == [total.day for total in labelled]
        for expected in labelled:
            got = counted[expected.day]
            where = f"{truth.capture.name} {expected.day}"
            assert (got.sources, got.attempts) == (expected.sources, expected.attempts), where
    for truth in raw_truths:
        log = truth.capture.conn_log(shared_data / FOLDER)
        detector = Detector(config)
        detector.feed_many(read_zeek(log, ReadReport(str(log))))
        counted = {total.day: total for total in detector.close_days(final=True).days}
        for expected in truth.day_totals():
            got = counted[expected.day]
            where = f"{truth.capture.name} {expected.day}, labels as they are"
            assert got.sources == pytest.approx(expected.sources, rel=TOLERANCE), where
            assert got.attempts == pytest.approx(expected.attempts, rel=RAW_TOLERANCE), where


@pytest.mark.only_on("sqlite")
def test_stored_day_totals_and_the_daily_report_count_every_labelled_source(
    capsys: pytest.CaptureFixture[str],
    demo_app: App,
    shared_data: Path,
    tmp_path: Path,
    truths: list[GroundTruth],
) -> None:
    """Through the CLI: ``netmon ingest --home-net``, ``netmon totals``, ``netmon report``.

    008 and 011 ran on the same two days, and 010 began on the second: the
    stored day counts a source that probed two desktops once.
    """
    logs = [str(truth.capture.conn_log(shared_data / FOLDER)) for truth in truths]
    done = votetrail_on(
        capsys, demo_app, "netmon", "ingest", "--home-net", str(HOME_NETWORK), *logs
    )
    assert done.code == 0, done.err
    stored: dict[str, dict[str, int]] = {}
    for expected in combined_day_totals(truths):
        day = expected.day.isoformat()
        shown = votetrail_on(capsys, demo_app, "netmon", "totals", "--day", day, "--format", "json")
        assert shown.code == 0, shown.err
        (row,) = json.loads(shown.out)["rows"]
        where = f"{day}: labelled {expected}, stored {row}"
        assert row["sources"] == pytest.approx(expected.sources, rel=TOLERANCE), where
        assert row["attempts"] == pytest.approx(expected.attempts, rel=TOLERANCE), where
        stored[day] = row
    # 2022-06-14 is capture 010's main day, and no other capture's
    page = tmp_path / "report.html"
    made = votetrail_on(
        capsys, demo_app, "netmon", "report", "--day", "2022-06-14", "--output", str(page)
    )
    assert made.code == 0, made.err
    html = page.read_text(encoding="utf-8")
    main = stored["2022-06-14"]
    assert f"Probed {main['attempts']:,} times from {main['sources']:,} addresses" in html
