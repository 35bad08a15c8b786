"""Decision sections of a site: pricing, scorecard, verdict and taboos, summary and comparison."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tradearea.project.analysis import ProjectAnalysis
from tradearea.project.decision import (
    SURFACE_RADIUS_M,
    decision_factors,
    number_or_nan,
    site_decision,
    tenant_side,
)
from tradearea.report import charts
from tradearea.report._guard import guarded, money_unit, site_analysis
from tradearea.report.model import (
    COMPARISON,
    ROW_FORMAT,
    Figure,
    Section,
    Site,
    format_value,
    new_section,
)
from tradearea.sites import (
    SCORECARD_FACTORS,
    IrsReference,
    Verdict,
    scorecard_table,
)

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

# Summary figures: (source section, figure key) in the order a manager reads them.
DECISION_FIGURES: tuple[tuple[str, str], ...] = (
    ("trade_area", "households_primary"),
    ("trade_area", "households_total"),
    ("huff", "expected_sales"),
    ("huff", "market_share"),
    ("competition", "irs_without"),
    ("competition", "irs_with"),
    ("huff", "cannibalisation_share"),
    ("scorecard", "irs_reference"),
    ("pricing", "rent_capacity"),
    ("pricing", "scenario_rent"),
    ("pricing", "rent_headroom"),
    ("pricing", "occupancy_cost_ratio"),
    ("pricing", "irr"),
    ("pricing", "payback_years"),
    ("pricing", "npv"),
    ("scorecard", "taboos"),
    ("scorecard", "verdict"),
)


# --------------------------------------------------------------------------------------------
# Pricing


@guarded("pricing")
def section_pricing(project: Project, site: Site, *, ctx: ProjectAnalysis | None = None) -> Section:
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
        rent.get("capacity"), "Tenant: rent capacity", "租户：租金承受力", "money2", per_m2_month
    )
    sec.figures["scenario_rent"] = Figure(
        rent.get("scenario"), "Tested rent (scenario)", "测试租金（情景）", "money2", per_m2_month
    )
    tenant = tenant_side(rent)
    sec.figures["rent_headroom"] = Figure(
        tenant["rent_headroom"],
        "Tenant: rent headroom (capacity − tested rent)",
        "租户：租金余量（承受力 − 测试租金）",
        "money2",
        per_m2_month,
    )
    threshold = tenant["occupancy_threshold"]
    sec.figures["occupancy_cost_ratio"] = Figure(
        tenant["occupancy_cost_ratio"],
        "Tenant: occupancy-cost ratio (rent ÷ sales"
        + (f"; the format carries {threshold:.1%})" if math.isfinite(threshold) else ")"),
        "租户：租售比（租金 ÷ 销售额）",
        "pct",
    )
    sec.figures["irr"] = Figure(
        metrics.get("irr"), "Landlord: project IRR", "业主：内部收益率", "pct"
    )
    sec.figures["npv"] = Figure(
        metrics.get("npv"),
        f"Landlord: NPV at {pr['scenario'].finance.discount_rate:.1%}",
        "业主：净现值",
        "money",
        cur,
    )
    sec.figures["payback_years"] = Figure(
        metrics.get("payback_years"),
        "Landlord: payback period",
        "业主：投资回收期",
        "years",
        "years",
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
    sec.notes.append(
        "Tenant figures ask whether the trade area's sales carry the rent; landlord figures "
        "(IRR, NPV, payback) rise with the rent. The scorecard ranks on the tenant's side only."
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


@guarded("scorecard")
def section_scorecard(
    project: Project,
    site: Site,
    *,
    ctx: ProjectAnalysis | None = None,
    scores: pd.DataFrame | None = None,
) -> Section:
    """The taboo checklist, the verdict with its reasons, IRS in context and the scorecard."""
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
    mine = scores is not None and site.site_id in scores.index
    row = scores.loc[site.site_id] if mine and scores is not None else None
    factors = decision_factors(sa)
    others: list[float] = []
    if scores is not None and "irs_after" in scores:
        others = scores["irs_after"].drop(index=site.site_id, errors="ignore").tolist()
    decision = site_decision(sa, others=others, factors=factors)
    verdict: Verdict = decision["verdict"]
    sec.figures["verdict"] = Figure(verdict.label_en, "Verdict", "结论", "text")
    region, near = decision["irs_region"], decision["irs_sites"]
    reading = region if region is not None and region.n else near
    if reading is not None:
        sec.figures["irs_reference"] = Figure(
            f"{format_value(factors['irs_after'], 'money2')}: {reading.label_en}",
            "IRS after opening, in context",
            "开业后饱和指数（对比）",
            "text",
        )
    sec.tables["Verdict and reasons"] = verdict.table()
    sec.tables["IRS in context"] = _irs_table(factors, region, near, sa.ctx.irs_period)
    sec.display["IRS in context"] = (
        sec.tables["IRS in context"]
        .drop(columns="percentile")
        .assign(
            percentile=[format_value(v, "pct") for v in sec.tables["IRS in context"]["percentile"]]
        )
    )
    rows = scorecard_table(factors, None if row is None else row.to_dict())
    rows = rows.rename(columns={"kind": ROW_FORMAT})
    sec.tables["Scorecard"] = rows
    sec.display["Scorecard"] = _display(rows)
    if row is not None and scores is not None:
        for key, label, label_zh in (
            ("tenant_score", "Tenant score (0–100)", "租户得分"),
            (
                "landlord_score",
                "Landlord score (0–100, not in the total)",
                "业主得分（不计入总分）",
            ),
            ("total", "Score (0–100)", "综合得分"),
        ):
            fig_key = "score_total" if key == "total" else key
            sec.figures[fig_key] = Figure(number_or_nan(row[key]), label, label_zh, "float1")
        sec.figures["rank"] = Figure(int(row["rank"]), f"Rank of {len(scores)}", "排名", "int")
    else:
        sec.notes.append("Scores rank the sites against each other: report two or more sites.")
    sec.notes.append(f"Verdict: {verdict.text()}")
    sec.notes.extend(decision["notes"])
    sec.notes.append(
        "The total scores the market, the site and the tenant's side (rent headroom, "
        "occupancy-cost ratio). The landlord's return (IRR, payback) is scored apart and never "
        "counts in the total: it rises with the rent. A site whose rent is above what its trade "
        "area carries ranks after the sites that carry theirs."
    )
    sec.notes.append(
        "Automatic items come from the region's street data; the others are ticked by the user "
        "(project setting taboo_ticks) or checked on site."
    )
    return sec


def _irs_table(
    factors: Mapping[str, float],
    region: IrsReference | None,
    near: IrsReference | None,
    period: str,
) -> pd.DataFrame:
    rows = []
    for ref, what in (
        (
            region,
            f"the region's populated cells (existing stores within {SURFACE_RADIUS_M:,.0f} m)",
        ),
        (near, "the other sites of the report (IRS after opening)"),
    ):
        if ref is None:
            continue
        rows.append(
            {
                "reference": what,
                "irs_after": factors.get("irs_after", np.nan),
                "period": period,
                "percentile": ref.below,
                "cells_or_sites": ref.n,
                "reading": ref.label_en,
                "reading_zh": ref.label_zh,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["reference", "irs_after", "period", "percentile", "cells_or_sites", "reading",
                 "reading_zh"],
    )  # fmt: skip


def _display(rows: pd.DataFrame) -> pd.DataFrame:
    """A per-row formatted table as text for the HTML and PDF (the XLSX keeps the numbers)."""
    out = rows.drop(columns=ROW_FORMAT).astype(object)
    for i, kind in enumerate(rows[ROW_FORMAT]):
        out.iloc[i, out.columns.get_loc("value")] = format_value(rows["value"].iloc[i], kind)
    for col in ("weight", "score"):
        if col in out:
            out[col] = [format_value(v, "float1" if col == "score" else "int") for v in rows[col]]
    return out


# --------------------------------------------------------------------------------------------
# Summary and comparison


@guarded("summary")
def section_summary(
    project: Project,
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
    table = pd.DataFrame(
        [
            {
                "figure": f.label,
                "figure_zh": f.label_zh,
                "value": f.value,
                "unit": f.unit,
                "shown_as": _shown_as(f),
                ROW_FORMAT: f.kind,
            }
            for f in sec.figures.values()
        ],
        columns=["figure", "figure_zh", "value", "unit", "shown_as", ROW_FORMAT],
    )
    sec.tables["Decision figures"] = table
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


def _shown_as(fig: Figure) -> str:
    """The figure as a person reads it; an infinite IRS says what it means instead of ∞."""
    value = fig.value
    if isinstance(value, float | np.floating) and np.isinf(value):
        return "undefined: no competing floor area"
    return fig.text


def section_comparison(
    summaries: Mapping[str, Section], sites: list[Site], scores: pd.DataFrame | None
) -> Section:
    """Side-by-side decision figures, scores and verdicts of several sites."""
    sec = Section(key="comparison", title=COMPARISON[0], title_zh=COMPARISON[1])
    label = site_labels(sites)
    empty = Section(key="", title="")
    specs: dict[str, Figure] = {}
    for _source, key in DECISION_FIGURES:
        for s in sites:
            fig = summaries.get(s.site_id, empty).figures.get(key)
            if fig is not None:
                specs.setdefault(key, fig)
    rows: list[dict[str, Any]] = []
    for key, spec in specs.items():
        row: dict[str, Any] = {"figure": spec.label, "unit": spec.unit, ROW_FORMAT: spec.kind}
        for s in sites:
            fig = summaries.get(s.site_id, empty).figures.get(key)
            row[label[s.site_id]] = fig.value if fig is not None else None
        rows.append(row)
    if scores is not None:
        for key, text, kind in (
            ("tenant_score", "Tenant score (0–100)", "float1"),
            ("landlord_score", "Landlord score (0–100, not in the total)", "float1"),
            ("total", "Score (0–100): market, site and tenant", "float1"),
            ("rank", "Rank", "int"),
        ):
            if key in scores:
                rows.append(
                    {"figure": text, "unit": "", ROW_FORMAT: kind,
                     **{label[s.site_id]: scores.loc[s.site_id, key] for s in sites}}
                )  # fmt: skip
    columns = ["figure", "unit", *(label[s.site_id] for s in sites), ROW_FORMAT]
    table = pd.DataFrame(rows, columns=columns)
    sec.tables["Sites side by side"] = table
    shown = pd.DataFrame({"figure": table["figure"]})
    for s in sites:
        shown[label[s.site_id]] = [
            format_value(v, k, unit=u)
            for v, k, u in zip(
                table[label[s.site_id]], table[ROW_FORMAT], table["unit"], strict=True
            )
        ]
    sec.display["Sites side by side"] = shown
    if scores is not None:
        full = scores.copy()
        full.insert(0, "site", [next(s.name for s in sites if s.site_id == i) for i in full.index])
        sec.tables["Scorecard"] = full.reset_index(names="site_id")
        sec.display["Scorecard"] = _scorecard_by_factor(scores, sites, label)
        verdicts = []
        for s in sites:
            if "verdict_reasons" not in scores:
                break
            verdicts.append(
                {
                    "site": label[s.site_id],
                    "verdict": scores.loc[s.site_id, "verdict_label"],
                    "reasons": scores.loc[s.site_id, "verdict_reasons"],
                    "irs_in_context": scores.loc[s.site_id, "irs_reading_region"],
                }
            )
        if verdicts:
            sec.tables["Verdicts and reasons"] = pd.DataFrame(verdicts)
        sec.notes.append(
            "Scores: the total ranks the market, the site and the tenant's side; the landlord's "
            "return is scored apart and never in the total. A site that cannot carry its rent "
            "ranks after those that can."
        )
    return sec


def _scorecard_by_factor(
    scores: pd.DataFrame, sites: list[Site], label: dict[str, str]
) -> pd.DataFrame:
    """The scorecard turned round: one row per factor, a value and a score column per site."""
    rows = []
    for key, spec in SCORECARD_FACTORS.items():
        if f"score_{key}" not in scores:
            continue
        row: dict[str, Any] = {"factor": f"{spec['label']} (weight {spec['weight']})"}
        for s in sites:
            value = scores.loc[s.site_id, key] if key in scores else np.nan
            row[label[s.site_id]] = format_value(value, spec.get("kind", "float2"))
            row[f"{label[s.site_id]} score"] = format_value(
                scores.loc[s.site_id, f"score_{key}"], "float1"
            )
        rows.append(row)
    for key, text in (
        ("tenant_score", "Tenant score (0–100)"),
        ("landlord_score", "Landlord score (0–100, not in the total)"),
        ("total", "Total (0–100): market, site and tenant"),
    ):
        rows.append(
            {"factor": text, **{label[s.site_id]: "" for s in sites},
             **{f"{label[s.site_id]} score": format_value(scores.loc[s.site_id, key], "float1")
                for s in sites}}
        )  # fmt: skip
    return pd.DataFrame(rows)


def site_labels(sites: list[Site]) -> dict[str, str]:
    """Column labels for sites: the name, with the id where two sites share a name."""
    names = [s.name for s in sites]
    return {
        s.site_id: s.name if names.count(s.name) == 1 else f"{s.name} ({s.site_id})" for s in sites
    }
