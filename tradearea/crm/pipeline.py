"""The whole CRM link in one call: import, dedup, locate, value, segments and trade-area tiers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea.crm import dedup as _dedup
from tradearea.crm import merge as _merge
from tradearea.crm.io import PERSONAL_FIELDS, CrmImport, read_crm
from tradearea.crm.link import assign_tiers, segment_tier_table, valuable_penetration, winback_list
from tradearea.crm.value import (
    customer_value,
    customers_from_transactions,
    lifecycle_stage,
    pareto_share,
    rfm_scores,
)
from tradearea.errors import InputError
from tradearea.geocode import geocode_frame

Source = str | Path | BinaryIO | pd.DataFrame


@dataclass
class CrmResult:
    """Everything the CRM link produces; no table here holds names, phones, e-mails or addresses.

    Attributes
    ----------
    imported : CrmImport
        The main file as read (row report in ``imported.report``).
    profile : CrmImport or None
        The optional per-customer file (locations, costs, contact details).
    customers : pandas.DataFrame
        One row per (deduplicated) customer: value, RFM, segment, lifecycle, store_id, tier.
    overlaps : int
        Customers inside the areas of more than one store.
    segment_tier : pandas.DataFrame
        Segment x tier table (see :func:`tradearea.crm.segment_tier_table`).
    penetration : pandas.DataFrame
        Valuable customers per store and tier.
    winback : pandas.DataFrame
        At-risk customers in the primary area, highest CLV first.
    pareto_share : float
        Share of revenue from the top 20 % of customers.
    duplicates : pandas.DataFrame
        Scored duplicate pairs (ids and similarities only); empty without dedup.
    merges : pandas.DataFrame
        Merge log (merged_id, master_id, score, decision, merged_at).
    located : dict
        Customers per location source (input_coords, geocoder match levels, none).
    settings : dict
        as_of, retention_rate, discount_rate, horizon.
    """

    imported: CrmImport
    profile: CrmImport | None
    customers: pd.DataFrame
    overlaps: int
    segment_tier: pd.DataFrame
    penetration: pd.DataFrame
    winback: pd.DataFrame
    pareto_share: float
    duplicates: pd.DataFrame
    merges: pd.DataFrame
    located: dict[str, int] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Return the figures a one-line or JSON summary needs."""
        c = self.customers
        tiers = c["tier_label"].astype(str).value_counts()
        segments = c["segment"].astype(str).value_counts()
        return {
            **self.imported.counts,
            "kind": self.imported.kind,
            "customers": len(c),
            "revenue": float(c["revenue"].sum()),
            "clv_total": float(c["clv"].sum()),
            "tiers": {k: int(v) for k, v in tiers.items()},
            "segments": {k: int(v) for k, v in segments.items()},
            "overlaps": self.overlaps,
            "winback": len(self.winback),
            "pareto_top20_share": self.pareto_share,
            "duplicate_pairs": int(self.duplicates["proposed"].sum())
            if "proposed" in self.duplicates
            else 0,
            "merged_records": len(self.merges),
            "located": self.located,
            "personal_columns_dropped": self.imported.dropped_personal,
            **self.settings,
        }


def _geocode(need: pd.DataFrame, *, region: str | None, file: str) -> pd.DataFrame:
    if region is None:
        msg = f"{len(need)} customers have only an address: name the region to geocode in"
        raise InputError(msg, file=file, column="address", option="region")
    coded = geocode_frame(
        need[["customer_id", "address"]].copy(), region=region, address_col="address"
    )
    found = coded["lat"].notna() & coded["lon"].notna()
    if "match_level" in coded:
        found &= coded["match_level"].astype(str) != "unmatched"
    level = (
        coded["match_level"].astype(str)
        if "match_level" in coded
        else pd.Series("address", index=coded.index)
    )
    return pd.DataFrame(
        {
            "customer_id": coded["customer_id"].to_numpy(),
            "lat": coded["lat"].where(found).to_numpy(),
            "lon": coded["lon"].where(found).to_numpy(),
            "location_source": np.where(found, level, "none"),
        }
    )


def _locate(
    customers: pd.DataFrame,
    personal: pd.DataFrame,
    *,
    region: str | None,
    file: str,
    had_coords: bool,
) -> pd.DataFrame:
    out = customers.copy()
    for col in ("lat", "lon"):
        if col not in out:
            out[col] = np.nan
    has = out["lat"].notna() & out["lon"].notna()
    out["location_source"] = np.where(has, "input_coords", "none")
    if "address" not in personal or has.all():
        return out
    addresses = personal[["customer_id", "address"]].dropna().drop_duplicates("customer_id")
    need = out.loc[~has, ["customer_id"]].merge(addresses, on="customer_id")
    if need.empty:
        return out
    try:
        coded = _geocode(need, region=region, file=file)
    except InputError:
        if had_coords:
            return out
        raise
    coded = coded.set_index("customer_id")
    idx = out.index[~has & out["customer_id"].isin(coded.index)]
    ids = out.loc[idx, "customer_id"]
    out.loc[idx, "lat"] = coded["lat"].reindex(ids).to_numpy()
    out.loc[idx, "lon"] = coded["lon"].reindex(ids).to_numpy()
    out.loc[idx, "location_source"] = coded["location_source"].reindex(ids).to_numpy()
    return out


def _combine_personal(main: CrmImport, profile: CrmImport | None) -> pd.DataFrame:
    if profile is None:
        return main.personal
    a = main.personal.set_index("customer_id")
    b = profile.personal.set_index("customer_id")
    return b.combine_first(a).reset_index()


def analyse_crm(
    source: Source,
    areas: gpd.GeoDataFrame,
    *,
    profile: Source | None = None,
    mapping: Mapping[str, str] | None = None,
    profile_mapping: Mapping[str, str] | None = None,
    match_on: Iterable[str] | None = None,
    dedup: bool = False,
    accepted: pd.Series | np.ndarray | None = None,
    threshold: float = 85.0,
    as_of: pd.Timestamp | str | None = None,
    retention_rate: float | None = None,
    discount_rate: float = 0.10,
    horizon: int | None = 3,
    region: str | None = None,
    stores: pd.DataFrame | None = None,
    file: str | None = None,
    datum: str = "wgs84",
) -> CrmResult:
    """Import a CRM export and tie its customers' value and segments to the trade-area tiers.

    Parameters
    ----------
    source : path, file or pandas.DataFrame
        Transactions or one row per customer (see :func:`tradearea.crm.read_crm`).
    areas : geopandas.GeoDataFrame
        Trade areas (``store_id, tier, geometry``).
    profile : path, file or pandas.DataFrame, optional
        One row per customer with locations, costs or contact details, completing a
        transactions file.
    mapping, profile_mapping : mapping, optional
        Column overrides for each file.
    match_on : iterable of str, optional
        Personal fields kept in memory for duplicate matching.
    dedup : bool
        Find duplicate records and merge them before valuing customers.
    accepted : array of bool, optional
        Reviewed decisions for the pairs of a previous run's ``duplicates`` (same order);
        default: merge pairs scoring at least ``threshold``.
    threshold : float
        Score from which a pair is merged automatically.
    as_of : timestamp, optional
        Reference date for recency; default the latest purchase in the data.
    retention_rate, discount_rate, horizon :
        CLV settings (see :func:`tradearea.crm.customer_value`).
    region : str, optional
        Region pack for geocoding addresses without coordinates.
    stores : pandas.DataFrame, optional
        ``store_id, lat, lon`` used to break overlaps by distance.
    file : str, optional
        Name used in messages.
    datum : {'wgs84', 'gcj02', 'bd09'}
        The datum of the files' ``lat``/``lon`` (see :func:`tradearea.crm.read_crm`).

    Returns
    -------
    CrmResult
        Customers, tables and the import and merge reports.
    """
    main = read_crm(source, mapping=mapping, match_on=match_on, file=file, datum=datum)
    if main.table.empty:
        bad = main.report[main.report["status"] == "rejected"]
        first = f" (row {bad['row'].iloc[0]}: {bad['reason'].iloc[0]})" if len(bad) else ""
        msg = f"no usable rows: all {len(main.report)} rows were rejected{first}"
        raise InputError(msg, file=main.file, row=int(bad["row"].iloc[0]) if len(bad) else None)
    extra = None
    if profile is not None:
        extra = read_crm(
            profile, mapping=profile_mapping, match_on=match_on, expect="profile", datum=datum
        )
    personal = _combine_personal(main, extra)
    fields = sorted(set(main.match_fields) | set(extra.match_fields if extra else []))
    duplicates = pd.DataFrame(
        {"customer_id_a": [], "customer_id_b": [], "score": [], "proposed": []}
    )
    groups = pd.DataFrame({"customer_id": [], "master_id": [], "score": []})
    if dedup:
        if not fields:
            msg = "duplicate matching needs at least one of name, phone, email, address mapped for matching"
            raise InputError(msg, file=main.file)
        duplicates = _dedup.find_duplicates(personal, fields=fields, threshold=threshold)
        if main.kind == "transactions":
            priority = main.table.groupby("customer_id")["amount"].sum()
        else:
            priority = main.table.set_index("customer_id")["revenue"]
        groups = _merge.duplicate_groups(duplicates, accepted=accepted, priority=priority)
    table = main.table
    if main.kind == "transactions":
        customers = customers_from_transactions(
            _merge.remap_customer_ids(table, groups), as_of=as_of
        )
    else:
        customers = _merge.merge_customers(table, groups)
    personal = _merge.remap_customer_ids(personal, groups).drop_duplicates("customer_id")
    if extra is not None:
        prof = _merge.merge_customers(extra.table, groups) if not groups.empty else extra.table
        prof = prof.set_index("customer_id")
        base = customers.set_index("customer_id")
        for col in prof.columns:
            values = prof[col].reindex(base.index)
            base[col] = values.combine_first(base[col]) if col in base else values
        customers = base.reset_index()
    had_coords = "lat" in main.table or (extra is not None and "lat" in extra.table)
    customers = _locate(customers, personal, region=region, file=main.file, had_coords=had_coords)
    valued = customer_value(
        customers,
        as_of=as_of,
        retention_rate=retention_rate,
        discount_rate=discount_rate,
        horizon=horizon,
    )
    ref = pd.Timestamp(valued.attrs["as_of"])
    rate = valued.attrs["retention_rate"]
    rfm = rfm_scores(valued, as_of=ref).drop(columns="recency_days")
    valued = pd.concat([valued, rfm], axis=1)
    valued["lifecycle"] = lifecycle_stage(valued, as_of=ref)
    tiered, overlaps = assign_tiers(valued, areas, stores=stores)
    leaked = [c for c in PERSONAL_FIELDS if c in tiered]
    tiered = tiered.drop(columns=leaked)
    settings = {
        "as_of": ref.date().isoformat(),
        "retention_rate": rate,
        "discount_rate": discount_rate,
        "horizon": horizon,
    }
    return CrmResult(
        imported=main,
        profile=extra,
        customers=tiered,
        overlaps=overlaps,
        segment_tier=segment_tier_table(tiered),
        penetration=valuable_penetration(tiered, areas),
        winback=winback_list(tiered),
        pareto_share=pareto_share(tiered["revenue"]),
        duplicates=duplicates,
        merges=_merge.merge_log(groups, decision="auto" if accepted is None else "reviewed"),
        located={k: int(v) for k, v in tiered["location_source"].value_counts().items()},
        settings=settings,
    )
