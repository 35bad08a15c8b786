"""App page "Trade areas": tiers on the map, the tier table, methods and thresholds."""

from __future__ import annotations

import json
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from folium.plugins import HeatMap, MarkerCluster

from tradearea._core.escaping import escape_html, neutralise_frame
from tradearea.mapping.maps import TIER_COLOURS, TIER_NAMES_ZH
from tradearea.project.analysis import tier_households
from tradearea.project.commands import logged_download, set_trade_areas
from tradearea.project.workspace import Project
from tradearea.tradeareas import (
    DEFAULT_PENETRATION_THRESHOLDS,
    DEFAULT_RING_RADII_M,
    DEFAULT_SHARE_THRESHOLDS,
    DEFAULT_TIME_MINUTES,
    RING_PRESETS,
    RING_PRESETS_ZH,
    SHARE_PRESETS,
)
from tradearea.ui._common import (
    add_store_markers,
    current_project,
    current_region,
    lang,
    offline_map,
    show_error,
    show_map,
    tr,
)

HEAT_ABOVE = 2000
MAX_ZOOM = 19
OUTLIER_COLOUR = "#7f8c8d"
CUSTOM = "custom"
GENERIC = "generic"


def _method_label(method: str) -> str:
    return {
        "share": tr("Share of sales (75/90/95 %)", "销售占比（75/90/95%）"),
        "penetration": tr("Penetration per zone (30/10/5 %)", "渗透率（30/10/5%）"),
        "rings": tr("Rings", "同心圆"),
        "drive": tr("Drive time", "驾车时间"),
        "walk": tr("Walk time", "步行时间"),
    }[method]


def _tier_label(tier: int) -> str:
    en = {1: "Primary", 2: "Secondary", 3: "Tertiary"}.get(tier, f"Tier {tier}")
    return tr(en, TIER_NAMES_ZH.get(tier, f"第{tier}商圈"))


def _three_numbers(
    label: str, defaults: tuple[float, ...], *, key: str, step: float
) -> list[float]:
    cols = st.columns(len(defaults))
    return [
        col.number_input(
            f"{label} {i + 1}", value=float(v), min_value=0.0, step=step, key=f"{key}_{i}"
        )
        for i, (col, v) in enumerate(zip(cols, defaults, strict=True))
    ]


def _controls(has_customers: bool) -> tuple[str, dict[str, Any]]:
    methods = ["share", "penetration", "rings", "drive", "walk"]
    if not has_customers:
        methods = ["rings", "drive", "walk"]
    method = st.radio(
        tr("Method", "划分方法"),
        methods,
        format_func=_method_label,
        horizontal=True,
        key="ta_method",
    )
    options: dict[str, Any] = {}
    if method in ("share", "penetration"):
        options["weight"] = st.selectbox(
            tr("Weight customers by", "顾客权重"),
            ["annual_spend", "customers"],
            format_func=lambda w: (
                tr("Annual spend (visits × spend × 12)", "年消费额（次数×客单价×12）")
                if w == "annual_spend"
                else tr("Customers (each counts 1)", "顾客人数（每人计 1）")
            ),
            key="ta_weight",
        )
    if method == "share":
        options["metric"] = st.radio(
            tr("Walk outward by", "由近及远按"),
            ["distance", "walk", "drive"],
            format_func=lambda m: {
                "distance": tr("Straight-line distance", "直线距离"),
                "walk": tr("Walk time", "步行时间"),
                "drive": tr("Drive time", "驾车时间"),
            }[m],
            horizontal=True,
            key="ta_metric",
        )
        presets = [*SHARE_PRESETS, CUSTOM]
        preset = st.selectbox(
            tr("Thresholds", "阈值"),
            presets,
            format_func=lambda p: tr("Custom", "自定义") if p == CUSTOM else p,
            key="ta_preset",
        )
        if preset == CUSTOM:
            values = _three_numbers(
                tr("Cumulative share %", "累计占比 %"),
                tuple(v * 100 for v in DEFAULT_SHARE_THRESHOLDS),
                key="ta_thr",
                step=1.0,
            )
            options["thresholds"] = [v / 100 for v in values]
        else:
            options["thresholds"] = list(SHARE_PRESETS[preset])
    elif method == "penetration":
        values = _three_numbers(
            tr("Minimum penetration %", "最低渗透率 %"),
            tuple(v * 100 for v in DEFAULT_PENETRATION_THRESHOLDS),
            key="ta_pen",
            step=1.0,
        )
        options["thresholds"] = [v / 100 for v in values]
        c1, c2 = st.columns(2)
        options["resolution"] = c1.slider(
            tr("Hexagon size (H3 resolution)", "六边形大小（H3 分辨率）"), 7, 10, 9, key="ta_res"
        )
        options["expansion"] = c2.number_input(
            tr("Store customers per respondent", "每位受访者代表的顾客数"),
            value=1.0,
            min_value=0.01,
            step=1.0,
            key="ta_expansion",
        )
    elif method == "rings":
        fmt = st.selectbox(
            tr("Retail format", "业态"),
            [GENERIC, *RING_PRESETS],
            format_func=lambda f: (
                tr("Generic 1 / 3 / 5 km", "通用 1 / 3 / 5 公里")
                if f == GENERIC
                else (f if lang() == "en" else RING_PRESETS_ZH[f])
            ),
            key="ta_format",
        )
        defaults = DEFAULT_RING_RADII_M if fmt == GENERIC else RING_PRESETS[fmt]
        km = _three_numbers(
            tr("Ring km", "半径 公里"),
            tuple(r / 1000 for r in defaults),
            key=f"ta_ring_{fmt}",
            step=0.1,
        )
        options["radii_m"] = [k * 1000 for k in km]
    else:
        options["minutes"] = _three_numbers(
            tr("Minutes", "分钟"), DEFAULT_TIME_MINUTES, key=f"ta_min_{method}", step=1.0
        )
    if has_customers and st.checkbox(
        tr("Also draw customer footprints (concave hull)", "同时绘制顾客分布轮廓（凹包）"),
        key="ta_footprint",
    ):
        options["footprint"] = "concave"
    return method, options


@st.cache_data(show_spinner=False, max_entries=16)
def _compute(
    customers: pd.DataFrame, stores: pd.DataFrame, region: str, method: str, options_json: str
) -> Any:
    from tradearea.tradeareas import trade_areas

    options = json.loads(options_json)
    return trade_areas(
        customers if len(customers) else None, stores, method=method, region=region, **options
    )


def _stores(project: Any, region: Any) -> pd.DataFrame:
    stores = project.layer("stores")
    if len(stores):
        frame = pd.DataFrame(stores.drop(columns="geometry", errors="ignore"))
        frame = frame[[c for c in ("store_id", "name", "lat", "lon") if c in frame.columns]]
        return frame.reset_index(drop=True)
    st.warning(tr("The project has no own store: place one.", "项目中没有本店：请输入店址。"))
    lat0, lon0 = region.center
    c1, c2 = st.columns(2)
    lat = c1.number_input(tr("Store latitude", "店址纬度"), value=lat0, format="%.6f", key="ta_lat")
    lon = c2.number_input(
        tr("Store longitude", "店址经度"), value=lon0, format="%.6f", key="ta_lon"
    )
    return pd.DataFrame({"store_id": ["S1"], "name": ["S1"], "lat": [lat], "lon": [lon]})


def _customers(project: Any) -> pd.DataFrame:
    layer = project.layer("customers")
    if not len(layer):
        return pd.DataFrame({"lat": [], "lon": []})
    return pd.DataFrame(layer.drop(columns="geometry", errors="ignore")).reset_index(drop=True)


def _legend(n_tiers: int) -> str:
    items = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;margin-right:6px;'
        f'background:{TIER_COLOURS.get(k, "#999")};opacity:.7"></span>'
        f"{escape_html(_tier_label(k))}</div>"
        for k in range(1, n_tiers + 1)
    )
    items += (
        f'<div><span style="display:inline-block;width:12px;height:12px;margin-right:6px;'
        f'border-radius:6px;background:{OUTLIER_COLOUR}"></span>'
        f"{escape_html(tr('Outlier', '商圈外'))}</div>"
    )
    return (
        '<div style="position:absolute;bottom:28px;right:10px;z-index:1000;background:white;'
        'padding:6px 10px;border:1px solid #bbb;border-radius:4px;font:12px sans-serif">'
        f"<b>{escape_html(tr('Trade areas', '商圈'))}</b>{items}</div>"
    )


def _footprint_layer(footprints: gpd.GeoDataFrame) -> folium.GeoJson:
    rows = footprints[~footprints.geometry.is_empty]
    layer = gpd.GeoDataFrame(
        {
            "tier": [_tier_label(int(t)) for t in rows["tier"]],
            "customers": rows["customers"],
            "colour": [TIER_COLOURS.get(int(t), "#999999") for t in rows["tier"]],
        },
        geometry=rows.geometry.values,
        crs=rows.crs,
    )
    return folium.GeoJson(
        layer.to_json(),
        name=tr("Customer footprints", "顾客分布轮廓"),
        style_function=lambda f: {
            "color": f["properties"]["colour"],
            "weight": 2,
            "dashArray": "6 4",
            "fillOpacity": 0,
        },
        tooltip=folium.GeoJsonTooltip(["tier", "customers"]),
    )


def _map(result: Any, region: Any) -> folium.Map:
    stores = result.stores
    m = offline_map(center=(float(stores["lat"].mean()), float(stores["lon"].mean())), zoom=15)
    # Without tile layers Leaflet knows no maximum zoom, and the cluster plugin needs one.
    m.options.setdefault("maxZoom", MAX_ZOOM)
    areas = result.areas
    for tier in sorted(areas["tier"].unique(), reverse=True):
        rows = areas[(areas["tier"] == tier) & ~areas.geometry.is_empty]
        if rows.empty:
            continue
        colour = TIER_COLOURS.get(int(tier), "#999999")
        layer = gpd.GeoDataFrame(
            {
                "store": rows["store_id"].map(escape_html),
                "tier": _tier_label(int(tier)),
                "customers": rows["customers"],
                "share": (rows["weight_share"] * 100).round(1).astype(str) + " %",
            },
            geometry=rows.geometry.values,
            crs=rows.crs,
        )
        folium.GeoJson(
            layer.to_json(),
            name=_tier_label(int(tier)),
            style_function=lambda _f, c=colour: {
                "color": c,
                "weight": 1.5,
                "fillColor": c,
                "fillOpacity": 0.35,
            },
            tooltip=folium.GeoJsonTooltip(["store", "tier", "customers", "share"]),
        ).add_to(m)
    if result.footprints is not None:
        _footprint_layer(result.footprints).add_to(m)
    placed = result.customers[result.customers["tier_name"] != "not placed"]
    group = folium.FeatureGroup(name=tr("Customers", "顾客"))
    if len(placed) > HEAT_ABOVE:
        HeatMap(placed[["lat", "lon"]].to_numpy().tolist(), radius=12).add_to(group)
    elif len(placed):
        # One GeoJSON layer inside the cluster group, not one element per customer: folium
        # renders each element through its own template, which is slow for hundreds.
        tiers = placed["tier"].fillna(0).astype(int)
        points = gpd.GeoDataFrame(
            {
                "id": placed["respondent_id"].astype(str).map(escape_html),
                "tier": [escape_html(n) for n in placed["tier_name"]],
                "colour": [TIER_COLOURS.get(t, OUTLIER_COLOUR) for t in tiers],
            },
            geometry=gpd.points_from_xy(placed["lon"], placed["lat"]),
            crs="EPSG:4326",
        )
        cluster = MarkerCluster(options={"disableClusteringAtZoom": 17}).add_to(group)
        folium.GeoJson(
            points.to_json(),
            name=tr("Customers", "顾客"),
            marker=folium.CircleMarker(radius=4, weight=1, fill=True, fill_opacity=0.9),
            style_function=lambda f: {
                "color": f["properties"]["colour"],
                "fillColor": f["properties"]["colour"],
            },
            tooltip=folium.GeoJsonTooltip(["id", "tier"], labels=False),
        ).add_to(cluster)
    group.add_to(m)
    add_store_markers(m, stores)
    folium.LayerControl(collapsed=True).add_to(m)
    m.get_root().html.add_child(folium.Element(_legend(int(areas["tier"].max()))))
    return m


def _table(result: Any, project: Project) -> pd.DataFrame:
    a = result.areas
    unit = a["cutoff_unit"].iloc[0] if len(a) else "m"
    cutoff = a["cutoff"]
    if unit == "s":
        cutoff_text = (cutoff / 60).round(1).astype(str) + " min"
    elif unit == "m":
        cutoff_text = cutoff.round(0).map(lambda v: f"{v:,.0f} m" if v == v else "–")
    else:
        cutoff_text = (cutoff * 100).round(0).map(lambda v: f"≥ {v:.0f} %")
    return pd.DataFrame(
        {
            tr("Store", "门店"): a["store_id"],
            tr("Tier", "商圈"): [_tier_label(int(t)) for t in a["tier"]],
            tr("Cut-off", "边界"): cutoff_text,
            tr("Customers", "顾客数"): a["customers"],
            tr("Share %", "占比 %"): (a["weight_share"] * 100).round(1),
            tr("Cumulative %", "累计 %"): (a["cumulative_share"] * 100).round(1),
            tr("Households", "住户数"): tier_households(project, a).round(0),
            tr("Area km²", "面积 km²"): (a["area_m2"] / 1e6).round(3),
            tr("Inside region %", "区域内 %"): (a["region_share"] * 100).round(0),
        }
    )


def page() -> None:
    """Render the Trade areas page."""
    project = current_project()
    region = current_region()
    st.header(tr("Trade areas", "商圈"))
    customers = _customers(project)
    has_customers = len(customers) > 0
    if not has_customers:
        st.info(
            tr(
                "No geocoded customers yet: geocode a survey on the Survey page. Rings and "
                "time areas can be drawn without them.",
                "尚无已地理编码的顾客：请先在问卷页面完成地理编码。同心圆和时间圈无需顾客数据。",
            )
        )
    stores = _stores(project, region)
    method, options = _controls(has_customers)
    try:
        with st.spinner(tr("Drawing trade areas…", "正在划定商圈…")):
            result = _compute(
                customers, stores, project.region, method, json.dumps(options, sort_keys=True)
            )
    except Exception as exc:
        show_error(exc)
        return
    set_trade_areas(project, result.areas, method=method, options=options)
    acc = result.account
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("Survey rows", "问卷行数"), f"{acc['input_rows']:,}")
    c2.metric(tr("In trade areas", "商圈内"), f"{acc['in_tiers']:,}")
    c3.metric(tr("Outliers", "商圈外"), f"{acc['outliers']:,}")
    c4.metric(tr("Not placed", "未定位"), f"{acc['not_placed']:,}")
    for note in acc.get("warnings", []):
        st.warning(
            tr(
                "A share threshold cannot be reached: customers are off the network.",
                "有份额阈值无法达到：部分顾客不在路网上。",
            )
        )
        st.text(note)  # text: store ids are never markup
    show_map(_map(result, region), key="ta_map", height=560, returned_objects=[])
    st.subheader(tr("Tiers", "商圈分级"))
    st.dataframe(_table(result, project), hide_index=True, width="stretch")
    st.caption(
        tr("Weight", "权重")
        + f": {escape_html(acc['weight_basis'])}. "
        + tr(
            "Counts are recounted inside each polygon; households are estimated from the "
            "region's buildings (only the part of an area inside the region is counted).",
            "顾客数按多边形内实际点数重新统计；住户数由区域内建筑估算（仅统计区域内部分）。",
        )
    )
    if result.overlap is not None and len(result.overlap):
        st.subheader(tr("Overlap between own stores", "本店之间的商圈重叠"))
        st.dataframe(result.overlap, hide_index=True, width="stretch")
    if result.zones is not None and len(result.zones):
        with st.expander(tr("Zones and penetration", "分区渗透率")):
            st.dataframe(
                pd.DataFrame(result.zones.drop(columns="geometry")),
                hide_index=True,
                width="stretch",
            )
    if len(result.outliers) or acc["not_placed"]:
        with st.expander(tr("Outliers and rows not placed", "商圈外与未定位的行")):
            rest = result.customers[result.customers["tier"].isna()]
            st.dataframe(
                pd.DataFrame(rest.drop(columns="geometry")),
                hide_index=True,
                width="stretch",
            )
    d1, d2 = st.columns(2)
    d1.download_button(
        tr("Download tiers (GeoJSON)", "下载商圈（GeoJSON）"),
        result.areas.to_json(),
        file_name="trade_areas.geojson",
        mime="application/geo+json",
        key="ta_dl_geojson",
    )
    d2.download_button(
        tr("Download customer tiers (CSV)", "下载顾客商圈（CSV）"),
        logged_download(
            current_project(),
            lambda: (
                neutralise_frame(pd.DataFrame(result.customers.drop(columns="geometry")))
                .to_csv(index=False)
                .encode("utf-8")
            ),
            table="customer tiers",
            format="csv",
            file="customer_tiers.csv",
            rows=len(result.customers),
        ),
        file_name="customer_tiers.csv",
        mime="text/csv",
        key="ta_dl_csv",
    )
