"""App page: Pricing (租售定价): rents, sale prices, investment returns and scenarios."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from tradearea import pricing
from tradearea._core.escaping import escape_markdown
from tradearea.errors import InputError
from tradearea.formats import FORMAT_KEYS, FORMATS
from tradearea.project.commands import set_scenario
from tradearea.project.scenarios import scenario_template
from tradearea.settings import data_dir
from tradearea.ui._common import current_project, show_error, tr
from tradearea.ui._pricing_charts import (
    cash_flow_chart,
    money,
    price_and_rent_tables,
    sensitivity,
)
from tradearea.ui._pricing_labels import (
    INPUT_GROUPS,
    KINDS,
    METRIC_LABELS,
    MODES,
    PERCENT_METRICS,
    comparable_columns,
    floor_columns,
    label,
)

_P = "pricing."
_FLOOR_COLUMNS = (
    "name",
    "level",
    "area_m2",
    "rent_multiplier",
    "price_multiplier",
    "corner",
    "frontage_m",
)
_COMP_COLUMNS = ("name", "price_per_m2", "rent_per_m2_month", "location_adj", "floor_adj",
                 "frontage_adj", "size_adj", "age_adj", "time_adj", "weight")  # fmt: skip
_TEMPLATE = "template"
_EXAMPLE = "example"
_DEFAULTS = "defaults"


def _example_path() -> Any:
    return data_dir() / "examples" / "scenario.toml"


def _source_scenario(source: str) -> pricing.Scenario:
    """The scenario to load: the project's template, the example, the defaults or a saved one."""
    if source == _TEMPLATE:
        project = current_project()
        sales = project.settings.sales_forecast
        name = sales.name if sales is not None and sales.name else project.name
        data = scenario_template(project.settings.currency, name=name, floor_area_m2=1_200.0)
        return pricing.scenario_from_dict(data, file="template")
    if source == _DEFAULTS:
        return pricing.Scenario()
    if source == _EXAMPLE:
        path = _example_path()
        return pricing.load_scenario(path) if path.is_file() else pricing.Scenario()
    data = current_project().scenarios[source]
    market = data.get("market") if isinstance(data, dict) else None
    if isinstance(market, dict) and market.get("comparables_file"):
        # a project file may come from anyone: a path inside it is never opened
        msg = (
            "a scenario kept in a project cannot refer to a file on this computer "
            "(market.comparables_file); enter the comparables in the table instead"
        )
        raise InputError(msg, file=source, column="market.comparables_file")
    return pricing.scenario_from_dict(data, file=source)


def _load(source: str) -> None:
    """Put a scenario's inputs into the widgets (a callback: runs before the widgets exist)."""
    try:
        scenario = _source_scenario(source)
        comps, _ = pricing.comparables_table(scenario)
    except InputError as exc:
        st.session_state[_P + "load_error"] = exc
        return
    data = pricing.scenario_to_dict(scenario)
    for group, rows in INPUT_GROUPS.items():
        for key, _, _, kind, _ in rows:
            value = data[group][key.split(".", 1)[1]]
            if kind == "pct" and value is not None:
                value = round(value * 100, 6)
            st.session_state[_P + key] = value
    st.session_state[_P + "name"] = scenario.name
    st.session_state[_P + "site.name"] = scenario.site.name
    st.session_state[_P + "site.format"] = scenario.site.format
    st.session_state[_P + "mode"] = scenario.business_model.mode
    st.session_state[_P + "sold"] = list(scenario.business_model.sold_floors)
    floors = pd.DataFrame(data["site"]["floors"], columns=list(_FLOOR_COLUMNS))
    st.session_state[_P + "floors"] = floors
    table = comps if comps is not None else pd.DataFrame(columns=list(_COMP_COLUMNS))
    st.session_state[_P + "comps"] = table.reset_index(drop=True)
    st.session_state[_P + "version"] = st.session_state.get(_P + "version", 0) + 1
    st.session_state.pop(_P + "load_error", None)


def _trade_area_suggestions() -> list[tuple[str, dict[str, float | None]]]:
    """Tenant sales the project already knows: its Huff forecast and its survey estimate.

    The forecast is the setting ``sales_forecast`` (the last candidate evaluated, a year); the
    survey estimate from the households of the trade-area
    layer (all tiers) and the respondents' mean monthly spending (visits × spend per visit).
    """
    project = current_project()
    out: list[tuple[str, dict[str, float | None]]] = []
    forecast = project.settings.sales_forecast
    if forecast is not None:
        value = float(forecast.expected_sales_per_year)
        if math.isfinite(value) and value > 0:
            out.append(
                (
                    tr(
                        f"Use the Huff forecast: {value:,.0f} a year",
                        f"采用哈夫模型预测：每年 {value:,.0f}",
                    ),
                    {"market.tenant_sales_per_year": float(value)},
                )
            )
    areas = project.layers.get("trade_areas")
    if areas is not None and len(areas) and "households" in areas.columns:
        households = float(pd.to_numeric(areas["households"], errors="coerce").sum())
        # a forecast typed in would take precedence over the survey estimate: clear it
        changes: dict[str, float | None] = {
            "market.households": households,
            "market.tenant_sales_per_year": None,
        }
        customers = project.layers.get("customers")
        if customers is not None and {"visits_per_month", "spend_per_visit"} <= set(customers):
            visits = pd.to_numeric(customers["visits_per_month"], errors="coerce")
            spend = (visits * pd.to_numeric(customers["spend_per_visit"], errors="coerce")).mean()
            if math.isfinite(spend):
                changes["market.monthly_spending_per_household"] = float(spend)
        if households > 0:
            out.append(
                (
                    tr(
                        f"Use the survey estimate: {households:,.0f} households in the trade areas",
                        f"采用问卷估算：商圈内 {households:,.0f} 户",
                    ),
                    changes,
                )
            )
    return out


def _apply(changes: dict[str, float | None]) -> None:
    """Put suggested values into the input boxes (a callback)."""
    for key, value in changes.items():
        st.session_state[_P + key] = value


def _load_selected() -> None:
    """Load the scenario chosen in the "Start from" box (read at click time)."""
    _load(st.session_state.get(_P + "source", _TEMPLATE))


def _number_input(key: str, step: float) -> None:
    kind = KINDS[key]
    low, low_inc, high, high_inc = pricing.bounds(key)
    scale = 100.0 if kind == "pct" else 1.0
    options: dict[str, Any] = {"step": int(step) if kind == "int" else float(step)}
    if kind == "int":
        options["min_value"] = int(low) if low is not None else None
        options["max_value"] = int(high) if high is not None else None
        options["format"] = "%d"
    else:
        options["min_value"] = low * scale if low is not None and low_inc else None
        options["max_value"] = high * scale if high is not None and high_inc else None
        options["format"] = "%.0f" if step >= 100 else "%.2f"
    st.number_input(label(key), key=_P + key, **options)


def _inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The input panel, in tabs; returns the edited floors and comparables tables."""
    tabs = st.tabs(
        [
            tr("Site", "项目与楼层"),
            tr("Costs", "成本"),
            tr("Rents & prices", "租金与售价"),
            tr("Timing", "时间安排"),
            tr("Finance", "财务"),
            tr("Market", "市场与商圈"),
        ]
    )
    with tabs[0]:
        left, right = st.columns(2)
        left.text_input(tr("Site name", "项目名称"), key=_P + "site.name")
        right.selectbox(
            tr("Retail format", "业态"),
            options=list(FORMAT_KEYS),
            format_func=lambda f: tr(FORMATS[f].name_en, FORMATS[f].name_zh),
            key=_P + "site.format",
        )
        for column, (key, _, _, _, step) in zip(st.columns(3), INPUT_GROUPS["site"], strict=True):
            with column:
                _number_input(key, step)
        st.caption(
            tr(
                "Floors or units: area is net leasable m²; level 1 = ground floor, 2 = first "
                "upper floor, -1 = basement. Empty multipliers follow the level, corner and "
                "frontage.",
                "楼层或铺位：面积为可租售净面积；层 1 = 首层，2 = 二层，-1 = 地下一层。"
                "倍数留空则按楼层、转角与面宽推算。",
            )
        )
        floors = st.data_editor(
            st.session_state[_P + "floors"],
            key=f"{_P}floors_editor.{st.session_state[_P + 'version']}",
            num_rows="dynamic",
            column_config=floor_columns(),
            width="stretch",
        )
        floor_names = [str(n) for n in floors["name"].dropna()]
        sold = st.session_state.get(_P + "sold", [])
        st.session_state[_P + "sold"] = [n for n in sold if n in floor_names]
        mode_col, sold_col = st.columns(2)
        mode_col.radio(
            tr("Business model", "经营模式"),
            options=list(MODES),
            format_func=lambda m: tr(*MODES[m]),
            key=_P + "mode",
        )
        sold_col.multiselect(
            tr("Floors sold (mixed model)", "出售的楼层（租售结合）"),
            options=floor_names,
            key=_P + "sold",
        )
    for tab, group in zip(tabs[1:5], ("costs", "rents", "timing", "finance"), strict=True):
        with tab:
            columns = st.columns(2)
            for i, (key, _, _, _, step) in enumerate(INPUT_GROUPS[group]):
                with columns[i % 2]:
                    _number_input(key, step)
    with tabs[5]:
        for number, (text, changes) in enumerate(_trade_area_suggestions()):
            st.button(text, key=f"{_P}suggest.{number}", on_click=_apply, args=(changes,))
        columns = st.columns(2)
        for i, (key, _, _, _, step) in enumerate(INPUT_GROUPS["market"]):
            with columns[i % 2]:
                _number_input(key, step)
        st.caption(
            tr(
                "Comparable shops: adjustments are fractions, positive when our shop is better.",
                "可比商铺：修正系数为小数，本项目更优时为正。",
            )
        )
        comps = st.data_editor(
            st.session_state[_P + "comps"],
            key=f"{_P}comps_editor.{st.session_state[_P + 'version']}",
            num_rows="dynamic",
            column_config=comparable_columns(),
            width="stretch",
        )
    return floors, comps


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _scenario_data(floor_table: pd.DataFrame, comp_table: pd.DataFrame) -> dict[str, Any]:
    """The inputs as the nested dict a Scenario validates."""
    data: dict[str, Any] = {group: {} for group in INPUT_GROUPS}
    for rows in INPUT_GROUPS.values():
        for key, _, _, kind, _ in rows:
            group, name = key.split(".", 1)
            value = st.session_state.get(_P + key)
            if kind == "pct" and value is not None:
                value = value / 100.0
            data[group][name] = value
    data["site"]["name"] = st.session_state[_P + "site.name"]
    data["site"]["format"] = st.session_state[_P + "site.format"]
    floors = []
    for row in floor_table.to_dict(orient="records"):
        floor = {k: _clean(v) for k, v in row.items() if _clean(v) is not None}
        if floor:
            floors.append(floor)
    data["site"]["floors"] = floors
    mode = st.session_state[_P + "mode"]
    names = {f.get("name") for f in floors}
    sold = [n for n in st.session_state[_P + "sold"] if n in names]
    data["business_model"] = {"mode": mode, "sold_floors": sold if mode == "mixed" else []}
    comps = []
    for row in comp_table.to_dict(orient="records"):
        comp = {str(k): _clean(v) for k, v in row.items() if _clean(v) is not None}
        if comp.get("price_per_m2") is not None or comp.get("rent_per_m2_month") is not None:
            comps.append(comp)
    data["market"]["comparables"] = comps
    data["name"] = st.session_state[_P + "name"]
    return data


def _error(exc: Exception) -> None:
    """Show an error (``show_error`` escapes the user text it quotes)."""
    show_error(exc)


def _friendly(exc: InputError) -> InputError:
    """Restate an error on an input in the words and units of its widget."""
    key = exc.column
    if key not in KINDS:
        return exc
    message = exc.message
    if KINDS[key] == "pct":
        low, low_inc, high, high_inc = pricing.bounds(key)
        low_text = "" if low is None else f"{'[' if low_inc else '('}{low * 100:g} %"
        high_text = "" if high is None else f"{high * 100:g} %{']' if high_inc else ')'}"
        message = tr(
            f"expected a percentage in {low_text}, {high_text}",
            f"应为 {low_text}, {high_text} 范围内的百分比",
        )
    return InputError(message, column=label(key))


def _compact(value: float, currency: str) -> str:
    """Large amounts in a metric box: 64.8 M (English) or 6,476 万 (Chinese)."""
    if abs(value) < 1e6:
        return money(value, currency)
    if tr("en", "zh") == "zh":
        text = f"{value / 1e8:,.2f} 亿" if abs(value) >= 1e8 else f"{value / 1e4:,.0f} 万"
    else:
        text = f"{value / 1e9:,.2f} bn" if abs(value) >= 1e9 else f"{value / 1e6:,.1f} M"
    return f"{text} {currency}".strip()


def _metric_text(name: str, value: float | None, currency: str) -> str:
    if value is None:
        return tr("never", "无法回收") if name == "payback_years" else "—"
    if name in PERCENT_METRICS:
        return f"{value * 100:.1f} %"
    if name in ("payback_years", "equity_multiple"):
        return f"{value:.2f}"
    if name.endswith("_count"):
        return f"{value:.0f}"
    return money(value, currency)


def _returns(summary: dict[str, float | None], currency: str) -> None:
    columns = [*st.columns(3), *st.columns(3)[:2]]
    for column, name in zip(columns, pricing.METRICS, strict=True):
        value = summary[name]
        if name == "npv" and value is not None:
            title = tr(*METRIC_LABELS[name]) + (f" · {currency}" if currency else "")
            column.metric(title, _compact(value, ""), help=money(value, currency))
        else:
            column.metric(tr(*METRIC_LABELS[name]), _metric_text(name, value, currency))
    if (summary.get("irr_count") or 0) > 1:
        st.warning(
            tr(
                f"The cash flows change sign several times and have {summary['irr_count']:.0f} "
                "IRRs; the one closest to zero is shown. Judge this scenario by its NPV.",
                f"现金流多次变号，存在 {summary['irr_count']:.0f} 个内部收益率，显示最接近零的一个；"
                "请以净现值判断。",
            )
        )


def _save_and_compare(scenario: pricing.Scenario, currency: str) -> None:
    project = current_project()
    st.subheader(tr("Scenarios", "方案"))
    left, right = st.columns([3, 1])
    name = left.text_input(tr("Save as", "方案名称"), value=scenario.name, key=_P + "save_name")
    right.write("")
    saved = list(project.scenarios)
    chosen = [n for n in st.session_state.get(_P + "compare", saved[:3]) if n in saved]
    if right.button(tr("Save scenario", "保存方案"), key=_P + "save"):
        clean = name.strip() or scenario.name
        set_scenario(project, clean, scenario.model_copy(update={"name": clean}))
        saved = list(project.scenarios)
        chosen = [*chosen, clean] if clean not in chosen else chosen
        shown = escape_markdown(clean)
        st.success(tr(f"Saved scenario “{shown}” in the project.", f"已保存方案「{shown}」。"))
    st.session_state[_P + "compare"] = chosen
    chosen = st.multiselect(
        tr("Compare side by side", "并列比较"), options=saved, key=_P + "compare"
    )
    if not chosen:
        return
    scenarios = {tr("(current)", "（当前）"): scenario}
    for item in chosen:
        try:
            scenarios[item] = pricing.scenario_from_dict(project.scenarios[item], file=item)
        except InputError as exc:
            _error(exc)
    table = pricing.compare(scenarios)
    shown = pd.DataFrame(
        {col: [_metric_text(m, table.at[m, col], currency) for m in table.index] for col in table},
        index=[tr(*METRIC_LABELS.get(m, (m, m))) for m in table.index],
    )
    st.dataframe(shown, width="stretch")


def page() -> None:
    """The Pricing page."""
    st.header(tr("Pricing", "租售定价"))
    project = current_project()
    currency = project.settings.currency
    if _P + "version" not in st.session_state:
        _load(_TEMPLATE)
    sources = [_TEMPLATE, _EXAMPLE, _DEFAULTS, *project.scenarios]
    names = {
        _TEMPLATE: tr(f"Template for this project ({currency})", f"本项目模板（{currency}）"),
        _EXAMPLE: tr("Example: CNY shopping podium", "示例：人民币购物中心裙楼"),
        _DEFAULTS: tr("Defaults", "默认值"),
    }
    left, right = st.columns([3, 1])
    left.selectbox(
        tr("Start from", "载入方案"),
        sources,
        format_func=lambda s: names.get(s, s),
        key=_P + "source",
    )
    right.write("")
    right.button(tr("Load", "载入"), on_click=_load_selected, key=_P + "load")
    if _P + "load_error" in st.session_state:
        _error(st.session_state[_P + "load_error"])
    st.text_input(tr("Scenario name", "方案名称"), key=_P + "name")
    inputs_column, results_column = st.columns(2, gap="large")
    with inputs_column:
        floor_table, comp_table = _inputs()
    with results_column:
        try:
            scenario = pricing.scenario_from_dict(_scenario_data(floor_table, comp_table))
            result = pricing.price_and_rent(scenario)
            evaluation = pricing.evaluate(scenario)
        except InputError as exc:
            _error(_friendly(exc))
            return
        except ValueError as exc:
            _error(exc)
            return
        st.subheader(tr("Returns", "投资回报"))
        _returns(evaluation.summary(), currency)
        cash_flow_chart(evaluation)
    price_and_rent_tables(result, currency)
    _save_and_compare(scenario, currency)
    sensitivity(scenario)
