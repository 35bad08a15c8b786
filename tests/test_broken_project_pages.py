"""A project whose region is missing or whose stores have NaN coordinates: every page says so."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tradearea.project import workspace
from tradearea.ui.streamlit_app import PAGES


def _script() -> None:
    import importlib

    import streamlit as st

    from tradearea.ui._common import status_strip
    from tradearea.ui.streamlit_app import run_page

    class Nav:
        def run(self) -> None:
            importlib.import_module(f"tradearea.ui.{st.session_state['_page']}").page()

    status_strip()
    run_page(Nav())


def missing_region_project() -> workspace.Project:
    return workspace.Project(name="Missing region", region="nowhere-land")


def nan_project() -> workspace.Project:
    q = workspace.Project(name="NaN coordinates", region="helsinki-center")
    frame = {"store_id": ["S1"], "name": ["Shop"], "lat": [np.nan], "lon": [np.nan]}
    q.layers["stores"] = gpd.GeoDataFrame(frame, geometry=[None], crs="EPSG:4326")
    cand = {"candidate_id": ["K1"], "name": ["Cand"], "lat": [np.nan], "lon": [np.nan]}
    q.layers["candidates"] = gpd.GeoDataFrame(cand, geometry=[None], crs="EPSG:4326")
    return q


@pytest.mark.parametrize(
    ("make", "said"),
    [(missing_region_project, "is not built on this computer"),
     (nan_project, "have no usable coordinates")],
)  # fmt: skip
@pytest.mark.parametrize("module", [p[0] for p in PAGES])
def test_every_page_says_what_is_wrong_without_a_traceback(
    demo_region: object, make: object, said: str, module: str
) -> None:
    at = AppTest.from_function(_script, default_timeout=180)
    at.session_state["project"] = make()
    at.session_state["_page"] = module
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(said in w.value for w in at.warning)


def test_project_problems_lists_region_and_coordinates(demo_region: object) -> None:
    assert workspace.project_problems(workspace.open_project("demo")) == []
    assert "nowhere-land" in workspace.project_problems(missing_region_project())[0]
    assert len(workspace.project_problems(nan_project())) == 2


@pytest.mark.browser
def test_missing_region_in_chromium_lets_the_user_switch(tmp_path: Path, browser: object) -> None:
    from tests._browser_support import nav, start_app, stop_app

    home = tmp_path / "home"
    path = workspace.save_project(missing_region_project(), home / "projects" / "m.gpkg")
    proc, url = start_app(path, home)
    try:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(url)
        page.get_by_text("is not built on this computer").first.wait_for(timeout=90_000)
        assert page.get_by_text("Traceback").count() == 0
        nav(page, "Trade areas")
        page.get_by_text("is not built on this computer").first.wait_for(timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
        nav(page, "Project")
        page.get_by_text("Project file: save, open, new").click(timeout=60_000)
        page.get_by_role("tab", name="Open").click()
        page.get_by_role("button", name="Open the demo project").click()
        page.get_by_text("Demo: Lidl, Helsinki centre").first.wait_for(timeout=90_000)
        page.wait_for_timeout(1000)
        assert page.get_by_text("is not built on this computer").count() == 0
    finally:
        stop_app(proc)
