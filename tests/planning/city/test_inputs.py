"""Reading cities and sites: formats that work, and bad input that must say what is wrong."""

from __future__ import annotations

import bz2
import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from civicam.planning.city.bundled import helsinki_extract, helsinki_sites
from civicam.planning.city.errors import CityInputError
from civicam.planning.city.osm import read_city
from civicam.planning.city.sites import check_sites_in_city, read_sites
from tests.planning.city.conftest import feature, grid_city_features, write_collection

OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="60.1700" lon="24.9400"/>
  <node id="2" lat="60.1700" lon="24.9420"/>
  <node id="3" lat="60.1705" lon="24.9420"/>
  <node id="11" lat="60.1702" lon="24.9405"/>
  <node id="12" lat="60.1702" lon="24.9410"/>
  <node id="13" lat="60.1704" lon="24.9410"/>
  <node id="14" lat="60.1704" lon="24.9405"/>
  <way id="100">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/>
  </way>
  <way id="101">
    <nd ref="2"/><nd ref="999"/><nd ref="3"/>
    <tag k="highway" v="footway"/>
  </way>
  <way id="102">
    <nd ref="1"/><nd ref="3"/>
    <tag k="highway" v="service"/><tag k="tunnel" v="yes"/>
  </way>
  <way id="200">
    <nd ref="11"/><nd ref="12"/><nd ref="13"/><nd ref="14"/><nd ref="11"/>
    <tag k="building" v="yes"/>
  </way>
</osm>
"""


def test_osm_xml_and_bz2_read_the_same_city(tmp_path: Path) -> None:
    plain = tmp_path / "small.osm"
    plain.write_text(OSM_XML)
    packed = tmp_path / "small.osm.bz2"
    packed.write_bytes(bz2.compress(OSM_XML.encode()))
    for path in (plain, packed):
        city = read_city(path)
        assert len(city.buildings) == 1
        # Way 101 misses node 999 (outside the extract): its known runs are kept
        # (the run 2 alone is too short, so only way 100 and nothing of 101 remains
        # beyond runs of two nodes); the tunnel is left out.
        assert sorted(city.street_class.tolist()) == ["residential"]
        assert shapely.get_num_coordinates(city.streets).tolist() == [3]


def test_partial_way_keeps_runs_of_known_nodes(tmp_path: Path) -> None:
    text = OSM_XML.replace(
        '<nd ref="2"/><nd ref="999"/><nd ref="3"/>',
        '<nd ref="1"/><nd ref="2"/><nd ref="999"/><nd ref="3"/><nd ref="1"/>',
    )
    path = tmp_path / "partial.osm"
    path.write_text(text)
    city = read_city(path)
    assert sorted(city.street_class.tolist()) == ["footway", "footway", "residential"]


def test_bundled_extract_reads_with_buildings_and_streets() -> None:
    city = read_city(helsinki_extract())
    assert len(city.buildings) > 300 and len(city.streets) > 1000
    xmin, ymin, xmax, ymax = shapely.total_bounds(city.streets)
    assert 24.93 < xmin < xmax < 24.96 and 60.16 < ymin < ymax < 60.18
    check_sites_in_city(read_sites(helsinki_sites()), city)


def test_geojson_city_in_a_declared_metric_crs(tmp_path: Path) -> None:
    # ETRS-TM35FIN metres, as Finnish open data often comes.
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3067"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"highway": "footway"},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[385700, 6672100], [385800, 6672100]],
                },
            }
        ],
    }
    path = tmp_path / "metric.geojson"
    path.write_text(json.dumps(doc))
    city = read_city(path)
    lon, lat = shapely.get_coordinates(city.streets)[0]
    assert 24.9 < lon < 25.0 and 60.1 < lat < 60.2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.osm.pbf", b"\x00\x01 not a pbf at all", "not a readable OSM file"),
        ("empty.osm", b'<?xml version="1.0"?><osm version="0.6"></osm>', "contains no streets"),
        ("city.txt", b"hello", "unknown city format"),
        ("bad.geojson", b"{not json", "not valid GeoJSON"),
        ("list.geojson", b"[]", "expected a GeoJSON FeatureCollection"),
    ],
)
def test_bad_city_files_name_the_file_and_problem(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CityInputError, match=message) as info:
        read_city(path)
    assert str(path) in str(info.value)


def test_missing_city_file(tmp_path: Path) -> None:
    with pytest.raises(CityInputError, match="no such file"):
        read_city(tmp_path / "nowhere.osm.pbf")


def test_unknown_crs_is_named(tmp_path: Path) -> None:
    path = write_collection(
        tmp_path / "city.geojson",
        grid_city_features(),
        crs={"type": "name", "properties": {"name": "EPSG:99999999"}},
    )
    with pytest.raises(CityInputError, match=r"city\.geojson: unknown CRS 'EPSG:99999999'"):
        read_city(path)


def test_metric_coordinates_without_crs_are_rejected(tmp_path: Path) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[385700, 6672100], [385800, 6672100]],
                },
            }
        ],
    }
    path = tmp_path / "metres.geojson"
    path.write_text(json.dumps(doc))
    with pytest.raises(CityInputError, match="not WGS84 longitude/latitude"):
        read_city(path)


def test_sites_outside_the_city_are_rejected(tmp_path: Path, grid_city: Path) -> None:
    sites = write_collection(
        tmp_path / "far.geojson",
        [
            feature(shapely.Point(100, 100), name="In", weight=1),
            feature(shapely.Point(5000, 100), name="Far away", weight=1),
        ],
    )
    city = read_city(grid_city)
    with pytest.raises(
        CityInputError, match=r"far\.geojson: site 'Far away' \(feature 1\).*outside"
    ):
        check_sites_in_city(read_sites(sites), city)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"name": "x"}, "weight: Field required"),
        ({"name": "x", "weight": -2}, "weight: Input should be greater than 0"),
        ({"name": "x", "weight": 1, "min_cameras": 0}, "min_cameras"),
        ({"weight": 1}, "name: Field required"),
    ],
)
def test_bad_site_properties_name_the_feature(
    tmp_path: Path, props: dict[str, object], message: str
) -> None:
    path = write_collection(tmp_path / "s.geojson", [feature(shapely.Point(1, 1), **props)])
    with pytest.raises(CityInputError, match=rf"s\.geojson: feature 0: .*{message}"):
        read_sites(path)


def test_site_geometry_must_be_point_or_polygon(tmp_path: Path) -> None:
    line = feature(shapely.LineString([(0, 0), (1, 1)]), name="x", weight=1)
    path = write_collection(tmp_path / "s.geojson", [line])
    with pytest.raises(CityInputError, match="must be a Point or Polygon"):
        read_sites(path)


def test_site_names_must_be_unique_and_extra_properties_are_fine(tmp_path: Path) -> None:
    dup = [feature(shapely.Point(0, 0), name="A", weight=1, fid=i) for i in range(2)]
    with pytest.raises(CityInputError, match="repeated: A"):
        read_sites(write_collection(tmp_path / "dup.geojson", dup))
    ok = read_sites(write_collection(tmp_path / "ok.geojson", dup[:1]))
    assert ok[0].radius_m is None and ok[0].min_cameras == 1
    assert np.isclose(ok[0].weight, 1.0)
