"""Vectorised parsing of dates, money and numbers as they appear in CRM exports."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

_DATE_FORMATS = (
    "ISO8601",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%Y%m%d",
    "%Y年%m月%d日",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d/%m/%Y %H:%M",
)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_CURRENCY = r"(?i)(?:rmb|cny|eur|usd|gbp|hkd|yuan|[¥￥$€£元円])"


def _empty_dates(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NaT, index=index, dtype="datetime64[us]")


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of dates written in any common layout.

    Formats are tried in order of how many of the column's distinct values they read, so a
    column in day-first layout is read day-first throughout. Spreadsheet date cells and Excel
    serial numbers (counted as repairs) are accepted too.

    Parameters
    ----------
    values : pandas.Series
        Text, datetime objects or numbers.

    Returns
    -------
    tuple of pandas.Series
        The dates (``NaT`` where unreadable; time of day dropped) and a mask of Excel serials.
    """
    out = _empty_dates(values.index)
    serial = pd.Series(False, index=values.index)
    present = values.notna()
    if not present.any():
        return out, serial
    obj = values[present]
    is_stamp = (
        obj.map(lambda v: isinstance(v, dt.date | pd.Timestamp)) if obj.dtype == object else None
    )
    if is_stamp is not None and is_stamp.any():
        stamps = pd.to_datetime(obj[is_stamp], errors="coerce")
        out.loc[stamps.index] = stamps.dt.normalize().astype("datetime64[us]")
        obj = obj[~is_stamp]
    if obj.empty:
        return out, serial
    text = obj.astype(str).str.strip().str.normalize("NFKC")
    uniq = pd.Index(pd.unique(text.to_numpy()))
    numeric = pd.to_numeric(pd.Series(uniq, index=uniq), errors="coerce")
    is_serial = numeric.between(20_000, 80_000) & (numeric % 1 == 0)
    parsed = pd.Series(pd.NaT, index=uniq, dtype="datetime64[us]")
    if is_serial.any():
        days = pd.to_timedelta(numeric[is_serial], unit="D")
        parsed[is_serial.to_numpy()] = (_EXCEL_EPOCH + days).astype("datetime64[us]").to_numpy()
    todo = uniq[~is_serial.to_numpy()]
    sample = pd.Series(todo[:2000])
    ranked = sorted(
        _DATE_FORMATS,
        key=lambda f: (
            -int(pd.to_datetime(sample, format=f, errors="coerce", utc=True).notna().sum())
        ),
    )
    for fmt in ranked:
        if len(todo) == 0:
            break
        try:
            stamps = pd.to_datetime(pd.Series(todo), format=fmt, errors="coerce", utc=True)
        except (ValueError, TypeError):
            continue
        got = pd.Series(stamps.dt.tz_localize(None).to_numpy(), index=todo)
        got = got[got.notna()]
        if got.empty:
            continue
        parsed[got.index] = got.dt.normalize().astype("datetime64[us]").to_numpy()
        todo = todo.difference(got.index)
    mapped = parsed.reindex(text.to_numpy()).to_numpy()
    out.loc[text.index] = mapped
    serial.loc[text.index] = is_serial.reindex(text.to_numpy()).fillna(False).to_numpy()
    return out, serial


def _clean_number_text(text: pd.Series, *, money: bool) -> pd.Series:
    s = text.str.normalize("NFKC").str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    if money:
        s = s.str.replace(_CURRENCY, "", regex=True)
    negative = s.str.match(r"^\(.*\)$") | s.str.endswith("-")
    s = s.str.strip("()").str.rstrip("-")
    s = s.where(~negative, "-" + s)
    decimal_comma = r"^-?\d+,\d{1,2}$" if money else r"^-?\d+,\d+$"
    european = s.str.match(r"^-?\d{1,3}(\.\d{3})+,\d+$") | s.str.match(decimal_comma)
    s = s.where(~european, s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    return s.where(european, s.str.replace(",", "", regex=False))


def _parse(values: pd.Series, *, money: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    number = pd.to_numeric(values, errors="coerce").astype(float)
    left = values.notna() & number.isna()
    fixed = pd.Series(False, index=values.index)
    bad = pd.Series(False, index=values.index)
    if left.any():
        text = values[left].astype(str)
        cleaned = _clean_number_text(text, money=money)
        again = pd.to_numeric(cleaned, errors="coerce").astype(float)
        number.loc[again.index] = again
        fixed.loc[again.index] = again.notna().to_numpy()
        bad.loc[again.index] = again.isna().to_numpy()
    number = number.where(~np.isinf(number))
    return number, fixed, bad


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse amounts such as ``1234.5``, ``¥1,234.50``, ``1.234,50 €`` or ``(12.00)``.

    Parameters
    ----------
    values : pandas.Series
        Text or numbers.

    Returns
    -------
    tuple of pandas.Series
        The values (NaN where missing or unreadable), a mask of values that needed cleaning and
        a mask of present but unreadable values.
    """
    return _parse(values, money=True)


def parse_number(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse plain numbers, accepting a decimal comma (``60,17``).

    Parameters
    ----------
    values : pandas.Series
        Text or numbers.

    Returns
    -------
    tuple of pandas.Series
        The values, a mask of repaired values and a mask of unreadable ones.
    """
    return _parse(values, money=False)
