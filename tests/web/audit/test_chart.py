"""The public page's risk chart: well-formed SVG, escaped labels, a text alternative."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from votetrail.web.audit.chart import Series, describe, legend, risk_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 (our own markup, parsed to check it is well-formed)


def test_each_contest_is_a_line_with_a_marker_per_round_and_the_limit_is_drawn() -> None:
    series = [
        Series("Governor", ((1, 0.12), (2, 0.003))),
        Series('Measure <A> & "B"', ((1, 0.5), (2, 0.02))),
    ]
    root = _parsed(str(risk_chart(series, 0.05)))
    assert root.get("role") == "img"
    groups = root.findall(f"{SVG}g")
    assert [g.get("data-contest") for g in groups] == ["Governor", 'Measure <A> & "B"']
    for group in groups:
        assert len(group.findall(f"{SVG}polyline")) == 1
        markers = [e for e in group if e.tag != f"{SVG}polyline"]
        assert len(markers) == 2
    limit = root.find(f"{SVG}line[@data-testid='risk-limit-line']")
    assert limit is not None
    # Lower risk is lower on the chart: round 2's marker is below round 1's.
    first, second = (float(e.get("cy", "0")) for e in groups[0].findall(f"{SVG}circle"))
    assert second > first
    # The limit line lies between them (0.12 above it, 0.003 below).
    assert first < float(limit.get("y1", "0")) < second
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    assert desc.text == describe(series, 0.05)
    assert "Governor: round 1 12%, round 2 0.3% (below the risk limit after round 2)." in (
        desc.text or ""
    )


def test_a_chart_before_any_measurement_still_says_so() -> None:
    series = [Series("Governor", ())]
    root = _parsed(str(risk_chart(series, 0.1)))
    assert root.findall(f"{SVG}g") == []
    assert describe(series, 0.1) == "No round has been measured yet."
    (entry,) = legend(series)
    assert entry[0] == "Governor"
    assert _parsed(str(entry[1])).get("aria-hidden") == "true"


def test_a_risk_of_zero_or_far_below_the_axis_is_drawn_on_its_floor() -> None:
    series = [Series("Governor", ((1, 0.0), (2, 1e-12)))]
    root = _parsed(str(risk_chart(series, 0.05)))
    ys = [float(e.get("cy", "0")) for e in root.findall(f"{SVG}g/{SVG}circle")]
    assert ys[0] == ys[1]
    assert "0%" in describe(series, 0.05)
