"""Report-wide sections: data quality, assumptions and parameters, sources and attribution."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from tradearea import OSM_ATTRIBUTION, __version__
from tradearea.privacy import strip_personal
from tradearea.project.analysis import PENETRATION_THRESHOLDS, ProjectAnalysis, Unavailable
from tradearea.report import charts
from tradearea.report._guard import guarded
from tradearea.report.model import Figure, Section, Site, new_section

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

# Audit-log fields safe to show (no free text that could hold personal data).
_LOG_FIELDS = ("at", "what", "file", "rows", "placed", "format", "detailed", "online", "layer")


@guarded("data_quality")
def section_data_quality(
    project: Project,
    site: Site | None = None,
    *,
    ctx: ProjectAnalysis | None = None,
    sites: list[Site] | None = None,
    detailed: bool = False,
) -> Section:
    """The row account of every input, geocoding match levels and what the maps leave out."""
    from tradearea.project import workspace

    ctx = ctx if ctx is not None else ProjectAnalysis(project)
    sec = new_section("data_quality")
    sec.tables["Layers in the project"] = workspace.layer_summary(project)
    customers = ctx.customers()
    try:
        acc = ctx.geocode_account()
    except Unavailable as exc:
        sec.notes.append(f"Survey geocoding: not available: {exc}")
    else:
        from tradearea import geocode

        sec.tables["Survey rows (every row accounted for)"] = geocode.account_table(customers)
        levels = pd.DataFrame(
            {
                "match_level": list(acc["by_match_level"]),
                "rows": list(acc["by_match_level"].values()),
            }
        )
        sec.tables["Geocoding match levels"] = levels
        for key, text, zh in (
            ("rows", "Survey rows", "问卷行数"),
            ("placed", "Placed on the map", "已定位"),
            ("unmatched", "Unmatched", "未匹配"),
            ("rejected", "Rejected", "已拒绝"),
            ("low_score", "Placed with a low score (< 80)", "低分定位"),
        ):
            sec.figures[key] = Figure(acc.get(key), text, zh, "int")
        placed = levels[levels["rows"] > 0]
        if ctx.draw:
            sec.charts["Geocoding match levels"] = charts.bar_chart(
                placed["match_level"], placed["rows"], title="Survey rows per match level"
            )
        if detailed:
            from tradearea.geocode import review_rows

            cols = [
                c
                for c in (
                    "respondent_id",
                    "address",
                    "status",
                    "match_level",
                    "match_score",
                    "reason",
                )
                if c in customers
            ]
            sec.tables["Rows to review (personal data)"] = pd.DataFrame(
                review_rows(customers)[cols]
            )
    cells = ctx.customer_cells()
    sec.tables["Customers on the maps"] = pd.DataFrame(
        [
            ("customers with coordinates", cells.attrs.get("located", 0)),
            ("shown on H3 cells", int(cells["customers"].sum()) if len(cells) else 0),
            ("cells shown", len(cells)),
            ("cells suppressed (fewer than k customers)", cells.attrs.get("suppressed_cells", 0)),
            ("customers in suppressed cells", cells.attrs.get("suppressed_customers", 0)),
            ("k (smallest count shown)", ctx.k),
        ],
        columns=["measure", "count"],
    )
    stores = pd.concat([ctx.own_stores(), ctx.competitors()], ignore_index=True)
    if len(stores) and "floor_area_source" in stores:
        counts = stores["floor_area_source"].fillna("unknown").value_counts()
        sec.tables["Store floor areas by source"] = pd.DataFrame(
            {"floor_area_source": counts.index, "stores": counts.to_numpy()}
        )
    rows = []
    for s in sites or []:
        areas = ctx.site(s)
        try:
            account = areas.trade_areas().attrs.get("account")
        except Unavailable:
            account = None
        if account:
            rows.append(
                {
                    "site": s.name,
                    **{
                        k: account.get(k)
                        for k in ("input_rows", "in_tiers", "outliers", "not_placed")
                    },
                }
            )
    if rows:
        sec.tables["Survey rows in the trade areas"] = pd.DataFrame(rows)
    log = [{k: e.get(k) for k in _LOG_FIELDS if k in e} for e in project.log]
    if log:
        sec.tables["Audit log"] = strip_personal(pd.DataFrame(log))
    return sec


@guarded("assumptions")
def section_assumptions(
    project: Project,
    site: Site | None = None,
    *,
    ctx: ProjectAnalysis | None = None,
    sites: list[Site] | None = None,
) -> Section:
    """Every parameter the figures depend on, with where it comes from."""
    from tradearea.demand import DEFAULT_HOUSEHOLD_SIZE
    from tradearea.formats import FORMATS

    ctx = ctx if ctx is not None else ProjectAnalysis(project)
    settings = ctx.settings
    alpha, beta = ctx.huff_parameters
    rows: list[tuple[str, Any, str]] = [
        ("Currency", ctx.currency, "project setting currency"),
        (
            "Huff α (attractiveness = sales floor area)",
            alpha,
            f"setting huff ({settings.huff.source})",
        ),
        (
            "Huff β (distance decay, straight-line metres)",
            beta,
            f"setting huff ({settings.huff.source})",
        ),
        ("Huff minimum distance", "50 m", "tradearea.huff"),
        (
            "Candidate trade-area method",
            settings.candidate_trade_area,
            "setting candidate_trade_area",
        ),
        (
            "Huff contour tiers (market share)",
            " / ".join(f"{t:.0%}" for t in PENETRATION_THRESHOLDS),
            "DOMAIN §1",
        ),
        (
            "Survey share tiers (share of yearly spend)",
            " / ".join(f"{t:.0%}" for t in settings.share_thresholds),
            "setting share_thresholds",
        ),
        ("People per household", DEFAULT_HOUSEHOLD_SIZE, "tradearea.demand (Helsinki ~1.9)"),
        ("IRS period", ctx.irs_period, "setting irs_period (DOMAIN §2 uses a week)"),
        ("Privacy: smallest customer count per map cell (k)", ctx.k, "setting privacy_k"),
        ("Customer map cells", "H3 resolution 9 (~0.1 km²)", "tradearea.privacy"),
    ]
    try:
        zones = ctx.zones(sites[0].format if sites else "supermarket")
        rows.append(("Demand zones", ctx.zone_source, f"{len(zones)} zones"))
    except Unavailable as exc:
        rows.append(("Demand zones", "not available", str(exc)))
    for fmt in sorted({s.format for s in sites or []}):
        rows.append(
            (
                f"Spending per household on {FORMATS[fmt].category} ({fmt})",
                f"{ctx.spend(fmt, 'week'):,.2f} {ctx.currency}/week",
                "setting spend_per_household or tradearea.demand default",
            )
        )
    for s in sites or []:
        rows.append(
            (
                f"Site {s.name}",
                f"{s.format}, {s.floor_area_m2:,.0f} m² ({s.floor_area_source}), "
                f"{s.lat:.6f}, {s.lon:.6f}",
                s.note or s.kind,
            )
        )
    for fmt in sorted({s.format for s in sites or []}):
        f = FORMATS[fmt]
        rows.append(
            (
                f"Default floor area of a {f.name_en.lower()}",
                f"{f.default_floor_area_m2:,.0f} m² (plausible up to {f.max_floor_area_m2:,.0f})",
                "tradearea.competition",
            )
        )
    sec = new_section("assumptions")
    sec.tables["Parameters"] = pd.DataFrame(
        [(a, str(b), c) for a, b, c in rows], columns=["parameter", "value", "source"]
    )
    sec.notes.append(
        "Dwellings, floor areas and spending are estimates; replace them with the project's "
        "own zones, store list and spending figures where known."
    )
    return sec


@guarded("sources")
def section_sources(
    project: Project, site: Site | None = None, *, ctx: ProjectAnalysis | None = None
) -> Section:
    """Where the data come from, and the OpenStreetMap attribution."""
    ctx = ctx if ctx is not None else ProjectAnalysis(project)
    sec = new_section("sources")
    rows = []
    try:
        meta = ctx.region().meta
    except Unavailable:
        meta = {}
    rows.append(("Region pack", project.region))
    rows.append(
        (
            "OpenStreetMap extract",
            f"{meta.get('source_file', '–')} ({meta.get('source_date', '–')})",
        )
    )
    rows.append(("Licence", meta.get("licence", "ODbL 1.0")))
    rows.append(("Attribution", meta.get("attribution", OSM_ATTRIBUTION)))
    survey = ctx.settings.survey_file
    if survey:
        rows.append(("Customer survey", str(survey)))
    rows.append(("Software", f"tradearea {__version__}"))
    sec.tables["Sources"] = pd.DataFrame(rows, columns=["source", "detail"])
    sec.notes.append(f"Map data {OSM_ATTRIBUTION}.")
    sec.notes.append(
        "Buildings, streets, shops and transit stops come from OpenStreetMap; dwellings and "
        "floor areas derived from them are estimates."
    )
    return sec
