"""Bilingual labels and widget kinds of the pricing inputs, grouped as a leasing team thinks."""

from __future__ import annotations

from typing import Any

import streamlit as st

from tradearea.ui._common import tr

# kind: "money" and "num" are plain numbers, "pct" is shown as a percentage of the fraction,
# "int" whole numbers, "opt" an optional number (empty = not given).
# group -> [(dotted key, English label, Chinese label, kind, step)]
INPUT_GROUPS: dict[str, list[tuple[str, str, str, str, float]]] = {
    "site": [
        (
            "site.gross_floor_area_m2",
            "Gross floor area (m², empty = net ÷ efficiency)",
            "总建筑面积（m²，留空按得房率推算）",
            "opt",
            100.0,
        ),
        ("site.efficiency", "Net-to-gross efficiency", "得房率（净面积 ÷ 建筑面积）", "pct", 1.0),
        ("site.land_area_m2", "Land area (m², info)", "占地面积（m²，仅供参考）", "opt", 100.0),
    ],
    "costs": [
        (
            "costs.land_cost_per_m2",
            "Land cost per m² of GFA",
            "楼面地价（每平方米建筑面积）",
            "money",
            100.0,
        ),
        (
            "costs.construction_cost_per_m2",
            "Construction cost per m² of GFA",
            "建安成本（每平方米建筑面积）",
            "money",
            100.0,
        ),
        (
            "costs.soft_cost_ratio",
            "Soft costs (% of construction)",
            "其他开发费用（占建安成本 %）",
            "pct",
            0.5,
        ),
        (
            "costs.sales_cost_ratio",
            "Sales cost (% of sale proceeds)",
            "销售费用（占售价 %）",
            "pct",
            0.5,
        ),
        (
            "costs.leasing_cost_ratio",
            "Leasing cost (% of leased value)",
            "招商费用（占出租物业价值 %）",
            "pct",
            0.5,
        ),
        (
            "costs.nurturing_cost_ratio",
            "Market nurturing (% of value)",
            "旺场费（占物业价值 %）",
            "pct",
            0.5,
        ),
        ("costs.nurturing_years", "Nurturing period (years)", "养商期（年）", "num", 0.5),
        (
            "costs.operating_cost_per_m2_month",
            "Operating cost per leased m² per month",
            "运营成本（每出租平方米每月）",
            "money",
            1.0,
        ),
        (
            "costs.cost_inflation",
            "Operating cost growth per year (%)",
            "运营成本年增长（%）",
            "pct",
            0.5,
        ),
        ("costs.exit_cost_ratio", "Exit transaction cost (%)", "退出交易成本（%）", "pct", 0.5),
    ],
    "rents": [
        (
            "rents.base_rent_per_m2_month",
            "Base rent per m² per month (1F, mature)",
            "基准租金（首层成熟租金，每平方米每月）",
            "money",
            5.0,
        ),
        (
            "rents.sale_price_per_m2",
            "Base sale price per m² (1F)",
            "基准售价（首层，每平方米）",
            "money",
            500.0,
        ),
        (
            "rents.opening_rent_ratio",
            "Rent at opening (% of mature)",
            "开业租金（占成熟租金 %）",
            "pct",
            5.0,
        ),
        ("rents.maturity_years", "Years until rents mature", "租金成熟期（年）", "num", 0.5),
        ("rents.growth", "Rent growth per year (%)", "租金年增长率（%）", "pct", 0.5),
        (
            "rents.step_every_years",
            "Rent step every (years, 0 = none)",
            "租金递增周期（年，0 = 不递增）",
            "num",
            1.0,
        ),
        ("rents.step_increase", "Rent step (%)", "递增幅度（%）", "pct", 0.5),
        ("rents.free_months", "Rent-free months per new lease", "免租期（月）", "num", 1.0),
        ("rents.vacancy", "Stabilised vacancy (%)", "稳定期空置率（%）", "pct", 1.0),
        ("rents.collection_loss", "Collection loss (%)", "租金损失率（%）", "pct", 0.5),
    ],
    "timing": [
        (
            "timing.construction_years",
            "Construction (years to opening)",
            "建设期（年）",
            "int",
            1.0,
        ),
        (
            "timing.hold_years",
            "Holding period after opening (years)",
            "持有运营期（年）",
            "int",
            1.0,
        ),
        (
            "timing.leasing_start_months_before_opening",
            "Leasing starts before opening (months)",
            "开业前招商（月）",
            "num",
            1.0,
        ),
        (
            "timing.lease_up_months",
            "Lease-up after opening (months)",
            "开业后招满期（月）",
            "num",
            1.0,
        ),
        ("timing.occupancy_at_opening", "Occupancy at opening (%)", "开业出租率（%）", "pct", 5.0),
        (
            "timing.sales_months_before_opening",
            "Sales window before opening (months)",
            "开业前销售期（月）",
            "num",
            1.0,
        ),
    ],
    "finance": [
        ("finance.discount_rate", "Discount rate for NPV (%)", "折现率（%）", "pct", 0.5),
        (
            "finance.market_yield",
            "Market yield: rent ÷ price (%)",
            "市场租金回报率（%）",
            "pct",
            0.1,
        ),
        ("finance.exit_yield", "Exit yield: NOI ÷ value (%)", "退出资本化率（%）", "pct", 0.1),
        ("finance.loan_to_cost", "Loan to cost (%)", "贷款比例（占土地与建安 %）", "pct", 5.0),
        ("finance.interest_rate", "Interest rate (%)", "贷款利率（%）", "pct", 0.1),
    ],
    "market": [
        (
            "market.tenant_sales_per_year",
            "Tenant sales per year (Huff forecast)",
            "商户年销售额（哈夫模型预测）",
            "opt",
            1e6,
        ),
        (
            "market.households",
            "Households in the trade area (survey)",
            "商圈户数（问卷估算）",
            "opt",
            100.0,
        ),
        (
            "market.monthly_spending_per_household",
            "Monthly spending per household",
            "户均月消费额",
            "opt",
            10.0,
        ),
        ("market.capture_share", "Capture share (%)", "截流率（%）", "pct", 1.0),
        (
            "market.occupancy_cost_ratio",
            "Occupancy-cost ratio (rent ÷ sales, empty = format default)",
            "租售比（租金 ÷ 销售额，留空按业态）",
            "opt",
            0.01,
        ),
        ("market.weight_cost", "Weight of the cost price", "成本法权重", "num", 0.5),
        ("market.weight_market", "Weight of the market price", "市场比较法权重", "num", 0.5),
        ("market.weight_income", "Weight of the income price", "收益法权重", "num", 0.5),
    ],
}
LABELS: dict[str, tuple[str, str]] = {
    key: (en, zh) for rows in INPUT_GROUPS.values() for key, en, zh, _, _ in rows
}
KINDS: dict[str, str] = {key: kind for rows in INPUT_GROUPS.values() for key, _, _, kind, _ in rows}

MODES = {
    "lease": ("Lease only", "只租不售"),
    "sell": ("Sell only", "只售不租"),
    "mixed": ("Mixed: sell some floors, lease the rest", "租售结合"),
}
LINES = {
    "land": ("Land", "土地"),
    "construction": ("Construction", "建安及开发"),
    "sales_proceeds": ("Sales proceeds", "销售收入"),
    "sales_cost": ("Sales cost", "销售费用"),
    "rent": ("Rent collected", "租金收入"),
    "operating_cost": ("Operating cost", "运营成本"),
    "leasing_cost": ("Leasing cost", "招商费用"),
    "nurturing_cost": ("Market nurturing", "旺场费"),
    "exit_value": ("Exit value", "退出价值"),
}
METRIC_LABELS = {
    "irr": ("IRR", "内部收益率 (IRR)"),
    "npv": ("NPV", "净现值 (NPV)"),
    "payback_years": ("Payback (years)", "投资回收期（年）"),
    "equity_irr": ("Equity IRR", "股本内部收益率"),
    "equity_multiple": ("Equity multiple", "股本回报倍数"),
    "development_cost": ("Development cost", "开发总成本"),
    "sales_proceeds": ("Sales proceeds", "销售收入"),
    "rent_collected": ("Rent collected", "租金收入合计"),
    "final_year_noi": ("Final-year NOI", "末年净经营收入"),
    "exit_value": ("Exit value", "退出价值"),
    "yield_on_cost": ("Yield on cost", "成本回报率"),
    "peak_equity": ("Peak equity", "最大资金占用"),
    "irr_count": ("Number of IRRs", "IRR 个数"),
    "equity_irr_count": ("Number of equity IRRs", "股本 IRR 个数"),
}
PERCENT_METRICS = ("irr", "equity_irr", "yield_on_cost")


def label(key: str) -> str:
    """The label of input ``key`` in the interface language."""
    en, zh = LABELS.get(key, (key, key))
    return tr(en, zh)


def floor_columns() -> dict[str, Any]:
    """Column labels and checks of the floors editor."""
    cc = st.column_config
    return {
        "name": cc.TextColumn(tr("Floor / unit", "楼层/铺位"), required=True),
        "level": cc.NumberColumn(tr("Level", "楼层号"), min_value=-5, max_value=200, step=1),
        "area_m2": cc.NumberColumn(tr("Area m²", "面积 m²"), min_value=0.0),
        "rent_multiplier": cc.NumberColumn(tr("Rent ×", "租金系数"), min_value=0.0),
        "price_multiplier": cc.NumberColumn(tr("Price ×", "售价系数"), min_value=0.0),
        "corner": cc.CheckboxColumn(tr("Corner", "转角")),
        "frontage_m": cc.NumberColumn(tr("Frontage m", "面宽 m"), min_value=0.0),
    }


def comparable_columns() -> dict[str, Any]:
    """Column labels of the comparables editor."""
    cc = st.column_config
    labels = {
        "name": ("Shop", "商铺"),
        "price_per_m2": ("Price /m²", "售价/m²"),
        "rent_per_m2_month": ("Rent /m²/month", "月租金/m²"),
        "location_adj": ("Location adj.", "区位修正"),
        "floor_adj": ("Floor adj.", "楼层修正"),
        "frontage_adj": ("Frontage adj.", "临街修正"),
        "size_adj": ("Size adj.", "面积修正"),
        "age_adj": ("Age adj.", "楼龄修正"),
        "time_adj": ("Time adj.", "时间修正"),
        "weight": ("Weight", "权重"),
    }
    return {
        key: (cc.TextColumn(tr(*text)) if key == "name" else cc.NumberColumn(tr(*text)))
        for key, text in labels.items()
    }
