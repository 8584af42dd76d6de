"""Server-rendered SVG charts for the reports.

Plain SVG markup, no script and no external resources: it shows without JavaScript, prints
at any size, and can be saved with the page. Each chart scales to its container (a
``viewBox`` and ``width="100%"``) and carries a ``<title>`` and ``<desc>`` for screen
readers. The page puts the figures next to each chart (a legend, a table), so colour is
never the only cue. Sizes are chosen for a 480-unit-wide drawing, which a phone shows at
about 340 px: text stays readable there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1c1917"
MUTED = "#57534e"
GRID = "#d6d3d1"
BAR = "#a3161a"
LINE = "#1e40af"
# Finished, in progress, not started: distinct in hue and in lightness (for grey print).
STACK = ("#166534", "#b45309", "#d6d3d1")

WIDTH = 480
FONT = 'font-family="system-ui, sans-serif"'
# At most this many labels along the x axis; with more points every n-th is labelled.
MAX_X_LABELS = 12


def _svg(
    *, kind: str, height: int, ident: str, title: str, desc: str, body: list[str]
) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--{kind}" '
        f'viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc" {FONT}>'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
    )
    # Safe: every text that goes into the markup went through escape().
    return mark_safe(head + "".join(body) + "</svg>")


def nice_max(value: float) -> int:
    """A round axis maximum at or above ``value``: 1, 2, 5, 10, 20, 50, …"""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _grid(
    ticks: Sequence[float], *, top: int, left: int, plot_h: int, top_value: float, suffix=""
) -> list[str]:
    lines = []
    for tick in ticks:
        y = top + plot_h - plot_h * tick / top_value
        lines.append(
            f'<line x1="{left}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 5:.1f}" font-size="14" text-anchor="end" '
            f'fill="{MUTED}">{_num(tick)}{suffix}</text>'
        )
    return lines


def _x_labels(labels: Sequence[str], *, left: float, slot: float, y: float) -> list[str]:
    every = math.ceil(len(labels) / MAX_X_LABELS) if labels else 1
    return [
        f'<text x="{left + index * slot + slot / 2:.1f}" y="{y:.1f}" font-size="13" '
        f'text-anchor="middle" fill="{MUTED}">{escape(label)}</text>'
        for index, label in enumerate(labels)
        if index % every == 0
    ]


def histogram_chart(
    counts: Sequence[int],
    *,
    edges: Sequence[str],
    ident: str,
    title: str,
    desc: str,
    x_label: str = "",
) -> SafeString:
    """Adjacent bars, one per bin, with the count above each bar and the bins' edges
    (``len(counts) + 1`` labels) along the axis."""
    height, left, top, bottom = 260, 36, 20, 52
    plot_w, plot_h = WIDTH - left - 12, height - top - bottom
    top_value = nice_max(max(counts, default=0))
    body = _grid(
        (0, top_value / 2, top_value), top=top, left=left, plot_h=plot_h, top_value=top_value
    )
    slot = plot_w / max(len(counts), 1)
    for index, count in enumerate(counts):
        bar_h = plot_h * count / top_value
        x = left + index * slot + 1
        y = top + plot_h - bar_h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot - 2:.1f}" height="{bar_h:.1f}" '
            f'fill="{BAR}"/>'
        )
        if count:
            body.append(
                f'<text x="{x + slot / 2 - 1:.1f}" y="{y - 5:.1f}" font-size="14" '
                f'text-anchor="middle" fill="{INK}">{count}</text>'
            )
    every = math.ceil(len(edges) / MAX_X_LABELS) if edges else 1
    body.extend(
        f'<text x="{left + index * slot:.1f}" y="{top + plot_h + 18}" font-size="13" '
        f'text-anchor="middle" fill="{MUTED}">{escape(edge)}</text>'
        for index, edge in enumerate(edges)
        if index % every == 0
    )
    if x_label:
        body.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" font-size="14" '
            f'text-anchor="middle" fill="{INK}">{escape(x_label)}</text>'
        )
    return _svg(kind="histogram", height=height, ident=ident, title=title, desc=desc, body=body)


def stacked_bar(values: Sequence[int], *, ident: str, title: str, desc: str) -> SafeString:
    """One horizontal bar split into up to three segments, coloured in ``STACK`` order."""
    height = 28
    total = sum(values)
    body = [f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff" stroke="{GRID}"/>']
    x = 0.0
    for value, colour in zip(values, STACK, strict=False):
        share = WIDTH * value / total if total else 0
        if share:
            body.append(
                f'<rect x="{x:.1f}" y="0" width="{share:.1f}" height="{height}" fill="{colour}"/>'
            )
        x += share
    return _svg(kind="stack", height=height, ident=ident, title=title, desc=desc, body=body)


def trend_chart(
    labels: Sequence[str],
    completion: Sequence[float | None],
    mean: Sequence[float | None],
    *,
    ident: str,
    title: str,
    desc: str,
) -> SafeString:
    """Percent over time on one 0–100 axis: completion as light bars, the mean score as a
    line with points. ``labels`` are short (numbers keyed to the table under the chart)."""
    height, left, top, bottom = 260, 48, 12, 30
    plot_w, plot_h = WIDTH - left, height - top - bottom
    body = _grid((0, 50, 100), top=top, left=left, plot_h=plot_h, top_value=100, suffix="%")
    slot = plot_w / max(len(labels), 1)
    points = []
    for index in range(len(labels)):
        centre = left + index * slot + slot / 2
        if completion[index] is not None:
            bar_h = plot_h * completion[index] / 100
            body.append(
                f'<rect x="{centre - slot * 0.32:.1f}" y="{top + plot_h - bar_h:.1f}" '
                f'width="{slot * 0.64:.1f}" height="{bar_h:.1f}" fill="{GRID}" '
                f'stroke="{MUTED}" stroke-width="0.5"/>'
            )
        if mean[index] is not None:
            points.append((centre, top + plot_h - plot_h * mean[index] / 100))
    body += _x_labels(labels, left=left, slot=slot, y=top + plot_h + 20)
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="3"/>')
    body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{LINE}"/>' for x, y in points)
    return _svg(kind="trend", height=height, ident=ident, title=title, desc=desc, body=body)
