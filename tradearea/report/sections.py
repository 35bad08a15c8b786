"""Report sections of one site: each a small function returning a Section, never raising."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from tradearea.errors import InputError
from tradearea.project.analysis import (
    IRS_AFTER_LABEL,
    IRS_BEFORE_LABEL,
    ProjectAnalysis,
    SiteAnalysis,
    Unavailable,
)
from tradearea.project.workspace import project_data_file
from tradearea.report import charts
from tradearea.report._guard import guarded, money_unit, site_analysis
from tradearea.report.charts import TIER_NAMES
from tradearea.report.model import Figure, Section, Site, new_section

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

# --------------------------------------------------------------------------------------------
# Trade area


@guarded("trade_area")
def section_trade_area(
    project: Project, site: Site, *, ctx: ProjectAnalysis | None = None
) -> Section:
    """Trade-area map and tier table of ``site``."""
    sa = site_analysis(project, site, ctx)
    ctx = sa.ctx
    areas = sa.trade_areas()
    demand = sa.tier_demand()
    sec = new_section("trade_area", site_id=site.site_id)
    table = pd.DataFrame(areas.drop(columns="geometry")).copy()
    table["households"] = demand["households"].to_numpy()
    table["population"] = demand["population"].to_numpy()
    table["area_km2"] = table.pop("area_m2") / 1e6
    keep = [
        "tier", "tier_name", "method", "cutoff", "cutoff_unit", "customers", "weight_share",
        "cumulative_share", "households", "population", "area_km2",
    ]  # fmt: skip
    sec.tables["Tiers"] = table[[c for c in keep if c in table]]
    primary = demand.loc[demand["tier"] == 1, "households"].sum()
    sec.figures["households_primary"] = Figure(
        float(primary), "Households in the primary area", "第一商圈户数", "int", "households"
    )
    sec.figures["households_total"] = Figure(
        float(demand["households"].sum()), "Households in the trade area", "商圈总户数", "int"
    )
    sec.figures["area_km2"] = Figure(
        float(table["area_km2"].sum()), "Trade-area size", "商圈面积", "float2", "km²"
    )
    cells = ctx.customer_cells()
    if ctx.draw:
        sec.charts["Trade-area map"] = charts.site_map(
            ctx.region(),
            site=site,
            areas=areas,
            cells=cells,
            own=ctx.own_stores(),
            competitors=ctx.competitors(),
            k=ctx.k,
        )
    layer = areas.copy()
    layer.insert(1, "site_name", site.name)
    layer["households"] = demand["households"].to_numpy()
    layer["demand"] = demand["demand"].to_numpy()
    sec.layers["trade_areas"] = layer
    method = str(areas["method"].iloc[0]) if len(areas) else ""
    sec.notes.append(_method_note(method, ctx))
    account = areas.attrs.get("account")
    if account:
        sec.notes.append(
            "Survey rows: {input_rows} in, {in_tiers} in the tiers, {outliers} beyond the last "
            "tier, {not_placed} not placed.".format(
                **{k: account.get(k, "–") for k in ("input_rows", "in_tiers", "outliers")},
                not_placed=account.get("not_placed", account.get("unplaced", "–")),
            )
        )
    sec.notes.append(
        f"Customers are shown as counts on H3 cells; cells with fewer than {ctx.k} customers "
        f"are not drawn ({cells.attrs.get('suppressed_cells', 0)} cells, "
        f"{cells.attrs.get('suppressed_customers', 0)} customers)."
    )
    return sec


def _method_note(method: str, ctx: ProjectAnalysis) -> str:
    if method == "huff":
        return (
            "Method: Huff contours. Tier 1 is where the site's modelled market share is at least "
            "30 %, tier 2 at least 10 %, tier 3 at least 5 % (DOMAIN §1 penetration tiers), "
            f"α = {ctx.huff_parameters[0]:g}, β = {ctx.huff_parameters[1]:g}, straight-line "
            "distance; clipped to the region extract."
        )
    if method == "share":
        return (
            "Method: survey shares. Walking outward from the store, the tiers carry 75 / 90 / 95 % "
            "of the surveyed customers' yearly spending (visits × spend per visit × 12)."
        )
    if method == "saved":
        return "Method: the trade areas saved in the project."
    return f"Method: {method}."


# --------------------------------------------------------------------------------------------
# Demand


@guarded("demand")
def section_demand(project: Project, site: Site, *, ctx: ProjectAnalysis | None = None) -> Section:
    """Households, people and spending in each tier of ``site``."""
    sa = site_analysis(project, site, ctx)
    ctx = sa.ctx
    table = sa.tier_demand().copy()
    sec = new_section("demand", site_id=site.site_id)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["households_per_km2"] = np.where(
            table["area_km2"] > 0, table["households"] / table["area_km2"], np.nan
        )
    sec.tables["Demand per tier"] = table
    sec.figures["demand_total"] = Figure(
        float(table["demand"].sum()), "Spending in the trade area", "商圈消费额", "money",
        money_unit(ctx),
    )  # fmt: skip
    sec.figures["spend_per_household"] = Figure(
        ctx.spend(site.format), "Spending per household", "户均消费", "money", money_unit(ctx)
    )
    sec.figures["population_total"] = Figure(
        float(table["population"].sum()), "People in the trade area", "商圈人口", "int"
    )
    if ctx.draw:
        sec.charts["Spending per tier"] = charts.bar_chart(
            table["tier_name"],
            table["demand"],
            title=f"Spending on the category per tier ({money_unit(ctx)})",
            colours=[charts.TIER_COLOURS.get(int(t), charts.NEUTRAL) for t in table["tier"]],
        )
    source = sa.zones().attrs.get("source", "demand zones")
    sec.notes.append(
        f"Households from {source}, shared among the tiers by overlapping area; spending = "
        f"households × {ctx.spend(site.format, 'week'):,.2f} {ctx.currency} per week on the "
        f"category of the format ({site.format}), × 52."
    )
    return sec


# --------------------------------------------------------------------------------------------
# Competition and IRS


@guarded("competition")
def section_competition(
    project: Project, site: Site, *, ctx: ProjectAnalysis | None = None
) -> Section:
    """Competitors in the trade area and the IRS with and without the site."""
    from tradearea.distance import great_circle_m

    sa = site_analysis(project, site, ctx)
    ctx = sa.ctx
    sec = new_section("competition", site_id=site.site_id)
    existing = sa.existing()
    areas = sa.trade_areas()
    comp = existing.copy()
    comp["distance_m"] = great_circle_m(comp["lat"], comp["lon"], site.lat, site.lon)
    tier = np.zeros(len(comp), dtype=int)
    for t, geom in zip(areas["tier"].astype(int), areas.geometry, strict=True):
        if geom is not None and not geom.is_empty:
            lon, lat = comp["lon"].to_numpy(float), comp["lat"].to_numpy(float)
            hit = (tier == 0) & shapely.intersects_xy(geom, lon, lat)
            tier[hit] = t
    comp["tier"] = tier
    cols = [
        "store_id", "name", "brand", "role", "format", "floor_area_m2", "floor_area_source",
        "distance_m", "tier",
    ]  # fmt: skip
    near = comp[[c for c in cols if c in comp]].sort_values("distance_m").reset_index(drop=True)
    sec.tables["Stores near the site"] = near
    shown = near.head(10).assign(
        tier=near["tier"].head(10).map(lambda t: TIER_NAMES.get(int(t), "outside"))
    )
    sec.display["Stores near the site"] = shown[
        [c for c in ("name", "format", "floor_area_m2", "floor_area_source", "distance_m", "tier")
         if c in shown]
    ]  # fmt: skip
    irs = sa.irs()
    per = ctx.irs_period
    unit = f"{ctx.currency}/m²/{per}"
    whole = irs["cumulative"].sort_values("tier").iloc[-1]
    fig = sa.figures()
    sec.figures["irs_without"] = Figure(fig["irs_before"], *IRS_BEFORE_LABEL, "money2", unit)
    sec.figures["irs_with"] = Figure(fig["irs_after"], *IRS_AFTER_LABEL, "money2", unit)
    sec.figures["competitors_in_area"] = Figure(
        int((comp["tier"] > 0).sum()), "Stores in the trade area", "商圈内竞争店", "int"
    )
    sec.figures["floor_area_in_area"] = Figure(
        float(whole["floor_area"]), "Competing floor area", "竞争营业面积", "int", "m²"
    )
    show = [
        "tier", "tier_name", "customers", "spend", "potential", "stores", "floor_area", "irs",
        "floor_area_with_candidate", "irs_with_candidate", "irs_change",
    ]  # fmt: skip
    brief = [
        "tier_name", "customers", "potential", "floor_area", "irs", "floor_area_with_candidate",
        "irs_with_candidate",
    ]  # fmt: skip
    for caption, frame in (
        ("IRS per tier (ring)", irs["ring"]),
        ("IRS out to each tier (cumulative)", irs["cumulative"]),
    ):
        # C of the IRS is households here: name the column so
        sec.tables[caption] = frame[[c for c in show if c in frame]].rename(
            columns={"customers": "households"}
        )
        sec.display[caption] = frame[[c for c in brief if c in frame]].rename(
            columns={"customers": "households"}
        )
    sec.notes.append(
        f"IRS = C × RE / RF (DOMAIN §2): C = households, RE = spending per household per {per} "
        f"on the category, RF = floor area of stores of the same category in the area ({unit}). "
        "Higher is less saturated; ∞ means no competing floor area."
    )
    n_default = int((comp["floor_area_source"] == "format_default").sum())
    if n_default:
        sec.notes.append(
            f"{n_default} store(s) have no known floor area and count with the format default."
        )
    return sec


# --------------------------------------------------------------------------------------------
# Huff forecast


@guarded("huff")
def section_huff(project: Project, site: Site, *, ctx: ProjectAnalysis | None = None) -> Section:
    """Huff forecast: expected sales, market share and cannibalisation of own stores."""
    sa = site_analysis(project, site, ctx)
    ctx = sa.ctx
    fc = sa.forecast()
    tiers = sa.tier_sales()
    sec = new_section("huff", site_id=site.site_id)
    inside = tiers[tiers["tier"] > 0]
    demand_in = float(inside["demand"].sum())
    share = float(inside["expected_sales"].sum()) / demand_in if demand_in > 0 else float("nan")
    sec.figures["expected_sales"] = Figure(
        float(fc.expected_sales), "Expected sales", "预计销售额", "money", money_unit(ctx)
    )
    sec.figures["market_share"] = Figure(
        share, "Market share in the trade area", "商圈市场占有率", "pct"
    )
    sec.figures["from_own"] = Figure(
        float(fc.from_own), "Taken from own stores", "蚕食自有门店", "money", money_unit(ctx)
    )
    sec.figures["cannibalisation_share"] = Figure(
        float(fc.cannibalisation_share), "Cannibalisation share", "蚕食比例", "pct"
    )
    sec.figures["from_competitors"] = Figure(
        float(fc.from_competitors), "Taken from competitors", "来自竞争店", "money", money_unit(ctx)
    )
    sec.tables["Sales and market share per tier"] = tiers
    stores = fc.stores.copy()
    sec.tables["Where the sales come from"] = stores
    sec.display["Where the sales come from"] = stores[
        ["name", "role", "sales_before", "sales_after", "transfer", "transfer_share"]
    ].head(8)
    top = stores[stores["transfer"] > 0].head(8)
    if len(top) and ctx.draw:
        sec.charts["Sales taken from each store"] = charts.bar_chart(
            top["name"],
            top["transfer"],
            title=f"Sales the site takes from each store ({money_unit(ctx)})",
            colours=[charts.NEUTRAL if r == "own" else "#888888" for r in top["role"]],
            horizontal=True,
        )
    what = "opening the site" if site.kind == "candidate" else "the store, compared with closing it"
    sec.notes.append(
        f"Huff model with and without {what}: α = {fc.alpha:g} (floor area), β = {fc.beta:g} "
        "(straight-line distance, minimum 50 m); demand fixed, so the site's sales equal what "
        "the other stores lose. Own stores' losses are cannibalisation."
    )
    sec.notes.extend(fc.notes)
    return sec


# --------------------------------------------------------------------------------------------
# CRM


@guarded("crm")
def section_crm(project: Project, site: Site, *, ctx: ProjectAnalysis | None = None) -> Section:
    """CRM customers by segment and tier (aggregated counts only)."""
    from tradearea import crm

    sa = site_analysis(project, site, ctx)
    ctx = sa.ctx
    customers = _crm_customers(sa)
    areas = sa.trade_areas()
    tiered, overlaps = crm.assign_tiers(customers, areas[["store_id", "tier", "geometry"]])
    table = crm.segment_tier_table(tiered)
    sec = new_section("crm", site_id=site.site_id)
    sec.tables["Customers by segment and tier"] = crm.segment_tier_pivot(table).reset_index()
    sec.tables["Revenue by segment and tier"] = crm.segment_tier_pivot(
        table, value="revenue"
    ).reset_index()
    in_primary = int((tiered["tier_label"].astype(str) == "primary").sum())
    sec.figures["crm_customers"] = Figure(len(tiered), "CRM customers", "会员数", "int")
    sec.figures["crm_primary"] = Figure(in_primary, "In the primary area", "第一商圈会员", "int")
    valuable = tiered["segment"].astype(str).isin(("champions", "loyal"))
    sec.figures["crm_valuable_primary"] = Figure(
        int((valuable & (tiered["tier_label"].astype(str) == "primary")).sum()),
        "Champions and loyal in the primary area", "第一商圈高价值会员", "int",
    )  # fmt: skip
    sec.layers["crm_h3"] = crm.crm_hex_layer(tiered, k=ctx.k)
    sec.notes.append(
        f"Counts only; map cells with fewer than {ctx.k} customers are left out. "
        f"{overlaps} customer(s) fall in areas of more than one store."
    )
    return sec


def _crm_customers(sa: SiteAnalysis) -> pd.DataFrame:
    given = sa.ctx.crm_customers
    if given is not None and len(given):
        return pd.DataFrame(given).drop(columns="geometry", errors="ignore")
    customers = sa.ctx.customers()
    if len(customers) and "segment" in customers and {"revenue", "clv"} <= set(customers):
        return pd.DataFrame(customers.drop(columns="geometry", errors="ignore"))
    source = sa.ctx.settings.crm_file
    if source:
        from tradearea import crm

        try:  # only a file inside the project's folder; the message never shows its content
            path = project_data_file(sa.ctx.project, str(source), setting="crm_file")
        except InputError as exc:
            raise Unavailable(exc.message) from None
        areas = sa.trade_areas()[["store_id", "tier", "geometry"]]
        result = crm.analyse_crm(path, areas, region=sa.ctx.project.region)
        return result.customers
    raise Unavailable(
        "the project has no CRM customers (import a CRM file on the CRM page to see segments "
        "by tier)"
    )


# --------------------------------------------------------------------------------------------
# The other sections live in their own modules; all are reachable from here.

from tradearea.report._decision import (  # noqa: E402
    section_comparison,
    section_pricing,
    section_scorecard,
    section_summary,
)
from tradearea.report._project_sections import (  # noqa: E402
    section_assumptions,
    section_data_quality,
    section_sources,
)

SITE_FUNCTIONS = {
    "trade_area": section_trade_area,
    "demand": section_demand,
    "competition": section_competition,
    "huff": section_huff,
    "crm": section_crm,
    "pricing": section_pricing,
    "scorecard": section_scorecard,
}

__all__ = [
    "SITE_FUNCTIONS",
    "section_assumptions",
    "section_comparison",
    "section_competition",
    "section_crm",
    "section_data_quality",
    "section_demand",
    "section_huff",
    "section_pricing",
    "section_scorecard",
    "section_sources",
    "section_summary",
    "section_trade_area",
]
