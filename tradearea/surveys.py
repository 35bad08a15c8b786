"""Read survey and CRM files (CSV, XLSX, any common encoding), map their columns, screen rows."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from tradearea.errors import InputError
from tradearea.geocode.chain import duplicate_ids, parse_coordinate
from tradearea.io.reader import ReadInfo
from tradearea.io.reader import read_table as read_any_table
from tradearea.io.tables import map_headers
from tradearea.io.values import SURVEY_COLUMNS, canonical_name, is_canonical, normalise_values


def read_table(
    path: str | Path | bytes | IO[bytes],
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    name: str | None = None,
) -> tuple[pd.DataFrame, ReadInfo]:
    """Read a survey or CRM table (see :func:`tradearea.io.reader.read_table`).

    The header row is found by the survey's column names (English or Chinese).
    """
    return read_any_table(
        path, known_header=canonical_name, encoding=encoding, sheet=sheet,
        delimiter=delimiter, header_row=header_row, name=name,
    )  # fmt: skip


def map_columns(frame: pd.DataFrame, *, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Map the canonical survey columns to the table's columns.

    Headers are matched in English and Chinese (address/地址/住址, visits/来店频率,
    spend/消费金额, lat/纬度, lon/经度, competitor 1/竞争店1 ...), ignoring case, spaces,
    punctuation and units in brackets; ``"address / 住址"`` matches by either part.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (from :func:`read_table`).
    overrides : dict, optional
        Canonical name -> column name, taking precedence over the detection.

    Returns
    -------
    dict
        Canonical name (respondent_id, address, visits_per_month, visits_per_week,
        spend_per_visit, lat, lon, competitor_N, competitor_N_visits_per_month, ...) -> column.

    Raises
    ------
    InputError
        If an override names a column the table does not have.
    """
    for canon, col in (overrides or {}).items():
        if not is_canonical(canon):
            msg = f"unknown survey column {canon!r} in the column mapping"
            raise InputError(msg, column=str(canon))
        if col not in frame.columns:
            msg = f"column {col!r} (given for {canon}) is not in the table"
            raise InputError(msg, column=str(col))
    return map_headers(frame.columns, SURVEY_COLUMNS, given=overrides).columns


def load_survey(
    path: str | Path | bytes | IO[bytes],
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    overrides: dict[str, str] | None = None,
    name: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a survey file and return the normalised survey and the rows rejected so far.

    Parameters
    ----------
    path : str, pathlib.Path, bytes or binary file
        The file.
    encoding, sheet, delimiter, header_row, name
        As for :func:`read_table`.
    overrides : dict, optional
        Column mapping overrides (canonical -> column).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The survey (one row per data row, canonical columns first, then the other columns,
        plus ``source_row``, ``status`` ('rejected' or '' = not decided yet), ``reason`` and
        ``notes`` on values changed while reading); and the rejected rows (source_row,
        respondent_id, reason).

    Raises
    ------
    InputError
        If the file cannot be read or has neither an address nor coordinate columns.
    """
    frame, info = read_table(
        path, encoding=encoding, sheet=sheet, delimiter=delimiter, header_row=header_row, name=name
    )
    mapping = map_columns(frame, overrides=overrides)
    return normalise_survey(frame, mapping, source_rows=info.source_rows, file=info.file)


def normalise_survey(
    frame: pd.DataFrame,
    mapping: dict[str, str],
    *,
    source_rows: tuple[int, ...] | None = None,
    file: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rename mapped columns to canonical names, convert values, and screen rows.

    Visits per week (or per day) become visits per month (x 52/12, x 365/12); numbers written
    with units, currency or decimal commas are read; unreadable values are emptied with a note.
    Rows are rejected for a duplicate respondent id, an empty address without coordinates, or
    coordinates out of range without an address.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    mapping : dict
        From :func:`map_columns`.
    source_rows : tuple of int, optional
        Data row numbers in the file (default 1..n).
    file : str, optional
        The file's name, for messages.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        See :func:`load_survey`.
    """
    address_cols = [c for c in ("address", "street") if c in mapping]
    if not address_cols and not ("lat" in mapping and "lon" in mapping):
        cols = ", ".join(map(str, frame.columns[:12]))
        msg = (
            f"no address column and no lat/lon columns found (columns: {cols}); "
            "name the address column"
        )
        raise InputError(msg, file=file, column="address")
    n = len(frame)
    rows = np.asarray(source_rows if source_rows else range(1, n + 1), dtype=int)
    survey, notes = normalise_values(frame, mapping)
    survey.insert(0, "source_row", rows)
    status = np.array([""] * n, dtype=object)
    reason = np.array([""] * n, dtype=object)
    if "respondent_id" in survey:
        for i, why in duplicate_ids(survey["respondent_id"], rows).items():
            status[i], reason[i] = "rejected", why
    address = survey["address"] if "address" in survey else pd.Series([""] * n)
    has_address = address.map(lambda v: isinstance(v, str) and any(c.isalnum() for c in v))
    if "lat" in survey and "lon" in survey:
        lat = survey["lat"].map(parse_coordinate).to_numpy(dtype=float)
        lon = survey["lon"].map(parse_coordinate).to_numpy(dtype=float)
        given = np.isfinite(lat) | np.isfinite(lon)
        in_range = (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        in_range |= (np.abs(lon) <= 90) & (np.abs(lat) <= 180)  # swapped: repaired later
    else:
        given = np.zeros(n, dtype=bool)
        in_range = np.zeros(n, dtype=bool)
    for i in range(n):
        if status[i]:
            continue
        if not has_address.iloc[i] and not given[i]:
            status[i], reason[i] = "rejected", "empty address"
        elif not has_address.iloc[i] and not in_range[i]:
            status[i], reason[i] = "rejected", "coordinates out of range and no address"
    survey["status"] = status
    survey["reason"] = reason
    survey["notes"] = notes
    rejected = survey.loc[status == "rejected", ["source_row"]].copy()
    rejected["respondent_id"] = (
        survey.loc[status == "rejected", "respondent_id"] if "respondent_id" in survey else ""
    )
    rejected["reason"] = survey.loc[status == "rejected", "reason"]
    return survey, rejected.reset_index(drop=True)
