"""Tests of tradearea.pricing: finance functions, price and rent methods, cash flows, scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradearea import pricing
from tradearea.errors import InputError
from tradearea.settings import REPO_DIR

EXAMPLE = REPO_DIR / "data" / "examples" / "scenario.toml"


# --- IRR, NPV, payback ---------------------------------------------------------------------------

# The examples of numpy_financial.irr's docstring, with their documented (rounded) values.
NPF_IRR_EXAMPLES = [
    ([-100, 39, 59, 55, 20], 0.28095),
    ([-100, 0, 0, 74], -0.0955),
    ([-100, 100, 0, -7], -0.0833),
    ([-100, 100, 0, 7], 0.06206),
    ([-5, 10.5, 1, -8, 1], 0.0886),
]


@pytest.mark.parametrize(("flows", "documented"), NPF_IRR_EXAMPLES)
def test_irr_matches_numpy_financial_documented_values(flows: list[float], documented: float):
    assert round(pricing.irr(flows), 5) == documented
    assert pricing.irr(flows) == pytest.approx(npf.irr(flows), abs=1e-12)


def test_irr_vectorised_rows_match_documented_values():
    width = max(len(f) for f, _ in NPF_IRR_EXAMPLES)
    # Trailing zeros do not change an IRR, so the examples can share one 2-D array.
    flows = np.array([f + [0] * (width - len(f)) for f, _ in NPF_IRR_EXAMPLES], dtype=float)
    rates = pricing.irr(flows)
    assert np.round(rates, 5).tolist() == [d for _, d in NPF_IRR_EXAMPLES]


def test_irr_edge_cases():
    assert pricing.irr([-100, 50, 50]) == 0.0
    assert pricing.irr([0, 0, -100, 150]) == pytest.approx(0.5, abs=1e-12)
    assert np.isnan(pricing.irr([100, 200]))
    assert np.isnan(pricing.irr([-100, 0, 0, 0]))
    assert np.isnan(pricing.irr([np.nan, 1.0]))


def test_npv_matches_numpy_financial_documented_value():
    flows = [-40_000, 5_000, 8_000, 12_000, 30_000]
    assert round(pricing.npv(0.08, flows), 5) == 3065.22267
    assert pricing.npv(0.08, flows) == pytest.approx(npf.npv(0.08, flows), rel=1e-12)


def test_npv_vectorised_with_a_rate_per_scenario():
    rng = np.random.default_rng(7)
    flows = rng.normal(size=(50, 12)) * 1000
    rates = rng.uniform(-0.5, 0.5, size=50)
    expected = [npf.npv(r, f) for r, f in zip(rates, flows, strict=True)]
    np.testing.assert_allclose(pricing.npv(rates, flows), expected, rtol=1e-12)
    np.testing.assert_allclose(pricing.npv(0.1, flows), [npf.npv(0.1, f) for f in flows])
    with pytest.raises(ValueError, match="greater than -1"):
        pricing.npv(-1.0, flows[0])


def test_irr_agrees_with_numpy_financial_on_many_irregular_series():
    rng = np.random.default_rng(0)
    flows = rng.normal(size=(2000, 12)) * 100
    flows[:, 0] = -np.abs(flows[:, 0]) * 5
    ours = pricing.irr(flows)
    theirs = np.array([npf.irr(f) for f in flows])
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours[~np.isnan(ours)], theirs[~np.isnan(theirs)], atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    outlay=st.floats(10, 1e7),
    inflows=st.lists(st.one_of(st.just(0.0), st.floats(1, 1e6)), min_size=1, max_size=30),
)
def test_irr_of_conventional_flows_agrees_with_numpy_financial(outlay, inflows):
    flows = [-outlay, *inflows]
    theirs = npf.irr(flows)
    ours = pricing.irr(flows)
    if np.isnan(theirs) or theirs < -0.99999:  # below the documented search range
        assert np.isnan(ours) or ours < -0.9999
    else:
        assert ours == pytest.approx(theirs, rel=1e-7, abs=1e-9)
        assert abs(pricing.npv(ours, flows)) <= 1e-6 * (outlay + sum(inflows))


def test_payback_hand_computed_fractional_years():
    # cumulative -100, -70, -40, -10, +20: paid back 10/30 into year 4
    assert pricing.payback_period([-100, 30, 30, 30, 30]) == pytest.approx(3 + 10 / 30)
    # cumulative -1000, -700, -300, +200: 300/500 into year 3
    assert pricing.payback_period([-1000, 300, 400, 500]) == pytest.approx(2.6)
    # a zero first year does not count as paid back: -100 after year 1, +10 after year 3
    assert pricing.payback_period([0, -100, 50, 60]) == pytest.approx(2 + 50 / 60)
    # the cumulative flow dips again: counted from the last time it turns non-negative
    assert pricing.payback_period([-100, 150, -100, 100]) == pytest.approx(2.5)
    assert pricing.payback_period([10, 20]) == 0.0
    assert np.isnan(pricing.payback_period([-100, 30, 30]))
    rows = pricing.payback_period(np.array([[-100, 30, 30, 30, 30], [-100, 60, 60, 0, 0]]))
    np.testing.assert_allclose(rows, [3 + 1 / 3, 1 + 40 / 60])


def test_equity_multiple():
    assert pricing.equity_multiple([-100, 50, 120]) == pytest.approx(1.7)
    assert np.isnan(pricing.equity_multiple([0, 10]))


# --- sale price and rent ---------------------------------------------------------------------------


def test_cost_plus_price_by_hand():
    price = pricing.cost_price(8000, 5000)
    assert price.short_term == 13000
    # long = 13000 / (1 - 2 % - 4 % - 9 %): the three costs are shares of the price itself
    assert price.long_term == pytest.approx(15294.1176, abs=1e-3)
    assert price.promotion == pytest.approx(0.02 * 15294.1176, abs=1e-3)
    assert price.leasing == pytest.approx(305.8824 * 2, abs=1e-3)
    assert price.nurturing == pytest.approx(1376.4706, abs=1e-3)
    total = price.short_term + price.promotion + price.leasing + price.nurturing
    assert total == pytest.approx(price.long_term)
    with pytest.raises(ValueError, match="sum below 1"):
        pricing.cost_price(1, 1, nurturing_ratio=0.95)


def test_yield_rent_and_income_price_by_hand():
    # 20,000 per m² at an 8 % yield: 1,600 per m² a year, 133.33 a month
    assert pricing.rent_from_yield(20000, 0.08) == pytest.approx(1600)
    assert pricing.rent_from_yield(20000, 0.08) / 12 == pytest.approx(133.3333, abs=1e-4)
    assert pricing.rent_from_yield(20000, payback_years=10) == pytest.approx(2000)
    assert pricing.price_from_rent(1600, 0.08) == pytest.approx(20000)
    # DOMAIN.md: payback 6–12 years is a yield of 8.3–16.7 %
    assert pricing.yield_from_payback(12) == pytest.approx(0.0833, abs=1e-4)
    assert pricing.yield_from_payback(6) == pytest.approx(0.1667, abs=1e-4)
    assert pytest.approx((1 / 12, 1 / 6)) == pricing.YIELD_RANGE
    with pytest.raises(ValueError, match="exactly one"):
        pricing.rent_from_yield(20000)


def test_market_comparison_by_hand():
    comps = pd.DataFrame(
        {
            "name": ["A", "B"],
            "price_per_m2": [30000, 36000],
            "location_adj": [0.05, -0.10],
            "floor_adj": [-0.02, None],
            "weight": [1, 3],
        }
    )
    result = pricing.market_comparison(comps)
    # A: 30000 × 1.05 × 0.98 = 30,870; B: 36000 × 0.90 = 32,400; weights 1:3
    assert result.table["adjusted"].tolist() == pytest.approx([30870, 32400])
    assert result.value == pytest.approx((30870 + 3 * 32400) / 4)
    assert result.table["weight_share"].tolist() == [0.25, 0.75]


def test_market_comparison_reads_chinese_headers_and_names_bad_cells(tmp_path: Path):
    path = tmp_path / "comps.csv"
    path.write_text("名称,租金,区位修正,权重\n甲,200,0.1,1\n乙,abc,0,1\n", encoding="utf-8")
    table = pricing.read_comparables(path)
    assert "rent_per_m2_month" in table.columns
    with pytest.raises(InputError) as err:
        pricing.market_comparison(table, value_column="rent_per_m2_month", file=str(path))
    assert (err.value.row, err.value.column, err.value.file) == (2, "rent_per_m2_month", str(path))
    with pytest.raises(InputError, match="price_per_m2"):
        pricing.market_comparison(table, value_column="price_per_m2")


def test_reconcile_renormalises_weights_over_available_methods():
    result = pricing.reconcile(
        {"cost": 20000, "market": 30000, "income": None},
        weights={"cost": 1, "market": 3, "income": 1},
    )
    assert result.weights == {"cost": 0.25, "market": 0.75}
    assert result.value == pytest.approx(27500)
    assert pricing.reconcile({"a": 1.0, "b": 3.0}).value == 2.0


def test_rent_capacity_by_format():
    assert pricing.rent_capacity(10_000_000, format="supermarket") == pytest.approx(400_000)
    assert pricing.rent_capacity(10_000_000, format="超市") == pytest.approx(400_000)
    assert pricing.rent_capacity(1e6, format="mall", occupancy_cost_ratio=0.2) == 200_000
    np.testing.assert_allclose(
        pricing.rent_capacity([1e6, 2e6], format="convenience store"), [80_000, 160_000]
    )
    assert set(pricing.OCCUPANCY_COST_RATIOS) == set(pricing.FORMATS)
    assert len(pricing.FORMATS) == 10
    with pytest.raises(ValueError, match="unknown retail format"):
        pricing.rent_capacity(1e6, format="casino")
    # survey estimate: 1,000 households × 2,000 a month × 10 % captured × 12 months
    assert pricing.tenant_sales_from_survey(1000, 2000, capture_share=0.1) == 2_400_000


def test_floor_and_position_multipliers():
    assert pricing.floor_multiplier(1) == 1.0
    assert pricing.floor_multiplier(2) == 0.6
    assert pricing.floor_multiplier(9) == 0.3
    assert pricing.floor_multiplier(-2) == 0.6
    assert pricing.position_multiplier(level=1, corner=True) == pytest.approx(1.15)
    assert pricing.position_multiplier(frontage_m=12) == pytest.approx(2**0.3)
    assert pricing.position_multiplier(level=2, frontage_m=1) == pytest.approx(0.6 * 0.8)


# --- scenarios ------------------------------------------------------------------------------------


def test_example_scenario_loads_with_all_groups():
    scenario = pricing.load_scenario(EXAMPLE)
    assert scenario.business_model.mode == "mixed"
    assert [f.name for f in scenario.site.floors] == ["1F-A corner", "1F-B", "2F", "3F"]
    assert Path(scenario.market.comparables_file).is_file()
    assert pricing.scenario_from_dict(pricing.scenario_to_dict(scenario)) == scenario


def test_scenario_defaults_follow_domain():
    s = pricing.Scenario()
    assert (s.costs.sales_cost_ratio, s.costs.leasing_cost_ratio) == (0.02, 0.04)
    assert (s.costs.nurturing_cost_ratio, s.costs.nurturing_years) == (0.09, 3.0)
    assert s.rents.maturity_years == 3.0
    assert (s.timing.leasing_start_months_before_opening, s.timing.lease_up_months) == (6, 12)
    assert pricing.YIELD_RANGE[0] <= s.finance.market_yield <= pricing.YIELD_RANGE[1]


def test_unknown_key_is_an_error_naming_it(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text("[rents]\nvacncy = 0.1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        pricing.load_scenario(path)
    assert err.value.file == str(path)
    assert err.value.column == "rents.vacncy"
    assert "unknown key" in err.value.message and "vacancy" in err.value.message


def test_bad_value_names_key_and_range(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text("[rents]\nvacancy = 1.5\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        pricing.load_scenario(path)
    assert (err.value.file, err.value.column) == (str(path), "rents.vacancy")
    assert "[0, 1)" in err.value.message
    path.write_text("[[site.floors]]\nname = '1F'\narea_m2 = -5\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        pricing.load_scenario(path)
    assert err.value.column == "site.floors[1].area_m2"
    path.write_text("[timing]\nhold_years = 2.5\n", encoding="utf-8")
    with pytest.raises(InputError, match="whole number"):
        pricing.load_scenario(path)
    path.write_text("[business_model]\nmode = 'mixed'\nsold_floors = ['9F']\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        pricing.load_scenario(path)
    assert err.value.column == "business_model.sold_floors"
    path.write_text("[rents\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        pricing.load_scenario(path)


def test_chinese_business_model_names():
    s = pricing.scenario_from_dict({"business_model": {"mode": "只售不租"}})
    assert s.business_model.mode == "sell"


# --- cash flows -------------------------------------------------------------------------------------


def _simple(**changes: dict) -> pricing.Scenario:
    """One 1,000 m² floor, GFA 1,000 m², one year of building, two years of operation."""
    data = {
        "site": {"gross_floor_area_m2": 1000, "floors": [{"name": "1F", "area_m2": 1000}]},
        "costs": {
            "land_cost_per_m2": 1000,
            "construction_cost_per_m2": 2000,
            "soft_cost_ratio": 0,
            "sales_cost_ratio": 0,
            "leasing_cost_ratio": 0,
            "nurturing_cost_ratio": 0,
            "operating_cost_per_m2_month": 0,
            "cost_inflation": 0,
            "exit_cost_ratio": 0,
        },
        "rents": {
            "base_rent_per_m2_month": 100,
            "sale_price_per_m2": 10000,
            "opening_rent_ratio": 1,
            "maturity_years": 0,
            "growth": 0,
            "step_every_years": 0,
            "free_months": 0,
            "vacancy": 0,
            "collection_loss": 0,
        },
        "timing": {
            "construction_years": 1,
            "hold_years": 2,
            "occupancy_at_opening": 1,
            "lease_up_months": 0,
        },
        "finance": {"exit_yield": 0.1, "discount_rate": 0.1},
    }
    for key, value in changes.items():
        group, name = key.split("__")
        data.setdefault(group, {})[name] = value
    return pricing.scenario_from_dict(data)


def test_cash_flows_by_hand():
    ev = pricing.evaluate(_simple())
    # year 0: land 1,000,000 + construction 2,000,000; then 12 × 100 × 1,000 a year of rent;
    # exit after year 2 at 1,200,000 / 10 %
    np.testing.assert_allclose(ev.net[0], [-3_000_000, 1_200_000, 13_200_000])
    x = (-1.2 + np.sqrt(1.2**2 + 4 * 13.2 * 3)) / (2 * 13.2)  # 13.2 x² + 1.2 x - 3 = 0
    assert ev.metrics["irr"][0] == pytest.approx(1 / x - 1)
    assert ev.metrics["npv"][0] == pytest.approx(-3e6 + 1.2e6 / 1.1 + 13.2e6 / 1.1**2)
    assert ev.metrics["payback_years"][0] == pytest.approx(1 + 1.8 / 13.2)
    assert ev.metrics["irr"][0] == pytest.approx(npf.irr(ev.net[0]), abs=1e-10)


def test_rent_timing_by_hand():
    # 3 rent-free months: 9 months of rent in the first year
    ev = pricing.evaluate(_simple(rents__free_months=3))
    assert ev.lines["rent"][0, 1] == pytest.approx(900_000)
    # rents start at 70 % and mature linearly over a year: mean factor 0.7 + 0.3 × 5.5 / 12
    ev = pricing.evaluate(_simple(rents__opening_rent_ratio=0.7, rents__maturity_years=1))
    assert ev.lines["rent"][0, 1] == pytest.approx(1_200_000 * (0.7 + 0.3 * 5.5 / 12))
    assert ev.lines["rent"][0, 2] == pytest.approx(1_200_000)
    # a 5 % step every year, 10 % vacancy and 2 % collection loss
    ev = pricing.evaluate(
        _simple(
            rents__step_every_years=1,
            rents__step_increase=0.05,
            rents__vacancy=0.1,
            rents__collection_loss=0.02,
        )
    )
    assert ev.lines["rent"][0].tolist() == pytest.approx(
        [0, 1_200_000 * 0.9 * 0.98, 1_260_000 * 0.9 * 0.98]
    )


def test_leasing_and_sales_costs_by_hand():
    # 4 % of 10,000 × 1,000 m², spread over 6 months before to 12 months after opening
    ev = pricing.evaluate(_simple(costs__leasing_cost_ratio=0.04, timing__lease_up_months=12))
    assert ev.lines["leasing_cost"][0].tolist() == pytest.approx([-400_000 / 3, -800_000 / 3, 0])
    # sell only: sold for 10,000 × 1,000 m² during the year before opening, 2 % selling cost
    ev = pricing.evaluate(
        _simple(business_model__mode="sell", costs__sales_cost_ratio=0.02),
    )
    assert ev.lines["sales_proceeds"][0].tolist() == pytest.approx([10_000_000, 0, 0])
    assert ev.lines["sales_cost"][0, 0] == pytest.approx(-200_000)
    assert ev.lines["rent"][0].sum() == 0 and ev.lines["exit_value"][0].sum() == 0


def _three_floors(mode: str, sold: list[str] | None = None) -> pricing.Scenario:
    scenario = pricing.load_scenario(EXAMPLE)
    data = pricing.scenario_to_dict(scenario)
    data["business_model"] = {"mode": mode, "sold_floors": sold or []}
    return pricing.scenario_from_dict(data)


def test_mixed_model_equals_sum_of_its_parts():
    mixed = pricing.evaluate(_three_floors("mixed", ["1F-A corner", "1F-B"]))
    sold = pricing.evaluate(_three_floors("sell"), floors=["1F-A corner", "1F-B"])
    leased = pricing.evaluate(_three_floors("lease"), floors=["2F", "3F"])
    for line, values in mixed.lines.items():
        np.testing.assert_allclose(values, sold.lines[line] + leased.lines[line], atol=1e-6)
    np.testing.assert_allclose(mixed.net, sold.net + leased.net, atol=1e-6)
    np.testing.assert_allclose(mixed.equity, sold.equity + leased.equity, atol=1e-6)
    assert mixed.metrics["npv"][0] == pytest.approx(
        sold.metrics["npv"][0] + leased.metrics["npv"][0]
    )
    whole = pricing.evaluate(_three_floors("lease"))
    assert whole.lines["land"].sum() == pytest.approx(mixed.lines["land"].sum())


def test_vectorised_variants_equal_one_at_a_time():
    base = pricing.load_scenario(EXAMPLE)
    rents = np.array([180.0, 230.0, 300.0])
    vacancy = np.array([0.0, 0.05, 0.2])
    hold = np.array([5.0, 10.0, 15.0])
    batch = pricing.evaluate(
        base,
        {
            "rents.base_rent_per_m2_month": rents,
            "rents.vacancy": vacancy,
            "timing.hold_years": hold,
        },
    )
    for i in range(3):
        one = pricing.evaluate(
            pricing.with_inputs(
                base,
                {
                    "rents.base_rent_per_m2_month": rents[i],
                    "rents.vacancy": vacancy[i],
                    "timing.hold_years": int(hold[i]),
                },
            )
        )
        width = one.net.shape[1]
        np.testing.assert_allclose(batch.net[i, :width], one.net[0])
        assert not batch.net[i, width:].any()
        for metric in pricing.METRICS:
            assert batch.metrics[metric][i] == pytest.approx(one.metrics[metric][0])
        assert batch.metrics["irr"][i] == pytest.approx(npf.irr(one.net[0]), abs=1e-10)
        assert batch.metrics["npv"][i] == pytest.approx(npf.npv(0.08, one.net[0]))


def test_overrides_are_validated():
    base = pricing.Scenario()
    with pytest.raises(InputError) as err:
        pricing.evaluate(base, {"rents.vacancy": [0.1, 1.2]})
    assert err.value.column == "rents.vacancy" and "[0, 1)" in err.value.message
    with pytest.raises(InputError, match="cannot vary"):
        pricing.evaluate(base, {"market.households": [1.0]})
    with pytest.raises(InputError, match="whole number"):
        pricing.evaluate(base, {"timing.hold_years": [5.5]})
    with pytest.raises(ValueError, match="same length"):
        pricing.evaluate(base, {"rents.vacancy": [0.1, 0.2], "rents.growth": [0, 0.1, 0.2]})


def test_loan_raises_equity_irr_when_cheaper_than_the_project():
    ev = pricing.evaluate(_simple(finance__loan_to_cost=0.5, finance__interest_rate=0.05))
    assert ev.lines["loan_draw"][0, 0] == pytest.approx(1_500_000)
    assert ev.lines["loan_repayment"][0, 2] == pytest.approx(-1_500_000)
    # start-of-month balances: 500,000 + m × 83,333 in months 1–11 of building, then 1.5 M for
    # the 24 months of operation: 0.05 / 12 × (5.5 M + 5.5 M + 36 M)
    assert ev.lines["interest"][0].sum() == pytest.approx(-0.05 / 12 * 47_000_000)
    assert ev.metrics["equity_irr"][0] > ev.metrics["irr"][0]


# --- grids, tornado, comparison ------------------------------------------------------------------


def test_grid_is_every_combination_and_moves_the_right_way():
    base = pricing.load_scenario(EXAMPLE)
    frame = pricing.scenario_grid(
        base, {"rents.base_rent_per_m2_month": [180, 230, 280], "rents.vacancy": [0, 0.1]}
    )
    assert len(frame) == 6
    table = pricing.grid_pivot(frame, "rents.base_rent_per_m2_month", "rents.vacancy")
    assert table.shape == (3, 2)
    assert (np.diff(table.to_numpy(), axis=0) > 0).all()  # more rent, more IRR
    assert (np.diff(table.to_numpy(), axis=1) < 0).all()  # more vacancy, less IRR


def test_parse_grid_spec():
    key, values = pricing.parse_grid_spec("rents.vacancy=0:0.2:5")
    assert key == "rents.vacancy" and values.tolist() == pytest.approx([0, 0.05, 0.1, 0.15, 0.2])
    assert pricing.parse_grid_spec("timing.hold_years=8,10")[1].tolist() == [8, 10]
    for bad in ("rents.vacancy", "rents.vacancy=0:1", "rents.vacancy=a:b:3", "=1:2:3"):
        with pytest.raises(InputError):
            pricing.parse_grid_spec(bad)


def test_tornado_sorted_and_consistent_with_evaluate():
    base = pricing.load_scenario(EXAMPLE)
    frame = pricing.tornado(base, swing=0.2)
    assert frame["range"].is_monotonic_decreasing
    assert frame["base"].iloc[0] == pytest.approx(pricing.evaluate(base).metrics["irr"][0])
    rent = frame.set_index("input").loc["rents.base_rent_per_m2_month"]
    assert rent["low_value"] == pytest.approx(230 * 0.8)
    assert rent["high"] > rent["base"] > rent["low"]
    one = pricing.evaluate(pricing.with_inputs(base, {"rents.base_rent_per_m2_month": 276.0}))
    assert rent["high"] == pytest.approx(one.metrics["irr"][0])


def test_compare_side_by_side():
    table = pricing.compare({"lease": _three_floors("lease"), "sell": _three_floors("sell")})
    assert list(table.columns) == ["lease", "sell"]
    assert table.at["sales_proceeds", "lease"] == 0
    assert table.at["sales_proceeds", "sell"] > 0
    assert table.at["rent_collected", "sell"] == 0


def test_price_and_rent_of_the_example():
    result = pricing.price_and_rent(pricing.load_scenario(EXAMPLE))
    price, rent = result["price"], result["rent"]
    assert price["income"] == pytest.approx(230 * 12 / 0.085)
    assert price["cost_long_term"] == pytest.approx(price["cost_short_term"] / 0.85)
    assert sum(price["weights"].values()) == pytest.approx(1)
    # cost: (land 6,000 + construction 4,500 × 1.1) × 14,000 m² GFA over the price-weighted
    # net area (corner unit 600 m² × (1.15 × 2 ** 0.3), 2,400 × 1, 3,500 × 0.6, 3,500 × 0.45)
    value_area = 600 * 1.15 * 2**0.3 + 2400 + 3500 * 0.6 + 3500 * 0.45
    assert price["cost_short_term"] == pytest.approx((6000 + 4950) * 14000 / value_area)
    # market: the weighted mean of the adjusted comparables of data/examples/comparables.csv
    comps = pd.read_csv(EXAMPLE.with_name("comparables.csv"))
    factor = np.prod([1 + comps[c] for c in pricing.valuation.ADJUSTMENT_COLUMNS], axis=0)
    market = (comps["price_per_m2"] * factor * comps["weight"]).sum() / comps["weight"].sum()
    assert price["market"] == pytest.approx(market)
    assert price["weights"] == pytest.approx({"cost": 0.25, "market": 0.5, "income": 0.25})
    reconciled = sum(
        w * (price["cost_long_term"] if k == "cost" else price[k])
        for k, w in price["weights"].items()
    )
    assert price["reconciled"] == pytest.approx(reconciled)
    assert rent["yield"] == pytest.approx(32000 * 0.085 / 12)
    assert rent["tenant_sales_source"] == "forecast"
    assert rent["capacity"] > 0 and rent["affordable"] is True


def test_analyse_is_strict_json():
    result = pricing.analyse(pricing.load_scenario(EXAMPLE), grid={"rents.vacancy": [0.0, 0.1]})
    text = json.dumps(result, allow_nan=False)
    assert json.loads(text)["grid"]["size"] == 2
    assert set(result["investment"]["cash_flows"]) >= set(pricing.PROJECT_LINES)


def test_scenarios_survive_a_project_save_and_reopen(tmp_path: Path):
    from tradearea.project import workspace

    scenario = pricing.load_scenario(EXAMPLE)
    comps, _ = pricing.comparables_table(scenario)
    data = pricing.scenario_to_dict(scenario)
    data["market"].update(comparables=comps.to_dict(orient="records"), comparables_file=None)
    project = workspace.Project(name="t", region="helsinki-center", scenarios={"A": data})
    reopened = workspace.open_project(workspace.save_project(project, tmp_path / "p.gpkg"))
    again = pricing.scenario_from_dict(reopened.scenarios["A"])
    assert again.market.comparables == data["market"]["comparables"]
    assert pricing.evaluate(again).summary() == pricing.evaluate(scenario).summary()
    assert pricing.price_and_rent(again)["price"]["market"] == pytest.approx(
        pricing.price_and_rent(scenario)["price"]["market"]
    )


def test_large_grids_are_evaluated_in_slices_with_the_same_result(monkeypatch):
    base = pricing.load_scenario(EXAMPLE)
    axes = {"rents.growth": [0.0, 0.02, 0.04], "timing.hold_years": [5, 8, 12]}
    whole = pricing.scenario_grid(base, axes)
    monkeypatch.setattr(pricing.sensitivity, "CHUNK", 4)
    sliced = pricing.scenario_grid(base, axes)
    pd.testing.assert_frame_equal(whole, sliced)
    assert len(sliced) == 9 and sliced["timing.hold_years"].tolist()[:3] == [5, 8, 12]


@pytest.mark.parametrize("construction_years", [1, 2])
def test_sell_only_project_gets_its_investment_irr(construction_years: int):
    # issue 18: with one construction year the sales fall in year 0 with the land, the yearly
    # flows start positive and the IRR came out -48 % ("a borrowing rate"); with two years
    # the flows (-, +, -, -, -) have two IRRs and the one closest to zero (-58 %) was reported
    scenario = pricing.scenario_from_dict(
        {"business_model": {"mode": "sell"}, "timing": {"construction_years": construction_years}}
    )
    ev = pricing.evaluate(scenario)
    rate, npv8 = ev.metrics["irr"][0], ev.metrics["npv"][0]
    assert npv8 > 0 and np.isfinite(rate) and rate > 0.08  # NPV > 0 at 8 %: the return beats 8 %
    if construction_years == 2:
        assert ev.net[0, 0] < 0 < ev.net[0, 1]
        assert pricing.npv(rate, ev.net[0]) == pytest.approx(0.0, abs=1e-3)
        assert pricing.npv(rate - 0.01, ev.net[0]) > 0 > pricing.npv(rate + 0.01, ev.net[0])
    else:
        assert ev.net[0, 0] > 0  # the year nets no outlay: the rate comes from the months
        monthly = (1 + rate) ** (1 / 12) - 1
        assert 0 < monthly < 1
    assert ev.totals["irr_count"][0] == 2  # still flagged: the flows have two IRRs


def test_investment_irr_picks_the_falling_root():
    flows = np.array([[-100.0, 230.0, -132.0]])  # IRRs 10 % and 20 %; NPV falls through 20 %
    rates, counts = pricing.finance.investment_irr(flows)
    assert counts[0] == 2 and rates[0] == pytest.approx(0.2, abs=1e-9)
    assert pricing.irr(flows[0]) == pytest.approx(0.1, abs=1e-9)  # numpy-financial's choice
    conventional = np.array([[-100.0, 39, 59, 55, 20]])
    assert pricing.finance.investment_irr(conventional)[0][0] == pytest.approx(
        npf.irr(conventional[0]), abs=1e-12
    )
