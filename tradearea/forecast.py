"""Sales forecast for a candidate site: Huff with and without it, cannibalisation and IRS after opening."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tradearea.demand import spend_per_household
from tradearea.distance import great_circle_m
from tradearea.formats import FORMATS, category_of, format_key
from tradearea.huff import DEFAULT_ALPHA, DEFAULT_BETA, huff_model
from tradearea.saturation import irs_breakdown

CANDIDATE_ID = "CANDIDATE"


@dataclass
class Forecast:
    """What a candidate store would sell and where the sales come from.

    Attributes
    ----------
    candidate : dict
        The candidate as modelled (store_id, name, format, lat, lon, floor_area_m2).
    expected_sales : float
        Σ_i demand_i · P_i,candidate.
    from_own : float
        Sales the own stores lose to it (cannibalisation).
    from_competitors : float
        Sales competitors lose to it.
    stores : pandas.DataFrame
        Per existing store: store_id, name, role, sales_before, sales_after, transfer,
        transfer_share (of the candidate's sales).
    zones : pandas.DataFrame
        Per zone: origin_id, demand, candidate_share (its market share there), own_share_before,
        own_share_after.
    irs : dict
        IRS in the candidate's primary ring before and after opening (see
        :func:`tradearea.saturation.irs_breakdown`), with ``radius_m``.
    alpha, beta : float
        Parameters used.
    """

    candidate: dict[str, Any]
    expected_sales: float
    from_own: float
    from_competitors: float
    stores: pd.DataFrame
    zones: pd.DataFrame
    irs: dict[str, Any]
    alpha: float
    beta: float
    notes: list[str] = field(default_factory=list)

    @property
    def cannibalisation_share(self) -> float:
        """Share of the candidate's sales taken from own stores."""
        return self.from_own / self.expected_sales if self.expected_sales > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        """Return the headline numbers as a plain dict."""
        irs = {
            k: (None if isinstance(v, float) and not np.isfinite(v) else v)
            for k, v in self.irs.items()
        }
        return {
            "candidate": self.candidate,
            "expected_sales": self.expected_sales,
            "from_own": self.from_own,
            "from_competitors": self.from_competitors,
            "cannibalisation_share": self.cannibalisation_share,
            "irs": irs,
            "alpha": self.alpha,
            "beta": self.beta,
        }


def candidate_store(
    lat: float,
    lon: float,
    *,
    format: str = "supermarket",
    floor_area_m2: float | None = None,
    name: str = "Candidate",
    store_id: str = CANDIDATE_ID,
) -> dict[str, Any]:
    """Return a candidate store record (format default floor area when none is given).

    Parameters
    ----------
    lat, lon : float
        Location.
    format : str
        Retail format key.
    floor_area_m2 : float, optional
        Sales floor area.
    name, store_id : str
        Labels.

    Returns
    -------
    dict
        Store columns of DESIGN.md plus ``role='candidate'``.
    """
    format = format_key(format)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        msg = f"candidate location ({lat}, {lon}) is not a valid latitude/longitude"
        raise ValueError(msg)
    given = floor_area_m2 is not None and np.isfinite(floor_area_m2)
    if given and floor_area_m2 <= 0:
        msg = f"candidate floor area must be above 0, not {floor_area_m2}"
        raise ValueError(msg)
    return {
        "store_id": store_id,
        "name": name,
        "brand": None,
        "format": format,
        "lat": float(lat),
        "lon": float(lon),
        "floor_area_m2": float(floor_area_m2) if given else FORMATS[format].default_floor_area_m2,
        "floor_area_source": "input" if given else "format_default",
        "role": "candidate",
    }


def forecast_candidate(
    zones: pd.DataFrame,
    stores: pd.DataFrame,
    candidate: Mapping[str, Any],
    *,
    own: Sequence[str] | None = None,
    alpha: float = DEFAULT_ALPHA,
    beta: float = DEFAULT_BETA,
    attractiveness: str = "floor_area_m2",
    costs: pd.DataFrame | None = None,
    min_cost: float | None = None,
    spend: float | None = None,
    irs_radius_m: float | None = None,
) -> Forecast:
    """Add the candidate to the stores, rerun Huff, and report what it sells and takes.

    With demand fixed, the candidate's sales equal what the other stores lose: the transfer
    from each own store is cannibalisation, the rest comes from competitors.

    Parameters
    ----------
    zones : pandas.DataFrame
        origin_id, demand, lat, lon (households optional, needed for the IRS).
    stores : pandas.DataFrame
        Existing stores (store_id, name, format, lat, lon, attractiveness column; ``role``
        'own' marks own stores unless ``own`` is given).
    candidate : mapping
        From :func:`candidate_store` (store_id, lat, lon, format, floor_area_m2).
    own : sequence of str, optional
        Own store ids.
    alpha, beta : float
        Huff exponents.
    attractiveness : str
        Store column used as attractiveness (the candidate needs it too).
    costs : pandas.DataFrame, optional
        Long cost table covering the existing stores and the candidate; None for straight
        lines.
    min_cost : float, optional
        Guard against zero cost.
    spend : float, optional
        Spending per household (RE) for the IRS; the format default if None.
    irs_radius_m : float, optional
        Radius of the IRS catchment around the candidate; the format's primary ring if None.

    Returns
    -------
    Forecast
        Sales, transfers, market shares and IRS before/after.
    """
    cand = dict(candidate)
    cid = str(cand.get("store_id", CANDIDATE_ID))
    cand["store_id"] = cid
    if cid in set(stores["store_id"].astype(str)):
        msg = f"candidate id {cid!r} is already a store id"
        raise ValueError(msg)
    if own is None:
        own = (
            stores.loc[stores.get("role", pd.Series(dtype=str)).astype(str) == "own", "store_id"]
            .astype(str)
            .tolist()
            if "role" in stores.columns
            else []
        )
    if isinstance(costs, pd.DataFrame) and cid not in set(costs["store_id"].astype(str)):
        msg = f"the cost table has no costs to the candidate: add rows with store_id {cid!r}"
        raise ValueError(msg)
    own_set = {str(s) for s in own}
    base = stores.drop(columns=["geometry"], errors="ignore").copy()
    base["store_id"] = base["store_id"].astype(str)
    with_cand = pd.concat([base, pd.DataFrame([cand])], ignore_index=True)
    own_ids = [s for s in base["store_id"] if s in own_set]
    before = huff_model(
        zones,
        base,
        alpha=alpha,
        beta=beta,
        attractiveness=attractiveness,
        costs=costs,
        min_cost=min_cost,
        focus=own_ids,
    )
    after = huff_model(
        zones,
        with_cand,
        alpha=alpha,
        beta=beta,
        attractiveness=attractiveness,
        costs=costs,
        min_cost=min_cost,
        focus=[*own_ids, cid],
    )
    s_after = after.sales.set_index("store_id")["expected_sales"]
    table = pd.DataFrame(
        {
            "store_id": base["store_id"],
            "name": base["name"] if "name" in base.columns else base["store_id"],
            "role": np.where(base["store_id"].isin(own_set), "own", "competitor"),
            "sales_before": before.sales["expected_sales"].to_numpy(),
            "sales_after": s_after.loc[base["store_id"]].to_numpy(),
        }
    )
    table["transfer"] = table["sales_before"] - table["sales_after"]
    sales = float(s_after.loc[cid])
    table["transfer_share"] = table["transfer"] / sales if sales > 0 else 0.0
    table = table.sort_values("transfer", ascending=False).reset_index(drop=True)
    zone_out = pd.DataFrame(
        {
            "origin_id": after.zones["origin_id"],
            "demand": after.zones["demand"],
            "candidate_share": after.zones[f"p_{cid}"],
            "own_share_before": before.zones["focus_share"] if own_ids else 0.0,
            "own_share_after": after.zones[[f"p_{s}" for s in own_ids]].sum(axis=1)
            if own_ids
            else 0.0,
        }
    )
    irs_info = _irs_around(zones, base, cand, spend=spend, radius_m=irs_radius_m)
    notes = list(after.notes)
    return Forecast(
        candidate=cand,
        expected_sales=sales,
        from_own=float(table.loc[table["role"] == "own", "transfer"].sum()),
        from_competitors=float(table.loc[table["role"] == "competitor", "transfer"].sum()),
        stores=table,
        zones=zone_out,
        irs=irs_info,
        alpha=float(alpha),
        beta=float(beta),
        notes=notes,
    )


def _irs_around(
    zones: pd.DataFrame,
    stores: pd.DataFrame,
    cand: Mapping[str, Any],
    *,
    spend: float | None,
    radius_m: float | None,
) -> dict[str, Any]:
    fmt = format_key(cand.get("format"))
    radius = float(radius_m) if radius_m is not None else FORMATS[fmt].primary_ring_m
    re = spend_per_household(fmt) if spend is None else float(spend)
    hh = (
        pd.to_numeric(zones["households"], errors="coerce").fillna(0.0).to_numpy(float)
        if "households" in zones.columns
        else np.zeros(len(zones))
    )
    dz = great_circle_m(
        zones["lat"].to_numpy(float), zones["lon"].to_numpy(float), cand["lat"], cand["lon"]
    )
    category = FORMATS[fmt].category
    same = np.asarray(category_of(stores["format"]), dtype=object) == category
    comp = stores[same]
    ds = great_circle_m(
        comp["lat"].to_numpy(float), comp["lon"].to_numpy(float), cand["lat"], cand["lon"]
    )
    b = irs_breakdown(
        float(hh[dz <= radius].sum()),
        re,
        comp["floor_area_m2"].to_numpy(float)[ds <= radius],
        candidate_floor_area=float(cand["floor_area_m2"]),
    )
    b["radius_m"] = radius
    return b


def quick_sales_estimate(
    households: float, spend_per_household: float, *, capture_share: float = 1.0
) -> float:
    """Return the survey rule of thumb: households × spending per household × capture share.

    DOMAIN.md §1: households in the trade area × monthly household spending (× capture share)
    ≈ store turnover.

    Parameters
    ----------
    households : float
        Households in the trade area.
    spend_per_household : float
        Their spending per period (at this store, or on the category with a capture share).
    capture_share : float
        Share of that spending the store captures (1 when the spending is already the store's).

    Returns
    -------
    float
        Turnover per period.
    """
    if households < 0 or spend_per_household < 0 or not 0 <= capture_share <= 1:
        msg = "households and spending must be at least 0 and the capture share within [0, 1]"
        raise ValueError(msg)
    return float(households) * float(spend_per_household) * float(capture_share)


def survey_monthly_spend(survey: pd.DataFrame) -> float:
    """Return respondents' mean monthly spending at the surveyed store (visits × spend per visit).

    Parameters
    ----------
    survey : pandas.DataFrame
        With ``visits_per_month`` and ``spend_per_visit``.

    Returns
    -------
    float
        Mean of visits_per_month × spend_per_visit over respondents with both (NaN if none).
    """
    v = pd.to_numeric(survey["visits_per_month"], errors="coerce")
    s = pd.to_numeric(survey["spend_per_visit"], errors="coerce")
    both = v.notna() & s.notna()
    return float((v[both] * s[both]).mean()) if both.any() else float("nan")
