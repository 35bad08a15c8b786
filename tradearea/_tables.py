"""Read the small tables users upload for competition work (CSV in any encoding, Excel)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tradearea.errors import InputError

_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def read_table(
    path: str | Path, *, aliases: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    """Read a CSV (any common encoding and delimiter) or Excel sheet as text columns.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    aliases : mapping, optional
        Canonical column name -> accepted header spellings (case-insensitive, e.g. Chinese).

    Returns
    -------
    pandas.DataFrame
        Every cell as text (``None`` where empty); headers renamed to their canonical names.

    Raises
    ------
    InputError
        If the file cannot be read as a table.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("not found", file=str(path))
    suffix = path.suffix.lower()
    if suffix in _EXCEL_SUFFIXES:
        try:
            frame = pd.read_excel(path, dtype=str)
        except Exception as exc:
            raise InputError(f"cannot read the spreadsheet: {exc}", file=str(path)) from None
    elif suffix in _TEXT_SUFFIXES or suffix == "":
        text = _decode(path.read_bytes(), file=str(path))
        if not text.strip():
            raise InputError("the file is empty", file=str(path))
        try:
            frame = pd.read_csv(
                io.StringIO(text), sep=_delimiter(text), dtype=str, keep_default_na=False
            )
        except (pd.errors.ParserError, csv.Error, ValueError) as exc:
            raise InputError(f"cannot read the table: {exc}", file=str(path)) from None
    else:
        msg = f"unsupported file type {suffix!r}; use .csv or .xlsx"
        raise InputError(msg, file=str(path))
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    frame = frame.apply(lambda s: s.str.strip()).replace({"": None})
    if aliases:
        frame = rename_columns(frame, aliases)
    return frame


def _decode(raw: bytes, *, file: str) -> str:
    encoding = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise InputError("cannot tell the text encoding; save it as UTF-8", file=file)
    return str(best)


def _delimiter(text: str) -> str:
    head = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def rename_columns(frame: pd.DataFrame, aliases: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Rename headers to canonical names using accepted spellings (case-insensitive).

    Parameters
    ----------
    frame : pandas.DataFrame
        A table as read.
    aliases : mapping
        Canonical name -> accepted spellings.

    Returns
    -------
    pandas.DataFrame
        The frame with renamed columns (the first matching header wins).
    """
    lookup: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            lookup.setdefault(_key(name), canonical)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for col in frame.columns:
        canonical = lookup.get(_key(str(col)))
        if (
            canonical
            and canonical not in taken
            and canonical not in frame.columns.difference([col])
        ):
            mapping[col] = canonical
            taken.add(canonical)
    return frame.rename(columns=mapping)


def _key(name: str) -> str:
    return "".join(ch for ch in name.strip().casefold() if ch not in " _-()（）/")


def require_columns(frame: pd.DataFrame, columns: Sequence[str], *, file: str | None) -> None:
    """Raise an InputError naming the first required column that is missing.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    columns : sequence of str
        Required canonical columns.
    file : str, optional
        The file name for the message.
    """
    for col in columns:
        if col not in frame.columns:
            found = ", ".join(map(str, frame.columns)) or "none"
            msg = f"required column {col!r} is missing (columns found: {found})"
            raise InputError(msg, file=file, column=col)


def numeric_column(
    frame: pd.DataFrame,
    column: str,
    *,
    file: str | None,
    minimum: float | None = None,
    positive: bool = False,
    allow_missing: bool = False,
) -> np.ndarray:
    """Return a column as floats, raising an InputError at the first bad row.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (rows in file order).
    column : str
        The column.
    file : str, optional
        The file name for the message.
    minimum : float, optional
        Smallest allowed value.
    positive : bool
        Values must be above zero.
    allow_missing : bool
        Empty cells become NaN instead of an error.

    Returns
    -------
    numpy.ndarray
        float64 values.
    """
    raw = frame[column]
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        text = raw.astype("string").str.replace(",", ".", regex=False).str.replace(" ", "")
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    else:
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    missing = raw.isna().to_numpy()
    bad = np.isnan(values) & ~missing
    if not allow_missing:
        bad |= missing
    bad |= np.isinf(values)
    if minimum is not None:
        bad |= values < minimum
    if positive:
        bad |= values <= 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        value = raw.iloc[i]
        if value is None or (isinstance(value, float) and np.isnan(value)):
            what = "is empty"
        else:
            what = f"has {value!r}"
        need = "a number"
        if positive:
            need = "a number above 0"
        elif minimum is not None:
            need = f"a number of at least {minimum:g}"
        raise InputError(f"{what}; expected {need}", file=file, row=i + 1, column=column)
    return values


def latlon(frame: pd.DataFrame, *, file: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Return validated ``lat`` and ``lon`` columns as floats.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with ``lat`` and ``lon``.
    file : str, optional
        The file name for the message.

    Returns
    -------
    tuple of numpy.ndarray
        Latitudes and longitudes.
    """
    require_columns(frame, ("lat", "lon"), file=file)
    lat = numeric_column(frame, "lat", file=file)
    lon = numeric_column(frame, "lon", file=file)
    for name, values, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        out = np.abs(values) > limit
        if out.any():
            i = int(np.flatnonzero(out)[0])
            msg = f"{values[i]:g} is outside [-{limit:g}, {limit:g}]"
            raise InputError(msg, file=file, row=i + 1, column=name)
    return lat, lon


def unique_ids(values: pd.Series, *, column: str, file: str | None) -> pd.Series:
    """Return ids as text, raising an InputError at an empty or repeated id.

    Parameters
    ----------
    values : pandas.Series
        The id column.
    column : str
        Its name, for the message.
    file : str, optional
        The file name for the message.

    Returns
    -------
    pandas.Series
        The ids as ``str``.
    """
    ids = values.astype("string")
    empty = ids.isna() | (ids.str.strip() == "")
    if empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError("id is empty", file=file, row=i + 1, column=column)
    dup = ids.duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"id {ids.iloc[i]!r} appears twice", file=file, row=i + 1, column=column)
    return ids.astype(str)
