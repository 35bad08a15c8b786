"""Decision sections of a site: pricing, scorecard and taboos, the summary and the comparison."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from tradearea.project.analysis import ProjectAnalysis, SiteAnalysis
from tradearea.report import charts
from tradearea.report._guard import guarded, money_unit, site_analysis
from tradearea.report.model import COMPARISON, Figure, Section, Site, format_value, new_section

# Summary figures: (source section, figure key) in the order a manager reads them.
DECISION_FIGURES: tuple[tuple[str, str], ...] = (
    ("trade_area", "households_primary"),
    ("trade_area", "households_total"),
    ("huff", "expected_sales"),
    ("huff", "market_share"),
    ("competition", "irs_without"),
    ("competition", "irs_with"),
    ("huff", "cannibalisation_share"),
    ("pricing", "rent_capacity"),
    ("pricing", "scenario_rent"),
    ("pricing", "irr"),
    ("pricing", "payback_years"),
    ("pricing", "npv"),
    ("scorecard", "taboos"),
)


# --------------------------------------------------------------------------------------------
# Pricing


@guarded("pricing")
def section_pricing(project: Any, site: Site, *, ctx: ProjectAnalysis | None = None) -> Section:
    """Rent the trade area can carry, the scenario's returns, cash flows and sensitivity."""
    sa = site_analysis(project, site, ctx)
    ctx = sa.ctx
    pr = sa.pricing()
    result = pr["result"]
    rent, price = result["rent"], result["price"]
    metrics = result["investment"]["metrics"]
    cur = ctx.currency
    sec = new_section("pricing", site_id=site.site_id)
    per_m2_month = f"{cur}/m²/month"
    sec.figures["rent_capacity"] = Figure(
        rent.get("capacity"), "Rent capacity", "租金承受力", "money2", per_m2_month
    )
    sec.figures["scenario_rent"] = Figure(
        rent.get("scenario"), "Scenario rent", "情景租金", "money2", per_m2_month
    )
    sec.figures["irr"] = Figure(metrics.get("irr"), "Project IRR", "内部收益率", "pct")
    sec.figures["npv"] = Figure(
        metrics.get("npv"),
        f"NPV at {pr['scenario'].finance.discount_rate:.1%}",
        "净现值",
        "money",
        cur,
    )
    sec.figures["payback_years"] = Figure(
        metrics.get("payback_years"), "Payback period", "投资回收期", "years", "years"
    )
    sec.figures["tenant_sales"] = Figure(
        rent.get("tenant_sales_per_year"), "Tenant sales", "租户销售额", "money", money_unit(ctx)
    )
    rows = [
        ("Sale price, cost method (short term)", price.get("cost_short_term"), f"{cur}/m²"),
        ("Sale price, cost method (long term)", price.get("cost_long_term"), f"{cur}/m²"),
        ("Sale price, market method", price.get("market"), f"{cur}/m²"),
        ("Sale price, income method", price.get("income"), f"{cur}/m²"),
        ("Sale price, reconciled", price.get("reconciled"), f"{cur}/m²"),
        ("Sale price in the scenario", price.get("scenario"), f"{cur}/m²"),
        ("Rent from yield", rent.get("yield"), per_m2_month),
        ("Rent for a 6–12 year payback, low", (rent.get("yield_range") or [None])[0], per_m2_month),
        ("Rent for a 6–12 year payback, high", (rent.get("yield_range") or [None, None])[1], per_m2_month),
        ("Rent, market method", rent.get("market"), per_m2_month),
        ("Rent capacity (tenant sales × occupancy-cost ratio)", rent.get("capacity"), per_m2_month),
        ("Rent in the scenario", rent.get("scenario"), per_m2_month),
    ]  # fmt: skip
    sec.tables["Price and rent"] = pd.DataFrame(rows, columns=["measure", "value_per_m2", "unit"])
    flows = pr["cash_flows"]
    sec.tables["Yearly cash flows"] = flows
    moving = [c for c in flows.columns if c == "year" or flows[c].abs().sum() > 0]
    sec.display["Yearly cash flows"] = flows[moving]
    if ctx.draw:
        sec.charts["Cash flows"] = charts.cash_flow_chart(flows, currency=cur)
    tornado = pr["tornado"]
    if len(tornado):
        sec.tables["Sensitivity of IRR (tornado)"] = tornado
        sec.display["Sensitivity of IRR (tornado)"] = (
            tornado[["input", "low_value", "high_value", "low", "high"]]
            .rename(columns={"low": "irr_at_low", "high": "irr_at_high"})
            .head(8)
        )
        if ctx.draw:
            sec.charts["Sensitivity of IRR"] = charts.tornado_chart(tornado)
    if pr["compare"] is not None:
        sec.tables["Scenarios side by side"] = pr["compare"]
    sec.tables["Scenario inputs"] = _scenario_inputs(pr["scenario"])
    sec.xlsx_only.add("Scenario inputs")
    affordable = rent.get("affordable")
    if affordable is not None:
        sec.notes.append(
            "The trade area can carry the scenario rent."
            if affordable
            else "The scenario rent is above what the trade area can carry."
        )
    sec.notes.append(
        f"Scenario: {pr['scenario'].name} ({pr['source']}); occupancy-cost ratio "
        f"{rent.get('occupancy_cost_ratio', float('nan')):.1%} of tenant sales "
        f"({rent.get('tenant_sales_source') or 'no sales'})."
    )
    sec.notes.extend(pr["notes"])
    return sec


def _scenario_inputs(scenario: Any) -> pd.DataFrame:
    data = scenario.model_dump(mode="json")
    rows = []
    for group, values in data.items():
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            if isinstance(value, int | float | str | bool) or value is None:
                rows.append(
                    {"input": f"{group}.{key}", "value": "" if value is None else str(value)}
                )
    floors = data.get("site", {}).get("floors") or []
    for floor in floors:
        rows.append({"input": f"floor {floor.get('name')}", "value": f"{floor.get('area_m2')} m²"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Scorecard and taboos


def scorecard_factors(sa: SiteAnalysis) -> dict[str, float]:
    """Return the scorecard factors of a site (NaN where a figure is not available)."""

    def get(func: Callable[[], Any]) -> float:
        try:
            value = func()
            return float(value) if value is not None else float("nan")
        except Exception:  # a missing figure scores 0, as tradearea.sites.scorecard does
            return float("nan")

    def primary_stores() -> float:
        ring = sa.irs()["ring"]
        return float(ring.loc[ring["tier"] == 1, "stores"].sum())

    return {
        "households_primary": get(
            lambda: sa.tier_demand().loc[lambda t: t["tier"] == 1, "households"].sum()
        ),
        "expected_sales": get(lambda: sa.forecast().expected_sales),
        "irs_after": get(
            lambda: sa.irs()["cumulative"].sort_values("tier")["irs_with_candidate"].iloc[-1]
        ),
        "competitors_primary": get(primary_stores),
        "transit_stops": get(sa.transit_stops),
        "irr": get(lambda: sa.pricing()["result"]["investment"]["metrics"]["irr"]),
        "taboos": get(lambda: int((sa.taboos()["status"] == "taboo").sum())),
    }


def score_sites(ctx: ProjectAnalysis, sites: list[Site]) -> pd.DataFrame | None:
    """Score the sites against each other (tradearea.sites.scorecard); None for one site."""
    if len(sites) < 2:
        return None
    from tradearea.sites import scorecard

    factors = pd.DataFrame({s.site_id: scorecard_factors(ctx.site(s)) for s in sites}).T.replace(
        [np.inf, -np.inf], np.nan
    )
    scores = scorecard(factors)
    return pd.concat([factors, scores], axis=1)


@guarded("scorecard")
def section_scorecard(
    project: Any,
    site: Site,
    *,
    ctx: ProjectAnalysis | None = None,
    scores: pd.DataFrame | None = None,
) -> Section:
    """The taboo checklist of the site, and its scorecard against the other sites."""
    from tradearea.sites import SCORECARD_FACTORS

    sa = site_analysis(project, site, ctx)
    sec = new_section("scorecard", site_id=site.site_id)
    taboos = sa.taboos()
    sec.tables["Taboo checklist"] = taboos[["item", "item_zh", "auto", "status", "evidence"]]
    sec.display["Taboo checklist"] = pd.DataFrame(
        {
            "item": taboos["item"] + " " + taboos["item_zh"],
            "status": taboos["status"],
            "evidence": taboos["evidence"],
        }
    )
    sec.figures["taboos"] = Figure(
        int((taboos["status"] == "taboo").sum()), "Taboos found", "选址禁忌数", "int"
    )
    sec.figures["unchecked"] = Figure(
        int((taboos["status"] == "unchecked").sum()), "Items to check on site", "待现场核查", "int"
    )
    sec.figures["transit_stops"] = Figure(
        sa.transit_stops(), "Transit stops within 300 m", "300米内公交站", "int"
    )
    factors = scorecard_factors(sa)
    rows = []
    for key, spec in SCORECARD_FACTORS.items():
        score = (
            scores.loc[site.site_id, f"score_{key}"]
            if scores is not None and f"score_{key}" in scores
            else np.nan
        )
        rows.append(
            {
                "factor": spec["label"],
                "factor_zh": spec["label_zh"],
                "value": factors.get(key, np.nan),
                "weight": spec["weight"],
                "score": score,
            }
        )
    sec.tables["Scorecard"] = pd.DataFrame(rows)
    if scores is not None:
        sec.figures["score_total"] = Figure(
            float(scores.loc[site.site_id, "total"]), "Score (0–100)", "综合得分", "float1"
        )
        sec.figures["rank"] = Figure(
            int(scores.loc[site.site_id, "rank"]), f"Rank of {len(scores)}", "排名", "int"
        )
    else:
        sec.notes.append("Scores rank the sites against each other: report two or more sites.")
    sec.notes.append(
        "Automatic items come from the region's street data; the others are ticked by the user "
        "(project setting taboo_ticks) or checked on site."
    )
    return sec


# --------------------------------------------------------------------------------------------
# Summary and comparison


@guarded("summary")
def section_summary(
    project: Any,
    site: Site,
    *,
    ctx: ProjectAnalysis | None = None,
    parts: Mapping[str, Section] | None = None,
    build: Mapping[str, Callable[..., Section]] | None = None,
) -> Section:
    """The decision figures of the site, taken from its other sections."""
    sa = site_analysis(project, site, ctx)
    parts = dict(parts or {})
    build = dict(build or {})
    sec = new_section("summary", site_id=site.site_id)
    missing: dict[str, str] = {}
    for source, key in DECISION_FIGURES:
        if source not in parts and source in build:
            parts[source] = build[source](project, site, ctx=sa.ctx)
        part = parts.get(source)
        if part is None:
            continue
        if not part.available:
            missing[part.title] = part.reason
            continue
        if key in part.figures:
            sec.figures[key] = part.figures[key]
    sec.tables["Decision figures"] = pd.DataFrame(
        [
            {"figure": f.label, "figure_zh": f.label_zh, "value": f.text}
            for f in sec.figures.values()
        ]
    )
    sec.xlsx_only.add("Decision figures")
    where = site.address or f"{site.lat:.5f}, {site.lon:.5f}"
    kind = "Candidate site" if site.kind == "candidate" else "Existing own store"
    sec.notes.append(
        f"{kind} {site.name} at {where}: {site.format}, {site.floor_area_m2:,.0f} m² sales floor "
        f"({site.floor_area_source})."
    )
    for title, reason in missing.items():
        sec.notes.append(f"{title}: not available: {reason}")
    return sec


def section_comparison(
    summaries: Mapping[str, Section], sites: list[Site], scores: pd.DataFrame | None
) -> Section:
    """Side-by-side decision figures of several sites, with their scorecard totals."""
    sec = Section(key="comparison", title=COMPARISON[0], title_zh=COMPARISON[1])
    label = site_labels(sites)
    labels: dict[str, str] = {}
    for _source, key in DECISION_FIGURES:
        for s in sites:
            fig = summaries.get(s.site_id, Section(key="", title="")).figures.get(key)
            if fig is not None:
                labels.setdefault(key, fig.label)
    rows = []
    for key, text in labels.items():
        row = {"figure": text}
        for s in sites:
            fig = summaries.get(s.site_id, Section(key="", title="")).figures.get(key)
            row[label[s.site_id]] = fig.text if fig is not None else "–"
        rows.append(row)
    if scores is not None:
        rows.append(
            {
                "figure": "Score (0–100)",
                **{label[s.site_id]: f"{scores.loc[s.site_id, 'total']:.1f}" for s in sites},
            }
        )
        rows.append(
            {
                "figure": "Rank",
                **{label[s.site_id]: str(int(scores.loc[s.site_id, "rank"])) for s in sites},
            }
        )
    sec.tables["Sites side by side"] = pd.DataFrame(rows)
    if scores is not None:
        table = scores.copy()
        table.insert(
            0, "site", [next(s.name for s in sites if s.site_id == i) for i in table.index]
        )
        sec.tables["Scorecard"] = table.reset_index(names="site_id")
        sec.display["Scorecard"] = _scorecard_by_factor(scores, sites, label)
    return sec


def _scorecard_by_factor(
    scores: pd.DataFrame, sites: list[Site], label: dict[str, str]
) -> pd.DataFrame:
    """The scorecard turned round: one row per factor, a value and a score column per site."""
    from tradearea.sites import SCORECARD_FACTORS

    rows = []
    for key, spec in SCORECARD_FACTORS.items():
        if key not in scores:
            continue
        row: dict[str, Any] = {"factor": f"{spec['label']} (weight {spec['weight']})"}
        for s in sites:
            value = scores.loc[s.site_id, key]
            row[label[s.site_id]] = format_value(value, "pct" if key == "irr" else "int")
            row[f"{label[s.site_id]} score"] = format_value(
                scores.loc[s.site_id, f"score_{key}"], "float1"
            )
        rows.append(row)
    rows.append(
        {"factor": "Total (0–100)", **{label[s.site_id]: "" for s in sites},
         **{f"{label[s.site_id]} score": format_value(scores.loc[s.site_id, "total"], "float1") for s in sites}}
    )  # fmt: skip
    return pd.DataFrame(rows)


def site_labels(sites: list[Site]) -> dict[str, str]:
    """Column labels for sites: the name, with the id where two sites share a name."""
    names = [s.name for s in sites]
    return {
        s.site_id: s.name if names.count(s.name) == 1 else f"{s.name} ({s.site_id})" for s in sites
    }
