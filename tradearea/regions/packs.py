"""Region packs: addresses, streets, networks, shops and buildings read from an OSM extract."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd

from tradearea import OSM_ATTRIBUTION
from tradearea._core.crs import WGS84, frame_utm_crs
from tradearea.errors import InputError, RegionNotFoundError
from tradearea.regions.osm import (  # noqa: F401 - re-exported for callers
    DEFAULT_LEVELS,
    DEFAULT_SPEED_KPH,
    DWELLING_SIZE_M2,
    HIGHWAY_SPEEDS_KPH,
    LAYERS,
    MIXED_RESIDENTIAL_SHARE,
    NET_TO_GROSS,
    WALK_SPEED_KPH,
    parse_maxspeed,
    read_layers,
)
from tradearea.settings import regions_dir

log = logging.getLogger(__name__)

NetworkKind = Literal["drive", "walk"]
PACK_VERSION = 1

# --------------------------------------------------------------------------------------------
# Loading


class Region:
    """A built region pack on disk; layers load lazily and stay in memory.

    Parameters
    ----------
    path : pathlib.Path
        The pack folder (``data/regions/NAME``).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.meta: dict[str, Any] = json.loads((self.path / "meta.json").read_text("utf-8"))
        self.name: str = self.meta["name"]

    def __repr__(self) -> str:
        return f"Region({self.name!r}, {self.meta['counts']})"

    def _read(self, layer: str) -> gpd.GeoDataFrame:
        return gpd.read_parquet(self.path / f"{layer}.parquet")

    @cached_property
    def addresses(self) -> gpd.GeoDataFrame:
        """Address points: address_id, street, housenumber, postcode, city, lon, lat, source."""
        return self._read("addresses")

    @cached_property
    def streets(self) -> gpd.GeoDataFrame:
        """Named street segments: name, highway, geometry (lines)."""
        return self._read("streets")

    @cached_property
    def shops(self) -> gpd.GeoDataFrame:
        """Shops and services: name, brand, category, lon, lat, floor_area_m2, floor_area_source."""
        return self._read("shops")

    @cached_property
    def buildings(self) -> gpd.GeoDataFrame:
        """Buildings: building, footprint_m2, levels, residential_share, dwellings (estimated)."""
        return self._read("buildings")

    @property
    def residential_buildings(self) -> gpd.GeoDataFrame:
        """Buildings with an estimated dwelling count above zero."""
        b = self.buildings
        return b[b["dwellings"] > 0]

    @cached_property
    def transit(self) -> gpd.GeoDataFrame:
        """Public transport stops: name, kind (bus_stop, tram_stop, station, ...), lon, lat."""
        return self._read("transit")

    @cached_property
    def boundary(self) -> gpd.GeoDataFrame:
        """The region's outline (one polygon)."""
        return self._read("boundary")

    @property
    def utm_crs(self) -> str:
        """The projected CRS used for metric work in this region."""
        return self.meta["crs"]

    @property
    def center(self) -> tuple[float, float]:
        """The (lat, lon) of the region's centre."""
        lat, lon = self.meta["center"]
        return float(lat), float(lon)

    def network(self, kind: NetworkKind = "drive") -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        """Return the (nodes, edges) tables of the ``drive`` or ``walk`` network.

        Nodes: node_id, lon, lat, geometry. Edges (directed, one row per direction of travel):
        u, v, length_m, speed_kph, travel_time_s, highway, name, oneway, geometry.
        """
        if kind not in ("drive", "walk"):
            msg = f"network kind must be 'drive' or 'walk', not {kind!r}"
            raise ValueError(msg)
        return self._network(kind)

    @lru_cache(maxsize=2)  # noqa: B019 - one Region per pack, cached itself
    def _network(self, kind: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        return self._read(f"{kind}_nodes"), self._read(f"{kind}_edges")


def list_regions() -> list[str]:
    """Return the names of the region packs that are built.

    Returns
    -------
    list of str
        Sorted names.
    """
    root = regions_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "meta.json").exists())


def region_path(name: str) -> Path:
    """Return the folder of region ``name`` (which may not exist yet)."""
    _check_name(name)
    return regions_dir() / name


def region_meta(name: str) -> dict[str, Any]:
    """Return the metadata of region ``name`` (source, date, attribution, counts)."""
    meta = region_path(name) / "meta.json"
    if not meta.exists():
        raise RegionNotFoundError(_missing_message(name))
    return json.loads(meta.read_text("utf-8"))


def load_region(name: str) -> Region:
    """Load region pack ``name`` (cached; reloaded when the pack is rebuilt).

    Parameters
    ----------
    name : str
        A region built with :func:`build_region` (e.g. ``helsinki-center``).

    Returns
    -------
    Region
        The pack, with its layers loaded on first use.

    Raises
    ------
    RegionNotFoundError
        If the pack has not been built.
    """
    path = region_path(name)
    meta = path / "meta.json"
    if not meta.exists():
        raise RegionNotFoundError(_missing_message(name))
    return _load_cached(str(path), meta.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> Region:
    return Region(Path(path))


def _missing_message(name: str) -> str:
    known = list_regions()
    hint = f" Built regions: {', '.join(known)}." if known else ""
    return (
        f"region {name!r} is not built. Build it with "
        f"`tradearea region build FILE.osm.pbf --name {name}`.{hint}"
    )


def _check_name(name: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name or "") or ".." in name:
        msg = (
            f"region name {name!r} is not allowed: use letters, digits, '-', '_' or '.', "
            "starting with a letter or digit (at most 64 characters)"
        )
        raise InputError(msg, option="name")


# --------------------------------------------------------------------------------------------
# Building


def build_region(
    pbf: str | Path,
    *,
    name: str,
    force: bool = False,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, Any]:
    """Build region pack ``name`` from an OpenStreetMap extract.

    Reads the extract with pyrosm and writes GeoParquet layers plus ``meta.json`` into
    ``data/regions/NAME/``. The pack is written to a temporary folder and renamed into place,
    so a failed build never leaves a half-written pack.

    Parameters
    ----------
    pbf : str or pathlib.Path
        The ``.osm.pbf`` file.
    name : str
        The region's name.
    force : bool
        Rebuild even if the pack exists and the source file is unchanged.
    progress : callable, optional
        Called as ``progress(step, fraction)`` while building.

    Returns
    -------
    dict
        The pack's metadata (``counts``, ``path``, ``build_seconds`` ...).

    Raises
    ------
    InputError
        If the file is missing, not an OSM extract, or the name is not allowed.
    """
    _check_name(name)
    pbf = Path(pbf)
    if not pbf.is_file():
        raise InputError("not found (expected an .osm.pbf extract)", file=str(pbf))
    digest = _sha256(pbf)
    dest = region_path(name)
    if not force and (dest / "meta.json").exists():
        meta = json.loads((dest / "meta.json").read_text("utf-8"))
        if meta.get("source_sha256") == digest and meta.get("pack_version") == PACK_VERSION:
            meta["build_seconds"] = 0.0
            meta["path"] = str(dest)
            return meta
    started = time.perf_counter()
    report = progress or (lambda step, frac: log.info("%s (%.0f %%)", step, 100 * frac))
    layers, source_date = read_layers(pbf, report)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=dest.parent))
    try:
        report("writing pack", 0.95)
        for layer, frame in layers.items():
            frame.to_parquet(tmp / f"{layer}.parquet", index=False)
        crs = frame_utm_crs(layers["boundary"], empty=WGS84)
        centroid = layers["boundary"].to_crs(crs).centroid.to_crs(WGS84).iloc[0]
        meta = {
            "name": name,
            "pack_version": PACK_VERSION,
            "source_file": pbf.name,
            "source_sha256": digest,
            "source_date": source_date,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "attribution": OSM_ATTRIBUTION,
            "licence": "ODbL 1.0",
            "crs": crs,
            "center": [round(centroid.y, 7), round(centroid.x, 7)],
            "bounds": [round(v, 7) for v in layers["boundary"].total_bounds.tolist()],
            "counts": {k: len(v) for k, v in layers.items() if k != "boundary"},
            "estimates": {
                "dwellings": (
                    f"footprint x levels x residential share (1 for residential buildings, "
                    f"{MIXED_RESIDENTIAL_SHARE} for building=yes without shops or offices) x "
                    f"{NET_TO_GROSS} / {DWELLING_SIZE_M2} m2; levels default {DEFAULT_LEVELS}"
                ),
                "walk_speed_kph": WALK_SPEED_KPH,
                "drive_speeds": "maxspeed where tagged, else per-highway defaults",
            },
        }
        meta["build_seconds"] = round(time.perf_counter() - started, 3)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), "utf-8")
        if dest.exists():
            old = dest.with_name(f".{name}.old-{time.time_ns()}")
            dest.rename(old)
            tmp.rename(dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report("done", 1.0)
    meta["path"] = str(dest)
    return meta


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
