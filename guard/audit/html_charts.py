"""The HTML report's charts, drawn as inline SVG (no script, no font, no URL).

Bars per agent (violating messages, blocks then warnings), per day, and each
agent's response times by bin (metrics.BINS, unanswered last). Each takes
the rows to draw, already chosen and ordered by the page (render_html.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from guard.audit.labels import SEVERITY_LABELS
from guard.audit.metrics import BINS

COLORS = {"block": "#d63031", "warn": "#f0a500", "bar": "#3867d6"}
# The response-time bins' colours, fast to slow, then unanswered.
BIN_COLORS = ("#1b9e77", "#66c2a5", "#a6d854", "#fdae61", "#f46d43", "#d73027", "#6b7280")


def esc(value: object) -> str:
    """Text for HTML (attributes too)."""
    return escape(str(value), quote=True)


def hbar_chart(rows: Sequence[tuple[str, int, int]], empty: str) -> str:
    """Horizontal stacked bars: (label, block, warn) per row."""
    if not rows or not any(b + w for _, b, w in rows):
        return f'<div class="empty">{esc(empty)}</div>'
    label_width, bar_width, row_height = 190, 340, 26
    biggest = max(b + w for _, b, w in rows) or 1
    height = row_height * len(rows) + 8
    parts = [f'<svg width="100%" viewBox="0 0 '
             f'{label_width + bar_width + 60} {height}" role="img">']
    for index, (label, block, warn) in enumerate(rows):
        y = 4 + index * row_height
        shown = label if len(label) <= 15 else label[:14] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end">'
                     f'<title>{esc(label)}</title>{esc(shown)}</text>')
        x = label_width
        for value, color in ((block, COLORS["block"]), (warn, COLORS["warn"])):
            width = bar_width * value / biggest
            if value:
                parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{max(width, 1):.1f}" '
                             f'height="{row_height - 8}" fill="{color}" rx="2"/>')
            x += width
        parts.append(f'<text class="axis" x="{x + 6:.1f}" y="{y + 17}">{block + warn:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def day_chart(days: Sequence[tuple[str, int, int]]) -> str:
    """Vertical stacked bars per day: violating messages (block, warn)."""
    if not days:
        return '<div class="empty">没有数据</div>'
    width, height, left, bottom, top = 1200, 240, 44, 30, 12
    plot_w, plot_h = width - left - 10, height - bottom - top
    biggest = max(b + w for _, b, w in days) or 1
    step = plot_w / len(days)
    bar = max(1.0, min(step * 0.7, 56.0))
    every = max(1, round(len(days) / 10))
    parts = [f'<svg width="100%" viewBox="0 0 {width} '
             f'{height}" role="img">',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
             f'stroke="#9ca3af"/>',
             f'<text class="axis" x="{left - 6}" y="{top + 10}" text-anchor="end">'
             f'{biggest:,}</text>',
             f'<text class="axis" x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>']
    for index, (day, block, warn) in enumerate(days):
        x = left + index * step + (step - bar) / 2
        y = top + plot_h
        for value, color in ((block, COLORS["block"]), (warn, COLORS["warn"])):
            h = plot_h * value / biggest
            if value:
                parts.append(f'<rect x="{x:.1f}" y="{y - h:.1f}" width="{bar:.1f}" '
                             f'height="{h:.1f}" fill="{color}"><title>{esc(day)}：'
                             f'{SEVERITY_LABELS[_severity_of(color)]} {value:,}</title></rect>')
            y -= h
        if index % every == 0:
            parts.append(f'<text class="axis" x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" '
                         f'text-anchor="middle">{esc(day[5:])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _severity_of(color: str) -> str:
    return "block" if color == COLORS["block"] else "warn"


def legend() -> str:
    return (f'<div class="legend"><span><i style="background:{COLORS["block"]}"></i>拦截</span>'
            f'<span><i style="background:{COLORS["warn"]}"></i>提醒</span></div>')


def response_chart(rows: Sequence[tuple[str, list[int]]]) -> str:
    """Per agent, its turns by response time (BINS) as one bar of shares, unanswered last."""
    rows = [(label, counts) for label, counts in rows if sum(counts)]
    if not rows:
        return '<div class="empty">没有可计时的买家提问</div>'
    label_width, bar_width, row_height = 190, 420, 26
    height = row_height * len(rows) + 8
    width = label_width + bar_width + 70
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'role="img" class="responses" style="max-width:100%">']
    names = [name for _, name in BINS] + ["未回复"]
    for index, (label, counts) in enumerate(rows):
        y = 4 + index * row_height
        total = sum(counts)
        shown = label if len(label) <= 15 else label[:14] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end">'
                     f'<title>{esc(label)}</title>{esc(shown)}</text>')
        x = float(label_width)
        for count, name, color in zip(counts, names, BIN_COLORS, strict=True):
            if count:
                width = bar_width * count / total
                parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{max(width, 1):.1f}" '
                             f'height="{row_height - 8}" fill="{color}"><title>{esc(label)} '
                             f'{esc(name)}：{count:,} 次（{100 * count / total:.0f}%）'
                             "</title></rect>")
                x += width
        parts.append(f'<text class="axis" x="{label_width + bar_width + 6}" y="{y + 17}">'
                     f'{total:,} 次</text>')
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{color}"></i>{esc(name)}</span>'
                     for name, color in zip(names, BIN_COLORS, strict=True))
    return f'<div class="legend">{legend}</div>' + "".join(parts)
