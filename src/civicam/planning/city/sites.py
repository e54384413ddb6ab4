"""Reading the important sites of a plan from GeoJSON (I/O) and checking them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from civicam.planning.city.errors import CityInputError
from civicam.planning.city.geojson import read_features
from civicam.planning.city.model import CityData, Site


class SiteProperties(BaseModel):
    """Properties a site feature must carry.

    Extra properties are allowed: GIS tools add their own (ids, styles).
    """

    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200, description="Name shown in the summary.")
    weight: float = Field(
        gt=0, le=1e6, description="Weight per metre of street demand near or inside the site."
    )
    radius_m: float | None = Field(
        None, ge=0, le=5_000, description="Reach around the geometry; default from settings."
    )
    min_cameras: int = Field(
        1, ge=1, le=10, description="Cameras each place of the site wants (backup coverage)."
    )


def read_sites(path: Path) -> tuple[Site, ...]:
    """Sites of a GeoJSON file: points or polygons with name, weight and optional extras."""
    sites: list[Site] = []
    for feat in read_features(path):
        kind = feat.geometry.geom_type
        if kind not in ("Point", "Polygon", "MultiPolygon"):
            raise CityInputError(
                f"{path}: feature {feat.index}: a site must be a Point or Polygon, not {kind}"
            )
        try:
            props = SiteProperties.model_validate(feat.properties)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'properties'}: {err['msg']}"
                for err in exc.errors()
            )
            raise CityInputError(f"{path}: feature {feat.index}: {problems}") from exc
        sites.append(
            Site(
                name=props.name,
                weight=props.weight,
                geometry=feat.geometry,
                radius_m=props.radius_m,
                min_cameras=props.min_cameras,
                source=str(path),
                index=feat.index,
            )
        )
    names = [s.name for s in sites]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise CityInputError(f"{path}: site names must be unique; repeated: {', '.join(dupes)}")
    if not sites:
        raise CityInputError(f"{path}: contains no sites")
    return tuple(sites)


def check_sites_in_city(sites: tuple[Site, ...], city: CityData) -> None:
    """Raise :class:`CityInputError` for any site that does not overlap the city's extent."""
    geoms = np.concatenate([city.buildings, city.streets])
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    extent = shapely.box(xmin, ymin, xmax, ymax)
    for site in sites:
        if not shapely.intersects(site.geometry, extent):
            x, y = site.geometry.representative_point().coords[0]
            raise CityInputError(
                f"{site.source}: site {site.name!r} (feature {site.index}) at "
                f"({x:.5f}, {y:.5f}) lies outside the city {city.name}, which spans "
                f"longitude {xmin:.5f}..{xmax:.5f}, latitude {ymin:.5f}..{ymax:.5f}"
            )
