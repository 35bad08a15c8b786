"""The real app in headless Chromium: the offline map draws, and no request leaves the machine."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def test_project_page_draws_offline_map(app_url: str, page: object) -> None:
    page.goto(app_url, wait_until="domcontentloaded")
    page.get_by_role("heading", name="Demo: Lidl, Helsinki centre").wait_for(timeout=60_000)
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    # The basemap (buildings, streets) is drawn by Leaflet on a canvas; stores are DOM markers.
    frame.locator(".leaflet-overlay-pane canvas").first.wait_for(state="attached", timeout=30_000)
    frame.locator(".awesome-marker-icon-red").first.wait_for(timeout=30_000)
    assert frame.locator(".awesome-marker-icon-red").count() == 1  # the demo store
    assert (
        "OpenStreetMap contributors" in frame.locator(".leaflet-control-attribution").inner_text()
    )
    # Leaflet really loaded from the local static folder, and nothing else was asked for
    log = page.network_log
    assert any("/app/static/vendor/leaflet/leaflet.js" in u for u in log.requests)
    assert log.external == [], log.external
    assert log.failed == [], log.failed
    page.screenshot(path="tests/artifacts/project-page.png")


def test_online_tiles_are_opt_in(app_url: str, page: object) -> None:
    page.goto(app_url, wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    assert frame.locator(".leaflet-tile").count() == 0
    assert not any("tile.openstreetmap.org" in u for u in page.network_log.requests)


def test_stopping_the_app_stops_the_server(tmp_path) -> None:
    import os
    import signal
    import time
    import urllib.request

    from conftest import _free_port, _wait_healthy, start_app

    port = _free_port()
    proc = start_app(port, dict(os.environ, HOME=str(tmp_path)))
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(url, proc)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    time.sleep(0.5)
    try:
        urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
    except OSError:
        return
    raise AssertionError("the Streamlit server kept running after `tradearea app` stopped")
