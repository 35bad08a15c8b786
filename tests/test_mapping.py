"""Offline maps: every asset local, basemap from the region, self-contained HTML for reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import pytest
from folium.plugins import Fullscreen, HeatMap, MarkerCluster

from tradearea._core.escaping import escape_markdown
from tradearea.mapping import maps as mapping
from tradearea.mapping.assets import ASSET_PATHS, DROPPED_ASSETS, assets_installed
from tradearea.settings import REPO_DIR


def _remote_urls(html: str) -> list[str]:
    """URLs the page would fetch: script/img src, stylesheet links, CSS url()."""
    fetched = re.findall(r'<(?:script|img|iframe)[^>]*\ssrc="((?:https?:)?//[^"]+)"', html)
    fetched += re.findall(r'<link[^>]*\shref="((?:https?:)?//[^"]+)"', html)
    fetched += re.findall(r"url\(['\"]?((?:https?:)?//[^)'\"]+)", html)
    return fetched


def test_package_json_pins_exact_versions() -> None:
    pkg = json.loads((REPO_DIR / "package.json").read_text())
    lock = json.loads((REPO_DIR / "package-lock.json").read_text())
    for name, version in pkg["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), (name, version)
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_assets_are_installed_for_serving() -> None:
    assert assets_installed(), "run `make assets`"


def test_map_with_plugins_has_only_local_assets(demo_region) -> None:
    m = mapping.offline_map(demo_region)
    cluster = MarkerCluster().add_to(m)
    folium.Marker([60.17, 24.94], icon=folium.Icon(icon="star", prefix="fa")).add_to(cluster)
    HeatMap([[60.17, 24.94, 1.0]]).add_to(m)
    html = mapping.render_html(m)
    assert _remote_urls(html) == []
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "/app/static/vendor/markercluster/leaflet.markercluster.js" in html
    assert "/app/static/vendor/heat/leaflet-heat.js" in html
    assert "tile.openstreetmap.org" not in html  # no tiles unless opted in
    assert "OpenStreetMap contributors" in html


def test_online_tiles_only_when_asked(demo_region) -> None:
    html = mapping.render_html(mapping.offline_map(demo_region, online_tiles=True))
    assert "tile.openstreetmap.org" in html


def test_basemap_draws_region_buildings_and_streets(demo_region) -> None:
    html = mapping.render_html(mapping.offline_map(demo_region))
    # every building polygon of the region is in the page, coordinates rounded to 6 decimals
    assert html.count('"Polygon"') + html.count('"MultiPolygon"') >= len(demo_region.buildings)
    assert "Mannerheimintie" in html
    # only the map centre keeps full precision; every drawn coordinate is rounded
    assert len(re.findall(r"\d+\.\d{7,}", html)) <= 2


def test_unknown_remote_asset_is_refused() -> None:
    m = folium.Map(tiles=None)
    Fullscreen().add_to(m)
    with pytest.raises(ValueError, match="remote asset"):
        mapping.localise_assets(m)


def test_inline_html_is_self_contained(demo_region, tmp_path: Path) -> None:
    m = mapping.offline_map(demo_region)
    folium.Marker([60.17, 24.94], icon=folium.Icon(icon="star", prefix="fa")).add_to(m)
    html = mapping.render_html(m, inline=True)
    assert "<script src=" not in html and 'rel="stylesheet"' not in html
    assert _remote_urls(html) == []
    assert "L.map(" in html or "L.map (" in html
    assert "url(data:font/woff2;base64," in html  # icon fonts embedded
    (tmp_path / "map.html").write_text(html, "utf-8")


def test_asset_table_covers_folium_defaults() -> None:
    names = {n for n, _ in folium.Map.default_js} | {n for n, _ in folium.Map.default_css}
    assert names <= set(ASSET_PATHS) | DROPPED_ASSETS


def test_escape_markdown_neutralises_links_images_and_html() -> None:
    text = escape_markdown("![x](http://evil.example/a.png) <img src=x> :material/home: $x$")
    assert "](" not in text.replace("\\]\\(", "")
    assert "\\<img" in text and "\\!\\[" in text and "\\:material" in text and "\\$" in text
