"""Server-rendered SVG charts for the reports.

Plain SVG markup, no script and no external resources: it shows without JavaScript, prints
at any size, and can be saved with the page. Each chart scales to its container (a
``viewBox`` and ``width="100%"``), carries a ``<title>`` and ``<desc>`` for screen
readers, and repeats nothing that is not also in a table next to it on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1c1917"
MUTED = "#57534e"
GRID = "#d6d3d1"
BAR = "#a3161a"
LINE = "#1e40af"
# Finished, in progress, not started: distinct in hue and in lightness (for grey print).
STACK = ("#166534", "#b45309", "#d6d3d1")

FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class Segment:
    label: str
    value: int


def _svg(
    *, width: int, height: int, ident: str, title: str, desc: str, body: list[str]
) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc" {FONT}>'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
    )
    # Safe: every text that goes into the markup above went through escape().
    return mark_safe(head + "".join(body) + "</svg>")


def _nice_max(value: float) -> int:
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


def bar_chart(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    ident: str,
    title: str,
    desc: str,
    x_label: str = "",
    y_label: str = "",
) -> SafeString:
    """Vertical bars, one per label, with the count written above each bar."""
    width, height = 640, 300
    left, right, top, bottom = 48, 12, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max(values, default=0))
    body = []
    for tick in (0, top_value / 2, top_value):
        y = top + plot_h - plot_h * tick / top_value
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="{MUTED}">{_num(tick)}</text>'
        )
    slot = plot_w / max(len(values), 1)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_h = plot_h * value / top_value
        x = left + index * slot + slot * 0.12
        y = top + plot_h - bar_h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.76:.1f}" height="{bar_h:.1f}" '
            f'fill="{BAR}"/>'
        )
        if value:
            body.append(
                f'<text x="{x + slot * 0.38:.1f}" y="{y - 4:.1f}" font-size="12" '
                f'text-anchor="middle" fill="{INK}">{value}</text>'
            )
        body.append(
            f'<text x="{x + slot * 0.38:.1f}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="middle" fill="{MUTED}">{escape(label)}</text>'
        )
    if x_label:
        body.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{height - 10}" font-size="13" '
            f'text-anchor="middle" fill="{INK}">{escape(x_label)}</text>'
        )
    if y_label:
        body.append(
            f'<text x="14" y="{top + plot_h / 2:.1f}" font-size="13" text-anchor="middle" '
            f'fill="{INK}" transform="rotate(-90 14 {top + plot_h / 2:.1f})">'
            f"{escape(y_label)}</text>"
        )
    return _svg(width=width, height=height, ident=ident, title=title, desc=desc, body=body)


def stacked_bar(segments: Sequence[Segment], *, ident: str, title: str, desc: str) -> SafeString:
    """One horizontal bar split into segments (at most three colours), with a legend that
    names each segment and its count, so colour is never the only cue."""
    width, height = 640, 86
    total = sum(segment.value for segment in segments)
    body = [
        f'<rect x="0" y="0" width="{width}" height="28" fill="#ffffff" stroke="{GRID}"/>',
    ]
    x = 0.0
    for segment, colour in zip(segments, STACK, strict=False):
        share = width * segment.value / total if total else 0
        if share:
            body.append(
                f'<rect x="{x:.1f}" y="0" width="{share:.1f}" height="28" fill="{colour}"/>'
            )
        x += share
    legend_x = 0
    for segment, colour in zip(segments, STACK, strict=False):
        text = f"{segment.label}: {segment.value}"
        body.append(
            f'<rect x="{legend_x}" y="46" width="14" height="14" fill="{colour}" '
            f'stroke="{MUTED}" stroke-width="0.5"/>'
            f'<text x="{legend_x + 20}" y="58" font-size="14" fill="{INK}">{escape(text)}</text>'
        )
        legend_x += 20 + 9 * len(text) + 24
    return _svg(width=width, height=height, ident=ident, title=title, desc=desc, body=body)


def trend_chart(
    labels: Sequence[str],
    completion: Sequence[float | None],
    mean: Sequence[float | None],
    *,
    ident: str,
    title: str,
    desc: str,
    completion_label: str,
    mean_label: str,
) -> SafeString:
    """Percent over time: completion as bars, the mean score as a line with points, on one
    0–100 axis. ``labels`` are short (numbers keyed to the table below the chart)."""
    width, height = 640, 320
    left, right, top, bottom = 44, 12, 40, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    body = []
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h - plot_h * tick / 100
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="{MUTED}">{tick}%</text>'
        )
    slot = plot_w / max(len(labels), 1)
    points = []
    for index, label in enumerate(labels):
        centre = left + index * slot + slot / 2
        done = completion[index]
        if done is not None:
            bar_h = plot_h * done / 100
            body.append(
                f'<rect x="{centre - slot * 0.3:.1f}" y="{top + plot_h - bar_h:.1f}" '
                f'width="{slot * 0.6:.1f}" height="{bar_h:.1f}" fill="{GRID}" '
                f'stroke="{MUTED}" stroke-width="0.5"/>'
            )
        body.append(
            f'<text x="{centre:.1f}" y="{top + plot_h + 18}" font-size="12" '
            f'text-anchor="middle" fill="{MUTED}">{escape(label)}</text>'
        )
        if mean[index] is not None:
            points.append((centre, top + plot_h - plot_h * mean[index] / 100))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
    body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{LINE}"/>' for x, y in points)
    # Legend: a bar swatch and a line swatch, each named.
    body.append(
        f'<rect x="{left}" y="10" width="14" height="14" fill="{GRID}" stroke="{MUTED}" '
        f'stroke-width="0.5"/>'
        f'<text x="{left + 20}" y="22" font-size="13" fill="{INK}">{escape(completion_label)}'
        "</text>"
        f'<line x1="{left + 230}" x2="{left + 254}" y1="17" y2="17" stroke="{LINE}" '
        f'stroke-width="2.5"/><circle cx="{left + 242}" cy="17" r="4.5" fill="{LINE}"/>'
        f'<text x="{left + 262}" y="22" font-size="13" fill="{INK}">{escape(mean_label)}</text>'
    )
    return _svg(width=width, height=height, ident=ident, title=title, desc=desc, body=body)
