"""Make user-supplied text safe to show in HTML and to export to spreadsheets."""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


_SPLITS = re.compile(r"([;,\t\n])")


def _risky(piece: str) -> bool:
    text = piece.lstrip(' "')  # not the apostrophe: neutralised text stays as it is
    return text.startswith(_FORMULA_START) and not _plain_number(text)


def neutralise_formula(value: Any) -> Any:
    """Return ``value`` so that no spreadsheet runs any part of it as a formula.

    Strings starting with ``= + - @``, a tab or a carriage return (OWASP CSV injection list, plus
    their full-width forms) are prefixed with ``'``. So is every piece after a ``;`` or ``,`` (a
    semicolon- or comma-locale Excel splits a cell there when the writer did not quote it), a tab
    or a line break. A lone carriage return becomes a line feed, which every CSV writer quotes,
    so a row cannot split into a new row starting with a formula. Numbers, and strings that are
    plain numbers such as ``-12.5``, are left alone.

    Parameters
    ----------
    value : Any
        A cell value.

    Returns
    -------
    Any
        The value, neutralised if it is risky text.
    """
    if not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    pieces = _SPLITS.split(value)
    later = [i for i in range(2, len(pieces), 2) if _risky(pieces[i])]
    first = value.startswith(_FORMULA_START) and not _plain_number(value)
    if not first and not later:
        return value
    for i in later:
        pieces[i] = "'" + pieces[i]
    return ("'" if first else "") + "".join(pieces)


def _plain_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells (and column names) are neutralised.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table about to be written to CSV or XLSX.

    Returns
    -------
    pandas.DataFrame
        A copy; the geometry column, if any, is dropped by the caller, not here.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_formula)
    out.columns = [neutralise_formula(str(c)) for c in out.columns]
    return out


def escape_html(value: Any) -> str:
    """Escape any value for inclusion in HTML text or attributes.

    Parameters
    ----------
    value : Any
        A value; ``None`` becomes an empty string.

    Returns
    -------
    str
        The escaped text.
    """
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:=")


def escape_markdown(value: Any) -> str:
    """Escape text for Streamlit Markdown so it shows literally (no links, images or HTML).

    Parameters
    ----------
    value : Any
        Any value; ``None`` becomes an empty string.

    Returns
    -------
    str
        The text with Markdown, HTML, LaTeX and shortcode characters backslash-escaped.
    """
    if value is None:
        return ""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in str(value))
