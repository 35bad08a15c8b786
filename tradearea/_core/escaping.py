"""Make user-supplied text safe to show in HTML and to export to spreadsheets."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise_formula(value: Any) -> Any:
    """Return ``value`` with a leading apostrophe if a spreadsheet would run it as a formula.

    Strings starting with ``= + - @``, a tab or a carriage return (OWASP CSV injection list, plus
    their full-width forms) are prefixed with ``'``. Numbers, and strings that are plain numbers
    such as ``-12.5``, are left alone.

    Parameters
    ----------
    value : Any
        A cell value.

    Returns
    -------
    Any
        The value, neutralised if it is risky text.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value.replace(",", ""))
    except ValueError:
        return "'" + value
    return value


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
