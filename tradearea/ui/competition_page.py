"""App page "Competition": competitors, IRS by tier, white-space surface and a candidate's Huff forecast."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from branca.element import Element

from tradearea import calibration, competition, demand, forecast, saturation
from tradearea import project as proj
from tradearea._core.escaping import escape_html
from tradearea.formats import CATEGORIES, FORMATS
from tradearea.project import market as proj_market
from tradearea.project.analysis import IRS_AFTER_LABEL, Unavailable
from tradearea.tiers import tier_name
from tradearea.ui._common import (
    current_project,
    current_region,
    lang,
    offline_map,
    show_error,
    show_map,
    tr,
)
from tradearea.ui._format import DATUM_LABELS, money, number, percent

CANDIDATE_KEY = "competition_candidate"
HUFF_SOURCES = {
    "default": ("defaults (α 1, β 2)", "默认值（α 1，β 2）"),
    "survey_ml": ("fitted from the survey (maximum likelihood)", "由问卷拟合（最大似然）"),
    "survey_mci": ("fitted from the survey (MCI)", "由问卷拟合（MCI）"),
    "user": ("set by the user", "用户设定"),
    "calibrated": ("calibrated", "已校准"),
}
LAST_CLICK_KEY = "competition_last_click"
WGS84 = "EPSG:4326"
# Quantile classes of the saturation surface, least to most under-served; then no competition.
SURFACE_COLOURS = ("#f7fcf5", "#c7e9c0", "#74c476", "#31a354", "#006d2c")
NO_COMPETITION_COLOUR = "#6a3d9a"
FORMAT_COLOURS = {
    "convenience": "#1f78b4", "supermarket": "#e31a1c", "hypermarket": "#ff7f00",
    "warehouse_club": "#6a3d9a", "department_store": "#b15928", "specialty_store": "#a6cee3",
    "exclusive_shop": "#fb9a99", "home_centre": "#fdbf6f", "shopping_mall": "#cab2d6",
    "specialty_market": "#b2df8a",
}  # fmt: skip


def _fmt_label(key: str) -> str:
    f = FORMATS[key]
    return tr(f.name_en, f.name_zh)


@st.cache_data(show_spinner=False)
def _region_competitors(region: str) -> pd.DataFrame:
    from tradearea.regions.packs import load_region

    return pd.DataFrame(
        competition.competitors_from_region(load_region(region)).drop(columns="geometry")
    )


@st.cache_data(show_spinner=False)
def _region_zones(region: str, zone: str) -> gpd.GeoDataFrame:
    from tradearea.regions.packs import load_region

    return demand.zones_from_buildings(load_region(region).residential_buildings, zone=zone)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False)
def _surface(
    region: str,
    stores: pd.DataFrame,
    fmt: str,
    spend: float,
    catchment: str,
    radius_m: float,
    minutes: float,
    res: int,
) -> gpd.GeoDataFrame:
    from tradearea.regions.packs import load_region

    reg = load_region(region)
    network = None
    if catchment != "radius":
        from tradearea.regions.network import load_network

        network = load_network(reg, catchment)  # type: ignore[arg-type]
    points = _region_zones(region, "building")
    return saturation.saturation_surface(
        points, stores, format=fmt, spend=spend, catchment=catchment, radius_m=radius_m,  # type: ignore[arg-type]
        minutes=minutes, network=network, resolution=res, extent=reg.boundary.geometry.iloc[0],
    )  # fmt: skip


@st.cache_data(show_spinner=False)
def _calibrate(survey: pd.DataFrame, stores: pd.DataFrame, own: str) -> dict[str, Any] | None:
    try:
        choices, _ = calibration.survey_choices(survey, stores, own_store_id=own)
        return calibration.calibrate_ml(choices, stores).to_dict()
    except (ValueError, KeyError):
        return None


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(frame.drop(columns=["geometry"], errors="ignore")).reset_index(drop=True)


def _settings(project: Any) -> dict[str, Any]:
    keys = list(FORMATS)
    c1, c2, c3 = st.columns(3)
    fmt = c1.selectbox(
        tr("Format tested", "测试业态"),
        keys,
        index=keys.index("supermarket"),
        format_func=_fmt_label,
        key="comp_format",
    )
    category = FORMATS[fmt].category
    current = proj_market.spend(project.settings, fmt, period="week")
    spend = c2.number_input(
        tr("Spending per household per week (RE)", "每户每周消费 (RE)"), min_value=0.0, value=float(current), step=5.0, key=f"comp_spend_{category}",
        help=tr("A project setting for the category (every page and the report use it); replace the default with local figures.", "该品类的项目设置（所有页面与报告共用）；请用本地数据替换默认值。"),
    )  # fmt: skip
    if abs(float(spend) - current) > 1e-9:
        table = {**project.settings.spend_per_household, category: float(spend)}
        proj.set_settings(project, spend_per_household=table)
    c3.caption(tr("Category", "品类") + ": " + tr(*CATEGORIES[category]))
    return {"format": fmt, "category": category, "spend": float(spend)}


def _competitors(project: Any, region: Any, opts: dict[str, Any]) -> pd.DataFrame:
    with st.expander(
        tr("Competitors: region shops and your list", "竞争店：区域商店与上传名单"), expanded=False
    ):
        use_region = st.checkbox(
            tr("Include the region's shops (OpenStreetMap)", "包含区域商店（OpenStreetMap）"),
            value=bool(project.settings.competitors_from_region),
            key="comp_use_region",
            help=tr("A project setting: every page and the report count the same competitors.", "项目设置：所有页面与报告计入相同的竞争店。"),
        )  # fmt: skip
        if use_region != project.settings.competitors_from_region:
            proj.set_settings(project, competitors_from_region=bool(use_region))
        upload = st.file_uploader(
            tr("Upload competitors (CSV: name, brand, format, lat, lon, floor_area_m2)", "上传竞争店（CSV：名称、品牌、业态、纬度、经度、营业面积）"),
            type=["csv", "xlsx"], key="comp_upload",
        )  # fmt: skip
        datum = _datum_radio("comp_datum")
        if upload is not None and st.button(
            tr("Use this list", "使用此名单"), key="comp_upload_btn"
        ):
            _load_upload(project, upload, datum)
    return proj.competitors(project, region, category=opts["category"])


def _read_upload(upload: Any, read: Any, stem: str) -> Any:
    """Read an uploaded file through a temporary copy (its name is never used as a path)."""
    import tempfile
    from pathlib import Path

    from tradearea.errors import InputError

    name = str(upload.name).lower()
    suffix = next(
        (x for x in (".xlsx", ".geojson", ".json", ".gpkg", ".zip", ".csv") if name.endswith(x)),
        ".csv",
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{stem}{suffix}"
        path.write_bytes(upload.getvalue())
        try:
            return read(path)
        except ValueError as exc:
            if isinstance(exc, InputError):
                exc.file = upload.name
            show_error(exc)
            return None


def _datum_radio(key: str) -> str:
    """The datum of an upload's coordinates (GCJ-02 / BD-09 converted inside China only)."""
    return st.radio(
        tr("Coordinates in the file are", "文件中坐标为"), list(DATUM_LABELS), format_func=DATUM_LABELS.get,
        horizontal=True, key=key,
    )  # fmt: skip


def _load_upload(project: Any, upload: Any, datum: str = "wgs84") -> None:
    frame = _read_upload(
        upload, lambda path: competition.read_competitors(path, datum=datum), "competitors"
    )
    if frame is None:
        return
    proj.set_layer(project, "competitors", frame, file=upload.name)
    st.success(tr(f"{len(frame)} competitors loaded", f"已载入 {len(frame)} 家竞争店"))


def _zones_upload(project: Any) -> None:
    with st.expander(
        tr("Demand zones: upload households, population, income", "需求分区：上传户数、人口、收入"),
        expanded=False,
    ):
        st.caption(tr(
            "Without zones, households are estimated from the region's residential buildings.",
            "未上传分区时，户数按区域内住宅建筑估算。",
        ))  # fmt: skip
        upload = st.file_uploader(
            tr("Zones (GeoJSON, GeoPackage, zipped Shapefile, or CSV with lat/lon)", "分区（GeoJSON、GeoPackage、压缩 Shapefile 或含经纬度的 CSV）"),
            type=["geojson", "json", "gpkg", "zip", "csv"], key="comp_zones_upload",
        )  # fmt: skip
        datum = _datum_radio("comp_zones_datum")
        if upload is not None and st.button(
            tr("Use these zones", "使用这些分区"), key="comp_zones_btn"
        ):
            zones = _read_upload(upload, lambda path: demand.read_zones(path, datum=datum), "zones")
            if zones is not None:
                proj.set_layer(project, "zones", zones, file=upload.name)
                st.success(tr(f"{len(zones)} zones loaded", f"已载入 {len(zones)} 个分区"))


def _own_stores(project: Any, region: Any, category: str) -> pd.DataFrame:
    own = proj.own_stores(project, region)
    return own[own["category"] == category].reset_index(drop=True)


def _candidate(
    project: Any, clicked: dict[str, Any] | None, opts: dict[str, Any]
) -> dict[str, Any] | None:
    if clicked and clicked.get("lat") is not None:
        point = (round(float(clicked["lat"]), 6), round(float(clicked["lng"]), 6))
        if st.session_state.get(LAST_CLICK_KEY) != point:
            st.session_state[LAST_CLICK_KEY] = point
            st.session_state[CANDIDATE_KEY] = point
    point = st.session_state.get(CANDIDATE_KEY)
    if point is None:
        st.info(tr("Click the map to place a candidate store.", "在地图上点击以放置候选店址。"))
        return None
    c1, c2 = st.columns(2)
    area = c1.number_input(
        tr("Candidate floor area (m²)", "候选店营业面积 (m²)"), min_value=10.0,
        value=float(FORMATS[opts["format"]].default_floor_area_m2), step=50.0, key="comp_cand_area",
    )  # fmt: skip
    c2.caption(
        tr(
            f"Candidate at {point[0]:.5f}, {point[1]:.5f}",
            f"候选店位置 {point[0]:.5f}, {point[1]:.5f}",
        )
    )
    cand = forecast.candidate_store(point[0], point[1], format=opts["format"], floor_area_m2=area)
    # one candidate of this page in the layer, next to those added on the Sites page: it is
    # evaluated the same way here, on the Sites page and in the report
    cand["candidate_id"] = proj.place_candidate(project, cand, source="competition")
    cand["store_id"] = cand["candidate_id"]
    return cand


def _legend(m: folium.Map, title: str, items: list[tuple[str, str]]) -> None:
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:14px;background:{c};'
        f'border:1px solid #555;margin-right:6px"></span>{escape_html(label)}</div>'
        for c, label in items
    )
    html = (
        '<div style="position:absolute;bottom:24px;left:12px;z-index:9999;background:white;'
        f'padding:8px;border:1px solid #999;font:12px sans-serif"><b>{escape_html(title)}</b>{rows}</div>'
    )
    m.get_root().html.add_child(Element(html))


def _surface_layer(m: folium.Map, surface: gpd.GeoDataFrame) -> None:
    classes = np.minimum(
        (surface["irs_rank"].to_numpy() * len(SURFACE_COLOURS)).astype(int),
        len(SURFACE_COLOURS) - 1,
    )
    colours = np.where(
        surface["status"] == "no_competition",
        NO_COMPETITION_COLOUR,
        np.array(SURFACE_COLOURS)[classes],
    )
    shown = surface.assign(
        colour=colours,
        irs_text=surface["irs"].map(lambda v: "—" if not np.isfinite(v) else f"{v:,.1f}"),
    )
    shown = shown[shown["status"] != "no_households"]
    if not len(shown):
        return
    folium.GeoJson(
        shown[["h3", "irs_text", "customers", "floor_area", "colour", "geometry"]].to_json(),
        name=tr("Saturation surface (IRS)", "饱和指数面 (IRS)"),
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "color": "#666",
            "weight": 0.5,
            "fillOpacity": 0.55,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["irs_text", "customers", "floor_area"], aliases=["IRS", "C", "RF m²"]
        ),
    ).add_to(m)
    _legend(
        m,
        tr("IRS (white space = darker)", "零售饱和指数（颜色越深越不饱和）"),
        [(SURFACE_COLOURS[0], tr("most saturated", "最饱和")), (SURFACE_COLOURS[-1], tr("least saturated", "最不饱和")),
         (NO_COMPETITION_COLOUR, tr("no competing store", "无竞争店"))],
    )  # fmt: skip


def _store_markers(
    m: folium.Map, comp: pd.DataFrame, own: pd.DataFrame, cand: dict[str, Any] | None
) -> None:
    group = folium.FeatureGroup(name=tr("Competitors", "竞争店"))
    for r in comp.itertuples():
        tip = f"{escape_html(r.name)} · {escape_html(_fmt_label(r.format))} · {r.floor_area_m2:,.0f} m² ({escape_html(r.floor_area_source)})"
        folium.CircleMarker(
            [r.lat, r.lon],
            radius=5,
            color=FORMAT_COLOURS.get(r.format, "#333"),
            fill=True,
            fill_opacity=0.8,
            tooltip=tip,
        ).add_to(group)
    group.add_to(m)
    for r in own.itertuples():
        folium.CircleMarker(
            [r.lat, r.lon],
            radius=9,
            color="#000",
            fill=True,
            fill_color="#ffd700",
            fill_opacity=1,
            tooltip=escape_html(f"{r.name} ({tr('own', '本店')})"),
        ).add_to(m)
    if cand is not None:
        folium.CircleMarker(
            [cand["lat"], cand["lon"]],
            radius=10,
            color="#000",
            fill=True,
            fill_color="#00bcd4",
            fill_opacity=1,
            tooltip=tr("Candidate", "候选店"),
        ).add_to(m)


def _huff_parameters(project: Any, stores: pd.DataFrame, own: pd.DataFrame) -> tuple[float, float]:
    huff_set = project.settings.huff
    c1, c2, c3 = st.columns(3)
    alpha = c1.number_input(
        tr("α (attractiveness)", "α（吸引力指数）"),
        value=round(float(huff_set.alpha), 3),
        step=0.05,
        key="comp_alpha",
    )
    beta = c2.number_input(
        tr("β (distance decay)", "β（距离衰减指数）"),
        value=round(float(huff_set.beta), 3),
        step=0.05,
        key="comp_beta",
    )
    if (round(float(alpha), 3), round(float(beta), 3)) != (
        round(huff_set.alpha, 3),
        round(huff_set.beta, 3),
    ):
        proj.set_huff(project, float(alpha), float(beta), source="user")
    c3.caption(
        tr("Source", "来源")
        + ": "
        + tr(*HUFF_SOURCES.get(huff_set.source, (huff_set.source, huff_set.source)))
    )
    customers = _plain(project.layer("customers"))
    can_fit = (
        len(customers)
        and {"lat", "lon", "visits_per_month"} <= set(customers.columns)
        and len(own) == 1
    )
    if can_fit and c3.button(
        tr("Fit α and β from the survey", "由问卷拟合 α 与 β"), key="comp_fit"
    ):
        cols = [c for c in ("respondent_id", "lat", "lon", "visits_per_month", "competitor_1",
                            "competitor_1_visits_per_month", "competitor_2",
                            "competitor_2_visits_per_month") if c in customers.columns]  # fmt: skip
        fit = _calibrate(
            customers[cols],
            stores[["store_id", "name", "lat", "lon", "floor_area_m2"]],
            str(own["store_id"].iloc[0]),
        )
        if fit is None:
            st.warning(
                tr(
                    "The survey cannot be fitted (too few placed respondents).",
                    "问卷无法拟合（已定位的受访者太少）。",
                )
            )
        else:
            proj.set_huff(project, fit["alpha"], fit["beta"], source="survey_ml")
            for key in ("comp_alpha", "comp_beta"):
                st.session_state.pop(key, None)
            st.success(tr(
                f"Fitted from the survey (maximum likelihood, n={fit['n_respondents']}): α={fit['alpha']:.2f} ± {fit['se_alpha']:.2f}, β={fit['beta']:.2f} ± {fit['se_beta']:.2f}, pseudo-R² {fit['pseudo_r2']:.2f}",
                f"由问卷拟合（最大似然，n={fit['n_respondents']}）：α={fit['alpha']:.2f} ± {fit['se_alpha']:.2f}，β={fit['beta']:.2f} ± {fit['se_beta']:.2f}，伪R² {fit['pseudo_r2']:.2f}",
            ))  # fmt: skip
            st.rerun()
    return float(project.settings.huff.alpha), float(project.settings.huff.beta)


def _irs_tables(project: Any, ctx: Any, own: pd.DataFrame) -> None:
    st.subheader(tr("Index of Retail Saturation by tier", "各商圈零售饱和指数 (IRS)"))
    sites_ = [s for s in ctx.sites() if s.kind == "store" and s.site_id in set(own["store_id"])]
    if not sites_:
        st.info(tr("No own store of this category yet.", "尚无该品类的本店。"))
        return
    rows = []
    for site in sites_:
        try:
            ring = ctx.site(site).irs()["ring"]
        except Unavailable as exc:
            show_error(exc)
            continue
        rows.append(ring.assign(store_id=site.site_id))
    if not rows:
        return
    table = pd.concat(rows, ignore_index=True)
    table["tier_name"] = [tier_name(t, chinese=lang() == "zh") for t in table["tier"]]
    names = {"store_id": tr("Store", "门店"), "tier_name": tr("Tier", "商圈层级"), "customers": tr("Households (C)", "户数 (C)"),
             "spend": "RE", "floor_area": "RF m²", "stores": tr("Stores", "门店数"), "irs": "IRS"}  # fmt: skip
    cols = [c for c in names if c in table.columns]
    number_format = {"customers": "%.0f", "spend": "%.2f", "floor_area": "%.0f", "irs": "%.1f"}
    config = {
        names[c]: st.column_config.NumberColumn(format=f)
        for c, f in number_format.items()
        if c in cols
    }
    st.dataframe(
        table[cols].rename(columns=names), hide_index=True, width="stretch", column_config=config
    )
    st.caption(tr(f"IRS = C × RE / RF (spending per m² per {ctx.irs_period}) per tier ring; higher = less saturated. Households: {ctx.zone_source}.",
                  f"IRS = C × RE / RF（每平方米每{ {'week': '周', 'month': '月', 'year': '年'}[ctx.irs_period] }消费额），按商圈环计算；越高越不饱和。户数来源：{ctx.zone_source}。"))  # fmt: skip


def _forecast(project: Any, cand: dict[str, Any], comp: pd.DataFrame, own: pd.DataFrame) -> None:
    st.subheader(tr("Huff sales forecast for the candidate", "候选店 Huff 销售预测"))
    try:
        ev = proj.evaluate_candidate(
            project, cand["lat"], cand["lon"], name=cand["name"], format=cand["format"],
            floor_area_m2=cand["floor_area_m2"], candidate_id=cand["candidate_id"],
            ticks=project.settings.taboo_ticks.get(cand["candidate_id"]),
        )  # fmt: skip
    except (ValueError, Unavailable) as exc:
        show_error(exc)
        return
    fc = ev.forecast
    if fc is None:
        st.info(
            tr(
                "No stores to share the market with: no Huff forecast.",
                "无可分享市场的门店：无法进行 Huff 预测。",
            )
        )
        return
    fig = ev.figures
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("Expected sales per year", "预计年销售额"), money(fc.expected_sales))
    c2.metric(
        tr("From own stores (cannibalisation)", "来自本店（自我蚕食）"),
        money(fc.from_own),
        percent(fc.cannibalisation_share),
        delta_color="off",
    )
    c3.metric(tr("From competitors", "来自竞争店"), money(fc.from_competitors))
    change = fig["irs_after"] - fig["irs_before"]
    c4.metric(
        tr(*IRS_AFTER_LABEL),
        number(fig["irs_after"], 1),
        f"{change:+,.1f}" if np.isfinite(change) else None,
        delta_color="off",
    )
    st.caption(tr(
        f"The same figures as on the Sites page and in the report (candidate {cand['candidate_id']}). Trade areas: {ev.method}.",
        f"与选址页和报告中的数字相同（候选店 {cand['candidate_id']}）。商圈：{ev.method}。",
    ))  # fmt: skip
    table = fc.stores.head(12).rename(columns={"name": tr("Store", "门店"), "role": tr("Role", "类型"), "sales_before": tr("Sales before", "开店前销售"), "sales_after": tr("Sales after", "开店后销售"), "transfer": tr("Taken by candidate", "被候选店分流"), "transfer_share": tr("Share of candidate sales", "占候选店销售比例")})  # fmt: skip
    st.dataframe(table.drop(columns=["store_id"]), hide_index=True, width="stretch")
    zones = proj.demand_zones(project, current_region(), cand["format"])
    m = offline_map(center=(cand["lat"], cand["lon"]), zoom=14)
    shares = zones[["origin_id", "geometry"]].merge(
        fc.zones[["origin_id", "candidate_share"]], on="origin_id"
    )
    shares = shares[shares.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(shares):
        shares = shares.assign(share_text=shares["candidate_share"].map(lambda v: f"{v:.0%}"))
        folium.GeoJson(
            shares.to_json(), name=tr("Candidate market share", "候选店市场份额"),
            style_function=lambda f: {"fillColor": "#08519c", "color": "#555", "weight": 0.5, "fillOpacity": min(0.85, 0.1 + f["properties"]["candidate_share"])},
            tooltip=folium.GeoJsonTooltip(fields=["share_text"], aliases=[tr("Market share", "市场份额")]),
        ).add_to(m)  # fmt: skip
        _legend(
            m,
            tr("Candidate market share", "候选店市场份额"),
            [("#c6dbef", "0 %"), ("#08519c", "≥ 75 %")],
        )
    _store_markers(m, comp, own, cand)
    show_map(m, key="comp_share_map", height=420, returned_objects=[])


def page() -> None:
    """Render the Competition page."""
    project = current_project()
    region = current_region()
    st.header(tr("Competition and saturation", "竞争与饱和"))
    opts = _settings(project)
    try:
        comp = _plain(_competitors(project, region, opts))
    except ValueError as exc:
        show_error(exc)
        return
    own = _own_stores(project, region, opts["category"])
    _zones_upload(project)
    ctx = proj.ProjectAnalysis(project, draw=False)
    try:
        zones = ctx.zones(opts["format"])
    except Unavailable as exc:
        show_error(exc)
        return
    c1, c2, c3 = st.columns(3)
    c1.metric(tr("Competing stores", "竞争店数"), f"{len(comp):,}")
    c2.metric(
        tr("Competing floor area (m²)", "竞争营业面积 (m²)"), f"{comp['floor_area_m2'].sum():,.0f}"
    )
    estimated = ctx.zone_source != "project zones layer"
    c3.metric(
        tr("Households in the region (estimated)", "区域户数（估算）")
        if estimated
        else tr("Households in the zones", "分区户数"),
        f"{zones['households'].sum():,.0f}",
    )
    with st.expander(tr("White-space surface settings", "空白市场分析设置"), expanded=False):
        s1, s2, s3 = st.columns(3)
        catchment = s1.radio(tr("Catchment", "集客范围"), ["radius", "walk", "drive"], format_func=lambda k: {"radius": tr("Radius", "半径"), "walk": tr("Walk time", "步行时间"), "drive": tr("Drive time", "驾车时间")}[k], key="comp_catchment")  # fmt: skip
        radius = s2.number_input(
            tr("Radius (m)", "半径（米）"),
            min_value=100.0,
            value=1000.0,
            step=100.0,
            key="comp_radius",
        )
        minutes = s3.number_input(
            tr("Minutes", "分钟"),
            min_value=1.0,
            value=5.0 if catchment == "walk" else 3.0,
            step=1.0,
            key="comp_minutes",
        )
    all_stores = pd.concat([comp, own], ignore_index=True)
    cols = ["store_id", "format", "lat", "lon", "floor_area_m2"]
    surface = _surface(
        project.region,
        all_stores[cols],
        opts["format"],
        opts["spend"],
        catchment,
        radius,
        minutes,
        9,
    )
    st.subheader(tr("Competitors and white space", "竞争店与空白市场"))
    st.caption(tr("Click the map to place a candidate store.", "点击地图放置候选店址。"))
    point = st.session_state.get(CANDIDATE_KEY)
    m = offline_map(zoom=15)
    _surface_layer(m, surface)
    _store_markers(m, comp, own, {"lat": point[0], "lon": point[1]} if point else None)
    folium.LayerControl(collapsed=True).add_to(m)
    clicked = show_map(m, key="comp_map", height=520).get("last_clicked")
    cand = _candidate(project, clicked, opts)
    with st.expander(tr("Competitor list", "竞争店名单"), expanded=False):
        st.dataframe(
            comp[["name", "format", "floor_area_m2", "floor_area_source"]],
            hide_index=True,
            width="stretch",
        )
    _huff_parameters(project, pd.concat([own, comp], ignore_index=True), own)
    _irs_tables(project, ctx, own)
    if cand is not None:
        _forecast(project, cand, comp, own)
    if not len(own):
        st.caption(
            tr(
                "No own store in the project: cannibalisation is zero.",
                "项目中没有本店：自我蚕食为零。",
            )
        )
