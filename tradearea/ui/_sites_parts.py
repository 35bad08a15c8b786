"""Parts of the Sites page: labels, the nearest address, and one candidate's details."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

from tradearea import project as proj
from tradearea._core.escaping import escape_markdown
from tradearea.project.analysis import IRS_AFTER_LABEL
from tradearea.ui._common import current_project, show_error, tr
from tradearea.ui._format import money, number, percent

if TYPE_CHECKING:
    from tradearea.project.workspace import Project
    from tradearea.regions.packs import Region

_K = "sites."
METHOD_LABELS: dict[str, tuple[str, str]] = {
    "rings": ("Rings by format (rule of thumb)", "按业态划定同心圆（经验值）"),
    "walk": ("Walking time 5 / 10 / 15 min", "步行时间 5 / 10 / 15 分钟"),
    "drive": ("Driving time 5 / 10 / 15 min", "驾车时间 5 / 10 / 15 分钟"),
    "huff": ("Huff market share 30 / 10 / 5 %", "哈夫模型市场占有率 30 / 10 / 5 %"),
}
STEP_ZH = {
    "Stores and demand": "门店与需求",
    "Trade areas": "划定商圈",
    "Saturation (IRS)": "零售饱和指数",
    "Huff forecast": "哈夫模型销售预测",
    "Pricing": "租售定价",
    "Taboo checklist": "选址禁忌检查",
}
TIER_LABELS = {
    1: ("Primary", "第一商圈"),
    2: ("Secondary", "第二商圈"),
    3: ("Tertiary", "第三商圈"),
}
STATUS_LABELS = {
    "ok": ("ok", "正常"),
    "taboo": ("taboo", "禁忌"),
    "unchecked": ("to check on site", "待现场核查"),
}


def nearest_address(region: Region, lat: float, lon: float, *, max_m: float = 60.0) -> str | None:
    """Return "street housenumber" of the region's address nearest to a point, if close."""
    from tradearea.distance import great_circle_m

    addresses = region.addresses
    if not len(addresses):
        return None
    d = great_circle_m(addresses["lat"].to_numpy(float), addresses["lon"].to_numpy(float), lat, lon)
    i = int(np.argmin(d))
    if d[i] > max_m:
        return None
    row = addresses.iloc[i]
    return f"{row['street']} {row['housenumber']}".strip()


def _tier(t: Any) -> str:
    en, zh = TIER_LABELS.get(int(t), (f"Tier {t}", f"第{t}商圈"))
    return tr(en, zh)


def _cutoff(row: pd.Series) -> str:
    unit = str(row.get("cutoff_unit") or "")
    value = row.get("cutoff")
    if value is None or pd.isna(value):
        return "—"
    if unit == "s":
        return tr(f"{value / 60:.0f} min", f"{value / 60:.0f} 分钟")
    if unit == "m":
        return f"{value:,.0f} m"
    if unit == "market share":
        return tr(f"share ≥ {value:.0%}", f"占有率 ≥ {value:.0%}")
    return str(value)


def _rent_changed(candidate_id: str, evaluation_of: Callable[[str], Any]) -> None:
    project = current_project()
    rent = st.session_state.get(f"{_K}rent.{candidate_id}")
    ev = evaluation_of(candidate_id)
    if ev is None or rent is None:
        return
    try:
        ev = proj.with_rent(project, ev, float(rent))
        proj.put_candidate(project, ev, change="rent")
    except Exception as exc:
        st.session_state[_K + "error"] = exc


def _tick_changed(candidate_id: str, key: str, evaluation_of: Callable[[str], Any]) -> None:
    project = current_project()
    ticks = dict(project.settings.taboo_ticks.get(candidate_id) or {})
    ticks[key] = bool(st.session_state.get(f"{_K}tick.{candidate_id}.{key}"))
    proj.set_taboo_ticks(project, candidate_id, ticks)
    ev = evaluation_of(candidate_id)
    if ev is not None:
        proj.put_candidate(project, ev, change="taboo", store_scenario=False)


def _remove(candidate_id: str) -> None:
    proj.remove_candidate(current_project(), candidate_id)
    st.session_state.pop(_K + "selected", None)


def details(project: Project, table: pd.DataFrame, *, evaluation_of: Callable[[str], Any]) -> None:
    """Show one candidate: key figures, rent to test, tiers and IRS, Huff, pricing, taboos."""
    st.subheader(tr("Candidate details", "候选店址详情"))
    if _K + "error" in st.session_state:
        show_error(st.session_state.pop(_K + "error"))
    ids = list(table.index)
    if st.session_state.get(_K + "selected") not in ids:
        st.session_state[_K + "selected"] = ids[0]
    cid = st.selectbox(
        tr("Candidate", "候选店址"),
        ids,
        format_func=lambda i: f"{i} · {table.at[i, 'name']}",
        key=_K + "selected",
    )
    try:
        ev = evaluation_of(cid)
    except Exception as exc:
        show_error(exc)
        return
    if ev is None:
        return
    _figures(ev)
    rent_now = ev.pricing["price_and_rent"]["rent"]["scenario"]
    key = f"{_K}rent.{cid}"
    if key not in st.session_state:
        st.session_state[key] = float(rent_now)
    c1, c2 = st.columns([2, 1])
    c1.number_input(
        tr("Rent to test for this candidate (per m² a month)", "该店址测试租金（每平方米每月）"),
        min_value=0.0,
        max_value=1e6,
        step=0.5,
        key=key,
        on_change=_rent_changed,
        args=(cid, evaluation_of),
    )
    c2.write("")
    c2.button(
        tr("Remove this candidate", "删除该候选店址"),
        key=f"{_K}remove.{cid}",
        on_click=_remove,
        args=(cid,),
    )
    tabs = st.tabs(
        [
            tr("Trade areas and IRS", "商圈与饱和指数"),
            tr("Huff forecast", "哈夫模型预测"),
            tr("Pricing", "租售定价"),
            tr("Taboo checklist", "选址禁忌"),
        ]
    )
    with tabs[0]:
        _tiers(ev)
    with tabs[1]:
        _huff(ev)
    with tabs[2]:
        _pricing(ev)
    with tabs[3]:
        _taboos(ev, evaluation_of)
    for note in ev.notes:
        st.caption(escape_markdown(note))


def _figures(ev: Any) -> None:
    rent = ev.pricing["price_and_rent"]["rent"]
    metrics = ev.pricing["metrics"]
    row = ev.row()
    c = st.columns(4)
    c[0].metric(tr("Households, primary", "第一商圈户数"), number(row["households_primary"]))
    c[1].metric(
        tr("Expected sales a year", "预计年销售额"), money(row["expected_sales"], short=True)
    )
    c[2].metric(
        tr(*IRS_AFTER_LABEL),
        number(row["irs_after"], 1),
        help=tr(
            "Index of Retail Saturation of the whole trade area with the candidate open "
            "(spending per m² of floor area per week; higher is less saturated).",
            "开业后整个商圈的零售饱和指数（每平方米营业面积每周的消费额；越高越不饱和）。",
        ),
    )
    c[3].metric(tr("Cannibalisation", "对本店的分流"), percent(row["cannibalisation_share"]))
    d = st.columns(4)
    d[0].metric(
        tr("Rent capacity, per m² a month", "租金承受力（每平方米每月）"),
        money(rent.get("capacity"), 2),
    )
    d[1].metric(
        tr("Rent tested, per m² a month", "测试租金（每平方米每月）"),
        money(rent.get("scenario"), 2),
    )
    d[2].metric(tr("IRR", "内部收益率"), percent(metrics.get("irr")))
    d[3].metric(tr("Taboos found", "选址禁忌数"), number(row["taboos"]))
    affordable = rent.get("affordable")
    if affordable is True:
        st.success(tr("The trade area can carry this rent.", "商圈可以承受该租金。"))
    elif affordable is False:
        st.warning(
            tr(
                "This rent is above what the trade area can carry.",
                "该租金高于商圈的承受能力。",
            )
        )


def _tiers(ev: Any) -> None:
    areas = ev.trade_areas.reset_index(drop=True)
    irs = ev.irs.set_index("tier")
    ring = ev.irs_ring.set_index("tier")
    rows = []
    for _, a in areas.iterrows():
        t = int(a["tier"])
        rows.append(
            {
                tr("Tier", "商圈"): _tier(t),
                tr("Reach", "范围"): _cutoff(a),
                tr("Households", "户数"): number(a.get("households")),
                tr("Stores of the category", "同类门店"): number(
                    ring["stores"].get(t, np.nan) if len(ring) else np.nan
                ),
                tr("IRS without", "开店前饱和指数"): _irs_text(irs["irs"].get(t, np.nan)),
                tr("IRS with", "开店后饱和指数"): _irs_text(
                    irs["irs_with_candidate"].get(t, np.nan)
                ),
            }
        )
    st.table(pd.DataFrame(rows).set_index(tr("Tier", "商圈")))
    st.caption(
        tr(
            f"Method: {tr(*METHOD_LABELS.get(ev.method, (ev.method, ev.method)))}. IRS = "
            "households × spending per household ÷ floor area of the category, cumulative "
            "out to each tier.",
            f"方法：{tr(*METHOD_LABELS.get(ev.method, (ev.method, ev.method)))}。饱和指数 = "
            "户数 × 户均消费 ÷ 同类营业面积，按商圈由内向外累计。",
        )
    )


def _irs_text(value: Any) -> str:
    v = float(value) if value is not None else np.nan
    if np.isinf(v):
        return tr("no competition", "无竞争")
    return number(v, 1)


def _huff(ev: Any) -> None:
    fc = ev.forecast
    if fc is None:
        st.info(
            tr(
                "No Huff forecast: the project has no own stores or competitors.",
                "无法进行哈夫预测：项目中没有本店或竞争店。",
            )
        )
        return
    c = st.columns(3)
    c[0].metric(tr("Expected sales a year", "预计年销售额"), money(fc.expected_sales, short=True))
    c[1].metric(tr("From own stores", "来自本店"), money(fc.from_own, short=True))
    c[2].metric(tr("From competitors", "来自竞争店"), money(fc.from_competitors, short=True))
    top = fc.stores.head(8)
    st.table(
        pd.DataFrame(
            {
                tr("Store", "门店"): top["name"].astype(str),
                tr("Role", "类型"): top["role"].map(
                    lambda r: tr("own", "本店") if r == "own" else tr("competitor", "竞争店")
                ),
                tr("Sales before", "开店前销售额"): top["sales_before"].map(
                    lambda v: money(v, short=True)
                ),
                tr("Sales after", "开店后销售额"): top["sales_after"].map(
                    lambda v: money(v, short=True)
                ),
                tr("Taken by the candidate", "被分流"): top["transfer"].map(
                    lambda v: money(v, short=True)
                ),
            }
        ).set_index(tr("Store", "门店"))
    )
    st.caption(
        tr(
            f"Huff α = {fc.alpha:g}, β = {fc.beta:g}.",
            f"哈夫模型 α = {fc.alpha:g}，β = {fc.beta:g}。",
        )
    )


def _pricing(ev: Any) -> None:
    pr = ev.pricing
    rent, price = pr["price_and_rent"]["rent"], pr["price_and_rent"]["price"]
    metrics = pr["metrics"]
    per = "m²/" + tr("month", "月")
    rows = [
        (tr("Rent capacity (tenant sales × occupancy-cost ratio)", "租金承受力（租户销售额 × 租售比）"),
         money(rent.get("capacity"), 2, per=per)),
        (tr("Rent tested", "测试租金"), money(rent.get("scenario"), 2, per=per)),
        (tr("Rent from yield", "收益率法租金"), money(rent.get("yield"), 2, per=per)),
        (tr("Sale price, reconciled", "综合售价"), money(price.get("reconciled"), 0, per="m²")),
        (tr("Tenant sales a year", "租户年销售额"), money(rent.get("tenant_sales_per_year"), short=True)),
        (tr("Rent the sales can pay a year", "销售额可承担的年租金"), money(pr.get("rent_capacity_year"), short=True)),
        (tr("IRR", "内部收益率"), percent(metrics.get("irr"))),
        (tr("NPV", "净现值"), money(metrics.get("npv"), short=True)),
        (tr("Payback period (years)", "投资回收期（年）"), number(metrics.get("payback_years"), 1)),
    ]  # fmt: skip
    st.table(pd.DataFrame(rows, columns=[tr("Measure", "指标"), tr("Value", "数值")]).set_index(
        tr("Measure", "指标")
    ))  # fmt: skip
    st.caption(
        tr("Scenario", "方案")
        + f": {escape_markdown(pr['scenario'].name)} ({escape_markdown(pr['source'])}). "
        + tr(
            "Edit its other inputs on the Pricing page.",
            "其他参数可在“租售定价”页面修改。",
        )
    )


def _taboos(ev: Any, evaluation_of: Callable[[str], Any]) -> None:
    cid = ev.candidate_id
    table = ev.taboos
    auto = table[table["auto"]]
    st.markdown("**" + tr("From the street data", "根据街道数据自动判断") + "**")
    st.table(
        pd.DataFrame(
            {
                tr("Item", "项目"): [tr(r.item, r.item_zh) for r in auto.itertuples()],
                tr("Status", "结果"): [tr(*STATUS_LABELS[s]) for s in auto["status"]],
                tr("Evidence", "依据"): auto["evidence"].astype(str),
            }
        ).set_index(tr("Item", "项目"))
    )
    st.markdown("**" + tr("To check on site (tick when present)", "现场核查（存在则勾选）") + "**")
    ticks = current_project().settings.taboo_ticks.get(cid) or {}
    manual = table[~table["auto"]]
    cols = st.columns(2)
    for i, r in enumerate(manual.itertuples()):
        key = f"{_K}tick.{cid}.{r.key}"
        if key not in st.session_state:
            st.session_state[key] = bool(ticks.get(r.key, False))
        cols[i % 2].checkbox(
            tr(r.item, r.item_zh)
            + ("" if r.key in ticks else " · " + tr("not checked yet", "尚未核查")),
            key=key,
            on_change=_tick_changed,
            args=(cid, r.key, evaluation_of),
        )
