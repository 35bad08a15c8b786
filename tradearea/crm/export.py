"""Export customer segments and tiers back to the CRM as CSV or XLSX, safe against formula injection."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from tradearea._core.escaping import neutralise_frame
from tradearea.errors import InputError

EXPORT_COLUMNS = (
    "customer_id",
    "store_id",
    "tier",
    "tier_label",
    "segment",
    "rfm",
    "clv",
    "net_clv",
    "lifecycle",
)


def crm_export_table(customers: pd.DataFrame) -> pd.DataFrame:
    """Return the export table: whitelisted columns only, money rounded, text neutralised.

    Only ``customer_id, store_id, tier, tier_label, segment, rfm, clv, net_clv, lifecycle`` are
    written (those present), so names, phones, e-mails and addresses can never leave. Text
    starting with ``= + - @`` (or a tab or carriage return) gets a leading apostrophe.

    Parameters
    ----------
    customers : pandas.DataFrame
        The analysed customers.

    Returns
    -------
    pandas.DataFrame
        The table as it will be written.
    """
    cols = [c for c in EXPORT_COLUMNS if c in customers]
    out = customers[cols].copy()
    for col in ("customer_id", "store_id", "tier_label", "segment", "rfm", "lifecycle"):
        if col in out:
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    for col in ("clv", "net_clv"):
        if col in out:
            out[col] = out[col].astype(float).round(2)
    return neutralise_frame(out)


def crm_export_bytes(customers: pd.DataFrame, *, fmt: str = "csv") -> bytes:
    """Return the export as file contents (for a download button).

    Parameters
    ----------
    customers : pandas.DataFrame
        The analysed customers.
    fmt : str
        ``csv`` (UTF-8 with BOM, so spreadsheet programs read Chinese text) or ``xlsx``.

    Returns
    -------
    bytes
        The file contents.
    """
    table = crm_export_table(customers)
    if fmt == "csv":
        return table.to_csv(index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        options = {"strings_to_formulas": False, "strings_to_urls": False}
        with pd.ExcelWriter(
            buffer, engine="xlsxwriter", engine_kwargs={"options": options}
        ) as writer:
            table.to_excel(writer, sheet_name="customers", index=False)
        return buffer.getvalue()
    msg = f"unknown export format {fmt!r}; use csv or xlsx"
    raise InputError(msg)


def write_crm_export(customers: pd.DataFrame, path: str | Path) -> Path:
    """Write the export to ``path`` (CSV or XLSX by its suffix).

    Parameters
    ----------
    customers : pandas.DataFrame
        The analysed customers.
    path : str or pathlib.Path
        Ends in ``.csv`` or ``.xlsx``.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in {"csv", "xlsx"}:
        msg = f"output must end in .csv or .xlsx, got {path.name!r}"
        raise InputError(msg, file=str(path))
    data = crm_export_bytes(customers, fmt=fmt)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
