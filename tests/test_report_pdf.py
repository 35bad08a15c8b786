"""The PDF report read back with poppler: headings, page numbers, contents, figures, images."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from _report_support import demo_output, demo_report, have_poppler, pdf_text

from tradearea.report.model import PROJECT_SECTIONS, SITE_SECTIONS, format_value

pytestmark = pytest.mark.skipif(not have_poppler(), reason="poppler-utils not installed")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(demo_output("pdf"))
    return path


@pytest.fixture(scope="module")
def text(pdf: Path) -> str:
    return pdf_text(pdf.read_bytes(), pdf.parent)


def _pages(pdf: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")


def test_every_section_heading_in_english_and_chinese(text: str) -> None:
    flat = " ".join(text.split())
    for en, zh in list(SITE_SECTIONS.values()) + list(PROJECT_SECTIONS.values()):
        assert en in flat, en
        assert zh in flat, zh
    assert "Candidate site: Liisankatu 27 (Kruununhaka)" in flat
    assert "Contents 目录" in flat


def test_page_numbers_and_contents_point_at_the_right_pages(pdf: Path) -> None:
    pages = _pages(pdf)
    pages = [p for p in pages if p.strip()]
    n = len(pages)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert f"Pages:           {n}" in info.stdout or re.search(rf"Pages:\s+{n}\b", info.stdout)
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {n}" in page
    toc = pages[0]
    entries = re.findall(r"(\d+(?:\.\d+)?) ([^.\n]+?) ?\.{3,}\s*(\d+)", toc)
    assert len(entries) >= len(SITE_SECTIONS) + len(PROJECT_SECTIONS)
    for number, title, page in entries:
        target = " ".join(pages[int(page) - 1].split())
        heading = f"{number} {title.strip()}"
        assert heading in target, (heading, page)


def test_key_figures_equal_the_library(text: str) -> None:
    """The numbers printed are the library's numbers, formatted."""
    from tradearea import pricing
    from tradearea.project.demo import demo_scenario_inputs

    flat = " ".join(text.split())
    report = demo_report(charts=True)
    summary = report.section("summary")
    sales = report.section("huff").figure("expected_sales")
    scenario = pricing.with_inputs(
        pricing.scenario_from_dict(demo_scenario_inputs(report.sites[0].name, 1200.0)),
        {"market.tenant_sales_per_year": sales},
    )
    metrics = pricing.evaluate(scenario).summary()
    expected = {
        "expected sales": format_value(sales, "money", unit="EUR/year"),
        "IRR": format_value(metrics["irr"], "pct"),
        "payback": format_value(metrics["payback_years"], "years", unit="years"),
        "NPV": format_value(metrics["npv"], "money", unit="EUR"),
        "households": format_value(summary.figure("households_primary"), "int"),
        "IRS with": format_value(summary.figure("irs_with"), "money2", unit="EUR/m²/week"),
        "rent capacity": format_value(summary.figure("rent_capacity"), "money2"),
    }
    for what, shown in expected.items():
        assert shown in flat, (what, shown)
    assert "3,279,917 EUR/year" in flat  # the demo candidate's Huff forecast
    assert "7.5 %" in flat  # its IRR


def test_attribution_and_privacy_note(text: str) -> None:
    flat = " ".join(text.split())
    assert "Map data © OpenStreetMap contributors" in flat
    assert "ODbL" in flat
    assert "no name, address or individual location is included" in flat
    assert "Not available" not in flat  # the demo has every section, CRM included


def test_chinese_font_is_embedded(pdf: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    assert "CJK" in fonts.stdout


def test_pages_render_as_images_with_the_map(pdf: Path, tmp_path: Path) -> None:
    from PIL import Image

    from tradearea.mapping.maps import TIER_COLOURS

    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == len([p for p in _pages(pdf) if p.strip()])
    first = np.asarray(Image.open(images[0]).convert("L"), dtype=float)
    assert first.std() > 5  # not a blank page
    pages = _pages(pdf)
    map_page = next(i for i, p in enumerate(pages) if "Trade-area map" in p)
    rgb = np.asarray(Image.open(images[map_page]).convert("RGB"), dtype=int)

    def near(colour: str) -> int:
        c = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        return int((np.abs(rgb - c).sum(axis=2) < 60).sum())

    # the primary tier (red) is drawn, semi-transparent over the buildings
    blended = "#" + "".join(
        f"{int(0.28 * int(TIER_COLOURS[1][i : i + 2], 16) + 0.72 * 0xD9):02x}" for i in (1, 3, 5)
    )
    assert near(TIER_COLOURS[1]) + near(blended) > 30
