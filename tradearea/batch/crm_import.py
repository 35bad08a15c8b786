"""CRM import for the pipeline: CSV/XLSX whole, Parquet partition by partition, rows accounted for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradearea import crm
from tradearea.geocode.chain import geocode_frame
from tradearea.geocode.index import region_index
from tradearea.scale._dask import (
    broadcast,
    compute,
    dask_config,
    infer_meta,
    is_dask,
    meta_of,
    partitions,
)

DUPLICATE = "duplicate customer_id: the first row with this id is kept"
ROW = "_tradearea_row"


@dataclass
class Imported:
    """A CRM file as read by the pipeline.

    Attributes
    ----------
    kind : str
        ``transactions``, ``customers`` or ``profile``.
    table : pandas.DataFrame or dask.dataframe.DataFrame
        Usable rows in canonical columns (one-row-per-customer files keep ``address`` for
        geocoding; it is dropped before anything is written).
    report : pandas.DataFrame
        The rows not simply accepted: row (1-based in the file), status, reason, flag.
    counts : dict
        rows, accepted, repaired, rejected, flagged.
    """

    kind: str
    table: Any
    report: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)


def _is_parquet(path: Path) -> bool:
    return path.is_dir() or path.suffix.lower() in (".parquet", ".pq")


def _notable(report: pd.DataFrame) -> pd.DataFrame:
    return report[(report["status"] != "accepted") | (report["flag"] != "")].reset_index(drop=True)


def _counts(report: pd.DataFrame, rows: int) -> dict[str, int]:
    status = report["status"]
    rejected, repaired = int((status == "rejected").sum()), int((status == "repaired").sum())
    return {
        "rows": rows,
        "accepted": rows - rejected - repaired,
        "repaired": repaired,
        "rejected": rejected,
        "flagged": int((report["flag"] != "").sum()),
    }


def _with_address(imp: Any) -> pd.DataFrame:
    table = imp.table
    if imp.kind == "customers" and "address" in imp.personal:
        table = table.assign(address=imp.personal["address"].to_numpy())
    return table


def import_crm(
    ctx: Any, path: Path, *, mapping: Mapping[str, str] | None = None, expect: str | None = None
) -> Imported:
    """Read a CRM file with :func:`tradearea.crm.read_crm`, on the pipeline's engine.

    CSV and Excel files are read whole (the same reader in both engines) and then partitioned
    for Dask. Parquet (a file or a folder of part files) is read by Dask partition by
    partition: each partition is checked by the same reader, row numbers count across
    partitions, and a customer id repeated in another partition is rejected as the reader
    rejects a repeat within one file.
    """
    if ctx.engine != "dask" or not _is_parquet(path):
        source = pd.read_parquet(path) if _is_parquet(path) else path
        imp = crm.read_crm(source, mapping=mapping, expect=expect, file=path.name)
        table = _with_address(imp)
        return Imported(imp.kind, ctx.frame(table), _notable(imp.report), imp.counts)
    return _import_dask(path, mapping=mapping, expect=expect)


def _import_part(
    frame: pd.DataFrame, offset: int, mapping: Any, expect: str | None, name: str
) -> dict[str, Any]:
    imp = crm.read_crm(frame.reset_index(drop=True), mapping=mapping, expect=expect, file=name)
    table = _with_address(imp)
    ok = np.flatnonzero(imp.report["status"].to_numpy() != "rejected")
    table = table.assign(**{ROW: offset + ok + 1})
    report = _notable(imp.report)
    report = report.assign(row=report["row"] + offset)
    return {"kind": imp.kind, "table": table, "report": report}


def _drop_later(frame: pd.DataFrame, first: pd.Series) -> pd.DataFrame:
    keep = frame["customer_id"].map(first)
    later = keep.notna().to_numpy() & (keep.to_numpy() != frame[ROW].to_numpy())
    return frame[~later]


def _import_dask(path: Path, *, mapping: Any, expect: str | None) -> Imported:
    import dask.dataframe as dd  # optional heavy dependency (scale extra)
    from dask import delayed  # optional heavy dependency (scale extra)

    with dask_config():
        raw = dd.read_parquet(str(path))
    parts = partitions(raw)
    sizes = compute([delayed(len)(p) for p in parts])[0]
    offsets = np.concatenate([[0], np.cumsum(sizes)])[:-1].astype(int)
    run = delayed(_import_part, pure=True)
    pieces = [
        run(p, int(o), mapping, expect, path.name) for p, o in zip(parts, offsets, strict=True)
    ]
    first = compute(pieces[0])[0]
    kind = first["kind"]
    meta = first["table"].iloc[:0]
    with dask_config():
        table = dd.from_delayed([p["table"] for p in pieces], meta=meta, verify_meta=False)
    reports = compute([p["report"] for p in pieces])[0]
    report = pd.concat(reports, ignore_index=True) if reports else meta_of(table)
    if kind in ("customers", "profile"):
        with dask_config():
            grouped = table.groupby("customer_id")[ROW].agg(["min", "count"], split_out=True)
            dups = compute(grouped[grouped["count"] > 1])[0]
        if len(dups):
            first_row = dups["min"]
            extra = compute(
                table[table["customer_id"].isin(list(first_row.index))][["customer_id", ROW]]
            )[0]
            later = extra[
                extra[ROW].to_numpy() != first_row.reindex(extra["customer_id"]).to_numpy()
            ]
            report = _reject(report, later[ROW].to_numpy())
            table = table.map_partitions(_drop_later, broadcast(first_row), meta=meta)
    report = report.sort_values("row").reset_index(drop=True)
    counts = _counts(report, int(sum(sizes)))
    return Imported(kind, table.drop(columns=[ROW]), report, counts)


def _reject(report: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    report = report.copy()
    known = report["row"].isin(rows)
    report.loc[known, "status"] = "rejected"
    report.loc[known, "reason"] = (
        report.loc[known, "reason"].astype(str) + "; " + DUPLICATE
    ).str.lstrip("; ")
    new = sorted(set(int(r) for r in rows) - set(report.loc[known, "row"].astype(int)))
    added = pd.DataFrame({"row": new, "status": "rejected", "reason": DUPLICATE, "flag": ""})
    return pd.concat([report, added], ignore_index=True)


# ---- locating customers ------------------------------------------------------------------


def _locate_part(frame: pd.DataFrame, index: Any) -> pd.DataFrame:
    """Mark where each customer's location came from; geocode addresses lacking coordinates."""
    out = frame.copy()
    for col in ("lat", "lon"):
        if col not in out:
            out[col] = np.nan
    has = (out["lat"].notna() & out["lon"].notna()).to_numpy()
    source = np.where(has, "input_coords", "none").astype(object)
    if "address" in out and index is not None:
        need = ~has & out["address"].notna().to_numpy()
        if need.any():
            sub = out.loc[need, ["customer_id", "address"]].reset_index(drop=True)
            coded = geocode_frame(sub, region=index, address_col="address")
            found = (
                coded["lat"].notna() & (coded["match_level"].astype(str) != "unmatched")
            ).to_numpy()
            pos = np.flatnonzero(need)
            out.loc[out.index[pos], "lat"] = np.where(found, coded["lat"], np.nan)
            out.loc[out.index[pos], "lon"] = np.where(found, coded["lon"], np.nan)
            source[pos] = np.where(found, coded["match_level"].astype(str), "none")
    out["location_source"] = pd.array(source.astype(str), dtype="str")
    return out.drop(columns=["address"], errors="ignore")


def locate_customers(ctx: Any, customers: Any) -> Any:
    """Give every customer a location source, geocoding addresses without coordinates."""
    columns = meta_of(customers).columns if is_dask(customers) else customers.columns
    index = region_index(ctx.config.region) if "address" in columns and ctx.config.region else None
    if not is_dask(customers):
        return _locate_part(customers, index)
    meta = infer_meta(_locate_part, meta_of(customers), None)
    with dask_config():
        return customers.map_partitions(_locate_part, broadcast(index), meta=meta)
