"""App page "Competition": competitors, IRS by tier, white-space surface and a candidate's Huff forecast."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from branca.element import Element

from tradearea import calibration, competition, demand, forecast, huff, saturation
from tradearea._core.escaping import escape_html
from tradearea.ui._common import (
    current_project,
    current_region,
    offline_map,
    show_error,
    show_map,
    tr,
)

CANDIDATE_KEY = "competition_candidate"
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
    f = competition.FORMATS[key]
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
    keys = list(competition.FORMATS)
    c1, c2, c3 = st.columns(3)
    fmt = c1.selectbox(
        tr("Format tested", "测试业态"),
        keys,
        index=keys.index("supermarket"),
        format_func=_fmt_label,
        key="comp_format",
    )
    category = competition.FORMATS[fmt].category
    default = demand.spend_per_household(fmt, settings=project.settings)
    spend = c2.number_input(
        tr("Spending per household per week (RE)", "每户每周消费 (RE)"), min_value=0.0, value=float(default), step=5.0, key=f"comp_spend_{category}",
        help=tr("Default for the category; an assumption you should replace with local figures.", "该品类的默认值；请用本地数据替换。"),
    )  # fmt: skip
    c3.caption(tr("Category", "品类") + ": " + tr(*competition.CATEGORIES[category]))
    return {"format": fmt, "category": category, "spend": float(spend)}


def _competitors(project: Any, region: Any, opts: dict[str, Any]) -> gpd.GeoDataFrame:
    with st.expander(
        tr("Competitors: region shops and your list", "竞争店：区域商店与上传名单"), expanded=False
    ):
        use_region = st.checkbox(
            tr("Include the region's shops (OpenStreetMap)", "包含区域商店（OpenStreetMap）"),
            value=True,
            key="comp_use_region",
        )
        upload = st.file_uploader(
            tr("Upload competitors (CSV: name, brand, format, lat, lon, floor_area_m2)", "上传竞争店（CSV：名称、品牌、业态、纬度、经度、营业面积）"),
            type=["csv", "xlsx"], key="comp_upload",
        )  # fmt: skip
        if upload is not None and st.button(
            tr("Use this list", "使用此名单"), key="comp_upload_btn"
        ):
            _load_upload(project, upload)
    layer = _plain(project.layer("competitors"))
    parts = []
    if len(layer) and {"lat", "lon", "format"} <= set(layer.columns):
        layer = layer[layer["format"].isin(list(competition.FORMATS))]
        parts.append(_plain(competition.fill_floor_area(layer)).assign(source="project"))
    if use_region:
        parts.append(_region_competitors(project.region).assign(source="region"))
    if not parts:
        return competition.fill_floor_area(pd.DataFrame(columns=list(competition.STORE_COLUMNS)))
    comp = pd.concat(parts, ignore_index=True)
    if len(parts) == 2:
        comp = _plain(competition.combine_competitors(parts[1], parts[0]))
    comp = comp[comp["category"] == opts["category"]].drop_duplicates("store_id")
    own = _own_stores(project)
    if len(own):  # the own store is mapped in OSM too: do not count it as a competitor
        comp = competition.remove_matches(comp, own)
    return competition.fill_floor_area(comp.reset_index(drop=True))


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


def _load_upload(project: Any, upload: Any) -> None:
    frame = _read_upload(upload, competition.read_competitors, "competitors")
    if frame is None:
        return
    project.layers["competitors"] = frame
    project.record("import", file=upload.name, rows=len(frame), layer="competitors")
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
        if upload is not None and st.button(
            tr("Use these zones", "使用这些分区"), key="comp_zones_btn"
        ):
            zones = _read_upload(upload, demand.read_zones, "zones")
            if zones is not None:
                project.layers["zones"] = zones
                project.record("import", file=upload.name, rows=len(zones), layer="zones")
                st.success(tr(f"{len(zones)} zones loaded", f"已载入 {len(zones)} 个分区"))


def _own_stores(project: Any) -> pd.DataFrame:
    own = _plain(project.layer("stores"))
    if not len(own) or not {"lat", "lon"} <= set(own.columns):
        return pd.DataFrame(columns=[*competition.STORE_COLUMNS, "role"])
    if "format" not in own.columns or own["format"].isna().any():
        own["format"] = own.get("format", pd.Series(dtype=object)).fillna("supermarket")
    own = _plain(competition.fill_floor_area(own))
    own["role"] = "own"
    return own


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
        value=float(competition.FORMATS[opts["format"]].default_floor_area_m2), step=50.0, key="comp_cand_area",
    )  # fmt: skip
    c2.caption(
        tr(
            f"Candidate at {point[0]:.5f}, {point[1]:.5f}",
            f"候选店位置 {point[0]:.5f}, {point[1]:.5f}",
        )
    )
    cand = forecast.candidate_store(point[0], point[1], format=opts["format"], floor_area_m2=area)
    from tradearea.project import place_candidate

    # one candidate of this page in the layer, next to those added on the Sites page
    place_candidate(project, cand, source="competition")
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


def _huff_parameters(
    project: Any, stores: pd.DataFrame, own: pd.DataFrame
) -> tuple[float, float, str, dict[str, Any] | None]:
    customers = _plain(project.layer("customers"))
    fit = None
    if (
        len(customers)
        and {"lat", "lon", "visits_per_month"} <= set(customers.columns)
        and len(own) == 1
    ):
        cols = [
            c
            for c in (
                "respondent_id",
                "lat",
                "lon",
                "visits_per_month",
                "competitor_1",
                "competitor_1_visits_per_month",
                "competitor_2",
                "competitor_2_visits_per_month",
            )
            if c in customers.columns
        ]
        fit = _calibrate(
            customers[cols],
            stores[["store_id", "name", "lat", "lon", "floor_area_m2"]],
            str(own["store_id"].iloc[0]),
        )
    a0, b0, source = (
        (fit["alpha"], fit["beta"], "survey_ml")
        if fit
        else (huff.DEFAULT_ALPHA, huff.DEFAULT_BETA, "default")
    )
    c1, c2, c3 = st.columns(3)
    alpha = c1.number_input(
        tr("α (attractiveness)", "α（吸引力指数）"),
        value=round(float(a0), 3),
        step=0.05,
        key="comp_alpha",
    )
    beta = c2.number_input(
        tr("β (distance decay)", "β（距离衰减指数）"),
        value=round(float(b0), 3),
        step=0.05,
        key="comp_beta",
    )
    if fit:
        c3.caption(tr(
            f"Fitted from the survey (maximum likelihood, n={fit['n_respondents']}): α={fit['alpha']:.2f} ± {fit['se_alpha']:.2f}, β={fit['beta']:.2f} ± {fit['se_beta']:.2f}, pseudo-R² {fit['pseudo_r2']:.2f}",
            f"由问卷拟合（最大似然，n={fit['n_respondents']}）：α={fit['alpha']:.2f} ± {fit['se_alpha']:.2f}，β={fit['beta']:.2f} ± {fit['se_beta']:.2f}，伪R² {fit['pseudo_r2']:.2f}",
        ))  # fmt: skip
    else:
        c3.caption(
            tr("Defaults (no geocoded survey to fit from).", "默认值（无可拟合的已地理编码问卷）。")
        )
    if (alpha, beta) != (round(float(a0), 3), round(float(b0), 3)):
        source = "user"
    project.settings["huff"] = {"alpha": float(alpha), "beta": float(beta), "source": source}
    return float(alpha), float(beta), source, fit


def _irs_tables(
    project: Any,
    own: pd.DataFrame,
    comp: pd.DataFrame,
    zones: gpd.GeoDataFrame,
    opts: dict[str, Any],
    cand: dict[str, Any] | None,
) -> None:
    st.subheader(tr("Index of Retail Saturation by tier", "各商圈零售饱和指数 (IRS)"))
    areas = project.layer("trade_areas")
    if not len(areas) or "tier" not in areas.columns:
        if not len(own):
            st.info(tr("No own store and no trade areas yet.", "尚无本店与商圈。"))
            return
        st.caption(
            tr(
                "No trade areas drawn yet: rule-of-thumb rings of 1, 3 and 5 km.",
                "尚未绘制商圈：采用 1、3、5 公里经验环。",
            )
        )
        areas = saturation.rule_of_thumb_rings(own)
    all_stores = pd.concat([comp, own], ignore_index=True)
    table = saturation.irs_by_trade_area(
        areas, all_stores, format=opts["format"], spend=opts["spend"], zones=zones, candidate=cand
    )
    names = {"store_id": tr("Store", "门店"), "tier_name": tr("Tier", "商圈层级"), "customers": tr("Households (C)", "户数 (C)"),
             "spend": "RE", "floor_area": "RF m²", "stores": tr("Stores", "门店数"), "irs": "IRS", "irs_with_candidate": tr("IRS with candidate", "加入候选店后 IRS")}  # fmt: skip
    cols = [c for c in names if c in table.columns]
    st.dataframe(table[cols].rename(columns=names), hide_index=True, width="stretch")
    st.caption(tr("IRS = C × RE / RF (spending per m² per week); higher = less saturated. Households are estimates from buildings unless zones were uploaded.",
                  "IRS = C × RE / RF（每平方米每周消费额）；越高越不饱和。除非上传了分区数据，户数为按建筑估算。"))  # fmt: skip


def _forecast(
    zones: gpd.GeoDataFrame,
    own: pd.DataFrame,
    comp: pd.DataFrame,
    cand: dict[str, Any],
    alpha: float,
    beta: float,
    opts: dict[str, Any],
) -> None:
    st.subheader(tr("Huff sales forecast for the candidate", "候选店 Huff 销售预测"))
    zd = demand.zone_demand(zones, spend=opts["spend"])
    stores = pd.concat([own, comp], ignore_index=True)
    try:
        fc = forecast.forecast_candidate(
            zd,
            stores,
            cand,
            own=own["store_id"].astype(str).tolist(),
            alpha=alpha,
            beta=beta,
            spend=opts["spend"],
        )
    except ValueError as exc:
        show_error(exc)
        return
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("Expected sales per week", "预计周销售额"), f"{fc.expected_sales:,.0f}")
    c2.metric(
        tr("From own stores (cannibalisation)", "来自本店（自我蚕食）"),
        f"{fc.from_own:,.0f}",
        f"{fc.cannibalisation_share:.0%}",
        delta_color="off",
    )
    c3.metric(tr("From competitors", "来自竞争店"), f"{fc.from_competitors:,.0f}")
    irs_after = fc.irs.get("irs_with_candidate", float("nan"))
    c4.metric(
        tr("IRS within the primary ring after opening", "开业后第一商圈 IRS"),
        f"{irs_after:,.1f}",
        f"{fc.irs.get('irs_change', 0.0):+,.1f}",
        delta_color="off",
    )
    q1, q2 = st.columns([1, 3])
    capture = q1.number_input(
        tr("Capture share (quick estimate)", "截流率（快速估算）"),
        min_value=0.0,
        max_value=1.0,
        value=0.10,
        step=0.05,
        key="comp_capture",
    )
    quick = forecast.quick_sales_estimate(fc.irs["customers"], opts["spend"], capture_share=capture)
    q2.caption(tr(
        f"Survey rule of thumb (DOMAIN.md §1): {fc.irs['customers']:,.0f} households within {fc.irs['radius_m']:,.0f} m × {opts['spend']:,.0f} × {capture:.0%} ≈ {quick:,.0f} per week (Huff: {fc.expected_sales:,.0f}).",
        f"问卷经验估算：{fc.irs['radius_m']:,.0f} 米内 {fc.irs['customers']:,.0f} 户 × {opts['spend']:,.0f} × {capture:.0%} ≈ 每周 {quick:,.0f}（Huff：{fc.expected_sales:,.0f}）。",
    ))  # fmt: skip
    table = fc.stores.head(12).rename(columns={"name": tr("Store", "门店"), "role": tr("Role", "类型"), "sales_before": tr("Sales before", "开店前销售"), "sales_after": tr("Sales after", "开店后销售"), "transfer": tr("Taken by candidate", "被候选店分流"), "transfer_share": tr("Share of candidate sales", "占候选店销售比例")})  # fmt: skip
    st.dataframe(table.drop(columns=["store_id"]), hide_index=True, width="stretch")
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
    own = _own_stores(project)
    _zones_upload(project)
    uploaded_zones = project.layer("zones")
    zones = (
        uploaded_zones
        if len(uploaded_zones) and "households" in uploaded_zones.columns
        else _region_zones(project.region, "h3")
    )
    n_own = len(own)
    c1, c2, c3 = st.columns(3)
    c1.metric(tr("Competing stores", "竞争店数"), f"{len(comp):,}")
    c2.metric(
        tr("Competing floor area (m²)", "竞争营业面积 (m²)"), f"{comp['floor_area_m2'].sum():,.0f}"
    )
    c3.metric(
        tr("Households (estimated)", "户数（估算）")
        if not len(uploaded_zones)
        else tr("Households", "户数"),
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
    alpha, beta, _, _ = _huff_parameters(project, pd.concat([own, comp], ignore_index=True), own)
    _irs_tables(project, own, comp, zones, opts, cand)
    if cand is not None:
        _forecast(zones, own, comp, cand, alpha, beta, opts)
    if n_own == 0:
        st.caption(
            tr(
                "No own store in the project: cannibalisation is zero.",
                "项目中没有本店：自我蚕食为零。",
            )
        )
