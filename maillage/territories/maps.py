"""Server-rendered SVG choropleths of communes: offline, no tiles, with legend and data table.

Geometry comes from the communes' stored WKB (WGS84). A territory map uses a local equirectangular
projection (longitude scaled by the cosine of the map's mean latitude), accurate enough at the size
of a département and valid overseas as well as in metropolitan France.
"""

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.utils.html import escape
from django.utils.safestring import mark_safe

# A sequential palette from ColorBrewer (YlGnBu), readable by people with colour vision deficiencies.
PALETTE = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
NO_DATA_COLOR = "#e5e5e5"
STROKE_COLOR = "#ffffff"


@dataclass
class Area:
    code: str
    label: str
    geometry: shapely.Geometry | None
    value: float | None
    highlighted: bool = False


@dataclass
class MapClass:
    lower: float
    upper: float
    color: str
    count: int = 0

    def label(self, unit: str, digits: int) -> str:
        return f"{format_number(self.lower, digits)} à {format_number(self.upper, digits)} {unit}".strip()


@dataclass
class Choropleth:
    title: str
    unit: str
    svg: str
    classes: list[MapClass]
    rows: list[tuple[Area, MapClass | None]]
    digits: int = 0
    missing: int = 0
    legend: list[tuple[str, str]] = field(default_factory=list)


def format_number(value: float, digits: int = 0) -> str:
    """French number formatting: thin space for thousands, comma for decimals."""
    text = f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


def quantile_classes(values: list[float], count: int = len(PALETTE)) -> list[MapClass]:
    """Classes with about as many areas each (quantiles), merged where boundaries coincide."""
    if not values:
        return []
    ordered = np.sort(np.asarray(values, dtype=float))
    bounds = np.quantile(ordered, np.linspace(0, 1, count + 1))
    unique_bounds = [bounds[0]]
    for bound in bounds[1:]:
        if bound > unique_bounds[-1]:
            unique_bounds.append(bound)
    if len(unique_bounds) == 1:
        unique_bounds.append(unique_bounds[0])
    palette = _palette(len(unique_bounds) - 1)
    return [
        MapClass(float(low), float(high), palette[i])
        for i, (low, high) in enumerate(itertools.pairwise(unique_bounds))
    ]


def _palette(size: int) -> list[str]:
    if size >= len(PALETTE):
        return PALETTE
    step = (len(PALETTE) - 1) / max(size - 1, 1)
    return [PALETTE[round(i * step)] for i in range(size)]


def classify(value: float | None, classes: list[MapClass]) -> MapClass | None:
    if value is None or not classes:
        return None
    for map_class in classes:
        if value <= map_class.upper:
            return map_class
    return classes[-1]


def _path_data(geometry: shapely.Geometry, transform) -> str:
    parts = []
    polygons = geometry.geoms if hasattr(geometry, "geoms") else [geometry]
    for polygon in polygons:
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = transform(np.asarray(ring.coords)[:-1])
            if len(xy) < 3:
                continue
            points = " ".join(f"{x:.1f} {y:.1f}" for x, y in xy)
            parts.append(f"M{points}Z")
    return "".join(parts)


def render(
    areas: list[Area], *, title: str, description: str, unit: str, map_id: str, width: int = 640, digits: int = 0
) -> Choropleth:
    """Build the SVG (role="img" with title and description), its classes and its table rows."""
    drawn = [area for area in areas if area.geometry is not None and not area.geometry.is_empty]
    classes = quantile_classes([area.value for area in areas if area.value is not None])
    rows = []
    for area in areas:
        map_class = classify(area.value, classes)
        if map_class is not None:
            map_class.count += 1
        rows.append((area, map_class))
    if not drawn:
        svg = ""
    else:
        svg = _svg(
            drawn, rows, title=title, description=description, unit=unit, map_id=map_id, width=width, digits=digits
        )
    return Choropleth(
        title=title,
        unit=unit,
        svg=svg,
        classes=classes,
        rows=rows,
        digits=digits,
        missing=sum(1 for area in areas if area.value is None),
        legend=[(map_class.color, map_class.label(unit, digits)) for map_class in classes],
    )


@dataclass
class Frame:
    """A local equirectangular projection that fits some lon/lat bounds into `width` pixels."""

    minx: float
    miny: float
    maxx: float
    maxy: float
    width: int = 640
    margin: int = 8

    def __post_init__(self):
        self.scale_x = math.cos(math.radians((self.miny + self.maxy) / 2))
        span_x = max((self.maxx - self.minx) * self.scale_x, 1e-9)
        span_y = max(self.maxy - self.miny, 1e-9)
        self.factor = (self.width - 2 * self.margin) / span_x
        self.height = round(span_y * self.factor + 2 * self.margin)

    @classmethod
    def around(cls, geometries, width: int = 640) -> "Frame":
        return cls(*shapely.total_bounds(geometries), width=width)

    def transform(self, coords):
        x = (coords[:, 0] - self.minx) * self.scale_x * self.factor + self.margin
        y = (self.maxy - coords[:, 1]) * self.factor + self.margin
        return np.column_stack([x, y])

    def point(self, longitude: float, latitude: float) -> tuple[float, float]:
        x, y = self.transform(np.array([[longitude, latitude]]))[0]
        return float(x), float(y)

    def open_svg(self, *, title: str, description: str, map_id: str) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="map__svg" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" '
            f'aria-labelledby="{map_id}-title {map_id}-desc"><title id="{map_id}-title">{escape(title)}</title>'
            f'<desc id="{map_id}-desc">{escape(description)}</desc>'
        )


def _svg(drawn, rows, *, title, description, unit, map_id, width, digits) -> str:
    frame = Frame.around([area.geometry for area in drawn], width=width)
    colors = {area.code: (map_class.color if map_class else NO_DATA_COLOR) for area, map_class in rows}
    values = {area.code: area.value for area, _ in rows}
    paths = []
    highlights = []
    for area in drawn:
        data = _path_data(area.geometry, frame.transform)
        value = values[area.code]
        shown = f"{format_number(value, digits)} {unit}" if value is not None else "non renseigné"
        paths.append(
            f'<path d="{data}" fill="{colors[area.code]}"><title>{escape(area.label)} : {shown}</title></path>'
        )
        if area.highlighted:
            highlights.append(f'<path class="map__highlight" d="{data}"/>')
    svg = (
        frame.open_svg(title=title, description=description, map_id=map_id)
        + f'<g stroke="{STROKE_COLOR}" stroke-width="0.6" fill-rule="evenodd">{"".join(paths)}</g>'
        f'<g fill="none" stroke="#000000" stroke-width="2.5">{"".join(highlights)}</g></svg>'
    )
    return mark_safe(svg)  # noqa: S308 (every text part above is escaped)


@dataclass
class MapPoint:
    longitude: float
    latitude: float
    label: str
    number: int | None = None
    approximate: bool = False


def points_map(
    background, points: list[MapPoint], *, title: str, description: str, map_id: str, width: int = 640
) -> str:
    """Numbered dots over light outlines (communes of the area): offline, no tiles.

    Approximate positions (a commune's centre) are drawn as hollow dots.
    """
    shapes = [geometry for geometry in background if geometry is not None and not geometry.is_empty]
    extent = shapes + [shapely.Point(p.longitude, p.latitude) for p in points]
    if not extent:
        return ""
    frame = Frame.around(extent, width=width)
    outlines = "".join(f'<path d="{_path_data(shape, frame.transform)}"/>' for shape in shapes)
    dots = []
    for point in points:
        x, y = frame.point(point.longitude, point.latitude)
        fill = "#ffffff" if point.approximate else "#1f4fa3"
        text_fill = "#1f4fa3" if point.approximate else "#ffffff"
        number = (
            ""
            if point.number is None
            else (
                f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="11" font-family="sans-serif" '
                f'fill="{text_fill}">{point.number}</text>'
            )
        )
        dots.append(
            f'<g><title>{escape(point.label)}</title><circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="{fill}" '
            f'stroke="#1f4fa3" stroke-width="2"/>{number}</g>'
        )
    svg = (
        frame.open_svg(title=title, description=description, map_id=map_id)
        + f'<g fill="#f4f5f7" stroke="#9a9aa6" stroke-width="0.7" fill-rule="evenodd">{outlines}</g>'
        + "".join(dots)
        + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 (labels are escaped)
