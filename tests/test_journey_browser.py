"""The planner's journey in headless Chromium, and the project surviving restarts and kills.

Screenshots of each step are saved as tests/artifacts/journey-*.png.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

import pytest
from _browser_support import (
    ARTIFACTS,
    LONG,
    REPO,
    click_and_run,
    heading,
    idle,
    input_value,
    map_frame,
    nav,
    shot,
    start_app,
    stop_app,
    tiers_on_map,
    wait_input_filled,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RENT_LABEL = "Rent to test for this candidate (per m² a month)"


def _comparison_text(page: object) -> str:
    """The Sites page's comparison table as text."""
    table = page.locator('[data-testid="stTable"]').first
    table.wait_for(timeout=LONG)
    return table.inner_text()


def _evaluate_and_add(page: object) -> None:
    """Press "Evaluate and add" once it is enabled, and wait for the evaluation to finish."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some(b => "
        "b.innerText.includes('Evaluate and add') && !b.disabled)",
        timeout=LONG,
    )
    click_and_run(page, page.get_by_role("button", name="Evaluate and add", exact=True))


def _figure(table_text: str, label: str, candidate: str | None = None) -> str:
    """The value of a figure in the comparison table's text (of ``candidate``, else the first)."""
    lines = [x.strip() for x in table_text.splitlines() if x.strip()]
    column = 0
    if candidate is not None:
        headers = [x for x in lines if " · " in x and "(#" in x]
        column = next(i for i, h in enumerate(headers) if h.startswith(f"{candidate} · "))
    return lines[lines.index(label) + 1 + column]


def test_the_planners_journey(app_url: str, page: object) -> None:
    """Project → Survey → Trade areas → Competition → Customers → Pricing → Sites → Report."""
    page.goto(app_url, wait_until="domcontentloaded")
    heading(page, "Demo: Lidl, Helsinki centre")
    map_frame(page).locator(".awesome-marker-icon-red").first.wait_for(timeout=LONG)
    strip = page.locator('[data-testid="stCaptionContainer"]').first.inner_text()
    assert "Trade areas" in strip and "not saved" in strip
    shot(page, "journey-01-project")

    # Survey: upload the demo survey file and geocode it offline
    nav(page, "Survey")
    heading(page, "Survey")
    page.locator('input[type="file"]').first.set_input_files(
        str(REPO / "surveys" / "demo_survey.csv")
    )
    geocode = page.get_by_role("button", name="Geocode", exact=True)
    geocode.wait_for(timeout=LONG)
    click_and_run(page, geocode)  # the demo project shows its own account: wait for this run
    heading(page, "Row account")
    metrics = dict(
        m.split("\n\n", 1) for m in page.locator('[data-testid="stMetric"]').all_inner_texts()
    )
    assert metrics["Rows"] == "150"
    assert int(metrics["Geocoded"]) + int(metrics["Repaired"]) >= 140  # offline, 8 flawed rows
    shot(page, "journey-02-survey", page.get_by_role("heading", name="Row account"))

    # Trade areas: the tiers are drawn on the map
    nav(page, "Trade areas")
    heading(page, "Trade areas")
    frame = map_frame(page)
    assert {"Primary", "Secondary", "Tertiary"} <= tiers_on_map(page)
    legend = frame.locator("body").inner_text()
    assert "Primary" in legend and "Tertiary" in legend
    shot(page, "journey-03-trade-areas")

    # Competition and customers: each page shows its heading and no error box
    for title, head, name in (
        ("Competition", "Competition and saturation", "journey-04-competition"),
        ("Customers", "Customers", "journey-05-customers"),
        ("Pricing", "Pricing", "journey-06-pricing"),
    ):
        nav(page, title)
        heading(page, head)
        idle(page)
        assert page.locator('[data-testid="stException"]').count() == 0, title
        shot(page, name)

    # Sites: click the map to place a candidate, evaluate it, then try a higher rent
    nav(page, "Sites")
    heading(page, "Sites")
    frame = map_frame(page)
    container = frame.locator(".leaflet-container")
    box = container.bounding_box()
    for attempt in range(3):  # a click before Leaflet listens is lost: click again
        container.click(position={"x": box["width"] / 2 + 40, "y": box["height"] / 2 - 30})
        try:
            wait_input_filled(page, "Latitude", timeout=15_000)
            break
        except Exception:
            if attempt == 2:
                raise
    lat = float(input_value(page, "Latitude"))
    lon = float(input_value(page, "Longitude"))
    assert 60.16 < lat < 60.18 and 24.93 < lon < 24.96  # a point of central Helsinki
    name = input_value(page, "Name")
    assert name  # the nearest address, or the coordinates
    shot(page, "journey-07-sites-click")
    _evaluate_and_add(page)
    # the demo comes with its candidate K1: the one placed here is K2
    page.get_by_text(re.compile(rf"^K2 · {re.escape(name)} \(#\d\)")).first.wait_for(timeout=LONG)
    heading(page, "Candidate details")
    table = _comparison_text(page)
    assert "Households, primary" in table and "EUR/m²/month" in table
    sales_sites = _figure(table, "Expected sales a year", "K2")  # e.g. "4.6 M EUR"
    shot(page, "journey-08-sites-added", page.get_by_role("heading", name="Candidate details"))

    rent = page.get_by_label(RENT_LABEL)
    rent.fill("30")
    rent.press("Enter")
    page.get_by_text("30.00 EUR/m²/month").first.wait_for(timeout=LONG)
    page.get_by_text("This rent is above what the trade area can carry.").wait_for(timeout=LONG)
    shot(page, "journey-09-sites-rent", page.get_by_text("This rent is above"))

    # Report: build it for the candidate and download the PDF
    nav(page, "Report")
    heading(page, "Report")
    click_and_run(page, page.get_by_role("button", name="Build report", exact=True))
    heading(page, "Download", timeout=180_000)
    # the report and the Sites page agree on the candidate's figures (K2 is the report's last site)
    metrics = dict(
        m.split("\n\n", 1) for m in page.locator('[data-testid="stMetric"]').all_inner_texts()
    )
    sales_report = float(metrics["Expected sales"].split(" ")[0].replace(",", ""))
    assert sales_sites.endswith(" M EUR")
    assert abs(sales_report / 1e6 - float(sales_sites.split(" ")[0])) <= 0.05
    shot(page, "journey-10-report", page.get_by_role("heading", name="Download"))
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name="PDF", exact=True).click()
    path = ARTIFACTS / "journey-report.pdf"
    download.value.save_as(str(path))
    assert path.read_bytes()[:5] == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")
    log = page.network_log
    assert log.external == [], log.external


def _sites_after_adding_the_demo_candidate(page: object, url: str) -> str:
    """The Sites page of the demo, with a second candidate added at Hakaniemi."""
    page.goto(f"{url}/sites", wait_until="domcontentloaded")
    heading(page, "Sites")
    page.get_by_text("K1 · Liisankatu 27 (Kruununhaka)").first.wait_for(timeout=LONG)
    page.get_by_label("Latitude").fill("60.1775")
    page.get_by_label("Longitude").fill("24.9505")
    page.get_by_label("Name").fill("Hakaniemi corner")
    idle(page)
    _evaluate_and_add(page)
    page.get_by_text(re.compile(r"^K2 · Hakaniemi corner \(#\d\)")).first.wait_for(timeout=LONG)
    return _comparison_text(page)


def test_saved_project_reopens_identical_after_a_restart(
    page: object, tmp_path: Path, demo_region: object
) -> None:
    from tradearea.project.workspace import open_project

    home = tmp_path / "home"
    (home / "projects").mkdir(parents=True)
    proc, url = start_app("demo", home)
    try:
        before = _sites_after_adding_the_demo_candidate(page, url)
        nav(page, "Project")
        heading(page, "Project")
        page.get_by_text("Project file: save, open, new").click()
        page.get_by_label("Save as").fill("Journey")
        click_and_run(page, page.get_by_role("button", name="Save project", exact=True))
        page.get_by_text("Saved to").first.wait_for(timeout=LONG)
    finally:
        stop_app(proc)
    saved = home / "projects" / "Journey.gpkg"
    assert saved.is_file()
    first = open_project(saved)

    proc, url = start_app(saved, home)
    try:
        page.goto(f"{url}/sites", wait_until="domcontentloaded")
        heading(page, "Sites")
        after = _comparison_text(page)
        strip = page.locator('[data-testid="stCaptionContainer"]').first.inner_text()
        shot(page, "journey-11-reopened")
    finally:
        stop_app(proc)
    assert after == before
    assert "saved: Journey.gpkg" in strip and "Demo: Lidl, Helsinki centre" in strip
    again = open_project(saved)
    for name, layer in first.layers.items():
        assert layer.drop(columns="geometry").equals(again.layers[name].drop(columns="geometry"))
        assert list(layer.geometry.to_wkt()) == list(again.layers[name].geometry.to_wkt()), name
    assert again.settings == first.settings and again.scenarios == first.scenarios
    assert again.layers["candidates"]["candidate_id"].tolist() == ["K1", "K2"]


def _big_project(folder: Path, n: int = 60_000) -> Path:
    """The demo project with ``n`` customers (a save takes a few seconds)."""
    import numpy as np
    import pandas as pd

    from tradearea.project.demo import demo_project
    from tradearea.project.workspace import points_frame, save_project

    project = demo_project()
    project.name = "Big"
    base = project.layers["customers"].drop(columns="geometry")
    rows = pd.concat([base] * (n // len(base) + 1), ignore_index=True).iloc[:n].copy()
    rng = np.random.default_rng(8)
    rows["lat"] = rows["lat"] + rng.normal(0, 0.002, n)
    rows["lon"] = rows["lon"] + rng.normal(0, 0.004, n)
    rows["respondent_id"] = [f"R{i:06d}" for i in range(n)]
    project.layers["customers"] = points_frame(rows)
    return save_project(project, folder / "Big.gpkg")


def test_killing_the_app_during_a_save_keeps_the_previous_version(
    page: object, tmp_path: Path, demo_region: object
) -> None:
    from tradearea.project.workspace import open_project, save_project

    home = tmp_path / "home"
    folder = home / "projects"
    folder.mkdir(parents=True)
    path = _big_project(folder)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    proc, url = start_app(path, home)
    try:
        page.goto(url, wait_until="domcontentloaded")
        heading(page, "Big", timeout=120_000)
        page.get_by_text("Project file: save, open, new").click()
        expect(page.get_by_label("Save as")).to_have_value("Big", timeout=LONG)  # same file
        save = page.get_by_role("button", name="Save project", exact=True)
        tmp = []
        for _ in range(3):  # a click landing while the button is redrawn is lost: try again
            idle(page)
            save.click(timeout=LONG)
            deadline = time.monotonic() + 20
            while not tmp and time.monotonic() < deadline:
                tmp = list(folder.glob(".Big.*.tmp.gpkg*"))
                time.sleep(0.005)
            if tmp:
                break
        assert tmp, "the save never started"
        stop_app(proc, kill=True)  # SIGKILL while the new version is being written
    finally:
        stop_app(proc, kill=True)
    assert proc.returncode == -9
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # untouched
    project = open_project(path)
    assert project.name == "Big" and len(project.layers["customers"]) == 60_000
    assert sum(e["what"] == "save" for e in project.log) == 1  # the killed save is not in it
    # the next save clears what the killed one left behind
    save_project(project, path)
    assert not list(folder.glob(".Big.*.tmp.gpkg*"))
