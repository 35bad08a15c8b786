"""Numbers, money and percentages for people, in the interface language and project currency."""

from __future__ import annotations

import math
from typing import Any

from tradearea.ui._common import current_project, lang

DASH = "—"
# The datums a file's coordinates may be in, as a radio shows them (converted inside China only).
DATUM_LABELS = {"wgs84": "WGS84 (GPS)", "gcj02": "GCJ-02 (Amap / Tencent)", "bd09": "BD-09 (Baidu)"}
# Currency codes with the name a Chinese reader expects after an amount.
CURRENCY_ZH = {
    "CNY": "元",
    "RMB": "元",
    "EUR": "欧元",
    "USD": "美元",
    "HKD": "港元",
    "GBP": "英镑",
    "JPY": "日元",
    "TWD": "新台币",
    "SGD": "新加坡元",
}


def _value(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def currency(*, code: str | None = None, language: str | None = None) -> str:
    """Return a currency as shown after amounts (``EUR``; ``欧元`` in Chinese).

    Parameters
    ----------
    code : str, optional
        A currency code; the open project's setting ``currency`` by default.
    language : str, optional
        ``en`` or ``zh`` (the interface language by default).
    """
    if code is None:
        code = current_project().settings.currency
    code = code.strip()
    if (language or lang()) == "zh":
        return CURRENCY_ZH.get(code.upper(), code)
    return code


def number(value: Any, digits: int = 0) -> str:
    """Return ``value`` with thousands separators (1,234.5), or a dash when it is unknown.

    Parameters
    ----------
    value : float or None
        The number.
    digits : int
        Decimals.

    Returns
    -------
    str
        The text. English and Chinese both group digits by three with commas, as Chinese
        business documents do; Chinese shortens large amounts differently (:func:`compact`).
    """
    v = _value(value)
    if v is None:
        return DASH
    if round(v, digits) == 0:
        v = 0.0  # no "-0"
    return f"{v:,.{digits}f}"


def compact(value: Any, digits: int = 1, *, language: str | None = None) -> str:
    """Return a large number shortened: 3.3 M / 1.2 bn in English, 328 万 / 1.2 亿 in Chinese."""
    v = _value(value)
    if v is None:
        return DASH
    size = abs(v)
    if (language or lang()) == "zh":
        if size >= 1e8:
            return f"{v / 1e8:,.{digits}f} 亿"
        if size >= 1e4:
            return f"{v / 1e4:,.{max(digits - 1, 0)}f} 万"
        return number(v)
    if size >= 1e9:
        return f"{v / 1e9:,.{digits}f} bn"
    if size >= 1e6:
        return f"{v / 1e6:,.{digits}f} M"
    return number(v)


def money(
    value: Any,
    digits: int = 0,
    *,
    short: bool = False,
    per: str | None = None,
    code: str | None = None,
    language: str | None = None,
) -> str:
    """Return an amount in the project's currency: ``3,279,917 EUR`` or ``328 万 元`` (short).

    Parameters
    ----------
    value : float or None
        The amount.
    digits : int
        Decimals (ignored when ``short``).
    short : bool
        Shorten large amounts (:func:`compact`).
    per : str, optional
        A unit after the currency (``m²/month`` → ``9.00 EUR/m²/month``).
    code : str, optional
        The currency code (the project's setting ``currency`` by default).
    language : str, optional
        ``en`` or ``zh``.

    Returns
    -------
    str
        The text; a dash when the amount is unknown.
    """
    v = _value(value)
    if v is None:
        return DASH
    text = compact(v, language=language) if short else number(v, digits)
    unit = currency(code=code, language=language)
    if per:
        unit = f"{unit}/{per}" if unit else per
    return f"{text} {unit}".strip()


def percent(value: Any, digits: int = 1) -> str:
    """Return a fraction as a percentage (0.0746 → ``7.5 %``), or a dash."""
    v = _value(value)
    if v is None:
        return DASH
    return f"{v * 100:,.{digits}f} %"
