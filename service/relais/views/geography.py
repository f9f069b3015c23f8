"""The map's geometry: France's régions and départements, overseas ones as insets, as drawable paths.

The outlines are vendored in data/sources/reference/geometry/ (see its README: IGN Admin Express
COG through gregoiredavid/france-geojson, Licence Ouverte, simplified with mapshaper). This module
projects them once (metropolitan France: equirectangular at 46.5°N; each overseas département in
its own inset box at its own latitude, not to scale), and gives the same shapes to the browser
(SVG path data, drawn server-side in templates/views/map.html) and to matplotlib (rings of points,
plot/territories.py), so the page and the paper show one map. Territories are matched to the graph's by level
and INSEE code (relais:inseeCode).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from relais import resources

LEVELS = ("region", "departement")
# Overseas départements (and their one-département régions), in the order of the inset column.
OVERSEAS = {"971": "01", "972": "02", "973": "03", "974": "04", "976": "06"}
# Paris and the petite couronne are a few pixels wide on a whole-France map: the département map
# repeats them, enlarged, in an inset of their own.
PARIS = ("75", "92", "93", "94")
SOURCE = {
    "title": "Contours des régions et départements (IGN Admin Express COG 2018, via gregoiredavid/france-geojson)",
    "url": "https://github.com/gregoiredavid/france-geojson",
    "version": "5d34ee6d0140c29f785fdb047d9329f1aab58833",
    "licence": "Licence Ouverte / Open Licence (Etalab)",
    "licenceUrl": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
    "changes_en": "simplified to 3% of the points (mapshaper, weighted Visvalingam), régions dissolved from the départements",
    "changes_fr": "simplifiés à 3 % des points (mapshaper, Visvalingam pondéré), régions fusionnées à partir des départements",
}
# One map panel, in SVG user units: the inset column on the left, metropolitan France on the right.
WIDTH, HEIGHT = 600.0, 520.0
INSET_WIDTH, INSET_GAP = 96.0, 6.0
FRAME = (INSET_WIDTH + 18.0, 8.0, WIDTH - 8.0, HEIGHT - 8.0)  # metropolitan France: x0, y0, x1, y1
LATITUDE = 46.5  # the parallel of the metropolitan projection

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Shape:
    """One drawn territory: its level and INSEE code, its rings in panel units, and where it is drawn."""

    level: str
    code: str
    rings: tuple[tuple[tuple[float, float], ...], ...]
    place: str  # "metropole", an overseas code, or "paris" for the enlarged copy

    @property
    def path(self) -> str:
        """SVG path data: one closed subpath per ring (drawn with fill-rule evenodd, so holes stay holes)."""
        return " ".join("M" + " ".join(f"{x:.1f} {y:.1f}" for x, y in ring) + "Z" for ring in self.rings)


@dataclass(frozen=True)
class Inset:
    """A box of the inset column: what it holds, where, and its caption."""

    place: str
    x: float
    y: float
    width: float
    height: float


def geometry_dir() -> Path:
    """Where the vendored outlines are (inside the wheel, or data/ in a checkout)."""
    return resources.data_dir() / "sources" / "reference" / "geometry"


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"unexpected geometry type {geometry['type']!r}")


@cache
def _features() -> dict[tuple[str, str], list[Ring]]:
    """(level, INSEE code) -> rings in longitude and latitude, from the two vendored files."""
    out: dict[tuple[str, str], list[Ring]] = {}
    for level, name, key in (("departement", "departements.geojson", "code"), ("region", "regions.geojson", "region")):
        data = json.loads((geometry_dir() / name).read_text(encoding="utf-8"))
        for feature in data["features"]:
            rings = [[(float(x), float(y)) for x, y, *_ in ring] for polygon in _polygons(feature["geometry"]) for ring in polygon]
            out[(level, str(feature["properties"][key]))] = rings
    return out


def _project(rings: list[Ring], latitude: float) -> list[Ring]:
    scale = math.cos(math.radians(latitude))
    return [[(x * scale, -y) for x, y in ring] for ring in rings]


def _fit(groups: list[list[Ring]], box: tuple[float, float, float, float]) -> list[list[Ring]]:
    """Scale and centre projected rings into ``box`` (x0, y0, x1, y1), keeping their proportions."""
    points = [p for rings in groups for ring in rings for p in ring]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    width, height = max(xs) - min(xs) or 1.0, max(ys) - min(ys) or 1.0
    x0, y0, x1, y1 = box
    scale = min((x1 - x0) / width, (y1 - y0) / height)
    dx = x0 + ((x1 - x0) - width * scale) / 2 - min(xs) * scale
    dy = y0 + ((y1 - y0) - height * scale) / 2 - min(ys) * scale
    return [[[(x * scale + dx, y * scale + dy) for x, y in ring] for ring in rings] for rings in groups]


def insets(level: str) -> list[Inset]:
    """The inset column of one panel: the overseas départements (and, for départements, Paris)."""
    places = [*OVERSEAS, *(["paris"] if level == "departement" else [])]
    height = (HEIGHT - 16.0 - INSET_GAP * (len(places) - 1)) / len(places)
    return [Inset(place, 8.0, 8.0 + i * (height + INSET_GAP), INSET_WIDTH, height) for i, place in enumerate(places)]


def _place(level: str, code: str) -> str:
    """The overseas place a territory is drawn in, or 'metropole'."""
    if level == "departement":
        return code if code in OVERSEAS else "metropole"
    return next((d for d, r in OVERSEAS.items() if r == code), "metropole")


@cache
def shapes(level: str) -> tuple[Shape, ...]:
    """Every territory of ``level`` (region or departement) as drawn in its panel, Paris's inset included."""
    if level not in LEVELS:
        raise ValueError(f"no map level {level!r}; the levels are {', '.join(LEVELS)}")
    features = {code: rings for (lvl, code), rings in _features().items() if lvl == level}
    by_place: dict[str, list[str]] = {}
    for code in sorted(features):
        by_place.setdefault(_place(level, code), []).append(code)
    boxes = {i.place: (i.x + 4.0, i.y + 14.0, i.x + i.width - 4.0, i.y + i.height - 4.0) for i in insets(level)}
    boxes["metropole"] = FRAME
    if level == "departement":
        by_place["paris"] = [c for c in PARIS if c in features]
    out: list[Shape] = []
    for place, codes in by_place.items():
        if place == "metropole":
            latitude = LATITUDE
        else:
            latitude = sum(y for c in codes for ring in features[c] for _, y in ring) / sum(
                len(ring) for c in codes for ring in features[c]
            )
        fitted = _fit([_project(features[c], latitude) for c in codes], boxes[place])
        for code, rings in zip(codes, fitted):
            out.append(Shape(level, code, tuple(tuple(ring) for ring in rings), place))
    return tuple(out)


def caption(place: str, names: dict[str, str], lang: str) -> str:
    """An inset's caption: the overseas département's name, or Paris and the petite couronne.

    >>> caption("paris", {}, "en"), caption("974", {"974": "La Réunion"}, "fr")
    ('Paris and inner suburbs', 'La Réunion')
    """
    if place == "paris":
        return "Paris et petite couronne" if lang != "en" else "Paris and inner suburbs"
    return names.get(place, place)
