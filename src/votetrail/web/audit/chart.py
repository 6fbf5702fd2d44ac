"""The public audit page's chart of risk over rounds, drawn on the server as inline SVG.

The page works without JavaScript and carries no script, so the chart is
plain SVG markup built here: each targeted contest is a line of its measured
risk after each round, on a logarithmic scale (risks fall by orders of
magnitude), with the risk limit as a dashed line; a contest is confirmed when
its line ends below that line. Colours are paired with distinct markers and
dash patterns so the lines stay apart in black and white. Everything a person
reads in the picture is also in its ``<title>``/``<desc>`` and in
:func:`describe`, the text the page prints beside it.

Pure: numbers in, markup out; every label is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 640
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 16, 44
PAD = 28
"""Space between the frame and the first and last round, so their markers are not cut."""
FLOOR = 1e-6
"""The lowest risk the axis shows; a smaller measured risk is drawn on the bottom edge."""

STYLES = (
    ("#1f4e8c", "", "circle"),
    ("#b35900", "6 4", "square"),
    ("#1d6b34", "2 3", "diamond"),
    ("#7a2d8c", "10 3 2 3", "triangle"),
    ("#9b1c1c", "1 2", "circle"),
    ("#3d4a5c", "8 2", "square"),
)
"""Colour, dash pattern and marker of each line, in contest order (then repeated)."""


@dataclass(frozen=True)
class Series:
    """One contest's measured risk after each closed round: (round number, risk)."""

    label: str
    points: tuple[tuple[int, float], ...]


def _percent(value: float) -> str:
    """A risk as people read it: ``12.5%``, ``0.031%``, ``< 0.0001%``."""
    if value <= 0:
        return "0%"
    percent = value * 100
    if percent >= 1:
        return f"{percent:.3g}%"
    if percent < 1e-4:
        return "< 0.0001%"
    return f"{percent:.2g}%" if percent >= 0.01 else f"{percent:.1g}%"


def describe(series: Sequence[Series], risk_limit: float) -> str:
    """The chart in words: each contest's risk round by round, against the risk limit."""
    if not any(s.points for s in series):
        return "No round has been measured yet."
    parts = [f"Risk limit {_percent(risk_limit)}."]
    for s in series:
        if not s.points:
            parts.append(f"{s.label}: not measured yet.")
            continue
        steps = ", ".join(f"round {n} {_percent(risk)}" for n, risk in s.points)
        last = s.points[-1][1]
        verdict = "below the risk limit" if last <= risk_limit else "above the risk limit"
        parts.append(f"{s.label}: {steps} ({verdict} after round {s.points[-1][0]}).")
    return " ".join(parts)


def _n(value: float) -> str:
    return f"{value:.1f}"


def _marker(shape: str, x: float, y: float, colour: str) -> Markup:
    if shape == "square":
        return Markup('<rect x="{}" y="{}" width="8" height="8" fill="{}"/>').format(
            _n(x - 4), _n(y - 4), colour
        )
    if shape in ("diamond", "triangle"):
        corners = (
            [(x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)]
            if shape == "diamond"
            else [(x, y - 5), (x + 5, y + 4), (x - 5, y + 4)]
        )
        points = " ".join(f"{_n(a)},{_n(b)}" for a, b in corners)
        return Markup('<polygon points="{}" fill="{}"/>').format(points, colour)
    return Markup('<circle cx="{}" cy="{}" r="4" fill="{}"/>').format(_n(x), _n(y), colour)


def _decades(series: Sequence[Series], risk_limit: float) -> int:
    """How many powers of ten the y axis spans below 1: enough for every point and the limit."""
    lowest = min(
        [risk_limit, *(max(risk, FLOOR) for s in series for _, risk in s.points if risk > 0)]
    )
    return max(1, min(6, math.ceil(-math.log10(max(lowest, FLOOR)) + 1e-9)))


def risk_chart(
    series: Sequence[Series], risk_limit: float, *, chart_id: str = "risk-chart"
) -> Markup:
    """SVG markup of the chart, with a title and description for screen readers."""
    rounds = sorted({n for s in series for n, _ in s.points}) or [1]
    decades = _decades(series, risk_limit)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x_of(number: int) -> float:
        if len(rounds) == 1:
            return LEFT + plot_w / 2
        inner = plot_w - 2 * PAD
        return LEFT + PAD + inner * rounds.index(number) / (len(rounds) - 1)

    def y_of(risk: float) -> float:
        exponent = -math.log10(min(1.0, max(risk, 10.0**-decades)))
        return TOP + plot_h * exponent / decades

    right, bottom = LEFT + plot_w, TOP + plot_h
    out = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" '
            'role="img" aria-labelledby="{}-title {}-desc" class="risk-chart" '
            'data-testid="risk-chart">'
            '<title id="{}-title">Risk over rounds</title><desc id="{}-desc">{}</desc>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#d9dee7"/>'
        ).format(
            WIDTH,
            HEIGHT,
            chart_id,
            chart_id,
            chart_id,
            chart_id,
            describe(series, risk_limit),
            LEFT,
            TOP,
            plot_w,
            plot_h,
        )
    ]
    for k in range(decades + 1):
        y = TOP + plot_h * k / decades
        out.append(
            Markup(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#eef0f4"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#5c6678">{}</text>'
            ).format(LEFT, _n(y), right, _n(y), LEFT - 6, _n(y + 4), _percent(10.0**-k))
        )
    for number in rounds:
        out.append(
            Markup(
                '<text x="{}" y="{}" text-anchor="middle" font-size="13" fill="#5c6678">{}</text>'
            ).format(_n(x_of(number)), bottom + 16, number)
        )
    limit_y = _n(y_of(risk_limit))
    out.append(
        Markup(
            '<text x="{}" y="{}" text-anchor="middle" font-size="14" fill="#1b2330">Round</text>'
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#9b1c1c" stroke-dasharray="5 4" '
            'data-testid="risk-limit-line"/>'
            '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#9b1c1c">'
            "risk limit {}</text>"
        ).format(
            _n(LEFT + plot_w / 2),
            HEIGHT - 6,
            LEFT,
            limit_y,
            right,
            limit_y,
            right - 4,
            _n(y_of(risk_limit) - 5),
            _percent(risk_limit),
        )
    )
    for index, s in enumerate(series):
        if not s.points:
            continue
        colour, dash, shape = STYLES[index % len(STYLES)]
        coords = [(x_of(n), y_of(risk)) for n, risk in s.points]
        out.append(Markup('<g data-contest="{}">').format(s.label))
        if len(coords) > 1:
            out.append(
                Markup(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" '
                    'stroke-dasharray="{}"/>'
                ).format(" ".join(f"{_n(x)},{_n(y)}" for x, y in coords), colour, dash or "none")
            )
        out.extend(_marker(shape, x, y, colour) for x, y in coords)
        out.append(Markup("</g>"))
    out.append(Markup("</svg>"))
    return Markup("").join(out)


def legend(series: Sequence[Series]) -> list[tuple[str, Markup]]:
    """(label, small SVG of its line and marker) per contest, for the legend under the chart."""
    out: list[tuple[str, Markup]] = []
    for index, s in enumerate(series):
        colour, dash, shape = STYLES[index % len(STYLES)]
        swatch = Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 12" width="36" height="12" '
            'aria-hidden="true"><line x1="0" y1="6" x2="36" y2="6" stroke="{}" stroke-width="2" '
            'stroke-dasharray="{}"/>{}</svg>'
        ).format(colour, dash or "none", _marker(shape, 18, 6, colour))
        out.append((s.label, swatch))
    return out
