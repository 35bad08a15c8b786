"""Make the example CRM files: fictional customers at real Helsinki addresses, their purchases, two stores' rings.

Run from the repository root (seeded, so the files come out the same every time):

    python data/examples/make_crm_examples.py

Writes, next to this script:
- crm_customers.csv     one row per customer (contact details are fictional; a few people appear twice,
                        once with a loyalty number M###### and once with a web-shop number W####;
                        60 loyalty numbers are those of the demo survey's members)
- crm_transactions.csv  customer_id, date, amount, store_id for 2023-2024
- crm_areas.geojson     ring trade areas (tiers 1-3) of two example stores, in the trade-area contract

Try them with:

    tradearea crm data/examples/crm_customers.csv --areas data/examples/crm_areas.geojson --out out.csv
    tradearea crm data/examples/crm_transactions.csv --customers data/examples/crm_customers.csv \\
        --areas data/examples/crm_areas.geojson --dedup --match-on name,phone,email --out out.xlsx
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
SEED = 20240601
AS_OF = pd.Timestamp("2024-12-31")
STORES = {"S01": (60.1690, 24.9430, (200, 400, 600)), "S02": (60.1765, 24.9470, (150, 300, 450))}
FIRST = (
    "Aino",
    "Eino",
    "Helmi",
    "Ilona",
    "Juho",
    "Kaisa",
    "Lauri",
    "Maija",
    "Niko",
    "Oona",
    "Pekka",
    "Riikka",
    "Sami",
    "Tiina",
    "Ulla",
    "Veikko",
    "Elina",
    "Ari",
    "Minna",
    "Otto",
    "Sofia",
    "Leevi",
)
LAST = (
    "Aaltonen",
    "Berg",
    "Cederholm",
    "Eklund",
    "Forsman",
    "Grönroos",
    "Hakala",
    "Ikonen",
    "Kallio",
    "Lindroos",
    "Mustonen",
    "Nurmi",
    "Ojala",
    "Peltola",
    "Rinne",
    "Sundström",
    "Tikkanen",
    "Uotila",
    "Vainio",
    "Wallin",
)
PROFILES = {  # name: (share, first purchase day range back from AS_OF, last purchase days back, orders)
    "champion": (0.15, (300, 700), (0, 30), (14, 30)),
    "loyal": (0.20, (300, 700), (10, 90), (6, 14)),
    "new": (0.12, (5, 80), (0, 40), (1, 2)),
    "at_risk": (0.18, (400, 700), (150, 300), (6, 16)),
    "occasional": (0.20, (100, 700), (20, 200), (2, 5)),
    "lost": (0.15, (500, 730), (380, 500), (1, 4)),
}


def _addresses() -> pd.DataFrame:
    """Plain street + number addresses of the demo region, else points around central Helsinki."""
    try:
        from tradearea.regions.packs import load_region

        table = pd.DataFrame(load_region("helsinki-center").addresses.drop(columns="geometry"))
        table = table[table["housenumber"].astype(str).str.fullmatch(r"\d+[A-Za-z]?")]
        table = table.drop_duplicates(["street", "housenumber"]).reset_index(drop=True)
        table["address"] = table["street"] + " " + table["housenumber"].astype(str)
        return table[["address", "lat", "lon"]]
    except Exception:
        rng = np.random.default_rng(SEED)
        n = 300
        return pd.DataFrame(
            {
                "address": [f"Esimerkkikatu {i + 1}" for i in range(n)],
                "lat": 60.164 + rng.random(n) * 0.015,
                "lon": 24.935 + rng.random(n) * 0.018,
            }
        )


def _member_ids(rng: np.random.Generator, n: int) -> list[str]:
    """Loyalty numbers like the demo survey's (M + 6 digits); the survey's members are customers too."""
    survey = HERE.parent.parent / "surveys" / "demo_survey.csv"
    known: list[str] = []
    if survey.exists():
        ids = pd.read_csv(survey, dtype=str)["member_id"].dropna().str.strip()
        known = list(dict.fromkeys(ids[ids.str.fullmatch(r"M\d{6}")]))[:60]
    fresh = [f"M{v:06d}" for v in rng.choice(np.arange(100000, 1000000), 3 * n, replace=False)]
    fresh = [f for f in fresh if f not in set(known)]
    return (known + fresh)[:n]


def _people(rng: np.random.Generator, places: pd.DataFrame, n: int) -> pd.DataFrame:
    pick = rng.integers(0, len(places), n)
    ids = _member_ids(rng, n)
    first = rng.choice(FIRST, n)
    last = rng.choice(LAST, n)
    rows = []
    for i in range(n):
        email_name = f"{first[i]}.{last[i]}".lower().replace("ö", "o").replace("ä", "a")
        rows.append(
            {
                "customer_id": ids[i],
                "name": f"{first[i]} {last[i]}",
                "phone": f"+358 40 {rng.integers(100, 999)} {rng.integers(1000, 9999)}",
                "email": f"{email_name}{i}@example.fi",
                "address": f"{places['address'].iloc[pick[i]]} {'ABC'[i % 3]} {1 + i % 30}, Helsinki",
                "lat": round(float(places["lat"].iloc[pick[i]]), 6),
                "lon": round(float(places["lon"].iloc[pick[i]]), 6),
            }
        )
    return pd.DataFrame(rows)


def _home_store(lat: float, lon: float) -> str:
    dist = {s: (lat - a) ** 2 + ((lon - b) * 0.5) ** 2 for s, (a, b, _) in STORES.items()}
    return min(dist, key=dist.get)


def _transactions(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    names = list(PROFILES)
    shares = np.array([PROFILES[p][0] for p in names])
    profile = rng.choice(names, len(people), p=shares / shares.sum())
    rows = []
    for cid, lat, lon, prof in zip(
        people["customer_id"], people["lat"], people["lon"], profile, strict=True
    ):
        _, first_range, last_range, order_range = PROFILES[prof]
        last_back = int(rng.integers(*last_range))
        first_back = max(int(rng.integers(*first_range)), last_back)
        orders = int(rng.integers(order_range[0], order_range[1] + 1))
        backs = np.sort(rng.integers(last_back, first_back + 1, orders))[::-1]
        backs[0], backs[-1] = first_back, last_back
        home = _home_store(lat, lon)
        other = "S02" if home == "S01" else "S01"
        for back in backs:
            amount = round(float(rng.gamma(2.2, 18.0)) + 3.0, 2)
            store = home if rng.random() < 0.85 else other
            rows.append(
                (cid, (AS_OF - pd.Timedelta(days=int(back))).date().isoformat(), amount, store)
            )
        if rng.random() < 0.05:
            rows.append(
                (
                    cid,
                    (AS_OF - pd.Timedelta(days=last_back)).date().isoformat(),
                    -round(amount, 2),
                    home,
                )
            )
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "store_id"])
    return tx.sort_values(["date", "customer_id"]).reset_index(drop=True)


def _duplicates(rng: np.random.Generator, people: pd.DataFrame, k: int) -> pd.DataFrame:
    """The same person registered again: nickname-free typos, reordered names, other phone layouts."""
    picked = people.sample(k, random_state=SEED).copy()
    variants = []
    for j, (_, row) in enumerate(picked.iterrows()):
        first, last = row["name"].split(" ", 1)
        name = [
            f"{last}, {first}",
            f"{first} {last[:-1]}{last[-1] * 2}",
            f"MR {first} {last}".upper(),
            f"{first.lower()} {last.lower()}",
        ][j % 4]
        digits = row["phone"].replace(" ", "").replace("+358", "0")
        variants.append(
            {
                **row.to_dict(),
                "customer_id": f"W{9001 + j}",
                "name": name,
                "phone": [digits, f"{digits[:3]}-{digits[3:]}", None, digits][j % 4],
                "email": [row["email"].upper(), None, row["email"], row["email"]][j % 4],
            }
        )
    return pd.DataFrame(variants)


def _areas(customers: pd.DataFrame, addresses: pd.DataFrame) -> gpd.GeoDataFrame:
    rows = []
    addr = gpd.GeoSeries(gpd.points_from_xy(addresses["lon"], addresses["lat"]), crs="EPSG:4326")
    cust = gpd.GeoSeries(gpd.points_from_xy(customers["lon"], customers["lat"]), crs="EPSG:4326")
    crs = addr.estimate_utm_crs()
    addr_m, cust_m = addr.to_crs(crs), cust.to_crs(crs)
    for store, (lat, lon, radii) in STORES.items():
        centre = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs(crs).iloc[0]
        inner = None
        for tier, radius in enumerate(radii, start=1):
            disc = centre.buffer(radius, quad_segs=32)
            ring = disc if inner is None else disc.difference(inner)
            inner = disc
            inside = int(cust_m.within(ring).sum())
            rows.append(
                {
                    "store_id": store,
                    "tier": tier,
                    "method": "rings",
                    "threshold": float(radius),
                    "customers": inside,
                    "weight_share": inside / len(customers),
                    "households": int(addr_m.within(ring).sum()) * 14,
                    "geometry": ring,
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs).to_crs("EPSG:4326")


def main() -> None:
    """Write the three example files."""
    rng = np.random.default_rng(SEED)
    places = _addresses()
    people = _people(rng, places, 240)
    dups = _duplicates(rng, people, 8)
    everyone = pd.concat([people, dups], ignore_index=True)
    tx = _transactions(rng, everyone)
    tx.to_csv(HERE / "crm_transactions.csv", index=False)
    dates = pd.to_datetime(tx["date"])
    summary = (
        tx.assign(date=dates, purchase=tx["amount"] > 0)
        .groupby("customer_id")
        .agg(
            first_purchase=("date", "min"),
            last_purchase=("date", "max"),
            orders=("purchase", "sum"),
            revenue=("amount", "sum"),
        )
    )
    customers = everyone.merge(summary.reset_index(), on="customer_id")
    customers["first_purchase"] = customers["first_purchase"].dt.date.astype(str)
    customers["last_purchase"] = customers["last_purchase"].dt.date.astype(str)
    customers["revenue"] = customers["revenue"].round(2)
    n = len(customers)
    customers["acquisition_cost"] = np.round(rng.uniform(5, 40, n), 2)
    customers["service_cost"] = np.round(rng.uniform(0, 20, n), 2)
    customers["risk_cost"] = np.round(rng.choice([0.0, 0.0, 0.0, 5.0, 15.0], n), 2)
    customers["store_id"] = [
        _home_store(a, b) for a, b in zip(customers["lat"], customers["lon"], strict=True)
    ]
    cols = [
        "customer_id",
        "name",
        "phone",
        "email",
        "address",
        "lat",
        "lon",
        "store_id",
        "first_purchase",
        "last_purchase",
        "orders",
        "revenue",
        "acquisition_cost",
        "service_cost",
        "risk_cost",
    ]
    customers[cols].to_csv(HERE / "crm_customers.csv", index=False)
    _areas(customers, places).to_file(HERE / "crm_areas.geojson", driver="GeoJSON")
    print(f"wrote {n} customers, {len(tx)} transactions, {2 * 3} trade areas to {HERE}")


if __name__ == "__main__":
    main()
