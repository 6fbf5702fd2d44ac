"""A ranked contest's rounds as a chart, drawn on the server as inline SVG.

Pages carry no script and load nothing from elsewhere, so the chart is SVG
markup built here, like the audit risk chart (``web/audit/chart.py``). Each
round is one horizontal bar split into every candidate's votes, then the
ballots no longer counting (exhausted or otherwise inactive), drawn hatched
so it reads in black and white; bar after bar, a candidate's part shrinks to
nothing when eliminated and its votes reappear in others' parts and in the
hatched end. Each part carries a ``<title>`` with its numbers, and the whole
picture a ``<title>``/``<desc>``; the table beside it has every number.

Pure: numbers in, markup out; every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

WIDTH = 480
LEFT, RIGHT, TOP = 72, 8, 8
BAR, GAP = 22, 8
LEGEND_ROW = 22
LEGEND_COLUMNS = 2

COLOURS = (
    "#1f4e8c",
    "#b35900",
    "#1d6b34",
    "#7a2d8c",
    "#9b1c1c",
    "#2c7a7b",
    "#8c6d1f",
    "#c2185b",
    "#3d4a5c",
    "#5b8c1f",
)
"""One colour per candidate, in the table's order (then repeated)."""
INACTIVE = "Exhausted or inactive"


@dataclass(frozen=True)
class ChartRound:
    """One round: votes per candidate (report order) and the ballots no longer counting."""

    number: int
    votes: Sequence[tuple[str, Decimal]]
    inactive: Decimal


def _text(value: Decimal) -> str:
    return format(value.to_integral() if value == value.to_integral() else value, ",f")


def rounds_chart(chart_id: str, title: str, rounds: Sequence[ChartRound]) -> Markup:
    """The chart of ``rounds``; ``chart_id`` makes the SVG's ids unique on the page."""
    names: list[str] = []
    for one in rounds:
        for name, _ in one.votes:
            if name not in names:
                names.append(name)
    colour = {name: COLOURS[index % len(COLOURS)] for index, name in enumerate(names)}
    widest = max(
        (sum((v for _, v in one.votes), Decimal(0)) + one.inactive for one in rounds),
        default=Decimal(0),
    )
    span = WIDTH - LEFT - RIGHT
    legend_items = [*names, INACTIVE]
    legend_rows = -(-len(legend_items) // LEGEND_COLUMNS)
    bars_bottom = TOP + len(rounds) * (BAR + GAP)
    height = bars_bottom + 12 + legend_rows * LEGEND_ROW
    desc = (
        f"One bar per round, {len(rounds)} in all: each candidate's votes, then the ballots "
        "no longer counting (hatched). The table beside it has every number."
    )
    hatch = f"url(#{chart_id}-hatch)"
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
            'height="{h}" role="img" aria-labelledby="{i}-title {i}-desc" class="rounds-chart">'
            '<title id="{i}-title">{title}</title><desc id="{i}-desc">{desc}</desc>'
            '<defs><pattern id="{i}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e8e8e8"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#6b6b6b" stroke-width="2"/>'
            "</pattern></defs>"
        ).format(w=WIDTH, h=height, i=chart_id, title=title, desc=desc)
    ]
    for row, one in enumerate(rounds):
        y = TOP + row * (BAR + GAP)
        parts.append(
            Markup(
                '<text x="{}" y="{:.1f}" text-anchor="end" font-size="14" fill="#222">'
                "Round {}</text>"
            ).format(LEFT - 8, y + BAR / 2 + 4, one.number)
        )
        x = float(LEFT)
        for name, votes in [*one.votes, (INACTIVE, one.inactive)]:
            if votes <= 0 or widest <= 0:
                continue
            width = float(votes / widest) * span
            parts.append(
                Markup(
                    '<rect x="{:.2f}" y="{}" width="{:.2f}" height="{}" fill="{}" stroke="#fff" '
                    'stroke-width="1"><title>Round {}: {}, {}</title></rect>'
                ).format(
                    x,
                    y,
                    width,
                    BAR,
                    hatch if name == INACTIVE else colour[name],
                    one.number,
                    name,
                    _text(votes),
                )
            )
            x += width
    for index, name in enumerate(legend_items):
        column, line = index % LEGEND_COLUMNS, index // LEGEND_COLUMNS
        x = RIGHT + column * ((WIDTH - 2 * RIGHT) // LEGEND_COLUMNS)
        y = bars_bottom + 12 + line * LEGEND_ROW
        parts.append(
            Markup(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}" stroke="#6b6b6b"/>'
                '<text x="{}" y="{}" font-size="14" fill="#222">{}</text>'
            ).format(x, y, hatch if name == INACTIVE else colour[name], x + 20, y + 12, name)
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
