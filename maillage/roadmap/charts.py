"""Small server-side SVG charts. Each is an image with a title and a description; the page always
shows the same figures in a table next to it (the table is the accessible version)."""

from dataclasses import dataclass
from html import escape

from django.utils.safestring import mark_safe

STATUS_COLORS = ["#8a8a8a", "#3558a2", "#b34000", "#18753c", "#6a3b8c"]


@dataclass
class Segment:
    label: str
    value: float
    color: str


def stacked_bars(rows: list[tuple[str, list[Segment]]], *, title: str, chart_id: str, width: int = 640) -> str:
    """One horizontal bar per row, split in coloured segments, with a legend."""
    label_width, bar_height, gap = 190, 22, 10
    height = len(rows) * (bar_height + gap) + 40
    top = max((sum(seg.value for seg in segments) for _, segments in rows), default=0) or 1
    scale = (width - label_width - 50) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title" class="chart" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)} (données détaillées dans le tableau qui suit)</title>',
    ]
    for index, (label, segments) in enumerate(rows):
        y = index * (bar_height + gap)
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(label[:30])}</text>')
        x = label_width
        for segment in segments:
            w = segment.value * scale
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{segment.color}"/>'
                )
            x += w
        total = sum(seg.value for seg in segments)
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}" font-size="12">{total:g}</text>')
    legend_y = len(rows) * (bar_height + gap) + 15
    x = 0
    legend = rows[0][1] if rows else []
    for segment in legend:
        parts.append(f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{segment.color}"/>')
        parts.append(f'<text x="{x + 16}" y="{legend_y + 11}" font-size="12">{escape(segment.label)}</text>')
        x += 20 + 7 * len(segment.label)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)


def progress_bars(rows: list[tuple[str, float | None]], *, title: str, chart_id: str, width: int = 640) -> str:
    """One bar per row: progress in % towards a target (capped at 100 % on the drawing)."""
    label_width, bar_height, gap = 300, 18, 10
    height = max(len(rows), 1) * (bar_height + gap)
    scale = (width - label_width - 60) / 100
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title" class="chart" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)} (données détaillées dans le tableau qui suit)</title>',
    ]
    for index, (label, percent) in enumerate(rows):
        y = index * (bar_height + gap)
        short = label if len(label) <= 44 else label[:43].rstrip() + "…"
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(short)}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{100 * scale:.1f}" height="{bar_height}" fill="#e5e5e5"/>'
        )
        if percent is not None:
            drawn = max(0.0, min(percent, 100.0)) * scale
            parts.append(f'<rect x="{label_width}" y="{y}" width="{drawn:.1f}" height="{bar_height}" fill="#3558a2"/>')
        text = "n.d." if percent is None else f"{percent:g} %"
        parts.append(f'<text x="{label_width + 100 * scale + 6:.1f}" y="{y + 13}" font-size="12">{text}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped above)


def status_chart(axis_rows: list[dict], statuses, *, chart_id: str = "statuts") -> str:
    rows = [
        (
            f"Axe {row['axis'].number}",
            [
                Segment(status.label, count, STATUS_COLORS[i])
                for i, (status, count) in enumerate(zip(statuses, row["counts"], strict=True))
            ],
        )
        for row in axis_rows
    ]
    return stacked_bars(rows, title="Actions par axe et par statut", chart_id=chart_id)
