"""Privacy and safety of every export: no personal data by default, escaped and inert user text."""

from __future__ import annotations

import html as htmllib
import io
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _report_support import demo_output, demo_project, have_poppler, pdf_text
from scipy.spatial import cKDTree

from tradearea.project.demo import demo_scenario_inputs
from tradearea.report import build_report, render

XSS_STORE = "<img src=x onerror=alert(1)>"
XSS_SITE = '<script>alert("site")</script>K9'
XSS_SCENARIO = '"><svg onload=alert(2)>'
FORMULAS = ('=HYPERLINK("http://evil.example","click")', "+SUM(1,2)", "@cmd", "-2+3*cmd")
SAFE_LAYER_COLUMNS = {"name"}  # business names of stores, competitors and candidate sites


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return pd.DataFrame(demo_project().layers["customers"].drop(columns="geometry"))


def _personal_strings(customers: pd.DataFrame) -> set[str]:
    out = set(customers["respondent_id"].astype(str))
    out |= {m for m in customers["member_id"].astype(str) if m.strip()}
    for col in ("address", "matched_address"):
        # a street name alone is public map data; an address with a house number is personal
        out |= {a for a in customers[col].astype(str) if len(a) >= 10 and re.search(r"\d", a)}
    return out


def _xlsx_cells(data: bytes) -> list[object]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def _visible_html(text: str) -> str:
    """The HTML without embedded images (base64 can spell anything)."""
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)


def _tree(customers: pd.DataFrame) -> cKDTree:
    pts = customers[["lon", "lat"]].apply(pd.to_numeric, errors="coerce").dropna().to_numpy()
    return cKDTree(pts)


# --------------------------------------------------------------------------------------------
# Nothing personal by default


def test_no_personal_strings_in_any_default_output(customers: pd.DataFrame, tmp_path) -> None:
    personal = _personal_strings(customers)
    assert len(personal) > 150  # ids, member ids and addresses
    html = htmllib.unescape(_visible_html(demo_output("html").decode("utf-8")))
    texts = {"html": html}
    if have_poppler():
        texts["pdf"] = pdf_text(demo_output("pdf"), tmp_path)
    cells = [str(v) for v in _xlsx_cells(demo_output("xlsx")) if v is not None]
    texts["xlsx"] = "\n".join(cells)
    path = tmp_path / "r.gpkg"
    path.write_bytes(demo_output("gpkg"))
    import pyogrio

    frames = [pyogrio.read_dataframe(path, layer=name) for name, _ in pyogrio.list_layers(path)]
    texts["gpkg"] = "\n".join(f.astype(str).to_csv() for f in frames)
    for fmt, text in texts.items():
        words = set(re.findall(r"[A-Z]\d{3,}", text))
        leaked = sorted(p for p in personal if (p in words or (len(p) >= 10 and p in text)))
        assert not leaked, (fmt, leaked[:5])


def test_gpkg_has_no_customer_points_or_personal_columns(customers: pd.DataFrame, tmp_path) -> None:
    import pyogrio

    from tradearea.privacy import PERSONAL_COLUMNS

    path = tmp_path / "r.gpkg"
    path.write_bytes(demo_output("gpkg"))
    names = [n for n, _ in pyogrio.list_layers(path)]
    assert "customers" not in names
    tree = _tree(customers)
    for name in names:
        frame = pyogrio.read_dataframe(path, layer=name)
        bad = {c.lower() for c in frame.columns} & (
            PERSONAL_COLUMNS - SAFE_LAYER_COLUMNS - {"geometry"}
        )
        business = name in ("candidates", "stores", "competitors")
        assert not bad or (business and bad <= {"lat", "lon"}), (name, bad)
        if isinstance(frame, gpd.GeoDataFrame) and len(frame):
            coords = shapely.get_coordinates(frame.geometry.to_numpy())
            dist, _ = tree.query(coords)
            assert dist.min() > 1e-6, name  # no vertex sits on a customer's home


def test_xlsx_has_no_customer_coordinates(customers: pd.DataFrame) -> None:
    values = np.array(
        [float(v) for v in _xlsx_cells(demo_output("xlsx")) if isinstance(v, int | float)]
    )
    for col in ("lat", "lon"):
        coord = pd.to_numeric(customers[col], errors="coerce").dropna().to_numpy()
        near = np.abs(values[:, None] - coord[None, :]).min(axis=1)
        assert near.min() > 1e-7, col


def test_html_map_has_no_customer_coordinates(customers: pd.DataFrame) -> None:
    """Coordinates that only appear because of customers would be a leak; the basemap is public."""
    project = demo_project().copy()
    without = project.copy()
    without.layers["customers"] = project.layers["customers"].iloc[0:0]

    def pairs(p: object) -> set[tuple[float, float]]:
        text = render(build_report(p, sections=["trade_area"], charts=False), "html").decode()
        text = htmllib.unescape(htmllib.unescape(text))
        found = re.findall(r"\[(-?\d+\.\d+), ?(-?\d+\.\d+)\]", text)
        return {(round(float(a), 6), round(float(b), 6)) for a, b in found}

    extra = np.array(sorted(pairs(project) - pairs(without)))
    assert len(extra)  # the customer cells are drawn ...
    dist, _ = _tree(customers).query(extra)
    assert dist.min() > 1e-6  # ... but no drawn point is a customer


# --------------------------------------------------------------------------------------------
# The detailed switch


def test_detailed_export_is_explicit_and_logged(tmp_path) -> None:
    import pyogrio
    from openpyxl import load_workbook

    project = demo_project().copy()
    before = len(project.log)
    report = build_report(
        project, detailed=True, sections=["summary", "data_quality"], charts=False
    )
    entries = project.log[before:]
    assert [e["what"] for e in entries] == ["report_detailed"]
    assert entries[0]["detailed"] is True and entries[0]["sites"] == ["K1"]
    path = tmp_path / "d.gpkg"
    path.write_bytes(render(report, "gpkg"))
    layer = pyogrio.read_dataframe(path, layer="customers")
    assert len(layer) == 150 and "respondent_id" in layer.columns
    wb = load_workbook(io.BytesIO(render(report, "xlsx")))
    assert "Customers (personal data)" in wb.sheetnames
    assert "Rows to review (personal data)" in wb.sheetnames
    html = render(report, "html").decode()
    assert "INTERNAL: this report contains personal data" in html


def test_default_report_logs_nothing_and_has_no_customer_layer() -> None:
    project = demo_project().copy()
    before = len(project.log)
    report = build_report(project, sections=["summary"], charts=False)
    assert len(project.log) == before
    assert "customers" not in report.layers
    assert not report.detailed


# --------------------------------------------------------------------------------------------
# User text is inert: HTML/PDF escaping and spreadsheet formulas


@pytest.fixture(scope="module")
def hostile_report() -> object:
    from shapely.geometry import Point

    project = demo_project().copy()
    comp = project.layers["competitors"].copy()
    comp.loc[comp["store_id"] == "C10", "name"] = XSS_STORE  # the store nearest the site
    for i, text in enumerate(FORMULAS):
        comp.loc[comp.index[i], "name"] = text
    comp.loc[comp["store_id"] == "C13", "name"] = "S-Market $x^2$ Kasarmitori"
    project.layers["competitors"] = comp
    project.layers["candidates"] = gpd.GeoDataFrame(
        {"store_id": ["K9"], "name": [XSS_SITE], "format": ["supermarket"],
         "floor_area_m2": [1200.0], "address": ["=cmd|' /C calc'!A0"]},
        geometry=[Point(24.9520141, 60.1741836)], crs="EPSG:4326",
    )  # fmt: skip
    inputs = demo_scenario_inputs("K9", 1200.0)
    inputs["name"] = XSS_SCENARIO
    project.scenarios = {"K9": inputs}
    # the sections where these names appear: map tooltips, store tables and charts, scenario
    return build_report(project, sections=["trade_area", "competition", "huff", "pricing"])


def test_html_escapes_store_site_and_scenario_names(hostile_report: object) -> None:
    html = render(hostile_report, "html").decode("utf-8")
    for payload in (XSS_STORE, XSS_SITE, XSS_SCENARIO):
        assert payload not in html
    from markupsafe import escape

    for payload in (XSS_STORE, XSS_SITE, XSS_SCENARIO):
        assert str(escape(payload)) in html  # shown, as text
    # inside the map frame (srcdoc, escaped once more) the tooltip is still text
    srcdoc = htmllib.unescape(re.search(r'srcdoc="([^"]*)"', html).group(1))
    assert XSS_STORE not in srcdoc and "<script>alert" not in srcdoc
    assert '<script>alert("site")' not in srcdoc


@pytest.mark.skipif(not have_poppler(), reason="poppler-utils not installed")
def test_pdf_shows_hostile_names_as_text(hostile_report: object, tmp_path: Path) -> None:
    text = " ".join(pdf_text(render(hostile_report, "pdf"), tmp_path).split())
    assert XSS_STORE in text
    assert '<script>alert("site")</script>K9' in text
    assert XSS_SCENARIO in text


def test_xlsx_neutralises_formulas(hostile_report: object) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(render(hostile_report, "xlsx")))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for formula in FORMULAS:
        assert "'" + formula in texts, formula
        assert formula not in texts
    assert "'=cmd|' /C calc'!A0" in texts


@pytest.mark.browser
def test_hostile_report_runs_no_script_in_a_browser(hostile_report: object, page: object) -> None:
    page.set_content(render(hostile_report, "html").decode("utf-8"), wait_until="load")
    page.wait_for_timeout(2500)
    assert page.network_log.dialogs == []
    body = page.inner_text("body")
    assert XSS_STORE in body and XSS_SITE in body
    assert page.network_log.external == []
    frame = page.frames[1]
    assert frame.locator(".leaflet-pane").count() > 0  # the offline map drew
