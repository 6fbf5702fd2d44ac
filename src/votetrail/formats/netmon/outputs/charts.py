"""Inline SVG bar charts for the daily report, drawn by hand.

The report must open from an e-mail attachment on an air-gapped laptop, so
it cannot load a chart library or a font; plain SVG rectangles and text are
enough for the three charts it needs. Every label is escaped here, because
labels (addresses, ports) end up inside markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR_FILL = "#3b6ea5"
WIDTH = 720


def hourly_bars(counts: Sequence[int], title: str) -> str:
    """A vertical bar chart with one bar per hour, labelled 00–23."""
    height, top, bottom, left = 200, 24, 28, 40
    plot_height = height - top - bottom
    slot = (WIDTH - left) / max(len(counts), 1)
    peak = max([*counts, 1])
    parts = [_open(WIDTH, height, title)]
    parts.append(f'<text x="{left}" y="14" class="axis">peak {peak:,} per hour</text>')
    for hour, count in enumerate(counts):
        bar = plot_height * count / peak
        x = left + hour * slot
        y = top + plot_height - bar
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{slot - 4:.1f}" height="{bar:.1f}" '
            f'fill="{BAR_FILL}"><title>{hour:02d}:00 – {count:,}</title></rect>'
        )
        parts.append(
            f'<text x="{x + slot / 2:.1f}" y="{height - 10}" class="axis" '
            f'text-anchor="middle">{hour:02d}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def ranked_bars(rows: Sequence[tuple[str, int]], title: str) -> str:
    """Horizontal bars, one per (label, value) row, longest first as given."""
    if not rows:
        return f'<p class="empty">{escape(title)}: nothing to show.</p>'
    row_height, label_width = 22, 220
    height = row_height * len(rows) + 8
    peak = max([value for _, value in rows] + [1])
    span = WIDTH - label_width - 80
    parts = [_open(WIDTH, height, title)]
    for index, (label, value) in enumerate(rows):
        y = 4 + index * row_height
        bar = span * value / peak
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{bar:.1f}" height="{row_height - 6}" '
            f'fill="{BAR_FILL}"></rect>'
        )
        parts.append(f'<text x="{label_width + bar + 6:.1f}" y="{y + 15}">{value:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    """The opening tag, with the title as the accessible name of the chart."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
