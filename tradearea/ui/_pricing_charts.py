"""Charts and tables of the Pricing page: price and rent by method, cash flows, heat map, tornado."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from tradearea import pricing
from tradearea._core.escaping import neutralise_frame
from tradearea.ui._common import tr
from tradearea.ui._pricing_labels import KINDS, LABELS, LINES, label

_P = "pricing."


def money(value: float | None, currency: str) -> str:
    """An amount with thousands separators and the currency; a dash if missing."""
    return "—" if value is None else f"{value:,.0f} {currency}".strip()


def price_and_rent_tables(result: dict[str, Any], currency: str) -> None:
    """Sale price by method with weights, rent by method, and the per-floor table."""
    price, rent = result["price"], result["rent"]
    left, right = st.columns(2)
    with left:
        st.subheader(tr("Sale price (base unit, per m²)", "售价（首层标准铺，每平方米）"))
        rows = [
            (tr("Cost method, short term", "成本法（短期）"), price["cost_short_term"], None),
            (tr("Cost method, long term", "成本法（长期）"), price["cost_long_term"], "cost"),
            (tr("Market comparison", "市场比较法"), price["market"], "market"),
            (
                tr("Income method (rent ÷ yield)", "收益法（租金 ÷ 回报率）"),
                price["income"],
                "income",
            ),
        ]
        table = pd.DataFrame(
            {
                tr("Method", "方法"): [r[0] for r in rows],
                tr("Price", "售价"): [money(r[1], currency) for r in rows],
                tr("Weight", "权重"): [
                    f"{price['weights'][r[2]] * 100:.0f} %" if r[2] in price["weights"] else ""
                    for r in rows
                ],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        st.metric(tr("Reconciled sale price", "综合售价"), money(price["reconciled"], currency))
    with right:
        st.subheader(tr("Rent (base unit, per m² per month)", "租金（首层标准铺，每平方米每月）"))
        low, high = rent["yield_range"]
        rows = [
            (tr("Yield method (price × yield)", "收益率法（售价 × 回报率）"), rent["yield"]),
            (tr("Market comparison", "市场比较法"), rent["market"]),
            (tr("What the trade area can pay", "商圈可承受租金"), rent["capacity"]),
            (tr("This scenario", "本方案租金"), rent["scenario"]),
        ]
        table = pd.DataFrame(
            {
                tr("Method", "方法"): [r[0] for r in rows],
                tr("Rent", "租金"): ["—" if r[1] is None else f"{r[1]:,.1f}" for r in rows],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption(
            tr(
                f"Payback 6–12 years (yield 8.3–16.7 %) means a rent of {low:,.1f}–{high:,.1f}.",
                f"投资回收期 6–12 年（回报率 8.3–16.7 %）对应租金 {low:,.1f}–{high:,.1f}。",
            )
        )
        if rent["affordable"] is False:
            st.warning(
                tr(
                    "The rent is above what the tenants' sales can carry at this format's "
                    "occupancy-cost ratio.",
                    "租金高于商户销售额按该业态租售比可承受的水平。",
                )
            )
    floors = pd.DataFrame(result["floors"])
    if not floors.empty:
        floors = floors.drop(columns="level").rename(
            columns={
                "floor": tr("Floor / unit", "楼层/铺位"),
                "area_m2": tr("Area m²", "面积 m²"),
                "rent_multiplier": tr("Rent ×", "租金系数"),
                "price_multiplier": tr("Price ×", "售价系数"),
                "rent_per_m2_month": tr("Rent /m²/month", "月租金/m²"),
                "price_per_m2": tr("Price /m²", "售价/m²"),
                "sold": tr("Sold", "出售"),
            }
        )
        st.dataframe(floors.round(2), hide_index=True, width="stretch")


def cash_flow_chart(evaluation: pricing.Evaluation) -> None:
    """Stacked yearly cash-flow lines with the cumulative net flow, and the table below."""
    table = evaluation.cash_flow_table()
    long = (
        table[list(pricing.PROJECT_LINES)]
        .reset_index()
        .melt(id_vars="year", var_name="line", value_name="amount")
    )
    long = long[long["amount"] != 0]
    long["line"] = long["line"].map(lambda k: tr(*LINES[k]))
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=tr("Year", "年")),
            y=alt.Y("amount:Q", title=tr("Cash flow", "现金流")),
            color=alt.Color("line:N", title=tr("Line", "科目")),
            tooltip=["year", "line", alt.Tooltip("amount:Q", format=",.0f")],
        )
    )
    cumulative = (
        alt.Chart(table.reset_index())
        .mark_line(point=True, color="black")
        .encode(x="year:O", y="cumulative:Q", tooltip=[alt.Tooltip("cumulative:Q", format=",.0f")])
    )
    st.altair_chart(bars + cumulative, width="stretch")
    with st.expander(tr("Yearly cash flows", "逐年现金流")):
        st.dataframe(table.round(0), width="stretch")
        csv = neutralise_frame(table.reset_index()).to_csv(index=False)
        st.download_button(
            tr("Download CSV", "下载 CSV"), csv, file_name="cash_flows.csv", mime="text/csv"
        )


def sensitivity(scenario: pricing.Scenario) -> None:
    """IRR heat map over two chosen inputs and the tornado of all inputs, side by side."""
    st.subheader(tr("Sensitivity", "敏感性分析"))
    keys = [k for k in pricing.TORNADO_KEYS if k in LABELS]
    left, middle, right = st.columns(3)
    rows_key = left.selectbox(
        tr("Rows", "行"), keys, index=0, format_func=label, key=_P + "heat_rows"
    )
    others = [k for k in keys if k != rows_key]
    cols_key = middle.selectbox(
        tr("Columns", "列"),
        others,
        index=others.index("rents.vacancy") if "rents.vacancy" in others else 0,
        format_func=label,
        key=_P + "heat_cols",
    )
    swing = right.slider(tr("Swing ± %", "变动幅度 ± %"), 5, 50, 20, 5, key=_P + "swing") / 100
    axes = {}
    for key in (rows_key, cols_key):
        group, name = key.split(".", 1)
        base = float(getattr(getattr(scenario, group), name))
        low, high = pricing.swing_values(key, base, swing)
        axes[key] = np.unique(np.linspace(low, high, 9))
    grid = pricing.scenario_grid(scenario, axes)
    # Vega-Lite reads dots in field names as nested fields: plain names for the chart
    grid = grid.rename(columns={rows_key: "row_value", cols_key: "column_value"})
    for column, key in (("row_value", rows_key), ("column_value", cols_key)):
        if KINDS.get(key) == "pct":  # shown in % like the input boxes
            grid[column] = (grid[column] * 100).round(6)
    grid["irr_pct"] = grid["irr"] * 100
    heat = (
        alt.Chart(grid)
        .mark_rect()
        .encode(
            x=alt.X("column_value:O", title=label(cols_key), axis=alt.Axis(format=".3~g")),
            y=alt.Y(
                "row_value:O",
                title=label(rows_key),
                sort="descending",
                axis=alt.Axis(format=".3~g"),
            ),
            color=alt.Color("irr_pct:Q", title="IRR %", scale=alt.Scale(scheme="redyellowgreen")),
            tooltip=[
                alt.Tooltip("row_value:Q", title=label(rows_key)),
                alt.Tooltip("column_value:Q", title=label(cols_key)),
                alt.Tooltip("irr_pct:Q", format=".1f", title="IRR %"),
            ],
        )
    )
    heat_column, tornado_column = st.columns(2)
    heat_column.caption(tr("IRR heat map", "IRR 热力图"))
    heat_column.altair_chart(heat, width="stretch")
    frame = pricing.tornado(scenario, swing=swing)
    frame = frame[frame["range"] > 0].copy()
    if frame.empty:
        return
    frame["label"] = frame["input"].map(label)
    frame["low_pct"], frame["high_pct"] = frame["low"] * 100, frame["high"] * 100
    base = float(frame["base"].iloc[0]) * 100
    order = frame["label"].tolist()
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=order, title=None),
            x=alt.X("low_pct:Q", title=tr("IRR % (input low → high)", "IRR %（输入低 → 高）")),
            x2="high_pct:Q",
            tooltip=["input", "low_value", "high_value", alt.Tooltip("low_pct:Q", format=".2f"),
                     alt.Tooltip("high_pct:Q", format=".2f")],
        )
    )  # fmt: skip
    rule = alt.Chart(pd.DataFrame({"base": [base]})).mark_rule(color="black").encode(x="base:Q")
    tornado_column.caption(
        tr("Tornado: the inputs that move IRR most", "龙卷风图：对 IRR 影响最大的输入")
    )
    tornado_column.altair_chart(bars + rule, width="stretch")
