"""The key figures of a project per site and tier: what ``tradearea summary`` prints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tradearea.project.analysis import ProjectAnalysis

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

__all__ = ["SUMMARY_COLUMNS", "project_summary", "summary_records"]

SUMMARY_COLUMNS = (
    "site_id", "name", "kind", "tier", "tier_name", "method", "customers", "households",
    "population", "demand", "irs_before", "irs_after", "expected_sales", "market_share",
    "cannibalisation_share", "area_km2", "coverage",
)  # fmt: skip


def project_summary(project: Project, *, analysis: ProjectAnalysis | None = None) -> pd.DataFrame:
    """Return the key figures of every site (candidates, then own stores) and tier.

    The figures come from :class:`tradearea.project.analysis.ProjectAnalysis`, the same that
    every app page and every report format show.

    Parameters
    ----------
    project : Project
        The project.
    analysis : ProjectAnalysis, optional
        An analysis of it already made (its cached steps are reused).

    Returns
    -------
    pandas.DataFrame
        One row per site and tier (tier 0 = the whole trade area) with
        :data:`SUMMARY_COLUMNS`: method, survey customers, households, population, demand (a
        year), IRS before and after opening (cumulative to the tier; tier 0 the whole trade
        area), expected sales (a year), market share, cannibalisation share (tier 0), area and
        coverage (share of the area inside the region's data).
    """
    ctx = analysis or ProjectAnalysis(project, draw=False)
    table = ctx.summary()
    for col in SUMMARY_COLUMNS:
        if col not in table:
            table[col] = np.nan
    return table[list(SUMMARY_COLUMNS)]


def summary_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the summary as JSON-ready records (NaN and infinities as None)."""
    out = []
    for row in table.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if isinstance(v, float | np.floating):
                clean[k] = float(v) if np.isfinite(v) else None
            elif isinstance(v, np.integer):
                clean[k] = int(v)
            else:
                clean[k] = v
        out.append(clean)
    return out
