"""The app in a real browser: cold start to an interactive map, warm page switches, big maps.

Measured in headless Chromium (the system one, driven by Playwright) against the real server
(`tradearea app`), on the demo project:

- cold start: from launching `tradearea app demo` to the Project page's map drawn with its
  store marker (server start, demo project built and geocoded offline, first page, Leaflet);
- first and warm page switch: a click on a page in the sidebar to its heading shown, the script
  finished and its map (if any) drawn; the first visit of each page, then a second round (warm:
  caches filled). Target: every page under 2 s once warm;
- a project of 10,000 customers: the Trade areas page (tiers, heat layer) and the Survey page
  (geocoded points) until their maps are drawn.

No peer: there is no other app doing this journey to compare with (``peer_s`` is None).

    python benchmarks/bench_app.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from _browser_support import (  # noqa: E402
    LONG,
    MAP_FRAME,
    heading,
    idle,
    nav,
    start_app,
    stop_app,
    wait_run,
    watch_run,
)

JOURNEY = (
    ("Project", "Demo: Lidl, Helsinki centre"),
    ("Survey", "Survey"),
    ("Trade areas", "Trade areas"),
    ("Competition", "Competition and saturation"),
    ("Customers", "Customers"),
    ("Pricing", "Pricing"),
    ("Sites", "Sites"),
    ("Report", "Report"),
)
TARGET_S = 2.0
BIG = 10_000


def _browser() -> tuple[object, object]:
    from conftest import CHROMIUM_FLAGS, chromium_path
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        msg = "Chromium is not installed (apt-get install chromium)"
        raise RuntimeError(msg)
    pw = sync_playwright().start()
    return pw, pw.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS, headless=True)


def _new_page(browser: object) -> object:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    # nothing leaves the machine, as in the tests
    ctx.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.split("//", 1)[-1].startswith(("127.0.0.1", "localhost"))
            or route.request.url.startswith(("data:", "blob:", "about:"))
            else route.abort()
        ),
    )
    return ctx.new_page()


def _maps_drawn(page: object) -> None:
    frames = page.locator(MAP_FRAME)
    for i in range(frames.count()):
        if frames.nth(i).is_visible():  # maps in closed tabs or expanders are not drawn
            container = page.frame_locator(MAP_FRAME).nth(i).locator(".leaflet-container")
            container.wait_for(timeout=LONG)


SPLITS: dict[str, tuple[float, float]] = {}


def _switch(page: object, title: str, head: str) -> float:
    idle(page)
    watch_run(page)
    start = time.perf_counter()
    nav(page, title)
    wait_run(page)  # the page's script has run to the end
    heading(page, head)
    ran = time.perf_counter() - start
    _maps_drawn(page)  # and Leaflet has drawn its maps
    total = time.perf_counter() - start
    SPLITS[title] = (ran, total - ran)
    return total


def _cold_start(browser: object, home: Path) -> tuple[dict, object, object]:
    page = _new_page(browser)
    start = time.perf_counter()
    proc, url = start_app("demo", home)
    server = time.perf_counter() - start
    page.goto(url, wait_until="domcontentloaded")
    heading(page, "Demo: Lidl, Helsinki centre")
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".awesome-marker-icon-red").first.wait_for(timeout=LONG)
    total = time.perf_counter() - start
    row = {
        "task": "app cold start to interactive map (browser)",
        "size": "demo project",
        "ours_s": round(total, 2),
        "peer_s": None,
        "ratio": None,
        "note": f"server healthy after {server:.1f} s, map drawn {total - server:.1f} s later",
    }
    return row, proc, page


def _big_project(folder: Path, n: int = BIG) -> Path:
    import numpy as np
    import pandas as pd

    from tradearea.project.demo import demo_project
    from tradearea.project.workspace import points_frame, save_project

    project = demo_project()
    project.name = f"Demo with {n:,} customers"
    base = project.layers["customers"].drop(columns="geometry")
    rows = pd.concat([base] * (n // len(base) + 1), ignore_index=True).iloc[:n].copy()
    rng = np.random.default_rng(1)
    rows["lat"] = rows["lat"] + rng.normal(0, 0.002, n)
    rows["lon"] = rows["lon"] + rng.normal(0, 0.003, n)
    rows["respondent_id"] = [f"R{i:06d}" for i in range(n)]
    project.layers["customers"] = points_frame(rows)
    return save_project(project, folder / "big.gpkg")


def main() -> list[dict]:
    """Run the browser measurements and return the result rows."""
    pw, browser = _browser()
    rows: list[dict] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            (home / "projects").mkdir()
            row, proc, page = _cold_start(browser, home)
            rows.append(row)
            try:
                first = {t: _switch(page, t, h) for t, h in JOURNEY[1:]}
                first["Project"] = _switch(page, *JOURNEY[0])
                warm = {t: _switch(page, t, h) for t, h in JOURNEY}
                split = dict(SPLITS)
            finally:
                stop_app(proc)
            slowest = max(warm, key=warm.get)
            rows.append(
                {
                    "task": "first visit of each page (browser, median)",
                    "size": "8 pages",
                    "ours_s": round(statistics.median(first.values()), 2),
                    "peer_s": None,
                    "ratio": None,
                    "note": "; ".join(f"{t} {s:.2f}" for t, s in first.items()),
                }
            )
            rows.append(
                {
                    "task": "warm page switch (browser, median)",
                    "size": "8 pages",
                    "ours_s": round(statistics.median(warm.values()), 2),
                    "peer_s": None,
                    "ratio": None,
                    "note": f"slowest {slowest} {warm[slowest]:.2f} s (target < {TARGET_S:g} s); "
                    + "; ".join(
                        f"{t} {s:.2f} (script {split[t][0]:.2f} + map {split[t][1]:.2f})"
                        for t, s in warm.items()
                    ),
                }
            )
            rows.append(
                {
                    "task": "warm page switch (browser, slowest page)",
                    "size": "8 pages",
                    "ours_s": round(warm[slowest], 2),
                    "peer_s": None,
                    "ratio": None,
                    "note": slowest,
                }
            )
            big = _big_project(home / "projects")
            proc, url = start_app(big, home)
            try:
                page = _new_page(browser)
                page.goto(url, wait_until="domcontentloaded")
                heading(page, f"Demo with {BIG:,} customers", timeout=180_000)
                idle(page)
                for title, head in (("Trade areas", "Trade areas"), ("Survey", "Survey")):
                    cold = _switch(page, title, head)
                    _switch(page, "Project", f"Demo with {BIG:,} customers")
                    again = _switch(page, title, head)
                    rows.append(
                        {
                            "task": f"{title} page map, {BIG:,} customers (browser)",
                            "size": f"{BIG:,} customers",
                            "ours_s": round(again, 2),
                            "peer_s": None,
                            "ratio": None,
                            "note": f"first visit {cold:.2f} s, then warm {again:.2f} s",
                        }
                    )
            finally:
                stop_app(proc)
    finally:
        browser.close()
        pw.stop()
    for r in rows:
        print(f"{r['task']:<52} {r['ours_s']:>7.2f} s   {r.get('note', '')}")
    return rows


if __name__ == "__main__":
    main()
