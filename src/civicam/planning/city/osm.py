"""Reading a city (buildings and streets) from OpenStreetMap or GeoJSON files (I/O)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import osmium
import shapely

from civicam.planning.city.errors import CityInputError
from civicam.planning.city.geojson import read_features
from civicam.planning.city.model import CityData, GeomArray

OSM_SUFFIXES: Final = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".osm.xml")
GEOJSON_SUFFIXES: Final = (".geojson", ".json")

# Ways that run underground or indoors cannot be watched from the street.
_HIDDEN: Final = {("tunnel", "yes"), ("tunnel", "culvert"), ("indoor", "yes")}
# Open structures a camera sees under or through.
_NOT_OBSTACLES: Final = {"no", "roof", "carport", "canopy"}


def read_city(path: Path) -> CityData:
    """Buildings and streets of the city at ``path`` (OSM extract or GeoJSON), in WGS84.

    Raises :class:`CityInputError` naming the file when it cannot be read, is
    not a city file, or holds no street to plan for.
    """
    if not path.is_file():
        raise CityInputError(f"{path}: no such file")
    name = path.name.lower()
    if name.endswith(OSM_SUFFIXES):
        city = _read_osm(path)
    elif name.endswith(GEOJSON_SUFFIXES):
        city = _read_geojson(path)
    else:
        raise CityInputError(
            f"{path}: unknown city format; expected one of "
            f"{', '.join(OSM_SUFFIXES + GEOJSON_SUFFIXES)}"
        )
    if city.streets.size == 0:
        raise CityInputError(f"{path}: contains no streets (OSM highway=* ways) to plan for")
    return city


def _read_osm(path: Path) -> CityData:
    wkb = osmium.geom.WKBFactory()
    buildings: list[bytes] = []
    streets: list[bytes] = []
    classes: list[str] = []
    processor = (
        osmium.FileProcessor(str(path))
        .with_areas(osmium.filter.KeyFilter("building"))
        .with_filter(osmium.filter.KeyFilter("building", "highway"))
    )
    try:
        for obj in processor:
            tags = obj.tags
            if isinstance(obj, osmium.osm.Area):
                if tags.get("building", "no") not in _NOT_OBSTACLES:
                    try:
                        buildings.append(bytes.fromhex(wkb.create_multipolygon(obj)))
                    except RuntimeError:
                        continue  # broken multipolygon: libosmium could not assemble it
            elif isinstance(obj, osmium.osm.Way) and "highway" in tags:
                if any((k, tags.get(k)) in _HIDDEN for k in ("tunnel", "indoor")):
                    continue
                parts = _way_parts(obj)
                streets.extend(parts)
                classes.extend([tags["highway"]] * len(parts))
    except RuntimeError as exc:
        raise CityInputError(f"{path}: not a readable OSM file ({exc})") from exc
    return CityData(
        name=path.name,
        buildings=_from_wkb(buildings),
        streets=_from_wkb(streets),
        street_class=np.array(classes, dtype=np.str_),
    )


def _way_parts(way: osmium.osm.Way) -> list[bytes]:
    """WKB linestrings of a way; at the edge of an extract, its runs of known nodes."""
    try:
        return [bytes.fromhex(osmium.geom.WKBFactory().create_linestring(way))]
    except (osmium.InvalidLocationError, RuntimeError):
        pass
    runs: list[list[tuple[float, float]]] = [[]]
    for node in way.nodes:
        if node.location.valid():
            runs[-1].append((node.location.lon, node.location.lat))
        elif runs[-1]:
            runs.append([])
    return [shapely.to_wkb(shapely.linestrings(run)) for run in runs if len(run) >= 2]


def _from_wkb(items: list[bytes]) -> GeomArray:
    if not items:
        return np.empty(0, dtype=object)
    return np.asarray(shapely.from_wkb(np.array(items, dtype=object)), dtype=object)


def _read_geojson(path: Path) -> CityData:
    buildings: list[shapely.Geometry] = []
    streets: list[shapely.Geometry] = []
    classes: list[str] = []
    for feat in read_features(path):
        geom = feat.geometry
        kind = geom.geom_type
        if kind in ("Polygon", "MultiPolygon"):
            if str(feat.properties.get("building", "yes")) not in _NOT_OBSTACLES:
                buildings.append(geom)
        elif kind in ("LineString", "MultiLineString"):
            highway = str(feat.properties.get("highway", "unclassified"))
            for part in shapely.get_parts(geom):
                streets.append(part)
                classes.append(highway)
        # Points and other kinds carry neither obstacles nor demand: ignored.
    return CityData(
        name=path.name,
        buildings=np.array(buildings, dtype=object),
        streets=np.array(streets, dtype=object),
        street_class=np.array(classes, dtype=np.str_),
    )
