"""Read CRM exports (transactions or one row per customer) with a row-level import report."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from tradearea.crm._columns import SYNONYMS
from tradearea.crm._parse import parse_dates, parse_money, parse_number
from tradearea.errors import InputError
from tradearea.geocode.chinese import frame_to_wgs84
from tradearea.io.tables import SynonymTable, column_list, map_headers

PERSONAL_FIELDS = ("name", "phone", "email", "address")
COST_FIELDS = ("acquisition_cost", "service_cost", "risk_cost")
TRANSACTION_FIELDS = ("date", "amount")
CUSTOMER_FIELDS = ("first_purchase", "last_purchase", "orders", "revenue")

FIELDS = tuple(SYNONYMS)


@dataclass
class CrmImport:
    """A CRM export as read: the usable rows, the personal columns kept, and the row report.

    Attributes
    ----------
    kind : str
        ``"transactions"`` or ``"customers"``.
    table : pandas.DataFrame
        Accepted and repaired rows in canonical columns, without personal columns.
    personal : pandas.DataFrame
        ``customer_id`` plus the personal columns kept in memory (for matching, or ``address`` for
        geocoding), one row per customer. Never written anywhere.
    report : pandas.DataFrame
        One row per input row: ``row`` (1-based data row), ``status`` (accepted, repaired,
        rejected), ``reason``, ``flag``.
    file : str
        The file name used in messages.
    mapping : dict
        Source column -> canonical field, as used.
    dropped_personal : list of str
        Personal fields found in the file and dropped at import.
    match_fields : list of str
        Personal fields kept for duplicate matching (``address`` may be kept for geocoding only).
    """

    kind: str
    table: pd.DataFrame
    personal: pd.DataFrame
    report: pd.DataFrame
    file: str
    mapping: dict[str, str] = field(default_factory=dict)
    dropped_personal: list[str] = field(default_factory=list)
    match_fields: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Return rows, accepted, repaired, rejected (these three add up to rows) and flagged."""
        status = self.report["status"]
        return {
            "rows": len(self.report),
            "accepted": int((status == "accepted").sum()),
            "repaired": int((status == "repaired").sum()),
            "rejected": int((status == "rejected").sum()),
            "flagged": int((self.report["flag"] != "").sum()),
        }


# CRM fields for the one header-mapping engine (tradearea.io.tables.map_headers).
CRM_COLUMNS = SynonymTable(SYNONYMS)


def map_columns(
    columns: Iterable[Any], *, mapping: Mapping[str, str] | None = None, file: str | None = None
) -> dict[str, str]:
    """Map source column names to canonical CRM fields (English or Chinese synonyms).

    Parameters
    ----------
    columns : iterable
        The file's column names.
    mapping : mapping, optional
        Explicit ``{source column: canonical field}`` entries; they win over synonyms.
    file : str, optional
        File name for error messages.

    Returns
    -------
    dict
        Source column -> canonical field, at most one source per field.
    """
    cols = [str(c) for c in columns]
    given: dict[str, str] = {}
    for source, target in (mapping or {}).items():
        if target not in SYNONYMS:
            msg = f"unknown CRM field {target!r}; expected one of {', '.join(FIELDS)}"
            raise InputError(msg, file=file, column=source)
        if source not in cols:
            msg = f"mapped column {source!r} is not in the file (columns: {column_list(cols)})"
            raise InputError(msg, file=file, column=source)
        given[target] = source
    return map_headers(cols, CRM_COLUMNS, given=given).renames


def _read_raw(source: str | Path | BinaryIO, name: str) -> pd.DataFrame:
    """Read the file through the hardened reader (size, zip-bomb and column limits, encodings)."""
    from tradearea.surveys import read_table

    frame, _info = read_table(source, name=name)
    frame = frame.apply(lambda s: s.str.strip())
    return frame.mask(frame == "")


def _text(values: pd.Series) -> pd.Series:
    if values.dtype == object or not pd.api.types.is_string_dtype(values):
        values = pd.Series(
            [v if v is None or isinstance(v, str) else _cell_text(v) for v in values],
            index=values.index,
            dtype=object,
        )
    out = values.astype(object).str.strip()
    return out.where(out.notna() & (out != ""), None)


def _cell_text(value: Any) -> str | None:
    if pd.isna(value):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


class _Checks:
    """Collect per-row reasons (reject, repair, flag) as vectorised masks."""

    def __init__(self, index: pd.Index) -> None:
        self.index = index
        self.reject = pd.Series(False, index=index)
        self.repair = pd.Series(False, index=index)
        self.reasons = pd.Series("", index=index, dtype=object)
        self.flags = pd.Series("", index=index, dtype=object)

    def add(self, mask: pd.Series, text: str, kind: str) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        if kind == "flag":
            self.flags[mask] = (self.flags[mask] + "; " + text).str.lstrip("; ")
            return
        self.reasons[mask] = (self.reasons[mask] + "; " + text).str.lstrip("; ")
        if kind == "reject":
            self.reject |= mask
        else:
            self.repair |= mask

    def report(self) -> pd.DataFrame:
        status = np.where(self.reject, "rejected", np.where(self.repair, "repaired", "accepted"))
        return pd.DataFrame(
            {
                "row": np.arange(1, len(self.index) + 1),
                "status": status,
                "reason": self.reasons.to_numpy(),
                "flag": self.flags.to_numpy(),
            }
        )


def _check_coordinates(raw: pd.DataFrame, out: pd.DataFrame, checks: _Checks) -> None:
    if "lat" not in raw or "lon" not in raw:
        return
    lat, lat_fixed, lat_bad = parse_number(raw["lat"])
    lon, lon_fixed, lon_bad = parse_number(raw["lon"])
    checks.add(lat_fixed | lon_fixed, "coordinate decimal comma read as a point", "repair")
    swap = (lat.abs() > 90) & (lon.abs() <= 90) & (lat.abs() <= 180)
    lat, lon = lat.where(~swap, lon), lon.where(~swap, lat)
    checks.add(swap, "latitude and longitude were swapped", "repair")
    bad = lat_bad | lon_bad | (lat.abs() > 90) | (lon.abs() > 180) | (lat.isna() != lon.isna())
    checks.add(bad, "unusable coordinates dropped: customer kept without a location", "repair")
    out["lat"] = lat.where(~bad)
    out["lon"] = lon.where(~bad)


def _check_costs(raw: pd.DataFrame, out: pd.DataFrame, checks: _Checks) -> None:
    for col in COST_FIELDS:
        if col not in raw:
            out[col] = 0.0
            continue
        value, fixed, bad = parse_money(raw[col])
        checks.add(bad, f"{col} is not a number", "reject")
        checks.add(value < 0, f"{col} is negative", "reject")
        checks.add(fixed, f"{col} cleaned (currency sign or separators)", "repair")
        out[col] = value.fillna(0.0)


def _validate_transactions(raw: pd.DataFrame, checks: _Checks) -> pd.DataFrame:
    out = pd.DataFrame(index=raw.index)
    out["customer_id"] = raw["customer_id"]
    dates, date_fixed = parse_dates(raw["date"])
    checks.add(raw["date"].isna(), "missing date", "reject")
    checks.add(raw["date"].notna() & dates.isna(), "unparseable date", "reject")
    checks.add(date_fixed, "Excel serial date converted", "repair")
    amount, amount_fixed, amount_bad = parse_money(raw["amount"])
    checks.add(raw["amount"].isna(), "missing amount", "reject")
    checks.add(amount_bad, "amount is not a number", "reject")
    checks.add(amount_fixed, "amount cleaned (currency sign or separators)", "repair")
    checks.add(amount < 0, "negative amount: kept as a return/refund", "flag")
    out["date"] = dates
    out["amount"] = amount
    if "store_id" in raw:
        out["store_id"] = raw["store_id"]
    _check_costs(raw, out, checks)
    _check_coordinates(raw, out, checks)
    return out


def _validate_customers(raw: pd.DataFrame, checks: _Checks) -> pd.DataFrame:
    out = pd.DataFrame(index=raw.index)
    out["customer_id"] = raw["customer_id"]
    missing = [f for f in ("last_purchase", "orders", "revenue") if f not in raw]
    if missing:
        msg = f"a one-row-per-customer file needs {', '.join(missing)} (or use a transactions file)"
        raise InputError(msg, column=missing[0])
    last, last_fixed = parse_dates(raw["last_purchase"])
    checks.add(last.isna(), "missing or unparseable last_purchase", "reject")
    if "first_purchase" in raw:
        first, first_fixed = parse_dates(raw["first_purchase"])
        checks.add(
            raw["first_purchase"].notna() & first.isna(), "unparseable first_purchase", "reject"
        )
    else:
        first, first_fixed = (
            pd.Series(pd.NaT, index=raw.index, dtype=last.dtype),
            last_fixed & False,
        )
    checks.add(last_fixed | first_fixed, "Excel serial date converted", "repair")
    no_first = (
        first.isna()
        & last.notna()
        & (raw.get("first_purchase", pd.Series(None, index=raw.index)).isna())
    )
    checks.add(no_first, "missing first_purchase: set to last_purchase", "repair")
    first = first.where(~no_first, last)
    swapped = first > last
    checks.add(swapped, "first_purchase after last_purchase: swapped", "repair")
    first, last = first.where(~swapped, last), last.where(~swapped, first)
    orders, orders_fixed, orders_bad = parse_number(raw["orders"])
    checks.add(orders_bad | orders.isna(), "orders missing or not a number", "reject")
    checks.add(orders_fixed, "orders decimal comma read as a point", "repair")
    checks.add(
        orders.notna() & ((orders < 1) | (orders % 1 != 0)),
        "orders must be a whole number ≥ 1",
        "reject",
    )
    revenue, revenue_fixed, revenue_bad = parse_money(raw["revenue"])
    checks.add(revenue_bad | revenue.isna(), "revenue missing or not a number", "reject")
    checks.add(revenue_fixed, "revenue cleaned (currency sign or separators)", "repair")
    checks.add(revenue < 0, "negative revenue: net returns", "flag")
    dup = raw["customer_id"].notna() & raw["customer_id"].duplicated(keep="first")
    checks.add(dup, "duplicate customer_id: the first row with this id is kept", "reject")
    out["first_purchase"] = first
    out["last_purchase"] = last
    out["orders"] = orders
    out["revenue"] = revenue
    if "store_id" in raw:
        out["home_store_id"] = raw["store_id"]
    _check_costs(raw, out, checks)
    _check_coordinates(raw, out, checks)
    return out


def _validate_profile(raw: pd.DataFrame, checks: _Checks) -> pd.DataFrame:
    out = pd.DataFrame(index=raw.index)
    out["customer_id"] = raw["customer_id"]
    dup = raw["customer_id"].notna() & raw["customer_id"].duplicated(keep="first")
    checks.add(dup, "duplicate customer_id: the first row with this id is kept", "reject")
    if "store_id" in raw:
        out["home_store_id"] = raw["store_id"]
    _check_costs(raw, out, checks)
    _check_coordinates(raw, out, checks)
    return out


def read_crm(
    source: str | Path | BinaryIO | pd.DataFrame,
    *,
    mapping: Mapping[str, str] | None = None,
    match_on: Iterable[str] | None = None,
    expect: str | None = None,
    file: str | None = None,
    datum: str = "wgs84",
) -> CrmImport:
    """Read a CRM export: a transactions table or one row per customer.

    Columns are recognised by English or Chinese synonyms (``客户编号`` customer_id, ``交易日期``
    date, ``消费金额`` amount, ...); ``mapping`` overrides. Every input row ends up accepted,
    repaired (reason given) or rejected (reason given); negative amounts are kept as refunds and
    flagged. Names, phones and e-mails are dropped unless listed in ``match_on`` (or mapped
    explicitly); an address is kept in memory for geocoding. Neither ever reaches an output.

    Parameters
    ----------
    source : path, binary file or pandas.DataFrame
        CSV (any common encoding, comma, semicolon or tab separated) or XLSX, or a frame.
    mapping : mapping, optional
        ``{source column: canonical field}`` overrides.
    match_on : iterable of str, optional
        Personal fields to keep in memory for duplicate matching (``name``, ``phone``,
        ``email``, ``address``).
    expect : str, optional
        ``transactions``, ``customers`` or ``profile`` (one row per customer with location,
        costs or contact details only, to complete a transactions file); default: detected.
    file : str, optional
        Name used in messages (defaults to the path's name).
    datum : {'wgs84', 'gcj02', 'bd09'}
        The datum of the file's ``lat``/``lon``; GCJ-02 (Amap, Tencent) and BD-09 (Baidu) points
        inside China are converted to WGS84 (see :func:`tradearea.geocode.frame_to_wgs84`).

    Returns
    -------
    CrmImport
        The usable rows, the kept personal columns and the row report.
    """
    if isinstance(source, pd.DataFrame):
        name = file or "<table>"
        raw = source.copy()
    else:
        name = file or Path(getattr(source, "name", str(source))).name
        raw = _read_raw(source, name)
    keep = set(match_on or ())
    unknown = keep - set(PERSONAL_FIELDS)
    if unknown:
        msg = f"cannot match on {', '.join(sorted(unknown))}; use {', '.join(PERSONAL_FIELDS)}"
        raise InputError(msg, file=name)
    keep |= {target for target in (mapping or {}).values() if target in PERSONAL_FIELDS}
    try:
        used = map_columns(raw.columns, mapping=mapping, file=name)
    except InputError:
        raise
    fields = {target: raw[source] for source, target in used.items()}
    if "customer_id" not in fields:
        msg = f"no customer id column found (columns: {column_list(raw.columns)}); map one to customer_id"
        raise InputError(msg, file=name, column="customer_id")
    canon = pd.DataFrame(
        {
            k: (_text(v) if k in {"customer_id", "store_id"} | set(PERSONAL_FIELDS) else v)
            for k, v in fields.items()
        }
    )
    canon.index = pd.RangeIndex(len(canon))
    checks = _Checks(canon.index)
    checks.add(canon["customer_id"].isna(), "missing customer_id", "reject")
    try:
        if expect == "profile":
            kind, table = "profile", _validate_profile(canon, checks)
        elif expect not in {None, "transactions", "customers"}:
            msg = f"unknown CRM file kind {expect!r}"
            raise InputError(msg)
        elif expect == "transactions" or (
            expect is None and all(f in canon for f in TRANSACTION_FIELDS)
        ):
            missing = [f for f in TRANSACTION_FIELDS if f not in canon]
            if missing:
                msg = f"a transactions file needs columns date and amount; missing {', '.join(missing)}"
                raise InputError(msg, column=missing[0])
            kind, table = "transactions", _validate_transactions(canon, checks)
        elif expect == "customers" or any(f in canon for f in CUSTOMER_FIELDS):
            kind, table = "customers", _validate_customers(canon, checks)
        else:
            msg = (
                "expected transactions (date, amount) or one row per customer "
                "(first_purchase, last_purchase, orders, revenue)"
            )
            raise InputError(msg, file=name)
    except InputError as exc:
        raise InputError(exc.message, file=name, row=exc.row, column=exc.column) from None
    report = checks.report()
    ok = ~checks.reject.to_numpy()
    table = table.loc[ok].reset_index(drop=True)
    found_personal = [f for f in PERSONAL_FIELDS if f in canon]
    kept = [f for f in found_personal if f in keep or f == "address"]
    personal = canon.loc[ok, ["customer_id", *kept]].reset_index(drop=True)
    if kind == "transactions" and kept:
        personal = personal.groupby("customer_id", sort=False, as_index=False).last()
    elif kind == "transactions":
        personal = personal.drop_duplicates("customer_id").reset_index(drop=True)
    dropped = [f for f in found_personal if f not in kept]
    matched = [f for f in found_personal if f in keep]
    table = frame_to_wgs84(table, datum=datum)
    return CrmImport(kind, table, personal, report, name, used, dropped, matched)
