"""The Dask engine gives the pandas engine's tables, on a 2-worker LocalCluster."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from tradearea import crm, huff, saturation, scale
from tradearea.errors import InputError
from tradearea.scale import select
from tradearea.testing.scale import national_customers

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "data" / "examples"
RTOL = 1e-9  # the only differences allowed: float sums added in another order


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """Two worker processes, one thread each: tasks and shared tables really get pickled.

    Spawned workers re-run ``__main__`` from its file; streamlit's AppTest (earlier in the session)
    leaves ``__main__`` pointing at a temporary script, so a clean ``__main__`` is put in place
    while the cluster lives.
    """
    import types

    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
        with scale.dask_client(workers=2, threads_per_worker=1, memory_limit="1GiB") as client:
            yield client


def _same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str] | None = None) -> None:
    if keys:
        a = a.sort_values(keys, kind="stable").reset_index(drop=True)
        b = b.sort_values(keys, kind="stable").reset_index(drop=True)
    assert_frame_equal(a, b, check_exact=False, rtol=RTOL)


def _stores() -> pd.DataFrame:
    stores = pd.read_csv(EXAMPLES / "competitors.csv")
    stores["floor_area_m2"] = stores["floor_area_m2"].fillna(400.0)
    return stores


@pytest.fixture(scope="module")
def chain() -> tuple[pd.DataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """A small national chain: 40 stores, 1/3/5 km rings, 6,000 customers with many ties."""
    rng = np.random.default_rng(5)
    stores = pd.DataFrame(
        {
            "store_id": [f"S{i:02d}" for i in range(40)],
            "lat": rng.uniform(60.0, 60.6, 40),
            "lon": rng.uniform(24.0, 25.2, 40),
        }
    )
    areas = saturation.rule_of_thumb_rings(stores, radii_m=(1000.0, 3000.0, 5000.0))
    customers = national_customers(6000, stores, seed=3)
    customers.loc[::97, ["lat", "lon"]] = np.nan  # some without a location
    return customers, areas, stores


# ---- exact order statistics (pure functions, no cluster) ---------------------------------


def _select(parts: list[np.ndarray], ranks: list[int]) -> np.ndarray:
    frames = [pd.DataFrame({"v": p}) for p in parts]

    def extract(f: pd.DataFrame) -> dict[str, np.ndarray]:
        return {"v": f["v"].to_numpy()}

    sketches = [select.sketch(f, extract, points=8) for f in frames]
    bounds = select.brackets(sketches, {"v": ranks})
    pieces = [select.bracket_values(f, extract, bounds) for f in frames]
    return select.resolve(pieces, {"v": ranks})["v"]


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(
        st.lists(st.integers(-20, 20) | st.floats(-1e6, 1e6), min_size=0, max_size=60),
        min_size=1,
        max_size=6,
    ).filter(lambda ps: sum(map(len, ps)) > 0),
    data=st.data(),
)
def test_order_statistics_equal_a_full_sort(parts: list[list[float]], data: st.DataObject) -> None:
    arrays = [np.asarray(p, dtype=float) for p in parts]
    everything = np.sort(np.concatenate(arrays))
    ranks = data.draw(st.lists(st.integers(0, len(everything) - 1), min_size=1, max_size=5))
    assert _select(arrays, ranks).tolist() == everything[ranks].tolist()


def test_quintile_cuts_by_hand() -> None:
    # 10 distinct values: ranks 1..10 give scores 1 + floor(5 (rank - 1) / 10) = 1,1,2,2,...,5,5
    values = pd.Series(np.arange(10.0, 0.0, -1.0))
    cuts = np.sort(values.to_numpy())[select.quintile_ranks(10)]
    assert select.scores_from_cuts(values, cuts).tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    # ties share the lowest rank: six equal values all score 1, as rank(method="min") does
    tied = pd.Series([7.0] * 6 + [8.0, 9.0, 10.0, 11.0])
    cuts = np.sort(tied.to_numpy())[select.quintile_ranks(10)]
    assert select.scores_from_cuts(tied, cuts).tolist() == [1] * 6 + [4, 4, 5, 5]


def test_scale_module_does_not_import_dask() -> None:
    code = (
        "import sys, tradearea.scale, tradearea.batch.pipeline, tradearea.cli.run; "
        "import pandas as pd; from tradearea import scale; "
        "scale.rfm_scores(pd.DataFrame({'last_purchase': pd.to_datetime(['2024-01-01']), "
        "'orders': [1], 'revenue': [1.0]})); print('dask' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---- CRM aggregation: the whole chain, both engines -----------------------------------------


def test_analyse_customers_dask_equals_pandas(
    cluster: object, chain: tuple, tmp_path: Path
) -> None:
    customers, areas, stores = chain
    a = scale.analyse_customers(customers, areas, stores=stores)
    b = scale.analyse_customers(
        scale.to_dask(customers, npartitions=5), areas, stores=stores, out=tmp_path / "c"
    )
    assert a.engine == "pandas" and b.engine == "dask"
    assert a.settings == b.settings  # as_of and the estimated retention rate agree exactly
    assert a.overlaps == b.overlaps > 0
    assert b.pareto_share == pytest.approx(a.pareto_share, rel=RTOL)
    _same(a.segment_tier, b.segment_tier)
    _same(a.segment_tier_by_store, b.segment_tier_by_store)
    _same(a.penetration, b.penetration)
    _same(a.winback, b.winback, ["customer_id"])
    _same(a.customers, b.customers.compute(), ["customer_id"])
    assert len(list((tmp_path / "c").glob("part.*.parquet"))) == 5
    # the tables are about the customers: every one is counted once, in one tier
    assert a.segment_tier["customers"].sum() == len(customers)
    assert a.summary()["tiers"]["no location"] == customers["lat"].isna().sum()


def test_rfm_quintiles_are_global_not_per_partition(cluster: object) -> None:
    table = crm.read_crm(EXAMPLES / "crm_customers.csv").table
    # sorted by revenue, each partition alone would spread its customers over all five scores
    ordered = table.sort_values("revenue").reset_index(drop=True)
    d = scale.to_dask(ordered, npartitions=4)
    a, b = crm.rfm_scores(ordered), scale.rfm_scores(d).compute()
    _same(a, b)
    first_quarter = b.iloc[: len(b) // 4]
    assert set(first_quarter["m_score"]) <= {1, 2}
    assert scale.pareto_share(d["revenue"]) == pytest.approx(
        crm.pareto_share(table["revenue"]), rel=RTOL
    )


def test_best_tie_cuts_by_hand() -> None:
    # recency ties share the best rank: 1 + floor(5 (max rank - 1) / n), the top tie group 5
    tied = pd.Series([7.0] * 6 + [8.0, 9.0, 10.0, 10.0])
    cuts = np.sort(tied.to_numpy())[select.best_tie_ranks(10)]
    assert select.scores_from_cuts(tied, cuts, ties="best").tolist() == [3] * 6 + [4, 4, 5, 5]
    both = pd.Series([1.0, 1.0])
    cuts = np.sort(both.to_numpy())[select.best_tie_ranks(2)]
    assert select.scores_from_cuts(both, cuts, ties="best").tolist() == [5, 5]


def test_rfm_dask_equals_pandas_on_data_full_of_ties(cluster: object) -> None:
    rng = np.random.default_rng(18)
    n = 997
    as_of = pd.Timestamp("2024-12-31")
    table = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            # few distinct dates, many customers on the reference date itself
            "last_purchase": as_of - pd.to_timedelta(rng.choice([0, 0, 0, 1, 7, 30, 365], n), "D"),
            "orders": rng.choice([1, 1, 1, 2, 5], n),
            "revenue": rng.choice([10.0, 10.0, 50.0, 200.0], n),
        }
    )
    d = scale.to_dask(table, npartitions=4)
    a, b = crm.rfm_scores(table, as_of=as_of), scale.rfm_scores(d, as_of=as_of).compute()
    _same(a, b)
    assert (a.loc[table["last_purchase"] == as_of, "r_score"] == 5).all()
    for k in (2, 5, 7):  # tiny tables too: every customer tied on one date
        small = table.iloc[:k].assign(last_purchase=as_of)
        got = scale.rfm_scores(scale.to_dask(small, npartitions=2), as_of=as_of).compute()
        _same(crm.rfm_scores(small, as_of=as_of), got)
        assert (got["r_score"] == 5).all()


def test_customers_from_transactions_dask_equals_pandas(cluster: object) -> None:
    tx = crm.read_crm(EXAMPLES / "crm_transactions.csv").table
    d = scale.to_dask(tx, npartitions=4)
    for as_of in ("2024-12-31", None):
        a = crm.customers_from_transactions(tx, as_of=as_of)
        b = scale.customers_from_transactions(d, as_of=as_of).compute()
        _same(a, b, ["customer_id"])
    assert len(a) == tx["customer_id"].nunique()


def test_value_and_lifecycle_use_the_global_reference(cluster: object) -> None:
    table = crm.read_crm(EXAMPLES / "crm_customers.csv").table
    d = scale.to_dask(table, npartitions=3)
    assert scale.retention_rate_estimate(d) == crm.retention_rate_estimate(table)
    _same(crm.customer_value(table), scale.customer_value(d).compute())
    a, b = crm.lifecycle_stage(table), scale.lifecycle_stage(d).compute()
    assert a.tolist() == b.tolist()


def test_tables_of_tiered_dask_customers(cluster: object, chain: tuple) -> None:
    customers, areas, stores = chain
    tiered = scale.analyse_customers(customers, areas, stores=stores).customers
    d = scale.to_dask(tiered, npartitions=3)
    _same(crm.segment_tier_table(tiered), scale.segment_tier_table(d))
    _same(crm.segment_tier_table(tiered, by_store=True), scale.segment_tier_table(d, by_store=True))
    _same(crm.valuable_penetration(tiered, areas), scale.valuable_penetration(d, areas))
    _same(crm.winback_list(tiered), scale.winback_list(d), ["customer_id"])


# ---- tiers, geocoding, Huff, IRS ----------------------------------------------------------


def test_assign_tiers_dask_equals_pandas(cluster: object) -> None:
    table = crm.read_crm(EXAMPLES / "crm_customers.csv").table
    areas = gpd.read_file(EXAMPLES / "crm_areas.geojson")
    a, overlaps = crm.assign_tiers(table, areas)
    tiered, lazy = scale.assign_tiers(scale.to_dask(table, npartitions=4), areas)
    b, n = scale._dask.compute(tiered, lazy)
    _same(a, b)
    assert int(n) == overlaps
    with pytest.raises(InputError, match="tier"):
        scale.assign_tiers(scale.to_dask(table, npartitions=2), areas.assign(tier=7))


def test_geocode_dask_rejects_repeated_ids_across_partitions(cluster: object) -> None:
    survey = pd.read_csv(REPO / "surveys" / "demo_survey.csv", dtype=str, keep_default_na=False)
    survey.loc[120, "respondent_id"] = survey.loc[3, "respondent_id"]  # partition 4 repeats 1
    a = scale.geocode_frame(survey, region="helsinki-center")
    b = scale.geocode_frame(scale.to_dask(survey, npartitions=5), region="helsinki-center")
    b = b.compute().reset_index(drop=True)
    _same(a, b)
    assert b.loc[120, "status"] == "rejected"
    assert b.loc[120, "reason"] == "duplicate respondent id R004 (first at row 4)"
    with pytest.raises(ValueError, match="online"):
        scale.geocode_frame(scale.to_dask(survey, npartitions=2), region="x", online=True)


def _zones() -> pd.DataFrame:
    from tradearea.demand import read_demand

    return pd.DataFrame(read_demand(EXAMPLES / "zones.geojson", spend=90).drop(columns="geometry"))


def test_huff_dask_equals_pandas(cluster: object, tmp_path: Path) -> None:
    zones, stores = _zones(), _stores()
    d = scale.to_dask(zones, npartitions=4)
    a = huff.huff_model(zones, stores, focus=["S1"])
    b = scale.huff_model_to_parquet(d, stores, tmp_path / "z", focus=["S1"])
    _same(a.sales, b.sales)
    _same(a.zones, b.zones.compute(), ["origin_id"])
    assert b.sales["expected_sales"].sum() == pytest.approx(zones["demand"].sum(), rel=RTOL)
    _same(huff.huff_probabilities(zones, stores), scale.huff_probabilities(d, stores).compute())
    # a long cost table: the zero-cost guard is settled over all zones, as one matrix would
    rng = np.random.default_rng(1)
    costs = pd.DataFrame(
        [
            (o, s, float(rng.uniform(30, 3000)))
            for o in zones["origin_id"]
            for s in stores["store_id"]
            if rng.random() < 0.7
        ],
        columns=["origin_id", "store_id", "cost"],
    )
    a, b = huff.huff_model(zones, stores, costs=costs), scale.huff_model(d, stores, costs=costs)
    assert a.min_cost == b.min_cost
    _same(a.sales, b.sales)
    bad = pd.concat(
        [costs, pd.DataFrame({"origin_id": ["nowhere"], "store_id": ["S1"], "cost": [9.0]})],
        ignore_index=True,
    )
    with pytest.raises(InputError, match="'nowhere' is not in the demand zones") as err:
        scale.huff_model(d, stores, costs=bad)
    assert err.value.row == len(bad)


def test_candidates_dask_equals_pandas_and_forecast(cluster: object) -> None:
    from tradearea.forecast import forecast_candidate

    zones, stores = _zones(), _stores()
    cands = [
        {"id": "K1", "lat": 60.1685, "lon": 24.932, "floor_area_m2": 1200},
        {"id": "K2", "lat": 60.175, "lon": 24.945, "format": "convenience"},
    ]
    a = scale.forecast_candidates(zones, stores, cands)
    b = scale.forecast_candidates(scale.to_dask(zones, npartitions=3), stores, cands)
    _same(a, b)
    one = forecast_candidate(zones, stores, scale.candidates.candidate_records(cands)[0])
    assert a.loc[0, "expected_sales"] == pytest.approx(one.expected_sales, rel=RTOL)
    assert a.loc[0, "from_own"] == pytest.approx(one.from_own, rel=RTOL)
    assert a.loc[0, "expected_sales"] == pytest.approx(
        a.loc[0, "from_own"] + a.loc[0, "from_competitors"], rel=1e-9
    )


def test_irs_dask_equals_pandas(cluster: object) -> None:
    stores = _stores()
    areas = saturation.rule_of_thumb_rings(stores.iloc[::3], radii_m=(300.0, 600.0, 900.0))
    areas["households"] = np.arange(len(areas)) * 100.0
    zones = gpd.read_file(EXAMPLES / "zones.geojson")
    d = scale.to_dask(areas, npartitions=4)
    _same(saturation.irs_by_trade_area(areas, stores), scale.irs_by_trade_area(d, stores))
    options = {
        "zones": zones,
        "cumulative": True,
        "candidate": {"lat": 60.17, "lon": 24.945, "floor_area_m2": 1000.0},
    }
    _same(
        saturation.irs_by_trade_area(areas, stores, **options),
        scale.irs_by_trade_area(d, stores, **options),
    )
    cands = [{"id": "K1", "lat": 60.1685, "lon": 24.932, "floor_area_m2": 1200}]
    ring = saturation.rule_of_thumb_rings(
        pd.DataFrame(scale.candidates.candidate_records(cands)), radii_m=(300.0, 600.0)
    ).assign(households=500.0)
    a = scale.irs_for_candidates(ring, stores, cands)
    _same(a, scale.irs_for_candidates(scale.to_dask(ring, npartitions=2), stores, cands))
    # the candidate sits in its own primary ring: its floor area joins RF there only
    assert a["candidate_inside"].tolist() == [True, False]
    assert a.loc[0, "floor_area_with_candidate"] == a.loc[0, "floor_area"] + 1200.0


def test_parquet_crm_import_and_locating_agree(cluster: object, tmp_path: Path) -> None:
    from types import SimpleNamespace

    from tradearea.batch.crm_import import import_crm, locate_customers

    raw = pd.read_csv(EXAMPLES / "crm_customers.csv", dtype=str, keep_default_na=False)
    raw.loc[200, "customer_id"] = raw.loc[10, "customer_id"]  # repeats a customer of part 0
    raw.loc[201, "orders"] = "x"
    raw.loc[150, "revenue"] = "€1.234,50"
    raw.loc[[5, 120, 230], ["lat", "lon"]] = ""  # to be geocoded from the address
    folder = tmp_path / "customers"
    folder.mkdir()
    for i, chunk in enumerate((raw.iloc[:90], raw.iloc[90:180], raw.iloc[180:])):
        chunk.to_parquet(folder / f"part.{i}.parquet", index=False)
    config = SimpleNamespace(region="helsinki-center")
    pandas_ctx = SimpleNamespace(engine="pandas", frame=lambda t: t, config=config)
    dask_ctx = SimpleNamespace(engine="dask", frame=scale.to_dask, config=config)
    a, b = import_crm(pandas_ctx, folder), import_crm(dask_ctx, folder)
    # rows 6, 121, 231 lost their coordinates (repaired: kept without a location), row 151 had
    # its revenue cleaned, row 201 repeats a customer of the first part, row 202 is unusable
    assert a.counts == b.counts == {
        "rows": 248, "accepted": 242, "repaired": 4, "rejected": 2, "flagged": 0
    }  # fmt: skip
    _same(a.report, b.report)
    assert b.report["row"].tolist() == [6, 121, 151, 201, 202, 231]  # counted across parts
    assert b.report["reason"].iloc[3].startswith("duplicate customer_id")
    located_a = locate_customers(pandas_ctx, a.table)
    located_b = locate_customers(dask_ctx, b.table).compute().reset_index(drop=True)
    _same(located_a, located_b)
    assert "address" not in located_b.columns  # personal data is not carried on
    sources = located_b["location_source"].value_counts().to_dict()
    assert sources["input_coords"] == 243 and sum(sources.values()) == 246


def test_public_functions_take_a_dask_frame() -> None:
    """The library's own functions delegate Dask input to the engine and give the same table."""
    import dask.dataframe as dd

    from tradearea import crm, huff

    zones = pd.DataFrame(
        {
            "origin_id": ["a", "b", "c", "d"],
            "lat": [60.17, 60.171, 60.168, 60.175],
            "lon": [24.94, 24.945, 24.95, 24.938],
            "demand": [100.0, 50.0, 80.0, 20.0],
        }
    )
    stores = pd.DataFrame(
        {
            "store_id": ["S1", "S2"],
            "lat": [60.1699, 60.1713],
            "lon": [24.942, 24.9478],
            "floor_area_m2": [1150.0, 7636.0],
        }
    )
    plain = huff.huff_model(zones, stores)
    lazy = huff.huff_model(dd.from_pandas(zones, npartitions=2), stores)
    pd.testing.assert_frame_equal(
        plain.sales.reset_index(drop=True), lazy.sales.reset_index(drop=True), check_dtype=False
    )
    tx = pd.DataFrame(
        {
            "customer_id": ["x", "x", "y", "z", "z", "z"],
            "date": pd.to_datetime(
                ["2024-01-01", "2024-03-01", "2024-02-01", "2024-01-05", "2024-02-05", "2024-03-05"]
            ),
            "amount": [10.0, 20.0, 5.0, 7.0, 8.0, 9.0],
        }
    )
    a = crm.customers_from_transactions(tx)
    b = crm.customers_from_transactions(dd.from_pandas(tx, npartitions=2))
    b = b.compute() if hasattr(b, "compute") else b
    pd.testing.assert_frame_equal(
        a.sort_values("customer_id").reset_index(drop=True),
        b.sort_values("customer_id").reset_index(drop=True),
        check_dtype=False,
    )
