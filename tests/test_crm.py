"""CRM value, RFM segments, lifecycle, import accounting and trade-area tiers (DOMAIN.md §5)."""

from __future__ import annotations

import io
import math

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from tradearea import crm
from tradearea.errors import InputError
from tradearea.settings import REPO_DIR

EXAMPLES = REPO_DIR / "data" / "examples"
STORE = (60.1700, 24.9400)  # lat, lon


def _rings(
    store_id: str, lat: float, lon: float, radii: tuple[float, ...], households: tuple[int, ...]
) -> list:
    centre = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs("EPSG:3067").iloc[0]
    rows, inner = [], None
    for tier, (radius, hh) in enumerate(zip(radii, households, strict=True), start=1):
        disc = centre.buffer(radius, quad_segs=64)
        rows.append(
            {
                "store_id": store_id,
                "tier": tier,
                "method": "rings",
                "threshold": radius,
                "customers": 0,
                "weight_share": 0.0,
                "households": hh,
                "geometry": disc if inner is None else disc.difference(inner),
            }
        )
        inner = disc
    return rows


def _areas(*stores: tuple) -> gpd.GeoDataFrame:
    rows = [r for s in stores for r in _rings(*s)]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:3067").to_crs("EPSG:4326")


def _offset(lat: float, lon: float, north_m: float, east_m: float = 0.0) -> tuple[float, float]:
    p = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs("EPSG:3067").iloc[0]
    q = (
        gpd.GeoSeries([shapely.Point(p.x + east_m, p.y + north_m)], crs="EPSG:3067")
        .to_crs("EPSG:4326")
        .iloc[0]
    )
    return q.y, q.x


# --- DOMAIN.md worked example and value formulas -------------------------------------------------


def test_domain_customer_a_is_more_profitable_than_customer_b() -> None:
    a = crm.net_profitability(3 * 4_000_000, 1_000_000)
    b = crm.net_profitability(1 * 6_000_000, 2_000_000)
    assert a == 11_000_000
    assert b == 4_000_000
    assert a > b


def test_domain_example_through_the_customer_table() -> None:
    table = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "first_purchase": pd.to_datetime(["2024-01-15", "2024-06-01"]),
            "last_purchase": pd.to_datetime(["2024-11-20", "2024-06-01"]),
            "orders": [3, 1],
            "revenue": [12_000_000.0, 6_000_000.0],
            "acquisition_cost": [0.0, 2_000_000.0],
            "service_cost": [1_000_000.0, 0.0],
            "risk_cost": [500_000.0, 0.0],
        }
    )
    v = crm.customer_value(
        table, as_of="2024-12-31", retention_rate=1.0, discount_rate=0.0, horizon=2
    )
    assert v["net_profit"].tolist() == [11_000_000.0, 4_000_000.0]
    assert v["profit_margin"].round(2).tolist() == [91.67, 66.67]
    assert v["risk_adjusted_revenue"].tolist() == [10_500_000.0, 4_000_000.0]
    # A buys 3 x 4,000,000 a year; B once at 6,000,000 (tenure under a year counts as one year)
    assert v["average_order_value"].tolist() == [4_000_000.0, 6_000_000.0]
    assert v["value_per_period"].tolist() == [12_000_000.0, 6_000_000.0]
    assert v["clv_simple"].tolist() == [24_000_000.0, 12_000_000.0]
    assert v["clv"].tolist() == [24_000_000.0, 12_000_000.0]  # r = 1, d = 0: equals simple CLV
    assert v["net_clv"].tolist() == [24_000_000.0, 10_000_000.0]
    assert math.isnan(v["customer_roi"].iloc[0])  # no acquisition cost: ROI undefined
    assert v["customer_roi"].iloc[1] == 6.0  # 12,000,000 / 2,000,000


def test_clv_simple_and_discounted_by_hand() -> None:
    assert crm.clv_simple(4_000_000, 3, 5) == 60_000_000
    assert crm.clv_simple(100, 4, 2, acquisition_cost=150) == 650
    # m = 100, r = 0.8, d = 0.1, 3 periods: 100/1.1 + 80/1.21 + 64/1.331
    expected = 100 / 1.1 + 80 / 1.21 + 64 / 1.331
    assert crm.clv_discounted(
        100, retention_rate=0.8, discount_rate=0.1, horizon=3
    ) == pytest.approx(expected)
    assert expected == pytest.approx(205.109, abs=1e-3)
    assert crm.clv_discounted(
        100, retention_rate=0.8, discount_rate=0.1, horizon=None
    ) == pytest.approx(100 / 0.3)
    assert crm.clv_discounted(
        250, retention_rate=1.0, discount_rate=0.0, horizon=4
    ) == crm.clv_simple(50, 5, 4)
    with pytest.raises(ValueError, match="retention"):
        crm.clv_discounted(1, retention_rate=1.2, discount_rate=0.1)
    with pytest.raises(ValueError, match="infinite"):
        crm.clv_discounted(1, retention_rate=1.0, discount_rate=0.0, horizon=None)


@settings(max_examples=40, deadline=None)
@given(m=st.floats(1, 1e6), r=st.floats(0, 0.99), d=st.floats(0, 0.5), t=st.integers(1, 30))
def test_discounted_clv_never_exceeds_the_undiscounted_sum(
    m: float, r: float, d: float, t: int
) -> None:
    finite = crm.clv_discounted(m, retention_rate=r, discount_rate=d, horizon=t)
    assert finite <= m * t + 1e-6
    assert finite <= crm.clv_discounted(m, retention_rate=r, discount_rate=d, horizon=None) + 1e-6


def test_pareto_share_by_hand() -> None:
    revenue = [500, 300, 80, 40, 30, 20, 10, 10, 5, 5]  # total 1000, top 2 = 800
    assert crm.pareto_share(revenue) == pytest.approx(0.8)
    assert crm.pareto_share([10, 10, 10, 10, 10]) == pytest.approx(0.2)  # ceil(0.2 * 5) = 1 of 5
    assert crm.pareto_share([1, 2, 3], top=0.5) == pytest.approx(5 / 6)  # ceil(1.5) = 2 customers
    assert math.isnan(crm.pareto_share([]))


# --- RFM ------------------------------------------------------------------------------------------


def _rfm_table() -> pd.DataFrame:
    as_of = pd.Timestamp("2024-12-31")
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(10)],
            "last_purchase": [
                as_of - pd.Timedelta(days=d) for d in (1, 5, 10, 20, 40, 80, 160, 320, 400, 700)
            ],
            "orders": [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
            "revenue": [1000.0, 900, 800, 700, 600, 500, 400, 300, 200, 100],
        }
    )


def test_rfm_quintiles_by_hand() -> None:
    scores = crm.rfm_scores(_rfm_table(), as_of="2024-12-31")
    # ten distinct values -> two per quintile; the most recent / frequent / valuable get 5
    assert scores["r_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scores["f_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scores["m_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scores["rfm"].iloc[0] == "555"
    assert scores["recency_days"].tolist() == [1, 5, 10, 20, 40, 80, 160, 320, 400, 700]
    assert scores["segment"].astype(str).tolist() == [
        "champions", "champions", "champions", "champions", "loyal", "loyal",
        "hibernating", "hibernating", "lost", "lost",
    ]  # fmt: skip


def test_rfm_ties_share_the_lower_score() -> None:
    table = _rfm_table().assign(orders=[1, 1, 1, 1, 1, 1, 2, 2, 3, 4])
    f = crm.rfm_scores(table)["f_score"].tolist()
    assert f == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]  # rank(min) 1 -> 1, rank 7 -> 1 + floor(5*6/10) = 4


def test_rfm_recency_ties_get_the_best_score() -> None:
    # issue 18: three customers who bought on the reference date scored R = 3 (the tie group's
    # lowest rank); they are the most recent customers and score 5, tie groups take their best rank
    as_of = pd.Timestamp("2024-12-31")
    days = [0, 0, 0, 3, 3, 10, 20, 40, 80, 160, 320, 700]
    table = pd.DataFrame(
        {
            "last_purchase": [as_of - pd.Timedelta(days=d) for d in days],
            "orders": [2] * len(days),
            "revenue": [100.0] * len(days),
        }
    )
    r = crm.rfm_scores(table, as_of=as_of)["r_score"].tolist()
    assert r[:3] == [5, 5, 5]
    # days 3 (x2): max rank 9 of 12 -> 1 + floor(5 * 8 / 12) = 4; then ranks 7, 6, ... 1
    assert r[3:] == [4, 4, 3, 3, 2, 2, 1, 1, 1]
    # frequency and money ties still share the lowest rank
    assert crm.rfm_scores(table, as_of=as_of)["f_score"].eq(1).all()


def test_rfm_worked_example_most_recent_customer_is_not_lost() -> None:
    table = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "last_purchase": pd.to_datetime(["2024-11-20", "2024-11-20"]),
            "orders": [3, 1],
            "revenue": [12_000_000.0, 6_000_000.0],
        }
    )
    scores = crm.rfm_scores(table, as_of="2024-12-31")
    assert scores["r_score"].tolist() == [5, 5]  # tied on the latest date: both most recent
    assert "lost" not in set(scores["segment"].astype(str))
    single = crm.rfm_scores(table.iloc[:1], as_of="2024-12-31")
    assert single["r_score"].tolist() == [5]


def test_segment_rules_each_reachable() -> None:
    as_of = pd.Timestamp("2024-12-31")
    # 5 customers per R quintile: recency 1..25 days, each quintile with varied F and M
    rows = []
    for q in range(5):  # q = 0 most recent
        for k in range(5):
            rows.append(
                {
                    "last_purchase": as_of - pd.Timedelta(days=q * 5 + k + 1),
                    "orders": 1 + k + (q * 0),
                    "revenue": 10.0 * (k + 1),
                }
            )
    table = pd.DataFrame(rows)
    table.loc[0, "orders"] = 1
    seg = crm.rfm_scores(table, as_of=as_of)
    got = set(seg["segment"].astype(str))
    # R = 5 with one order -> new; R = 5 high FM -> champions; R = 1 high FM -> at risk; R = 1 low -> lost
    assert {"new", "champions", "at risk", "lost", "hibernating", "loyal", "potential"} <= got
    new = seg[(seg["r_score"] >= 4) & (table["orders"] == 1)]
    assert set(new["segment"].astype(str)) == {"new"}


# --- lifecycle ---------------------------------------------------------------------------------------


def test_lifecycle_from_transaction_windows() -> None:
    as_of = pd.Timestamp("2024-12-31")
    t = pd.DataFrame(
        {
            "first_purchase": as_of - pd.to_timedelta([600, 30, 600, 600, 600, 600], unit="D"),
            "last_purchase": as_of - pd.to_timedelta([400, 5, 10, 10, 10, 10], unit="D"),
            "orders": [5, 2, 10, 10, 10, 10],
            "recent_revenue": [0.0, 50, 300, 100, 100, 0],
            "prior_revenue": [0.0, 0, 100, 300, 105, 0],
        }
    )
    stage = crm.lifecycle_stage(t, as_of=as_of).astype(str).tolist()
    assert stage == ["lapsed", "acquisition", "growth", "decline", "stable", "decline"]


def test_lifecycle_from_customer_rows() -> None:
    as_of = pd.Timestamp("2024-12-31")
    t = pd.DataFrame(
        {
            "first_purchase": as_of - pd.to_timedelta([700, 60, 300, 700, 700, 200], unit="D"),
            "last_purchase": as_of - pd.to_timedelta([500, 10, 5, 5, 300, 200], unit="D"),
            "orders": [3, 1, 6, 50, 8, 1],
        }
    )
    stage = crm.lifecycle_stage(t, as_of=as_of).astype(str).tolist()
    # lapsed; acquired 60 days ago; young repeat buyer; regular (interval 14 d, last 5 d ago);
    # interval ~57 d but silent for 300 d; one purchase 200 days ago and never again
    assert stage == ["lapsed", "acquisition", "growth", "stable", "decline", "decline"]


# --- transactions summary --------------------------------------------------------------------------


def test_customers_from_transactions_by_hand() -> None:
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "B", "B"],
            "date": pd.to_datetime(
                ["2024-01-10", "2024-11-01", "2024-12-20", "2024-03-01", "2024-03-05"]
            ),
            "amount": [100.0, 50.0, -20.0, 30.0, 40.0],
            "store_id": ["S2", "S1", "S1", "S1", "S1"],
        }
    )
    c = crm.customers_from_transactions(tx, as_of="2024-12-31", window_days=180).set_index(
        "customer_id"
    )
    assert c.loc["A", "orders"] == 2  # the refund is not an order
    assert c.loc["A", "revenue"] == 130.0  # but it reduces revenue
    assert c.loc["A", "first_purchase"] == pd.Timestamp("2024-01-10")
    assert c.loc["A", "last_purchase"] == pd.Timestamp("2024-12-20")
    assert c.loc["A", "home_store_id"] == "S2"  # 100 at S2 beats 30 net at S1
    assert c.loc["A", "recent_revenue"] == 30.0  # 50 - 20 in the last 180 days
    assert c.loc["A", "prior_revenue"] == 100.0
    assert c.loc["B", "orders"] == 2
    assert c.loc["B", "recent_revenue"] == 0.0
    assert c.loc["B", "prior_revenue"] == 70.0


def test_retention_estimate_by_hand() -> None:
    as_of = pd.Timestamp("2024-12-31")
    t = pd.DataFrame(
        {
            "first_purchase": as_of - pd.to_timedelta([800, 800, 800, 800, 100], unit="D"),
            "last_purchase": as_of - pd.to_timedelta([10, 100, 500, 700, 5], unit="D"),
        }
    )
    # four customers older than a year; two of them bought within the last year
    assert crm.retention_rate_estimate(t, as_of=as_of) == 0.5


# --- import ---------------------------------------------------------------------------------------------


def test_chinese_headers_gbk_and_row_accounting() -> None:
    text = (
        "客户编号,交易日期,消费金额(元),门店,姓名,手机\n"
        "C1,2024/03/05,120.50,S1,张伟,13800138000\n"
        'C1,2024年4月1日,"¥1,234.50",S1,张伟,13800138000\n'
        "C2,不是日期,10,S1,王芳,13900139000\n"
        "C2,2024/05/01,-15,S1,王芳,13900139000\n"
        ",2024/05/02,30,S1,李娜,13700137000\n"
        "C3,2024/05/03,abc,S2,刘洋,13600136000\n"
    )
    imp = crm.read_crm(io.BytesIO(text.encode("gb18030")), file="销售.csv")
    assert imp.kind == "transactions"
    assert imp.counts == {"rows": 6, "accepted": 2, "repaired": 1, "rejected": 3, "flagged": 1}
    r = imp.report.set_index("row")
    assert r.loc[2, "status"] == "repaired" and "amount cleaned" in r.loc[2, "reason"]
    assert r.loc[3, "status"] == "rejected" and r.loc[3, "reason"] == "unparseable date"
    assert r.loc[4, "flag"].startswith("negative amount")
    assert r.loc[5, "reason"] == "missing customer_id"
    assert r.loc[6, "reason"] == "amount is not a number"
    assert imp.table["amount"].tolist() == [120.5, 1234.5, -15.0]
    assert imp.table["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-05",
        "2024-04-01",
        "2024-05-01",
    ]
    # names and phones are dropped: not asked for matching
    assert imp.dropped_personal == ["name", "phone"]
    assert list(imp.personal.columns) == ["customer_id"]
    kept = crm.read_crm(io.BytesIO(text.encode("gb18030")), match_on=["name", "phone"])
    assert list(kept.personal.columns) == ["customer_id", "name", "phone"]
    assert kept.personal.set_index("customer_id").loc["C1", "name"] == "张伟"


def test_customer_rows_semicolons_decimal_commas_and_repairs() -> None:
    text = (
        "Member No;First order;Last order;Orders;Revenue;CAC;lat;lon\n"
        "A1;03.01.2023;15.11.2024;4;1.234,50;10,00;60,17;24,94\n"
        "A2;15.11.2024;03.01.2023;2;200;0;121.47;31.23\n"
        "A1;01.01.2024;01.02.2024;1;10;0;;\n"
        "A3;01.01.2024;01.02.2024;0;10;0;;\n"
        "A4;01.01.2024;01.02.2024;1;10;-5;;\n"
        "A5;;01.02.2024;1;10;0;95;200\n"
    )
    imp = crm.read_crm(
        io.BytesIO(text.encode("utf-8")), mapping={"CAC": "acquisition_cost"}, file="crm.csv"
    )
    assert imp.kind == "customers"
    r = imp.report.set_index("row")
    assert r.loc[1, "status"] == "repaired"  # decimal commas
    assert "swapped" in r.loc[2, "reason"] and r.loc[2, "status"] == "repaired"
    assert "latitude and longitude were swapped" in r.loc[2, "reason"]
    assert r.loc[3, "status"] == "rejected" and "duplicate customer_id" in r.loc[3, "reason"]
    assert r.loc[4, "status"] == "rejected" and "orders" in r.loc[4, "reason"]
    assert r.loc[5, "status"] == "rejected" and "acquisition_cost is negative" in r.loc[5, "reason"]
    assert "set to last_purchase" in r.loc[6, "reason"] and "location" in r.loc[6, "reason"]
    t = imp.table.set_index("customer_id")
    assert t.loc["A1", "revenue"] == 1234.5 and t.loc["A1", "acquisition_cost"] == 10.0
    assert (t.loc["A1", "lat"], t.loc["A1", "lon"]) == (60.17, 24.94)
    assert t.loc["A2", "first_purchase"] == pd.Timestamp("2023-01-03")
    assert (t.loc["A2", "lat"], t.loc["A2", "lon"]) == (31.23, 121.47)  # Shanghai, put back
    assert np.isnan(t.loc["A5", "lat"])
    assert sum(imp.counts[k] for k in ("accepted", "repaired", "rejected")) == 6


def test_xlsx_with_date_cells(tmp_path) -> None:
    path = tmp_path / "crm.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["会员号", "日期", "金额"])
    ws.append([1001, pd.Timestamp("2024-02-01").to_pydatetime(), 12.5])
    ws.append([1002, 45300, 7])  # an Excel serial number typed as a number
    wb.save(path)
    imp = crm.read_crm(path)
    assert imp.table["customer_id"].tolist() == ["1001", "1002"]
    assert imp.table["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-02-01",
        "2024-01-09",
    ]  # serial 45292 = 2024-01-01
    assert imp.report["status"].tolist() == ["accepted", "repaired"]


def test_bad_files_name_the_problem() -> None:
    with pytest.raises(InputError) as err:
        crm.read_crm(
            pd.DataFrame({"who": ["x"], "date": ["2024-01-01"], "amount": [1]}), file="f.csv"
        )
    assert err.value.column == "customer_id" and err.value.file == "f.csv"
    with pytest.raises(InputError, match="unknown CRM field"):
        crm.read_crm(pd.DataFrame({"id": [1]}), mapping={"id": "client"})
    with pytest.raises(InputError, match="expected transactions"):
        crm.read_crm(pd.DataFrame({"customer_id": [1], "colour": ["red"]}))
    with pytest.raises(InputError, match="cannot match on"):
        crm.read_crm(pd.DataFrame({"customer_id": [1]}), match_on=["shoe size"])
    areas = _areas(("S1", *STORE, (200, 400, 600), (1, 1, 1)))
    nothing = pd.DataFrame(
        {"customer_id": ["A", None], "date": ["never", "2024-01-01"], "amount": [1, 2]}
    )
    with pytest.raises(InputError, match="all 2 rows were rejected") as err:
        crm.analyse_crm(nothing, areas, file="empty.csv")
    assert err.value.row == 1 and "unparseable date" in str(err.value)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["C1", "C2", "", " C3 ", "=cmd"]),
            st.sampled_from(["2024-01-05", "05.01.2024", "nonsense", "", "45000", "2024年1月5日"]),
            st.sampled_from(["10", "-3", "¥1,000", "(5.00)", "x", "", "1.234,5"]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_every_row_is_accounted_for(rows: list[tuple[str, str, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).replace("", None)
    imp = crm.read_crm(frame)
    c = imp.counts
    assert c["accepted"] + c["repaired"] + c["rejected"] == c["rows"] == len(rows)
    assert len(imp.table) == c["accepted"] + c["repaired"]
    assert (imp.report.loc[imp.report["status"] != "accepted", "reason"] != "").all()


# --- tiers -------------------------------------------------------------------------------------------------


def test_tier_assignment_disc_and_annuli() -> None:
    areas = _areas(("S1", *STORE, (500, 1000, 1500), (1000, 2000, 3000)))
    pts = [_offset(*STORE, d) for d in (100, 499, 700, 1200, 2000)]
    customers = pd.DataFrame(
        {
            "customer_id": list("ABCDEF"),
            "lat": [p[0] for p in pts] + [np.nan],
            "lon": [p[1] for p in pts] + [np.nan],
        }
    )
    out, overlaps = crm.assign_tiers(customers, areas)
    assert out["tier"].tolist()[:5] == [1, 1, 2, 3, 0]
    assert out["tier"].isna().tolist() == [False] * 5 + [True]
    assert out["tier_label"].astype(str).tolist() == [
        "primary",
        "primary",
        "secondary",
        "tertiary",
        "outside",
        "no location",
    ]
    assert out["store_id"].tolist()[:4] == ["S1"] * 4 and pd.isna(out["store_id"].iloc[4])
    assert out["store_distance_m"].iloc[0] == pytest.approx(100, abs=1.0)
    assert overlaps == 0


def test_overlapping_stores_lower_tier_then_nearer_store() -> None:
    lat2, lon2 = _offset(*STORE, 1200)  # second store 1.2 km north
    areas = _areas(
        ("S1", *STORE, (500, 1000, 1500), (0, 0, 0)),
        ("S2", lat2, lon2, (500, 1000, 1500), (0, 0, 0)),
    )
    p_tier1_of_s2 = _offset(*STORE, 900)  # S1 tier 2 (900 m), S2 tier 1 (300 m)
    p_middle = _offset(*STORE, 580)  # S1 tier 2 (580 m), S2 tier 2 (620 m): nearer is S1
    p_only_s1 = _offset(*STORE, -600)  # 1.8 km from S2: only in S1's secondary area
    customers = pd.DataFrame(
        {
            "customer_id": ["X", "Y", "Z"],
            "lat": [p_tier1_of_s2[0], p_middle[0], p_only_s1[0]],
            "lon": [p_tier1_of_s2[1], p_middle[1], p_only_s1[1]],
        }
    )
    out, overlaps = crm.assign_tiers(customers, areas)
    assert list(zip(out["store_id"], out["tier"].astype(int), strict=True)) == [
        ("S2", 1),
        ("S1", 2),
        ("S1", 2),
    ]
    assert overlaps == 2


def _tiered() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(8)],
            "store_id": ["S1", "S1", "S1", "S1", "S1", "S1", None, None],
            "tier": pd.array([1, 1, 1, 2, 2, 3, 0, pd.NA], dtype="Int64"),
            "tier_label": [
                "primary",
                "primary",
                "primary",
                "secondary",
                "secondary",
                "tertiary",
                "outside",
                "no location",
            ],
            "segment": [
                "champions",
                "at risk",
                "at risk",
                "champions",
                "lost",
                "loyal",
                "champions",
                "new",
            ],
            "lifecycle": ["stable"] * 8,
            "recency_days": [1.0, 200, 250, 5, 500, 30, 3, 2],
            "orders": [10, 6, 8, 9, 1, 5, 7, 1],
            "revenue": [500.0, 300, 200, 400, 50, 250, 200, 100],
            "clv": [900.0, 100, 300, 800, 0, 400, 500, 150],
        }
    )


def test_segment_by_tier_crosstab_by_hand() -> None:
    table = crm.segment_tier_table(_tiered())
    assert len(table) == len(crm.TIER_ORDER) * len(crm.SEGMENTS)  # every cell, zeros included
    cell = table.set_index(["tier_label", "segment"])
    assert cell.loc[("primary", "at risk"), "customers"] == 2
    assert cell.loc[("primary", "at risk"), "revenue"] == 500.0
    assert cell.loc[("primary", "at risk"), "clv"] == 400.0
    assert cell.loc[("primary", "at risk"), "share_of_tier"] == pytest.approx(2 / 3)
    assert cell.loc[("primary", "at risk"), "share_of_customers"] == pytest.approx(2 / 8)
    assert cell.loc[("primary", "at risk"), "share_of_revenue"] == pytest.approx(500 / 2000)
    assert cell.loc[("outside", "champions"), "customers"] == 1
    assert cell.loc[("secondary", "loyal"), "customers"] == 0
    assert table["customers"].sum() == 8
    wide = crm.segment_tier_pivot(table)
    assert wide.loc["champions"].tolist() == [1, 1, 0, 1, 0, 3]
    assert wide["total"].sum() == 8


def test_penetration_and_winback() -> None:
    areas = _areas(("S1", *STORE, (500, 1000, 1500), (1000, 2000, 4000)))
    pen = crm.valuable_penetration(_tiered(), areas).set_index("tier")
    assert pen.loc[1, "customers"] == 3 and pen.loc[1, "valuable"] == 1
    assert pen.loc[1, "valuable_per_1000_households"] == pytest.approx(1.0)
    assert pen.loc[2, "valuable_per_1000_households"] == pytest.approx(0.5)
    assert pen.loc[3, "valuable"] == 1
    assert pen.loc[1, "area_km2"] == pytest.approx(math.pi * 0.25, rel=0.01)
    wb = crm.winback_list(_tiered())
    assert wb["customer_id"].tolist() == [
        "C2",
        "C1",
    ]  # at risk in the primary area, highest CLV first


def test_hex_layer_suppresses_small_cells() -> None:
    lat2, lon2 = _offset(*STORE, 3000)
    customers = pd.DataFrame(
        {
            "lat": [STORE[0]] * 6 + [lat2] * 2,
            "lon": [STORE[1]] * 6 + [lon2] * 2,
            "segment": ["champions"] * 4 + ["lost"] * 2 + ["new"] * 2,
        }
    )
    layer = crm.crm_hex_layer(customers, resolution=9, k=5)
    assert len(layer) == 1
    assert layer["customers"].iloc[0] == 6
    assert layer["champions"].iloc[0] == 4 and layer["lost"].iloc[0] == 2
    assert layer["top_segment"].iloc[0] == "champions"
    assert layer.attrs == {"suppressed_cells": 1, "suppressed_customers": 2}
    assert layer.geometry.iloc[0].contains(shapely.Point(STORE[1], STORE[0]))
    assert len(crm.crm_hex_layer(customers, k=2)) == 2


# --- export ----------------------------------------------------------------------------------------------


def test_export_neutralises_formulas_and_drops_personal_data(tmp_path) -> None:
    customers = _tiered().assign(
        customer_id=[
            '=HYPERLINK("x")',
            "+cmd|'/C calc'!A0",
            "-12",
            "@SUM(A1)",
            "C4",
            "C5",
            "C6",
            "C7",
        ],
        rfm="555",
        net_clv=1.0,
        name="Anna Secret",
        phone="0401234567",
        email="a@b.fi",
        address="Street 1",
    )
    csv_path = crm.write_crm_export(customers, tmp_path / "out.csv")
    text = csv_path.read_text(encoding="utf-8-sig")
    for secret in ("Anna Secret", "0401234567", "a@b.fi", "Street 1"):
        assert secret not in text
    back = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    assert back.columns.tolist() == list(crm.EXPORT_COLUMNS)
    assert back["customer_id"].tolist()[:4] == [
        '\'=HYPERLINK("x")',
        "'+cmd|'/C calc'!A0",
        "-12",
        "'@SUM(A1)",
    ]
    xlsx = crm.write_crm_export(customers, tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(xlsx).active
    cells = [c.value for c in ws["A"]]
    assert cells[1] == '\'=HYPERLINK("x")' and ws["A2"].data_type == "s"
    assert [c.value for c in ws[1]] == list(crm.EXPORT_COLUMNS)
    with pytest.raises(InputError, match=r"\.csv or \.xlsx"):
        crm.write_crm_export(customers, tmp_path / "out.json")


# --- whole pipeline --------------------------------------------------------------------------------------


def test_pipeline_on_the_example_files_keeps_personal_data_out() -> None:
    areas = gpd.read_file(EXAMPLES / "crm_areas.geojson")
    result = crm.analyse_crm(
        EXAMPLES / "crm_transactions.csv",
        areas,
        profile=EXAMPLES / "crm_customers.csv",
        match_on=["name", "phone", "email"],
        dedup=True,
    )
    c = result.customers
    assert not set(crm.PERSONAL_FIELDS) & set(c.columns)
    profile = pd.read_csv(EXAMPLES / "crm_customers.csv")
    assert (
        len(result.merges) == profile["customer_id"].str.startswith("W").sum()
    )  # every re-registration
    assert len(c) == len(profile) - len(result.merges)
    assert c["tier_label"].astype(str).isin(crm.TIER_ORDER).all()
    assert result.segment_tier["customers"].sum() == len(c)
    assert set(result.merges.columns) == {  # ids and scores only
        "merged_id",
        "master_id",
        "score",
        "linked_to",
        "link_score",
        "decision",
        "merged_at",
    }
    tx = pd.read_csv(EXAMPLES / "crm_transactions.csv")
    assert c["revenue"].sum() == pytest.approx(tx["amount"].sum())
    assert result.located == {"input_coords": len(c)}
    assert 0 < result.pareto_share < 1


def test_addresses_only_go_through_the_geocoder(demo_region: object) -> None:
    areas = _areas(("S1", 60.1690, 24.9430, (200, 400, 600), (1, 1, 1)))
    frame = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "address": ["Aleksanterinkatu 11, Helsinki", "Nowhere street 5"],
            "last_purchase": ["2024-12-01", "2024-11-01"],
            "orders": [2, 1],
            "revenue": [50, 20],
        }
    )
    result = crm.analyse_crm(frame, areas, region="helsinki-center")
    c = result.customers.set_index("customer_id")
    assert c.loc["A", "location_source"] == "address"
    assert c.loc["A", "lat"] == pytest.approx(60.169037, abs=1e-4)
    assert c.loc["B", "location_source"] == "none" and c.loc["B", "tier_label"] == "no location"
    assert "address" not in result.customers.columns
    with pytest.raises(InputError, match="region"):
        crm.analyse_crm(frame, areas)
