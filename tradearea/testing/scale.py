"""Seeded synthetic national chain: stores, ring trade areas and loyalty customers, for scale runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

# A country-sized box (about 550 x 450 km, southern Finland).
LAT_RANGE = (60.0, 65.0)
LON_RANGE = (21.0, 30.0)
AS_OF = pd.Timestamp("2024-12-31")
_M_PER_DEG = 111_320.0


def national_stores(n: int = 1000, *, seed: int = 7) -> pd.DataFrame:
    """Return ``n`` own stores spread over the box: store_id, name, lat, lon, floor_area_m2.

    Parameters
    ----------
    n : int
        Number of stores.
    seed : int
        Random seed.

    Returns
    -------
    pandas.DataFrame
        One row per store.
    """
    rng = np.random.default_rng(seed)
    ids = [f"S{i:05d}" for i in range(n)]
    return pd.DataFrame(
        {
            "store_id": ids,
            "name": [f"Store {i}" for i in range(n)],
            "lat": rng.uniform(*LAT_RANGE, n),
            "lon": rng.uniform(*LON_RANGE, n),
            "floor_area_m2": rng.choice([400.0, 1200.0, 2500.0, 6000.0], n),
        }
    )


def national_customers(
    n: int, stores: pd.DataFrame, *, seed: int = 11, start: int = 0
) -> pd.DataFrame:
    """Return ``n`` loyalty customers, one row each, living around the stores.

    Homes lie around a random store at a log-normal distance (median 2 km), so most fall in
    the 1 / 3 / 5 km rings and some beyond. Purchases, orders and revenue are plausible and
    seeded; ``start`` offsets the customer numbers so chunks can be generated separately.

    Returns
    -------
    pandas.DataFrame
        customer_id, first_purchase, last_purchase, orders, revenue, acquisition_cost, lat, lon.
    """
    rng = np.random.default_rng([seed, start])
    home = rng.integers(0, len(stores), n)
    lat0 = stores["lat"].to_numpy()[home]
    lon0 = stores["lon"].to_numpy()[home]
    dist = rng.lognormal(np.log(2000.0), 0.8, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    lat = lat0 + dist * np.cos(angle) / _M_PER_DEG
    lon = lon0 + dist * np.sin(angle) / (_M_PER_DEG * np.cos(np.radians(lat0)))
    last = AS_OF - pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    first = last - pd.to_timedelta(rng.integers(0, 1500, n), unit="D")
    orders = 1 + rng.poisson(6, n)
    ids = pd.Series(np.arange(start, start + n)).map("C{:09d}".format)
    return pd.DataFrame(
        {
            "customer_id": ids.astype("str").to_numpy(),
            "first_purchase": first,
            "last_purchase": last,
            "orders": orders.astype("int64"),
            "revenue": np.round(orders * rng.gamma(2.0, 25.0, n), 2),
            "acquisition_cost": np.round(rng.uniform(0, 20, n), 2),
            "lat": lat,
            "lon": lon,
        }
    )


def write_customer_parts(
    folder: str | Path,
    n: int,
    stores: pd.DataFrame,
    *,
    rows_per_part: int = 250_000,
    seed: int = 11,
) -> Path:
    """Write ``n`` customers as Parquet part files, generated chunk by chunk (bounded memory).

    Returns
    -------
    pathlib.Path
        The folder (``part.NNNNN.parquet`` files).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for i, start in enumerate(range(0, n, rows_per_part)):
        size = min(rows_per_part, n - start)
        chunk = national_customers(size, stores, seed=seed, start=start)
        chunk.to_parquet(out / f"part.{i:05d}.parquet", index=False)
    return out
