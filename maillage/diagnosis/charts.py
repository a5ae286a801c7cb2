"""Risk choropleths, difference maps and bar charts: server-side SVG (and PNG with Pillow), offline.

Areas are communes, or EPCI / départements drawn as the union of their communes. Every chart has
a data table in the page (templates) and CSV/SVG/PNG downloads.
"""

import io
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import mark_safe

from maillage.territories.maps import Frame, format_number
from maillage.territories.models import Commune, Departement, Epci
from maillage.territories.territory import TerritoryRef

# Sequential palette (ColorBrewer YlOrRd, 5 classes): "risque faible" → "risque fort".
RISK_COLORS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c", "#800026"]
RISK_LABELS = ["risque faible", "risque modéré", "risque intermédiaire", "risque élevé", "risque fort"]
# Diverging palette (ColorBrewer PuOr): the variant is less / more fragile than the official index.
DIFF_COLORS = ["#5e3c99", "#b2abd2", "#f7f7f7", "#fdb863", "#e66101"]
DIFF_BOUNDS = [-0.5, -0.1, 0.1, 0.5]
DIFF_LABELS = [
    "variante bien plus faible (< −0,5)",
    "variante plus faible (−0,5 à −0,1)",
    "à peu près égal (±0,1)",
    "variante plus forte (0,1 à 0,5)",
    "variante bien plus forte (> 0,5)",
]
RISK_BOUNDS = (4.0, 5.0, 6.0, 7.0)
NO_DATA = "#d9d9d9"
SIMPLIFY_DEGREES = 0.0015


@dataclass
class MapArea:
    code: str
    label: str
    value: float | None
    geometry: object = None
    css_class: int | None = None  # 0-based class index


@dataclass
class RiskMap:
    title: str
    svg: str
    areas: list[MapArea]
    legend: list[tuple[str, str, int]]  # color, label, count
    bounds: list[str] = field(default_factory=list)
    missing: int = 0


def risk_class_index(value: float | None, bounds=RISK_BOUNDS) -> int | None:
    if value is None or np.isnan(value):
        return None
    return int(np.searchsorted(np.asarray(bounds), value, side="right"))


def _shapes_key(level: str, codes: tuple[str, ...], within: str) -> str:
    return f"diagnosis:shapes:{level}:{within}:{hash(codes)}"


def geometries(level: str, codes: list[str], within: TerritoryRef | None = None) -> dict[str, shapely.Geometry]:
    """Outlines of communes, or of EPCI/départements as the union of their communes (inside `within`)."""
    key = _shapes_key(level, tuple(sorted(codes)), str(within))
    cached = cache.get(key)
    if cached is not None:
        return {code: shapely.from_wkb(wkb) for code, wkb in cached.items()}
    communes = Commune.objects.communes().exclude(geometry=None)
    if within is not None:
        communes = communes.filter(within.commune_q())
    field_name = {"commune": "code", "epci": "epci_id", "departement": "departement_id", "region": "region_id"}[level]
    rows = communes.filter(**{f"{field_name}__in": codes}).values_list(field_name, "geometry")
    grouped: dict[str, list] = {}
    for code, wkb in rows:
        grouped.setdefault(code, []).append(shapely.from_wkb(bytes(wkb)))
    out = {}
    for code, shapes in grouped.items():
        shape = shapes[0] if len(shapes) == 1 else shapely.union_all(shapes, grid_size=1e-5)
        out[code] = shapely.simplify(shape, SIMPLIFY_DEGREES, preserve_topology=True)
    cache.set(key, {code: shapely.to_wkb(shape) for code, shape in out.items()}, 60 * 60)
    return out


def _path(geometry, transform) -> str:
    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = transform(np.asarray(ring.coords)[:-1])
            if len(xy) >= 3:
                parts.append("M" + " ".join(f"{x:.1f} {y:.1f}" for x, y in xy) + "Z")
    return "".join(parts)


def _svg(areas: list[MapArea], colors: list[str], *, title: str, description: str, map_id: str, digits: int) -> str:
    drawn = [area for area in areas if area.geometry is not None and not area.geometry.is_empty]
    if not drawn:
        return ""
    frame = Frame.around([area.geometry for area in drawn], width=640)
    paths = []
    for area in drawn:
        color = NO_DATA if area.css_class is None else colors[area.css_class]
        shown = "non renseigné" if area.value is None else format_number(area.value, digits)
        paths.append(
            f'<path d="{_path(area.geometry, frame.transform)}" fill="{color}">'
            f"<title>{escape(area.label)} : {shown}</title></path>"
        )
    return (
        frame.open_svg(title=title, description=description, map_id=map_id)
        + f'<g stroke="#6b6b6b" stroke-width="0.4" fill-rule="evenodd">{"".join(paths)}</g></svg>'
    )


def _classed_map(areas, *, bounds, colors, labels, title, description, map_id, digits) -> RiskMap:
    for area in areas:
        area.css_class = risk_class_index(area.value, bounds)
    svg = _svg(areas, colors, title=title, description=description, map_id=map_id, digits=digits)
    legend = [(colors[i], labels[i], sum(1 for a in areas if a.css_class == i)) for i in range(len(colors))]
    return RiskMap(
        title=title,
        svg=mark_safe(svg),  # noqa: S308 (labels are escaped)
        areas=areas,
        legend=legend,
        missing=sum(1 for a in areas if a.css_class is None),
    )


def risk_map(areas: list[MapArea], *, title: str, map_id: str) -> RiskMap:
    ranges = ["moins de 4", "4 à 5", "5 à 6", "6 à 7", "7 et plus"]
    return _classed_map(
        areas,
        bounds=RISK_BOUNDS,
        colors=RISK_COLORS,
        labels=[f"{label} ({ranges[i]})" for i, label in enumerate(RISK_LABELS)],
        title=title,
        description="Carte choroplèthe du score (1 à 10), en cinq classes de « risque faible » "
        "(clair) à « risque fort » (foncé). Les mêmes données figurent dans le tableau qui suit la carte.",
        map_id=map_id,
        digits=1,
    )


def difference_map(areas: list[MapArea], *, title: str, map_id: str) -> RiskMap:
    return _classed_map(
        areas,
        bounds=DIFF_BOUNDS,
        colors=DIFF_COLORS,
        labels=DIFF_LABELS,
        title=title,
        description="Carte de l'écart entre la variante locale et l'indice officiel, commune par commune : "
        "violet, la variante est plus faible ; orange, plus forte. Les mêmes données figurent dans le tableau.",
        map_id=map_id,
        digits=2,
    )


def bar_chart(rows: list[tuple[str, float | None]], *, title: str, chart_id: str, maximum: float = 10.0) -> str:
    """Horizontal bars (one per territory) on the index scale, coloured by risk class."""
    height = 28 * len(rows) + 30
    width = 640
    left = 190
    scale = (width - left - 60) / maximum
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart__svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">Diagramme en barres ; les valeurs figurent dans le tableau qui suit.</desc>'
    ]
    for i, (label, value) in enumerate(rows):
        y = 10 + i * 28
        parts.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" font-size="13" font-family="sans-serif" '
            f'fill="#1e1e1e">{escape(label)}</text>'
        )
        if value is not None:
            color = RISK_COLORS[risk_class_index(value)]
            parts.append(
                f'<rect x="{left}" y="{y}" width="{value * scale:.1f}" height="20" fill="{color}" stroke="#6b6b6b"/>'
                f'<text x="{left + value * scale + 6:.1f}" y="{y + 15}" font-size="13" font-family="sans-serif" '
                f'fill="#1e1e1e">{format_number(value, 1)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (labels are escaped)


def png(areas: list[MapArea], colors: list[str], width: int = 900) -> bytes:
    """The same map as a PNG image (Pillow, already installed with WeasyPrint)."""
    from PIL import Image, ImageDraw

    drawn = [area for area in areas if area.geometry is not None and not area.geometry.is_empty]
    if not drawn:
        raise ValueError("Aucun contour à dessiner.")
    frame = Frame.around([area.geometry for area in drawn], width=width)
    image = Image.new("RGB", (frame.width, frame.height), "white")
    draw = ImageDraw.Draw(image)
    for area in drawn:
        color = NO_DATA if area.css_class is None else colors[area.css_class]
        for polygon in getattr(area.geometry, "geoms", [area.geometry]):
            if polygon.geom_type != "Polygon" or polygon.is_empty:
                continue
            exterior = [tuple(p) for p in frame.transform(np.asarray(polygon.exterior.coords))]
            draw.polygon(exterior, fill=color, outline="#6b6b6b")
            for ring in polygon.interiors:
                draw.polygon([tuple(p) for p in frame.transform(np.asarray(ring.coords))], fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def level_names(level: str, codes: list[str]) -> dict[str, str]:
    model = {"commune": Commune, "epci": Epci, "departement": Departement}.get(level)
    if model is None:
        from maillage.territories.models import Region

        model = Region
    return dict(model.objects.filter(code__in=codes).values_list("code", "nom"))
