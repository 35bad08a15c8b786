"""Reading an OpenStreetMap extract with pyrosm into the layers of a region pack."""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry import MultiPoint

from tradearea._core.crs import WGS84, frame_utm_crs
from tradearea._core.geometry import polygonal
from tradearea.errors import InputError

log = logging.getLogger(__name__)

WALK_SPEED_KPH = 4.8
MIN_TRAVEL_TIME_S = 1e-3  # csgraph reads an explicit 0 as "no edge"

# Free-flow speeds (km/h) by highway class where maxspeed is absent.
HIGHWAY_SPEEDS_KPH: dict[str, float] = {
    "motorway": 100,
    "motorway_link": 60,
    "trunk": 80,
    "trunk_link": 50,
    "primary": 50,
    "primary_link": 40,
    "secondary": 50,
    "secondary_link": 40,
    "tertiary": 40,
    "tertiary_link": 30,
    "unclassified": 30,
    "residential": 30,
    "living_street": 20,
    "service": 20,
    "road": 30,
    "busway": 30,
}
DEFAULT_SPEED_KPH = 30.0
# Named maxspeed values (country:zone) seen in OSM, in km/h.
_NAMED_SPEEDS = {
    "urban": 50,
    "rural": 80,
    "motorway": 120,
    "living_street": 20,
    "walk": 6,
    "zone30": 30,
    "zone:30": 30,
    "school": 30,
}

RESIDENTIAL_BUILDINGS = frozenset(
    {
        "apartments",
        "residential",
        "house",
        "detached",
        "semidetached_house",
        "terrace",
        "dormitory",
        "bungalow",
        "cabin",
        "farm",
        "houseboat",
        "static_caravan",
    }
)
MIXED_BUILDINGS = frozenset({"yes", "building"})
# Estimate of dwellings: gross floor area x residential share x efficiency / dwelling size.
MIXED_RESIDENTIAL_SHARE = 0.5
NET_TO_GROSS = 0.8
DWELLING_SIZE_M2 = 65.0
DEFAULT_LEVELS = 3

LAYERS = (
    "addresses",
    "streets",
    "drive_nodes",
    "drive_edges",
    "walk_nodes",
    "walk_edges",
    "shops",
    "transit",
    "buildings",
    "boundary",
)
# amenity=* values that are street furniture, not shops or services.
STREET_FURNITURE = frozenset(
    {
        "bench",
        "waste_basket",
        "bicycle_parking",
        "recycling",
        "toilets",
        "drinking_water",
        "vending_machine",
        "clock",
        "post_box",
        "telephone",
        "shelter",
        "fountain",
        "grit_bin",
        "waste_disposal",
        "parking_entrance",
        "bicycle_rental",
        "atm",
        "charging_station",
        "motorcycle_parking",
        "smoking_area",
        "photo_booth",
        "letter_box",
        "ticket_validator",
    }
)
TRANSIT_FILTER = {
    "highway": ["bus_stop"],
    "railway": ["tram_stop", "station", "halt", "subway_entrance"],
    "public_transport": ["platform", "stop_position", "station"],
}


def read_layers(
    pbf: Path, report: Callable[[str, float], None]
) -> tuple[dict[str, gpd.GeoDataFrame], str | None]:
    """Read every layer of a region pack from an extract.

    Parameters
    ----------
    pbf : pathlib.Path
        The ``.osm.pbf`` file.
    report : callable
        ``report(step, fraction)`` progress callback.

    Returns
    -------
    tuple
        The layers by name, and the date of the newest element (ISO date) or None.
    """
    import pyrosm  # optional heavy dependency (slow to import): only a region build reads OSM

    report("opening extract", 0.0)
    try:
        osm = pyrosm.OSM(str(pbf))
    except Exception as exc:
        msg = f"cannot read as an OpenStreetMap .pbf extract ({exc})"
        raise InputError(msg, file=str(pbf)) from exc
    stamps: list[float] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report("reading buildings", 0.05)
        buildings_raw = _safe(lambda: osm.get_buildings())
        report("reading addresses", 0.2)
        addr_raw = _safe(
            lambda: osm.get_data_by_custom_criteria(
                custom_filter={"addr:street": True},
                filter_type="keep",
                extra_attributes=["addr:housenumber", "addr:postcode", "addr:city"],
            )
        )
        report("reading shops", 0.3)
        shops_raw = _safe(lambda: osm.get_pois(custom_filter={"shop": True, "amenity": True}))
        report("reading transit stops", 0.35)
        transit_raw = _safe(
            lambda: osm.get_data_by_custom_criteria(
                custom_filter=TRANSIT_FILTER,
                filter_type="keep",
                keep_ways=False,
                keep_relations=False,
            )
        )
        layers: dict[str, gpd.GeoDataFrame] = {}
        for i, kind in enumerate(("drive", "walk")):
            report(f"reading {kind} network", 0.4 + 0.25 * i)
            nodes, edges = _network(osm, kind)
            layers[f"{kind}_nodes"], layers[f"{kind}_edges"] = nodes, edges
    for frame in (buildings_raw, addr_raw, shops_raw):
        if frame is not None and "timestamp" in frame and len(frame):
            stamps.append(float(pd.to_numeric(frame["timestamp"], errors="coerce").max()))
    report("building layers", 0.9)
    buildings = _buildings(buildings_raw)
    layers["buildings"] = buildings
    layers["addresses"] = _addresses(addr_raw)
    layers["shops"] = _shops(shops_raw, buildings)
    layers["transit"] = _transit(transit_raw)
    layers["streets"] = _streets(layers["walk_edges"], layers["drive_edges"])
    layers["boundary"] = _boundary(layers)
    good = [s for s in stamps if np.isfinite(s) and s > 0]
    source_date = datetime.fromtimestamp(max(good), UTC).date().isoformat() if good else None
    return layers, source_date


def _safe(read: Callable[[], Any]) -> gpd.GeoDataFrame | None:
    """Run a pyrosm reader; a layer missing from the extract reads as None."""
    try:
        frame = read()
    except (KeyError, ValueError, IndexError) as exc:  # pyrosm raises these on empty layers
        log.warning("layer skipped: %s", exc)
        return None
    if frame is None or len(frame) == 0:
        return None
    return frame


def _tags(frame: pd.DataFrame) -> pd.Series:
    if "tags" not in frame:
        return pd.Series([{}] * len(frame), index=frame.index)

    def parse(v: Any) -> dict[str, Any]:
        if isinstance(v, dict):
            return v
        if isinstance(v, str) and v.startswith("{"):
            try:
                return json.loads(v)
            except ValueError:
                return {}
        return {}

    return frame["tags"].map(parse)


def _col(frame: pd.DataFrame, name: str, tags: pd.Series | None = None) -> pd.Series:
    """Column ``name`` of ``frame``, filled from the tags where the column is missing or empty."""
    if name in frame:
        values = frame[name].astype(object)
    else:
        values = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if tags is not None:
        from_tags = tags.map(lambda t: t.get(name))
        values = values.where(values.notna(), from_tags)
    return values.where(values.notna(), None)


def _to_text(series: pd.Series) -> pd.Series:
    return series.map(lambda v: None if v is None or v != v else str(v).strip() or None)


def _points(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Point geometry for any feature: the point itself, else a point inside the polygon/line."""
    geom = frame.geometry
    pts = geom.where(geom.geom_type == "Point", geom.representative_point())
    return gpd.GeoSeries(pts, crs=frame.crs or WGS84)


def _empty(columns: dict[str, str], geom: bool = True) -> gpd.GeoDataFrame:
    data = {c: pd.Series([], dtype=t) for c, t in columns.items()}
    if geom:
        return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    return gpd.GeoDataFrame(data)


# ---- networks -------------------------------------------------------------------------------


def parse_maxspeed(value: Any) -> float | None:
    """Parse an OSM ``maxspeed`` value into km/h (``"50"``, ``"30 mph"``, ``"FI:urban"``).

    Parameters
    ----------
    value : Any
        The tag value.

    Returns
    -------
    float or None
        The speed in km/h, or None when the value is missing or unreadable.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip().lower().split(";")[0]
    if not text or text in ("none", "signals", "variable"):
        return None
    m = re.match(r"^(\d+(?:\.\d+)?)\s*(mph|knots|km/h|kmh|kph)?$", text)
    if m:
        speed = float(m.group(1))
        return speed * 1.609344 if m.group(2) == "mph" else speed
    zone = text.split(":")[-1]
    return float(_NAMED_SPEEDS[zone]) if zone in _NAMED_SPEEDS else None


def _network(osm: Any, kind: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from pyrosm.graphs import get_directed_edges  # see read_layers: pyrosm only when building

    network_type = "driving" if kind == "drive" else "walking"
    node_cols = {"node_id": "int64", "lon": "float64", "lat": "float64"}
    edge_cols = {
        "u": "int64",
        "v": "int64",
        "length_m": "float64",
        "speed_kph": "float64",
        "travel_time_s": "float64",
        "highway": "object",
        "name": "object",
        "oneway": "bool",
        "bridge": "bool",
        "tunnel": "bool",
    }
    got = _safe(lambda: osm.get_network(network_type=network_type, nodes=True))
    if got is None:
        return _empty(node_cols), _empty(edge_cols)
    nodes, edges = got
    if nodes is None or edges is None or len(edges) == 0:
        return _empty(node_cols), _empty(edge_cols)
    nodes, directed = get_directed_edges(
        nodes, edges, network_type=network_type, force_bidirectional=(kind == "walk")
    )
    directed = directed[directed["u"].isin(nodes["id"]) & directed["v"].isin(nodes["id"])]
    directed = directed[directed["u"] != directed["v"]].reset_index(drop=True)
    length = pd.to_numeric(directed["length"], errors="coerce").fillna(0.0).to_numpy(float)
    highway = _to_text(_col(directed, "highway"))
    if kind == "walk":
        speed = np.full(len(directed), WALK_SPEED_KPH)
    else:
        parsed = _col(directed, "maxspeed").map(parse_maxspeed)
        fallback = highway.map(lambda h: HIGHWAY_SPEEDS_KPH.get(h or "", DEFAULT_SPEED_KPH))
        speed = parsed.where(parsed.notna(), fallback).astype(float).to_numpy()
    travel = np.maximum(length / (speed / 3.6), MIN_TRAVEL_TIME_S)
    oneway = _col(directed, "oneway").map(lambda v: str(v).lower() in ("yes", "true", "1", "-1"))
    out = gpd.GeoDataFrame(
        {
            "u": directed["u"].astype("int64"),
            "v": directed["v"].astype("int64"),
            "length_m": length,
            "speed_kph": speed,
            "travel_time_s": travel,
            "highway": highway,
            "name": _to_text(_col(directed, "name")),
            "oneway": oneway.astype(bool),
            "bridge": _flag(_col(directed, "bridge")),
            "tunnel": _flag(_col(directed, "tunnel")),
        },
        geometry=gpd.GeoSeries(directed.geometry.values, crs=WGS84),
        crs=WGS84,
    )
    node_tab = gpd.GeoDataFrame(
        {
            "node_id": nodes["id"].astype("int64"),
            "lon": nodes["lon"].astype(float),
            "lat": nodes["lat"].astype(float),
        },
        geometry=gpd.points_from_xy(nodes["lon"], nodes["lat"]),
        crs=WGS84,
    ).drop_duplicates("node_id")
    return _largest_scc(node_tab, out)


def _flag(values: pd.Series) -> np.ndarray:
    """OSM yes-ish tag values (yes, viaduct, covered, ...) as booleans; no/None as False."""
    text = values.map(lambda v: "" if v is None or v != v else str(v).strip().lower())
    return (~text.isin(["", "no", "false", "0"])).to_numpy(dtype=bool)


def _largest_scc(
    nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Keep the largest strongly connected component (every node reaches every other)."""
    ids = nodes["node_id"].to_numpy()
    index = pd.Index(ids)
    u = index.get_indexer(edges["u"].to_numpy())
    v = index.get_indexer(edges["v"].to_numpy())
    n = len(ids)
    graph = coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=True, connection="strong")
    biggest = np.bincount(labels).argmax()
    keep = labels == biggest
    keep_ids = ids[keep]
    nodes = nodes[keep].reset_index(drop=True)
    edges = edges[edges["u"].isin(keep_ids) & edges["v"].isin(keep_ids)].reset_index(drop=True)
    return nodes, edges


# ---- buildings, addresses, shops, streets ---------------------------------------------------


def _buildings(raw: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    cols = {
        "building_id": "int64",
        "osm_id": "int64",
        "building": "object",
        "name": "object",
        "footprint_m2": "float64",
        "levels": "float64",
        "levels_source": "object",
        "floor_area_m2": "float64",
        "residential_share": "float64",
        "dwellings": "float64",
        "estimated": "bool",
    }
    if raw is None:
        return _empty(cols)
    raw = raw[raw.geometry.notna() & raw.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if not len(raw):
        return _empty(cols)
    raw = raw.reset_index(drop=True)
    geom = gpd.GeoSeries([polygonal(g) for g in shapely.make_valid(raw.geometry.values)], crs=WGS84)
    keep = geom.notna().to_numpy()
    raw, geom = raw[keep].reset_index(drop=True), geom[keep].reset_index(drop=True)
    if not len(raw):
        return _empty(cols)
    tags = _tags(raw)
    utm = frame_utm_crs(geom)
    footprint = geom.to_crs(utm).area.to_numpy()
    levels_raw = pd.to_numeric(
        _col(raw, "building:levels", tags).map(lambda v: str(v).split(";")[0] if v else None),
        errors="coerce",
    )
    known = levels_raw[(levels_raw > 0) & (levels_raw < 200)]
    default_levels = float(known.median()) if len(known) else float(DEFAULT_LEVELS)
    levels = levels_raw.where((levels_raw > 0) & (levels_raw < 200), default_levels).to_numpy()
    levels_source = np.where(levels_raw.notna() & (levels_raw > 0), "osm", "region_median")
    building = _to_text(_col(raw, "building", tags)).fillna("yes")
    uses = [_col(raw, k, tags).notna() for k in ("shop", "amenity", "office", "tourism")]
    has_use = np.logical_or.reduce([u.to_numpy() for u in uses]) if uses else False
    share = np.where(
        building.isin(RESIDENTIAL_BUILDINGS),
        1.0,
        np.where(building.isin(MIXED_BUILDINGS) & ~has_use, MIXED_RESIDENTIAL_SHARE, 0.0),
    )
    floor_area = footprint * levels
    dwellings = np.round(floor_area * share * NET_TO_GROSS / DWELLING_SIZE_M2, 1)
    return gpd.GeoDataFrame(
        {
            "building_id": np.arange(len(raw), dtype="int64"),
            "osm_id": pd.to_numeric(raw["id"], errors="coerce").fillna(-1).astype("int64"),
            "building": building,
            "name": _to_text(_col(raw, "name", tags)),
            "footprint_m2": np.round(footprint, 2),
            "levels": levels.astype(float),
            "levels_source": levels_source,
            "floor_area_m2": np.round(floor_area, 2),
            "residential_share": share,
            "dwellings": dwellings,
            "estimated": np.ones(len(raw), dtype=bool),
        },
        geometry=geom.values,
        crs=WGS84,
    )


def _addresses(raw: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    cols = {
        "address_id": "int64",
        "street": "object",
        "housenumber": "object",
        "postcode": "object",
        "city": "object",
        "lon": "float64",
        "lat": "float64",
        "source": "object",
    }
    if raw is None:
        return _empty(cols)
    raw = raw[raw.geometry.notna()].reset_index(drop=True)
    tags = _tags(raw)
    pts = _points(raw)
    frame = pd.DataFrame(
        {
            "street": _to_text(_col(raw, "addr:street", tags)),
            "housenumber": _to_text(_col(raw, "addr:housenumber", tags)),
            "postcode": _to_text(_col(raw, "addr:postcode", tags)),
            "city": _to_text(_col(raw, "addr:city", tags)),
            "lon": pts.x.to_numpy(),
            "lat": pts.y.to_numpy(),
            "source": np.where(raw.geometry.geom_type == "Point", "node", "building"),
        }
    )
    frame = frame[frame["street"].notna() & frame["housenumber"].notna()]
    # One house number may be tagged on several features (entrance node and building):
    # keep one row per street + number, at the median position, with the most complete tags.
    key_street = frame["street"].str.casefold()
    key_number = frame["housenumber"].str.upper().str.replace(r"\s+", "", regex=True)
    frame = frame.assign(_ks=key_street, _kn=key_number)
    frame["_complete"] = frame[["postcode", "city"]].notna().sum(axis=1)
    frame = frame.sort_values(
        ["_ks", "_kn", "_complete", "source"], ascending=[True, True, False, True]
    )
    grouped = frame.groupby(["_ks", "_kn"], sort=True)
    first = grouped.first()
    first["lon"] = grouped["lon"].median()
    first["lat"] = grouped["lat"].median()
    out = first.reset_index(drop=True)[
        ["street", "housenumber", "postcode", "city", "lon", "lat", "source"]
    ]
    out.insert(0, "address_id", np.arange(len(out), dtype="int64"))
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs=WGS84)


def _category(row_shop: Any, row_amenity: Any) -> str | None:
    if isinstance(row_shop, str) and row_shop:
        return f"shop={row_shop}"
    if isinstance(row_amenity, str) and row_amenity:
        return f"amenity={row_amenity}"
    return None


def _shops(raw: gpd.GeoDataFrame | None, buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    cols = {
        "shop_id": "int64",
        "osm_id": "int64",
        "osm_type": "object",
        "name": "object",
        "brand": "object",
        "category": "object",
        "shop": "object",
        "amenity": "object",
        "lon": "float64",
        "lat": "float64",
        "floor_area_m2": "float64",
        "floor_area_source": "object",
    }
    if raw is None:
        return _empty(cols)
    raw = raw[raw.geometry.notna()].reset_index(drop=True)
    tags = _tags(raw)
    shop = _to_text(_col(raw, "shop", tags))
    amenity = _to_text(_col(raw, "amenity", tags))
    pts = _points(raw)
    out = gpd.GeoDataFrame(
        {
            "osm_id": pd.to_numeric(raw["id"], errors="coerce").fillna(-1).astype("int64"),
            "osm_type": _to_text(_col(raw, "osm_type")),
            "name": _to_text(_col(raw, "name", tags)),
            "brand": _to_text(_col(raw, "brand", tags)),
            "category": [_category(s, a) for s, a in zip(shop, amenity, strict=True)],
            "shop": shop,
            "amenity": amenity,
            "lon": pts.x.to_numpy(),
            "lat": pts.y.to_numpy(),
        },
        geometry=pts.values,
        crs=WGS84,
    )
    out = out[out["category"].notna() & ~out["amenity"].isin(STREET_FURNITURE)]
    out = out.reset_index(drop=True)
    out.insert(0, "shop_id", np.arange(len(out), dtype="int64"))
    # Floor area from the containing building: its floor area (footprint x levels) shared
    # among the shops mapped inside it. An estimate, flagged by floor_area_source.
    out["building_floor_area_m2"] = np.nan
    out["shops_in_building"] = 0
    out["floor_area_m2"] = np.nan
    out["floor_area_source"] = None
    if len(buildings) and len(out):
        joined = gpd.sjoin(
            out[["geometry"]],
            buildings[["building_id", "floor_area_m2", "geometry"]],
            how="left",
            predicate="within",
        )
        joined = joined[~joined.index.duplicated(keep="first")]
        inside = joined["building_id"].notna()
        per_building = joined.loc[inside, "building_id"].map(
            joined.loc[inside, "building_id"].value_counts()
        )
        out.loc[inside[inside].index, "building_floor_area_m2"] = joined.loc[
            inside, "floor_area_m2"
        ]
        out.loc[per_building.index, "shops_in_building"] = per_building.astype(int)
        out["floor_area_m2"] = np.round(
            out["building_floor_area_m2"] / out["shops_in_building"].where(lambda s: s > 0), 1
        )
        out.loc[out["floor_area_m2"].notna(), "floor_area_source"] = "osm_building"
    return out


def _transit(raw: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    cols = {
        "stop_id": "int64",
        "osm_id": "int64",
        "name": "object",
        "kind": "object",
        "lon": "float64",
        "lat": "float64",
    }
    if raw is None:
        return _empty(cols)
    raw = raw[raw.geometry.notna()].reset_index(drop=True)
    tags = _tags(raw)
    kind = _to_text(_col(raw, "railway", tags))
    kind = kind.where(kind.notna(), _to_text(_col(raw, "highway", tags)))
    kind = kind.where(kind.notna(), _to_text(_col(raw, "public_transport", tags)))
    pts = _points(raw)
    out = (
        gpd.GeoDataFrame(
            {
                "osm_id": pd.to_numeric(raw["id"], errors="coerce").fillna(-1).astype("int64"),
                "name": _to_text(_col(raw, "name", tags)),
                "kind": kind,
                "lon": pts.x.to_numpy(),
                "lat": pts.y.to_numpy(),
            },
            geometry=pts.values,
            crs=WGS84,
        )
        .drop_duplicates("osm_id")
        .reset_index(drop=True)
    )
    out.insert(0, "stop_id", np.arange(len(out), dtype="int64"))
    return out


def _streets(walk_edges: gpd.GeoDataFrame, drive_edges: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    cols = {"street_id": "int64", "name": "object", "highway": "object"}
    edges = pd.concat([walk_edges, drive_edges], ignore_index=True)
    edges = edges[edges["name"].notna()]
    if not len(edges):
        return _empty(cols)
    # one row per undirected segment: drop the reverse copies by a canonical node pair
    a = np.minimum(edges["u"].to_numpy(), edges["v"].to_numpy())
    b = np.maximum(edges["u"].to_numpy(), edges["v"].to_numpy())
    edges = edges.assign(_a=a, _b=b).drop_duplicates(["_a", "_b", "name"])
    out = gpd.GeoDataFrame(
        {"name": edges["name"].to_numpy(), "highway": edges["highway"].to_numpy()},
        geometry=gpd.GeoSeries(edges.geometry.values, crs=WGS84),
        crs=WGS84,
    ).reset_index(drop=True)
    out.insert(0, "street_id", np.arange(len(out), dtype="int64"))
    return out


def _boundary(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    coords = []
    for name in ("walk_nodes", "drive_nodes", "addresses"):
        frame = layers.get(name)
        if frame is not None and len(frame):
            coords.append(np.column_stack([frame["lon"], frame["lat"]]))
    if layers["buildings"] is not None and len(layers["buildings"]):
        b = layers["buildings"].total_bounds
        coords.append(np.array([[b[0], b[1]], [b[2], b[3]]]))
    if not coords:
        return gpd.GeoDataFrame({"name": []}, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    hull = MultiPoint(np.vstack(coords)).convex_hull
    return gpd.GeoDataFrame({"name": ["boundary"]}, geometry=[hull], crs=WGS84)
