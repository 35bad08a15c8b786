"""Offline folium maps: local Leaflet assets and a basemap drawn from the region's own data."""

from __future__ import annotations

import base64
import html
import json
import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from tradearea import OSM_ATTRIBUTION
from tradearea._core.escaping import escape_html
from tradearea.mapping.assets import ASSET_PATHS, DROPPED_ASSETS, asset_url
from tradearea.settings import STATIC_URL, VENDOR_DIR
from tradearea.tiers import TIER_COLOURS, TIER_NAMES, TIER_NAMES_ZH  # noqa: F401 - re-exported

if TYPE_CHECKING:
    from tradearea.regions.packs import Region

BASE_URL = f"{STATIC_URL}/vendor"
# Without a tile layer Leaflet has no maximum zoom, which breaks MarkerCluster: set one.
MAX_ZOOM = 19
MIN_ZOOM = 10

# Online tile layers are opt-in only; the default map never asks a server.
ONLINE_TILES = {
    "OpenStreetMap (online)": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "© OpenStreetMap contributors",
    ),
}


class _Attribution(MacroElement):
    """Add an attribution text to the map's attribution control."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


def _walk(element: Any) -> Any:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def localise_assets(m: folium.Map, *, base_url: str = BASE_URL) -> folium.Map:
    """Point every JS/CSS asset of the map and its plugins at the locally served copies.

    Parameters
    ----------
    m : folium.Map
        The map (its children, e.g. MarkerCluster or HeatMap, are handled too).
    base_url : str
        Where the vendor folder is served (``/app/static/vendor`` in the app).

    Returns
    -------
    folium.Map
        The same map, changed in place.

    Raises
    ------
    ValueError
        If an element asks for a remote asset the tool does not ship (it would fail offline).
    """
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            assets = getattr(element, attr, None)
            if not assets:
                continue
            local = []
            for name, url in assets:
                if name in DROPPED_ASSETS:
                    continue
                if name in ASSET_PATHS:
                    local.append((name, asset_url(name, base_url=base_url)))
                elif url.startswith(("http://", "https://", "//")):
                    msg = f"map element {type(element).__name__} needs remote asset {url}"
                    raise ValueError(msg)
                else:
                    local.append((name, url))
            setattr(element, attr, local)
    return escape_map_text(m)


def _as_text(value: Any) -> Any:
    """Escape text for HTML once (text escaped before stays as it is)."""
    return escape_html(html.unescape(value)) if isinstance(value, str) else value


def escape_map_text(m: folium.Map) -> folium.Map:
    """Escape every text a map shows as HTML: GeoJSON properties and tooltip texts.

    Street and shop names come from OpenStreetMap, store and respondent ids from files: Leaflet
    puts tooltip and popup content into the page as HTML, so ``<img onerror=...>`` in a street
    name would run. Every string property of every GeoJSON layer and every tooltip text is
    escaped (once: :func:`localise_assets` calls this, so the app and the report both do).

    Parameters
    ----------
    m : folium.Map
        The map, changed in place.

    Returns
    -------
    folium.Map
        The same map.
    """
    for element in _walk(m):
        if isinstance(element, folium.GeoJson) and isinstance(element.data, dict):
            features = element.data.get("features") or [element.data]
            for feature in features:
                props = feature.get("properties") if isinstance(feature, dict) else None
                if isinstance(props, dict):
                    for key, value in props.items():
                        props[key] = _as_text(value)
        elif isinstance(element, folium.Tooltip):
            element.text = _as_text(element.text)
    return m


def offline_map(
    region: Region | None = None,
    *,
    center: tuple[float, float] | None = None,
    zoom: int = 15,
    basemap: bool = True,
    online_tiles: bool = False,
    height: str | int = "100%",
) -> folium.Map:
    """Return a folium map that draws without internet.

    The basemap is the region's buildings and streets as vector layers; online tile layers are
    added only when ``online_tiles`` is True (the user's explicit choice). Call
    :func:`localise_assets` (done by :func:`render_html` and the app) before rendering.

    Parameters
    ----------
    region : tradearea.regions.packs.Region, optional
        The region whose streets and buildings form the basemap.
    center : tuple of float, optional
        (lat, lon); defaults to the region's centre.
    zoom : int
        Initial zoom level.
    basemap : bool
        Draw the region's streets and buildings.
    online_tiles : bool
        Add online tile layers (opt-in; they need the internet).
    height : str or int
        Map height.

    Returns
    -------
    folium.Map
        The map.
    """
    if center is None:
        center = region.center if region is not None else (0.0, 0.0)
    m = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        height=height,
        prefer_canvas=True,
    )
    m.options["maxZoom"] = MAX_ZOOM
    m.options["minZoom"] = MIN_ZOOM
    if basemap and region is not None:
        add_basemap(m, region)
    if online_tiles:
        for name, (url, attr) in ONLINE_TILES.items():
            folium.TileLayer(tiles=url, attr=attr, name=name, show=False).add_to(m)
    _Attribution(OSM_ATTRIBUTION).add_to(m)
    return m


@lru_cache(maxsize=4)
def _basemap_geojson(region_path: str, mtime: float) -> tuple[str, str]:
    path = Path(region_path)
    buildings = gpd.read_parquet(path / "buildings.parquet", columns=["geometry"])
    streets = gpd.read_parquet(path / "streets.parquet", columns=["name", "geometry"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        buildings = buildings.set_geometry(buildings.geometry.simplify(0.00001))
    return (
        _compact(buildings.to_json(drop_id=True)),
        _compact(streets.to_json(drop_id=True)),
    )


def _compact(geojson: str) -> str:
    """Round coordinates to 6 decimals (~0.1 m) to keep the page light."""
    return re.sub(r"(-?\d+\.\d{6})\d+", r"\1", geojson)


def add_basemap(m: folium.Map, region: Region) -> folium.Map:
    """Add the region's buildings and streets to ``m`` as a vector basemap.

    Parameters
    ----------
    m : folium.Map
        The map.
    region : tradearea.regions.packs.Region
        The region pack.

    Returns
    -------
    folium.Map
        The same map.
    """
    meta = Path(region.path) / "meta.json"
    buildings, streets = _basemap_geojson(str(region.path), meta.stat().st_mtime)
    folium.GeoJson(
        json.loads(buildings),
        name="Buildings",
        control=False,
        interactive=False,
        style_function=lambda _f: {
            "color": "#b9b4ad",
            "weight": 0.5,
            "fillColor": "#d9d4cc",
            "fillOpacity": 0.8,
        },
    ).add_to(m)
    folium.GeoJson(
        json.loads(streets),
        name="Streets",
        control=False,
        style_function=lambda _f: {"color": "#8a8a8a", "weight": 2, "opacity": 0.9},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(m)
    root = m.get_root()
    if isinstance(root, Figure):  # a folium map's root is always its figure
        root.header.add_child(
            Element("<style>.leaflet-container{background:#f4f1ea;}</style>"), name="basemap_bg"
        )
    return m


def render_html(m: folium.Map, *, inline: bool = False, base_url: str = BASE_URL) -> str:
    """Render the map to a full HTML page with local assets.

    Parameters
    ----------
    m : folium.Map
        The map.
    inline : bool
        Inline every JS/CSS asset (and fonts/images as data URIs) so the page is one
        self-contained file that works offline anywhere (for reports).
    base_url : str
        Where assets are served when not inlined.

    Returns
    -------
    str
        The HTML.
    """
    localise_assets(m, base_url=base_url)
    html = m.get_root().render()
    if inline:
        html = inline_assets(html, base_url=base_url)
    return html


def inline_assets(html: str, *, base_url: str = BASE_URL) -> str:
    """Replace ``<script src>``/``<link href>`` tags pointing at local assets by their content."""

    def read(url: str) -> Path:
        rel = url[len(base_url) :].lstrip("/")
        return VENDOR_DIR / rel

    def script(match: re.Match[str]) -> str:
        url = match.group(1)
        if not url.startswith(base_url):
            return match.group(0)
        code = read(url).read_text("utf-8").replace("</script", "<\\/script")
        return f"<script>{code}</script>"

    def link(match: re.Match[str]) -> str:
        url = match.group(1)
        if not url.startswith(base_url):
            return match.group(0)
        path = read(url)
        css = path.read_text("utf-8")
        css = re.sub(r"url\(([^)]+)\)", lambda u: _css_url(u, path.parent), css)
        return f"<style>{css}</style>"

    html = re.sub(r'<script[^>]*src="([^"]+)"[^>]*>\s*</script>', script, html)
    return re.sub(r'<link[^>]*href="([^"]+)"[^>]*/?>', link, html)


_MIME = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
    ".gif": "image/gif",
}


def _css_url(match: re.Match[str], folder: Path) -> str:
    ref = match.group(1).strip("'\"")
    if ref.startswith(("data:", "http:", "https:", "#")):
        return match.group(0)
    target = (folder / ref.split("?")[0].split("#")[0]).resolve()
    if not target.is_file() or target.suffix not in _MIME:
        return "url()"
    data = base64.b64encode(target.read_bytes()).decode("ascii")
    return f"url(data:{_MIME[target.suffix]};base64,{data})"
