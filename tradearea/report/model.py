"""The report model: sites, sections, figures and the report that every output renders."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea.privacy import DEFAULT_K
from tradearea.project.sites import Site

# Section keys in report order, with their English and Chinese titles.
SITE_SECTIONS: dict[str, tuple[str, str]] = {
    "summary": ("Summary", "摘要"),
    "trade_area": ("Trade area", "商圈"),
    "demand": ("Demand and spending", "需求与消费"),
    "competition": ("Competitors and saturation (IRS)", "竞争与零售饱和指数"),
    "huff": ("Sales forecast (Huff)", "销售预测（哈夫模型）"),
    "crm": ("CRM segments by tier", "会员分层与商圈"),
    "pricing": ("Pricing and scenarios", "租售定价与情景"),
    "scorecard": ("Site scorecard and taboo checklist", "选址评分与禁忌检查"),
}
PROJECT_SECTIONS: dict[str, tuple[str, str]] = {
    "data_quality": ("Data quality", "数据质量"),
    "assumptions": ("Assumptions and parameters", "假设与参数"),
    "sources": ("Sources and attribution", "数据来源与版权"),
}
COMPARISON: tuple[str, str] = ("Site comparison", "选址比较")
# A table column naming, per row, how that row's numbers are shown (``int``, ``pct`` ... or
# ``text``), for tables whose rows are different figures. The XLSX writes the numbers with the
# row's format and leaves the column out; such tables give the HTML and PDF a ``display`` text.
ROW_FORMAT = "_format"
SECTION_KEYS: tuple[str, ...] = (*SITE_SECTIONS, *PROJECT_SECTIONS)
FORMATS: tuple[str, ...] = ("pdf", "html", "xlsx", "gpkg")


@dataclass
class Figure:
    """One headline number with its labels and how to show it.

    Attributes
    ----------
    value : float or None
        The number as the library computed it (None when not available).
    label, label_zh : str
        English and Chinese labels.
    kind : str
        ``int``, ``money``, ``money2``, ``pct``, ``float1``, ``float2``, ``years`` or ``text``.
    unit : str
        Unit shown after the number (``EUR/year``, ``households`` ...).
    """

    value: Any
    label: str
    label_zh: str = ""
    kind: str = "float2"
    unit: str = ""

    @property
    def text(self) -> str:
        """The value formatted for people, with its unit."""
        return format_value(self.value, self.kind, unit=self.unit)


@dataclass
class Section:
    """One part of the report, built by a ``section_xxx`` function.

    Attributes
    ----------
    key : str
        The section key (``trade_area`` ...).
    title, title_zh : str
        Headings.
    available : bool
        False when the module it needs is missing or failed; ``reason`` says why.
    reason : str
        Why the section is not available.
    figures : dict of str to Figure
        Headline numbers.
    tables : dict of str to pandas.DataFrame
        Tables by caption (no personal data unless the report is detailed).
    charts : dict of str to bytes
        PNG images by caption.
    notes : list of str
        Short remarks shown under the section.
    layers : dict of str to geopandas.GeoDataFrame
        Map layers the section adds (for the interactive map and the GeoPackage).
    xlsx_only : set of str
        Captions of tables too long or too detailed for the HTML and PDF (XLSX has them).
    display : dict of str to pandas.DataFrame
        Shorter versions of some tables for the HTML and PDF (the XLSX has the full ones).
    site_id : str or None
        The site the section is about (None for report-wide sections).
    """

    key: str
    title: str
    title_zh: str = ""
    available: bool = True
    reason: str = ""
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    xlsx_only: set[str] = field(default_factory=set)
    display: dict[str, pd.DataFrame] = field(default_factory=dict)
    site_id: str | None = None

    def figure(self, key: str) -> Any:
        """Return the value of figure ``key`` (None if absent)."""
        fig = self.figures.get(key)
        return None if fig is None else fig.value


@dataclass
class Report:
    """A site report for one candidate, or a comparison of several, ready to render.

    Attributes
    ----------
    title : str
        Report title.
    project_name, region : str
        The project and its region pack.
    generated_at : str
        UTC time of the build (ISO 8601).
    currency : str
        Currency code of money figures.
    sites : list of Site
        The sites, in report order.
    site_sections : dict of str to list of Section
        Per site id, its sections in order.
    project_sections : list of Section
        Report-wide sections (data quality, assumptions, sources).
    comparison : Section or None
        The side-by-side table when the report has several sites.
    layers : dict of str to geopandas.GeoDataFrame
        The GeoPackage layers (trade areas, stores, competitors, candidates, customers_h3, and
        customers only when detailed).
    detailed : bool
        The report holds personal data (internal use only).
    k : int
        Smallest customer count shown on a map cell.
    attribution : str
        The OpenStreetMap attribution of the region data.
    project : Any
        The project it was built from (not rendered).
    """

    title: str
    project_name: str
    region: str
    generated_at: str
    currency: str = "EUR"
    sites: list[Site] = field(default_factory=list)
    site_sections: dict[str, list[Section]] = field(default_factory=dict)
    project_sections: list[Section] = field(default_factory=list)
    comparison: Section | None = None
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    detailed: bool = False
    k: int = DEFAULT_K
    attribution: str = ""
    project: Any = field(default=None, repr=False)

    def sections(self) -> list[Section]:
        """Return every section in report order (comparison, per site, then report-wide)."""
        out: list[Section] = [self.comparison] if self.comparison is not None else []
        for site in self.sites:
            out.extend(self.site_sections.get(site.site_id, []))
        return out + list(self.project_sections)

    def section(self, key: str, site_id: str | None = None) -> Section | None:
        """Return the section ``key`` (of ``site_id``, or of the first site), or None."""
        if key in PROJECT_SECTIONS:
            return next((s for s in self.project_sections if s.key == key), None)
        if key == "comparison":
            return self.comparison
        sid = site_id if site_id is not None else (self.sites[0].site_id if self.sites else None)
        if sid is None:
            return None
        return next((s for s in self.site_sections.get(sid, []) if s.key == key), None)

    def site(self, site_id: str) -> Site:
        """Return the site with id ``site_id``."""
        for s in self.sites:
            if s.site_id == site_id:
                return s
        msg = f"no site {site_id!r} in the report"
        raise KeyError(msg)

    def availability(self) -> dict[str, str]:
        """Return ``{section label: reason}`` for sections that are not available."""
        out = {}
        for s in self.sections():
            if not s.available:
                label = s.key if s.site_id is None else f"{s.key} ({s.site_id})"
                out[label] = s.reason
        return out


def unavailable(key: str, reason: str, *, site_id: str | None = None) -> Section:
    """Return section ``key`` marked not available with ``reason``."""
    title, title_zh = {**SITE_SECTIONS, **PROJECT_SECTIONS}.get(key, (key, ""))
    return Section(
        key=key, title=title, title_zh=title_zh, available=False, reason=reason, site_id=site_id
    )


def new_section(key: str, *, site_id: str | None = None) -> Section:
    """Return an empty, available section ``key`` with its titles."""
    title, title_zh = {**SITE_SECTIONS, **PROJECT_SECTIONS}.get(key, (key, ""))
    return Section(key=key, title=title, title_zh=title_zh, site_id=site_id)


# --------------------------------------------------------------------------------------------
# Formatting shared by HTML, PDF and XLSX

_PCT_WORDS = ("share", "penetration", "irr", "probability", "_pct_frac", "yield", "ratio")
_MONEY_WORDS = (
    "sales", "demand", "spend", "revenue", "potential", "npv", "transfer", "value", "clv",
    "rent_per_year", "cash", "land", "construction", "proceeds", "cost", "rent", "net",
    "cumulative", "equity", "price", "capacity",
)  # fmt: skip
_INT_WORDS = (
    "households", "population", "customers", "count", "stores", "respondents", "rows",
    "cells", "features", "floor_area", "area_m2", "dwellings", "zones", "in_tiers",
    "outliers", "placed",
)  # fmt: skip


def column_kind(name: str, series: pd.Series | None = None) -> str:
    """Return how to show a column (``pct``, ``money``, ``int``, ``float2``, ``text``)."""
    if series is not None and not (
        pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    ):
        return "text"
    low = str(name).lower()
    if low.endswith("_pct") or low == "pct":
        return "float1"
    if any(w in low for w in _PCT_WORDS):
        return "pct"
    if low in ("tier", "year", "rank", "level") or low.endswith("_id"):
        return "int"
    if low.endswith("_m2_month") or low.startswith("irs") or low.endswith("per_m2"):
        return "money2"
    if any(w in low for w in _INT_WORDS):
        return "int"
    if any(w in low for w in _MONEY_WORDS):
        return "money"
    if low.endswith(("_years", "_km2", "km2", "_years_")):
        return "float2"
    return "float2"


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def format_value(value: Any, kind: str = "float2", *, unit: str = "") -> str:
    """Format a number for people: thousands separators, percents, fixed decimals.

    Parameters
    ----------
    value : Any
        The value (None, NaN and inf show as "–" or "∞").
    kind : str
        ``int``, ``money``, ``money2``, ``pct``, ``float1``, ``float2``, ``years``, ``text``.
    unit : str
        Appended after a space.

    Returns
    -------
    str
        The text.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if kind == "text" or isinstance(value, str | bool | np.bool_):
        return str(value)
    if isinstance(value, float | np.floating) and math.isinf(value):
        text = "∞" if value > 0 else "−∞"
    elif not _finite(value):
        return str(value)
    else:
        v = float(value)
        if kind in ("int", "money"):
            text = f"{v:,.0f}"
        elif kind == "pct":
            text = f"{v * 100:,.1f} %"
        elif kind in ("float1", "years"):
            text = f"{v:,.1f}"
        else:
            text = f"{v:,.2f}"
        if text.startswith("-0") and float(text.replace(",", "").split()[0]) == 0:
            text = text[1:]
    return f"{text} {unit}".strip() if unit else text
