"""XSS payloads from files never run in the app or the HTML report (headless Chromium)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "hostile"))
import make_corpus  # noqa: E402

PAYLOAD = "<img src=x onerror=alert(1)>"  # what a hostile survey or store name carries
SCRIPT = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def corpus() -> Path:
    """The generated hostile files (small ones; no 200 MB CSV needed here)."""
    folder = HERE / "hostile" / "generated"
    make_corpus.write_corpus(folder)
    return folder


@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a browser opening the exported file from disk)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _settle(page: object, ms: int = 1500) -> None:
    """Wait until Streamlit stops running the script, then a little more for rendering."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=60_000)
    page.wait_for_timeout(ms)


def test_survey_upload_and_scenario_name_stay_text_in_the_app(
    app_url: str, page: object, corpus: Path
) -> None:
    """Upload the XSS survey (payloads in ids, addresses and the file name), geocode it, save a
    pricing scenario named with a payload: no dialog fires, the payloads show as text."""
    page.goto(f"{app_url}/survey", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Survey").wait_for(timeout=60_000)
    page.locator('input[type="file"]').first.set_input_files(str(corpus / make_corpus.XSS_NAME))
    page.get_by_text(make_corpus.XSS_NAME).first.wait_for(timeout=30_000)  # the file's name
    _settle(page)
    page.locator('input[type="file"]').first.set_input_files(str(corpus / "xss_everywhere.csv"))
    page.get_by_role("button", name="Geocode", exact=True).wait_for(timeout=60_000)
    page.get_by_role("button", name="Geocode", exact=True).click()
    _settle(page, 3000)
    assert page.network_log.dialogs == []
    assert page.locator("img[src='x']").count() == 0  # the payload never became an element

    page.goto(f"{app_url}/pricing", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Pricing").wait_for(timeout=60_000)
    _settle(page)
    name = page.get_by_label("Save as")
    name.fill(PAYLOAD + SCRIPT)
    name.press("Enter")
    _settle(page, 500)
    page.get_by_role("button", name="Save scenario").click()
    page.get_by_text("Saved scenario").wait_for(timeout=30_000)
    _settle(page)
    shown = page.get_by_text(PAYLOAD, exact=False)
    assert shown.count() > 0 and shown.first.is_visible()  # visible, as text
    assert page.locator("img[src='x']").count() == 0
    assert page.network_log.dialogs == []
    assert page.network_log.external == []


def test_html_report_from_the_cli_runs_no_payload(
    page: object, tmp_path: Path, demo_region: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project whose store and competitor names are payloads, exported by `tradearea report`
    and opened from disk: no dialog, the names are there as text."""
    from typer.testing import CliRunner

    from tradearea.cli import app
    from tradearea.project.workspace import open_project, save_project

    monkeypatch.setenv("TRADEAREA_PROJECTS", str(tmp_path / "projects"))
    project = open_project("demo").copy()
    project.layers["stores"].loc[0, "name"] = PAYLOAD + SCRIPT
    project.layers["competitors"].loc[0, "name"] = '"><svg onload=alert(2)>'
    path = save_project(project, tmp_path / "hostile.gpkg")
    out = tmp_path / "report.html"
    sections = [w for s in ("summary", "trade_area", "competition") for w in ("--section", s)]
    result = CliRunner().invoke(
        app, ["report", str(path), "--format", "html", "--out", str(out), *sections]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert PAYLOAD not in html and SCRIPT not in html  # escaped in the file itself
    with _serve(tmp_path) as url:  # the page fixture refuses file:// (only local http passes)
        page.goto(f"{url}/report.html", wait_until="load")
        page.wait_for_timeout(2500)  # let the map frame and any script run
    assert page.network_log.dialogs == []
    assert PAYLOAD in page.inner_text("body")
    assert page.locator("img[src='x']").count() == 0
    for frame in page.frames:
        assert frame.locator("img[src='x'], svg[onload]").count() == 0
