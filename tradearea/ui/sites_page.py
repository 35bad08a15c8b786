"""App page "Sites" (选址): add candidates on the map, evaluate each in one step, compare them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import folium
import numpy as np
import pandas as pd
import streamlit as st

from tradearea import project as proj
from tradearea import sites
from tradearea._core.escaping import escape_html, escape_markdown
from tradearea.formats import FORMATS
from tradearea.geocode.chinese import to_wgs84
from tradearea.project.analysis import IRS_AFTER_LABEL
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
from tradearea.ui._format import DATUM_LABELS, money, number, percent
from tradearea.ui._sites_parts import (
    METHOD_LABELS,
    STEP_ZH,
    details,
    nearest_address,
)

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

_K = "sites."
TIER_COLOURS = {1: "#d7301f", 2: "#fc8d59", 3: "#fdcc8a"}


# --------------------------------------------------------------------------------------------
# Evaluations, cached by their inputs


def evaluation(project: Project, inputs: dict[str, Any], progress: Any = None) -> Any:
    """Return the candidate's evaluation with the project's scenario, rent and taboo answers.

    The library caches it on every input it reads (:func:`tradearea.project.evaluate_candidate`),
    so the same candidate shows the same figures here, on the other pages and in the report.
    """
    keys = ("lat", "lon", "name", "format", "floor_area_m2", "candidate_id", "method")
    plain = {k: inputs.get(k) for k in keys}
    plain["rent_per_m2_month"] = inputs.get("rent_per_m2_month")
    ticks = project.settings.taboo_ticks.get(str(plain["candidate_id"]))
    return proj.evaluate_candidate(project, **plain, ticks=ticks, progress=progress)


def _inputs_of(project: Any, candidate_id: str) -> dict[str, Any] | None:
    for item in proj.candidate_inputs(project):
        if item["candidate_id"] == candidate_id:
            return item
    return None


# --------------------------------------------------------------------------------------------
# Map and the form to add a candidate


def _format_label(key: str) -> str:
    f = FORMATS[key]
    return tr(f.name_en, f.name_zh)


def _map(project: Any, selected: Any) -> dict[str, Any]:
    m = offline_map(zoom=15)
    comp = project.layer("competitors")
    group = folium.FeatureGroup(name=tr("Competitors", "竞争店"))
    for row in comp.itertuples():
        folium.CircleMarker(
            [row.geometry.y, row.geometry.x],
            radius=6,
            color="#34495e",
            fill=True,
            fill_opacity=0.85,
            tooltip=escape_html(getattr(row, "name", "")),
        ).add_to(group)
    group.add_to(m)
    stores = project.layer("stores")
    if len(stores):
        add_store_markers(
            m, stores.assign(lat=stores.geometry.y, lon=stores.geometry.x).fillna({"name": ""})
        )
    if selected is not None:
        areas = selected.trade_areas[["tier", "geometry"]].dropna()
        folium.GeoJson(
            areas.to_json(),
            name=tr("Trade areas of the selected candidate", "所选候选店址的商圈"),
            style_function=lambda f: {
                "color": TIER_COLOURS.get(f["properties"]["tier"], "#999"),
                "fillColor": TIER_COLOURS.get(f["properties"]["tier"], "#999"),
                "weight": 2,
                "fillOpacity": 0.08,
            },
        ).add_to(m)
    layer = project.layer("candidates")
    cand_group = folium.FeatureGroup(name=tr("Candidates", "候选店址"))
    for cid, row in zip(proj.layer_ids(layer), layer.itertuples(), strict=True):
        if row.geometry is None or row.geometry.is_empty:
            continue
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            tooltip=escape_html(f"{cid} · {getattr(row, 'name', '')}"),
            icon=folium.Icon(color="green", icon="star", prefix="fa"),
        ).add_to(cand_group)
    cand_group.add_to(m)
    lat, lon = st.session_state.get(_K + "lat"), st.session_state.get(_K + "lon")
    if lat is not None and lon is not None:
        folium.Marker(
            [lat, lon],
            tooltip=tr("New candidate", "新候选店址"),
            icon=folium.Icon(color="orange", icon="plus", prefix="fa"),
        ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return show_map(m, key=_K + "map", height=520)


def _take_click(clicked: dict[str, Any]) -> None:
    """A new click on the map fills the form (before its widgets are drawn)."""
    point = (clicked or {}).get("last_clicked")
    if not point or point.get("lat") is None:
        return
    where = (round(float(point["lat"]), 6), round(float(point["lng"]), 6))
    if st.session_state.get(_K + "last_click") == where:
        return
    st.session_state[_K + "last_click"] = where
    st.session_state[_K + "lat"], st.session_state[_K + "lon"] = where
    st.session_state[_K + "name"] = nearest_address(current_region(), *where) or tr(
        f"Site at {where[0]:.5f}, {where[1]:.5f}", f"店址 {where[0]:.5f}, {where[1]:.5f}"
    )


def _add_form(project: Any) -> None:
    st.subheader(tr("Add a candidate", "添加候选店址"))
    st.caption(
        tr(
            "Click the map, or type the coordinates.",
            "点击地图，或输入坐标。",
        )
    )
    for key, default in (("lat", None), ("lon", None), ("name", ""), ("format", "supermarket"),
                         ("area", None), ("rent", None)):  # fmt: skip
        st.session_state.setdefault(_K + key, default)
    c1, c2 = st.columns(2)
    lat = c1.number_input(
        tr("Latitude", "纬度"), min_value=-90.0, max_value=90.0,
        format="%.6f", step=0.0001, key=_K + "lat",
    )  # fmt: skip
    lon = c2.number_input(
        tr("Longitude", "经度"), min_value=-180.0, max_value=180.0,
        format="%.6f", step=0.0001, key=_K + "lon",
    )  # fmt: skip
    name = st.text_input(tr("Name", "名称"), key=_K + "name", max_chars=120)
    c3, c4 = st.columns(2)
    fmt = c3.selectbox(
        tr("Format", "业态"),
        list(FORMATS),
        format_func=_format_label,
        key=_K + "format",
    )
    area = c4.number_input(
        tr("Sales floor area (m²)", "营业面积 (m²)"),
        min_value=1.0,
        max_value=500_000.0,
        step=50.0,
        placeholder=f"{FORMATS[fmt].default_floor_area_m2:,.0f}",
        key=_K + "area",
        help=tr("Empty: the format's typical size.", "留空则采用该业态的典型面积。"),
    )
    rent = st.number_input(
        tr("Rent to test (per m² a month)", "测试租金（每平方米每月）"),
        min_value=0.0,
        max_value=1e6,
        step=0.5,
        placeholder=tr("the scenario's rent", "采用方案租金"),
        key=_K + "rent",
    )
    datum = st.radio(
        tr("Typed coordinates are", "输入的坐标为"), list(DATUM_LABELS),
        format_func=DATUM_LABELS.get, horizontal=True, key=_K + "datum",
        help=tr("GCJ-02 and BD-09 are converted to WGS84 inside mainland China only; a map "
                "click is always WGS84.",
                "GCJ-02 与 BD-09 仅在中国大陆境内转换为 WGS84；地图点击始终为 WGS84。"),
    )  # fmt: skip
    go = st.button(
        tr("Evaluate and add", "评估并添加"),
        type="primary",
        key=_K + "add",
        disabled=lat is None or lon is None,
    )
    if go:
        wlat, wlon = (float(v[0]) for v in to_wgs84([lat], [lon], system=datum))
        inputs = {
            "lat": wlat,
            "lon": wlon,
            "name": (name or "").strip() or tr("Candidate", "候选店址"),
            "format": fmt,
            "floor_area_m2": float(area) if area else None,
            "candidate_id": proj.next_candidate_id(project),
            "method": project.settings.candidate_trade_area,
            "rent_per_m2_month": float(rent) if rent is not None else None,
        }
        _evaluate_and_add(project, inputs)


def _evaluate_and_add(project: Any, inputs: dict[str, Any]) -> None:
    with st.status(tr("Evaluating the candidate…", "正在评估候选店址…"), expanded=True) as status:

        def progress(label: str) -> None:
            status.write(tr(label, STEP_ZH.get(label, label)) + " …")

        try:
            ev = evaluation(project, inputs, progress=progress)
            proj.put_candidate(project, ev)
        except Exception as exc:
            status.update(label=tr("Not evaluated", "评估失败"), state="error")
            show_error(exc)
            return
        status.update(
            label=tr("Added", "已添加") + f" {ev.candidate_id}: " + escape_markdown(inputs["name"]),
            state="complete",
            expanded=False,
        )  # fmt: skip
    st.session_state[_K + "selected"] = ev.candidate_id
    for key in ("lat", "lon", "name", "area", "rent"):
        st.session_state.pop(_K + key, None)
    st.rerun()


# --------------------------------------------------------------------------------------------
# Trade-area method and scorecard weights


def _method(project: Any) -> None:
    current = project.settings.candidate_trade_area
    st.session_state.setdefault(_K + "method", current)
    choice = st.selectbox(
        tr("Trade areas of candidates", "候选店址商圈划定方法"),
        list(sites.TRADE_AREA_METHODS),
        format_func=lambda k: tr(*METHOD_LABELS[k]),
        key=_K + "method",
    )
    if choice != current:
        proj.set_settings(project, candidate_trade_area=choice)
    layer = project.layer("candidates")
    stale = [
        cid
        for cid, m in zip(
            proj.layer_ids(layer),
            layer["method"] if "method" in layer else [None] * len(layer),
            strict=True,
        )
        if isinstance(m, str) and m and m != choice  # placed elsewhere: evaluated on demand
    ]
    if stale and st.button(
        tr(
            f"Evaluate {len(stale)} candidate(s) again with this method",
            f"用此方法重新评估 {len(stale)} 个候选店址",
        ),
        key=_K + "reevaluate",
    ):
        _reevaluate(project, stale)


def _reevaluate(project: Any, ids: list[str]) -> None:
    bar = st.progress(0.0, text=tr("Evaluating…", "正在评估…"))
    for i, cid in enumerate(ids, start=1):
        inputs = _inputs_of(project, cid)
        if inputs is None:
            continue
        inputs["method"] = project.settings.candidate_trade_area
        try:
            proj.put_candidate(project, evaluation(project, inputs), change="method")
        except Exception as exc:
            show_error(exc)
        bar.progress(i / len(ids), text=f"{cid} ({i}/{len(ids)})")
    bar.empty()
    st.rerun()


def _weights(project: Any) -> dict[str, float]:
    saved = project.settings.scorecard_weights
    weights: dict[str, float] = {}
    with st.expander(tr("Scorecard weights", "评分权重"), expanded=False):
        cols = st.columns(2)
        for i, (key, spec) in enumerate(sites.SCORECARD_FACTORS.items()):
            st.session_state.setdefault(f"{_K}w.{key}", int(saved.get(key, spec["weight"])))
            weights[key] = float(
                cols[i % 2].slider(
                    tr(spec["label"], spec["label_zh"]),
                    min_value=0,
                    max_value=50,
                    step=5,
                    key=f"{_K}w.{key}",
                )
            )
    before = {k: float(saved.get(k, spec["weight"])) for k, spec in sites.SCORECARD_FACTORS.items()}
    if weights != before and weights != saved:
        proj.set_settings(project, scorecard_weights=weights)
    return weights


def _comparison(project: Any) -> pd.DataFrame | None:
    layer = project.layer("candidates")
    st.subheader(tr("Comparison and scorecard", "候选店址比较与评分"))
    if not len(layer):
        st.info(
            tr(
                "No candidates yet: click the map and press “Evaluate and add”.",
                "尚无候选店址：请点击地图并按“评估并添加”。",
            )
        )
        return None
    weights = _weights(project)
    try:
        table = proj.compare_project_candidates(project, weights)
    except ValueError as exc:
        show_error(exc)
        return None
    cur_rent = "m²/" + tr("month", "月")
    na = pd.Series(np.nan, index=table.index)
    # headers are Markdown: user names are escaped; "1." would start a list, so the rank is last
    columns = [
        escape_markdown(f"{cid} · {name}") + tr(f" (#{int(rank)})", f"（第{int(rank)}名）")
        for rank, cid, name in zip(table["rank"], table.index, table["name"], strict=True)
    ]
    zh = lang() == "zh"
    figures = {
        tr("Verdict", "结论"): table.get("verdict_zh" if zh else "verdict_en", na).fillna("–"),
        tr("Score (0–100)", "综合得分"): table["total"].map(lambda v: number(v, 1)),
        tr("Tenant score", "租户得分"): table.get("tenant_score", na).map(lambda v: number(v, 1)),
        tr("Landlord score (not in the total)", "业主得分（不计入总分）"): table.get(
            "landlord_score", na
        ).map(lambda v: number(v, 1)),
        tr("Households, primary", "第一商圈户数"): table["households_primary"].map(number),
        tr("Expected sales a year", "预计年销售额"): table["expected_sales"].map(
            lambda v: money(v, short=True)
        ),
        tr("Market share, primary", "第一商圈市场占有率"): table.get(
            "market_share_primary", na
        ).map(percent),
        tr("Cannibalisation", "对本店的分流"): table.get("cannibalisation_share", na).map(percent),
        tr(*IRS_AFTER_LABEL): table["irs_after"].map(lambda v: number(v, 1)),
        tr("IRS in the region", "区域内饱和程度"): table.get(
            "irs_reading_zh" if zh else "irs_reading_en", na
        ).fillna("–"),
        tr("Competitors, primary", "第一商圈竞争店"): table["competitors_primary"].map(number),
        tr("Transit stops ≤ 300 m", "300米内公交站"): table["transit_stops"].map(number),
        tr("Rent capacity", "租金承受力"): table.get("rent_capacity", na).map(
            lambda v: money(v, 2, per=cur_rent)
        ),
        tr("Rent tested", "测试租金"): table.get("scenario_rent", na).map(
            lambda v: money(v, 2, per=cur_rent)
        ),
        tr("IRR", "内部收益率"): table["irr"].map(percent),
        tr("Taboos", "选址禁忌"): table["taboos"].map(number),
    }
    shown = pd.DataFrame([list(v) for v in figures.values()], index=list(figures), columns=columns)
    shown.index.name = tr("Figure", "指标")
    st.table(shown)
    for cid, name, reasons in zip(
        table.index, table["name"], table.get("reasons_zh" if zh else "reasons_en", na),
        strict=True,
    ):  # fmt: skip
        if isinstance(reasons, str) and reasons:
            st.markdown(f"**{escape_markdown(f'{cid} · {name}')}**: {escape_markdown(reasons)}")
    st.caption(
        tr(
            "Each factor is scaled 0–100 across the candidates (100 = best) and weighted; "
            "missing figures score 0. The total counts the market, the site and the tenant's "
            "side (rent headroom, occupancy cost); the landlord's return rises with the rent and "
            "is scored apart, so a higher tested rent never ranks a site higher.",
            "各因素在候选店址之间按 0–100 标准化（100 为最佳）后加权；缺失值计 0 分。总分计入市场、"
            "店址与租户一方（租金余量、租售比）；业主回报随租金上升，单独评分，"
            "因此测试租金越高，排名不会因此上升。",
        )
    )
    return table


def page() -> None:
    """Render the Sites page."""
    project = current_project()
    st.header(tr("Sites", "选址"))
    st.caption(
        tr(
            "Add candidate sites on the map; each is evaluated in one step: its trade areas, "
            "households, saturation (IRS) with and without it, Huff forecast and "
            "cannibalisation, rent and returns, and the site taboo checklist.",
            "在地图上添加候选店址；每个店址一步完成评估：商圈、户数、开店前后的零售饱和指数、"
            "哈夫模型销售预测与分流、租金与投资回报，以及选址禁忌检查。",
        )
    )
    _method(project)
    ids = proj.layer_ids(project.layer("candidates"))
    if ids and st.session_state.get(_K + "selected") not in ids:
        st.session_state[_K + "selected"] = ids[0]
    selected_id = st.session_state.get(_K + "selected") if ids else None
    inputs = _inputs_of(project, selected_id) if selected_id else None
    selected = None
    if inputs is not None:
        try:
            selected = evaluation(project, inputs)
        except Exception as exc:
            show_error(exc)
    _take_click(st.session_state.get(_K + "map") or {})  # a click of the last run
    left, right = st.columns([3, 2], gap="medium")
    with left:
        clicked = _map(project, selected)
    _take_click(clicked)
    with right:
        _add_form(project)
    table = _comparison(project)
    if table is not None:
        details(project, table, evaluation_of=lambda cid: _evaluation_of(project, cid))


def _evaluation_of(project: Any, candidate_id: str) -> Any:
    inputs = _inputs_of(project, candidate_id)
    return None if inputs is None else evaluation(project, inputs)
