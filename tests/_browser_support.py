"""Helpers for driving the real app in Chromium: start/stop servers, navigate, read folium maps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
LONG = 90_000  # ms: generous, the machine is shared
# The tier names of the trade-area polygons drawn by folium (GeoJSON layers of the map page).
TIERS_JS = """() => Object.keys(window)
  .filter(k => k.startsWith('geo_json_') && window[k] && window[k].getLayers)
  .flatMap(k => window[k].getLayers().map(l => l.feature && l.feature.properties
                                              && l.feature.properties.tier))
  .filter(t => typeof t === 'string')"""


def free_port() -> int:
    """A free TCP port on localhost."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(target: str | Path, home: Path, *, timeout: float = 120.0) -> tuple[Any, str]:
    """Start ``tradearea app TARGET`` (a project file or ``demo``) and wait until it is healthy.

    Parameters
    ----------
    target : str or pathlib.Path
        What to open.
    home : pathlib.Path
        HOME of the server; projects are saved in ``home / "projects"``.
    timeout : float
        Seconds to wait for the health check.

    Returns
    -------
    tuple of (subprocess.Popen, str)
        The server process (the Streamlit server itself: ``tradearea app`` execs it) and URL.
    """
    import urllib.request

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, HOME=str(home), TRADEAREA_PROJECTS=str(home / "projects"))
    argv = [sys.executable, "-m", "tradearea.cli", "app", str(target), "--port", str(port),
            "--address", "127.0.0.1"]  # fmt: skip
    proc = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            msg = f"the app exited early with {proc.returncode}"
            raise RuntimeError(msg)
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    stop_app(proc)
    msg = f"the app did not become healthy at {url} within {timeout} s"
    raise RuntimeError(msg)


def stop_app(proc: Any, *, kill: bool = False) -> None:
    """Stop a server started by :func:`start_app` (SIGTERM, or SIGKILL with ``kill``)."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def nav(page: Any, title: str) -> None:
    """Go to a page of the app by its link in the sidebar (the session is kept)."""
    page.locator('[data-testid="stSidebarNavLink"]', has_text=title).first.click()


def heading(page: Any, text: str, *, timeout: int = LONG) -> None:
    """Wait until a heading with exactly ``text`` is visible."""
    page.get_by_role("heading", name=text, exact=True).first.wait_for(timeout=timeout)


def map_frame(page: Any) -> Any:
    """The first folium map's frame (a Playwright FrameLocator), once Leaflet has drawn it."""
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container").wait_for(timeout=LONG)
    return frame


def map_frames(page: Any) -> list[Any]:
    """The Playwright Frame objects of the folium maps on the page (to evaluate scripts in)."""
    return [f for f in page.frames if "streamlit_folium" in f.url]


def tiers_on_map(page: Any, *, timeout: float = 30.0) -> set[str]:
    """The tier names of the trade-area polygons on the page's folium maps."""
    deadline = time.monotonic() + timeout
    found: set[str] = set()
    while time.monotonic() < deadline and not found:
        for frame in map_frames(page):
            try:
                found |= set(frame.evaluate(TIERS_JS))
            except Exception:  # a frame still loading
                continue
        if not found:
            time.sleep(0.3)
    return found


_WATCH_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__tradeareaRan = false;
  if (!app) return false;
  if (window.__tradeareaObserver) window.__tradeareaObserver.disconnect();
  window.__tradeareaObserver = new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__tradeareaRan = true;
  });
  window.__tradeareaObserver.observe(app, {attributes: true,
                                         attributeFilter: ['data-test-script-state']});
  return true;
}"""
_RAN_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return window.__tradeareaRan && app
         && app.getAttribute('data-test-script-state') === 'notRunning';
}"""


def watch_run(page: Any) -> None:
    """Start watching for the next script run (call before the click that starts it)."""
    page.evaluate(_WATCH_JS)


def wait_run(page: Any, *, timeout: int = LONG) -> None:
    """Wait until the run watched by :func:`watch_run` has started and finished."""
    page.wait_for_function(_RAN_JS, timeout=timeout)


def click_and_run(page: Any, locator: Any, *, timeout: int = LONG, tries: int = 3) -> None:
    """Click ``locator`` and wait until the script run it starts has finished.

    A click that lands while Streamlit redraws the button can be lost; then no run starts and
    the click is tried again (up to ``tries`` times).
    """
    for attempt in range(tries):
        idle(page, timeout=timeout)
        watch_run(page)
        locator.click(timeout=timeout)
        try:
            page.wait_for_function(_STARTED_JS, timeout=10_000)
        except Exception:
            if attempt == tries - 1:
                raise
            continue
        wait_run(page, timeout=timeout)
        return


_STARTED_JS = """() => window.__tradeareaRan === true"""


def idle(page: Any, *, timeout: int = LONG) -> None:
    """Wait until Streamlit is not running the script (no run in progress now)."""
    page.wait_for_function(
        """() => { const app = document.querySelector('[data-testid="stApp"]');
                   return app && app.getAttribute('data-test-script-state') === 'notRunning'; }""",
        timeout=timeout,
    )


def shot(page: Any, name: str, locator: Any = None) -> Path:
    """Save a screenshot in tests/artifacts (scrolled to ``locator`` when given)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if locator is not None:
        locator.scroll_into_view_if_needed(timeout=10_000)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def input_value(page: Any, label: str) -> str:
    """The current value of the input with aria-label ``label`` ('' if empty or missing)."""
    return page.evaluate(
        """(label) => { const e = [...document.querySelectorAll('input')]
              .find(i => i.getAttribute('aria-label') === label);
            return e ? e.value : ''; }""",
        label,
    )


def wait_input_filled(page: Any, label: str, *, timeout: int = LONG) -> str:
    """Wait until the input labelled ``label`` has a value, and return it."""
    page.wait_for_function(
        """(label) => { const e = [...document.querySelectorAll('input')]
              .find(i => i.getAttribute('aria-label') === label);
            return e && e.value !== ''; }""",
        arg=label,
        timeout=timeout,
    )
    return input_value(page, label)
