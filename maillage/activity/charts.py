"""Server-rendered SVG bar charts; every chart comes with the rows of its accessible data table."""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from maillage.territories.maps import format_number

BAR_COLOR = "#2c7fb8"
COMPARE_COLOR = "#7a4f01"


@dataclass
class Chart:
    id: str
    title: str
    unit: str
    rows: list  # (label, value, compared value or None)
    svg: str
    compared: bool = False


def bar_chart(chart_id: str, title: str, rows: list, *, unit: str = "accompagnements", compared=None) -> Chart:
    """Horizontal bars (one per row, a second thinner bar for the compared period or territory).

    The SVG is decorative for assistive technologies (aria-hidden): the table that follows it in
    the page carries the same figures.
    """
    compared = compared or {}
    data = [(label, value, compared.get(key)) for key, label, value in rows]
    width, label_width, bar_height, gap = 640, 250, 16, 8
    per_row = bar_height * (2 if compared else 1) + gap
    height = max(per_row * len(data) + gap, 30)
    top = max([value or 0 for _, value, _ in data] + [other or 0 for _, _, other in data] + [1])
    scale = (width - label_width - 70) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-hidden="true" focusable="false">'
    ]
    for index, (label, value, other) in enumerate(data):
        y = gap + index * per_row
        short = label if len(label) <= 38 else label[:37] + "…"
        baseline = y + bar_height - 4
        length = (value or 0) * scale
        parts.append(
            f'<text x="{label_width - 6}" y="{baseline}" text-anchor="end" font-size="12">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{BAR_COLOR}"/>'
        )
        shown = "—" if value is None else format_number(value)
        parts.append(f'<text x="{label_width + length + 4:.1f}" y="{baseline}" font-size="12">{shown}</text>')
        if compared:
            y2 = y + bar_height
            parts.append(
                f'<rect x="{label_width}" y="{y2}" width="{(other or 0) * scale:.1f}" height="{bar_height - 4}" '
                f'fill="{COMPARE_COLOR}"/>'
            )
    parts.append("</svg>")
    return Chart(chart_id, title, unit, data, mark_safe("".join(parts)), bool(compared))  # noqa: S308 (escaped)
