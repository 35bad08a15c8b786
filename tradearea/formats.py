"""Retail formats (业态): the one registry of keys, names, categories, floor areas, rings, rents."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from tradearea.errors import InputError

T = TypeVar("T")


@dataclass(frozen=True)
class RetailFormat:
    """A retail format (业态) with its spending category, floor areas, rings and rent share.

    Attributes
    ----------
    key : str
        Identifier used in files, settings and scenarios (``supermarket``, ``home_centre``).
    name_en, name_zh : str
        Display names.
    category : str
        Spending category the format sells (``grocery``, ``general_merchandise``,
        ``specialty``, ``home``); IRS counts the floor area of all formats of one category.
    default_floor_area_m2 : float
        Sales floor area assumed when none is known.
    max_floor_area_m2 : float
        Largest plausible sales floor area; a building-derived estimate above it is replaced by
        the default.
    rings_m : tuple of float
        Rule-of-thumb radii (m) of the primary, secondary and tertiary trade areas
        (DOMAIN.md §1; sources in :func:`tradearea.tradeareas.presets.ring_presets`).
    occupancy_cost_ratio : float
        Share of a tenant's sales that goes to rent and service charges (ASSUMPTION: industry
        rules of thumb; large food formats live on thin margins, fashion and small shops in
        malls carry the most; override with the operator's own figures).
    """

    key: str
    name_en: str
    name_zh: str
    category: str
    default_floor_area_m2: float
    max_floor_area_m2: float
    rings_m: tuple[float, float, float]
    occupancy_cost_ratio: float

    @property
    def primary_ring_m(self) -> float:
        """Radius of the rule-of-thumb primary trade area (the first of :attr:`rings_m`)."""
        return self.rings_m[0]


# Assumptions (documented in docs/competition.md and docs/pricing.md): typical European /
# Chinese sales floor areas, catchment rings and occupancy-cost ratios.
FORMATS: dict[str, RetailFormat] = {
    f.key: f
    for f in (
        RetailFormat(
            "convenience", "Convenience store", "便利店", "grocery", 150, 600,
            (300.0, 500.0, 1000.0), 0.08,
        ),
        RetailFormat(
            "supermarket", "Supermarket", "超市", "grocery", 1_500, 6_000,
            (1000.0, 2000.0, 3000.0), 0.04,
        ),
        RetailFormat(
            "hypermarket", "Hypermarket", "大型综合超市", "grocery", 8_000, 30_000,
            (3000.0, 5000.0, 10000.0), 0.03,
        ),
        RetailFormat(
            "warehouse_club", "Warehouse club", "仓储会员店", "grocery", 12_000, 25_000,
            (5000.0, 10000.0, 20000.0), 0.02,
        ),
        RetailFormat(
            "department_store", "Department store", "百货店", "general_merchandise", 20_000,
            80_000, (3000.0, 5000.0, 10000.0), 0.10,
        ),
        RetailFormat(
            "specialty_store", "Specialty store", "专业店", "specialty", 250, 3_000,
            (2000.0, 5000.0, 10000.0), 0.12,
        ),
        RetailFormat(
            "exclusive_shop", "Exclusive / brand shop", "专卖店", "specialty", 150, 1_500,
            (3000.0, 5000.0, 10000.0), 0.12,
        ),
        RetailFormat(
            "home_centre", "Home centre", "家居建材店", "home", 8_000, 30_000,
            (5000.0, 10000.0, 20000.0), 0.06,
        ),
        RetailFormat(
            "shopping_mall", "Shopping mall", "购物中心", "general_merchandise", 30_000, 250_000,
            (3000.0, 5000.0, 10000.0), 0.13,
        ),
        RetailFormat(
            "specialty_market", "Specialty market", "专业市场", "specialty", 5_000, 50_000,
            (5000.0, 15000.0, 30000.0), 0.08,
        ),
    )
}  # fmt: skip
FORMAT_KEYS: tuple[str, ...] = tuple(FORMATS)
CATEGORIES: dict[str, tuple[str, str]] = {
    "grocery": ("Grocery", "食品杂货"),
    "general_merchandise": ("General merchandise", "百货"),
    "specialty": ("Specialty goods", "专业商品"),
    "home": ("Home and DIY", "家居建材"),
}

# Other names of the formats in English and Chinese (folded: lower case, single spaces).
_ALIASES: dict[str, str] = {
    "convenience store": "convenience",
    "便利店": "convenience",
    "supermarkets": "supermarket",
    "超市": "supermarket",
    "超级市场": "supermarket",
    "hypermarkets": "hypermarket",
    "大卖场": "hypermarket",
    "大型超市": "hypermarket",
    "大型综合超市": "hypermarket",
    "综合超市": "hypermarket",
    "warehouse": "warehouse_club",
    "wholesale": "warehouse_club",
    "warehouse store": "warehouse_club",
    "仓储会员店": "warehouse_club",
    "仓储店": "warehouse_club",
    "仓储式商场": "warehouse_club",
    "department": "department_store",
    "百货": "department_store",
    "百货店": "department_store",
    "百货商店": "department_store",
    "specialty": "specialty_store",
    "specialty shop": "specialty_store",
    "speciality store": "specialty_store",
    "专业店": "specialty_store",
    "exclusive": "exclusive_shop",
    "brand shop": "exclusive_shop",
    "exclusive brand shop": "exclusive_shop",
    "exclusive/brand shop": "exclusive_shop",
    "exclusive / brand shop": "exclusive_shop",
    "boutique": "exclusive_shop",
    "专卖店": "exclusive_shop",
    "品牌店": "exclusive_shop",
    "home center": "home_centre",
    "home improvement": "home_centre",
    "diy": "home_centre",
    "家居建材店": "home_centre",
    "家居中心": "home_centre",
    "家居建材中心": "home_centre",
    "建材店": "home_centre",
    "mall": "shopping_mall",
    "shopping center": "shopping_mall",
    "shopping centre": "shopping_mall",
    "购物中心": "shopping_mall",
    "商场": "shopping_mall",
    "market": "specialty_market",
    "marketplace": "specialty_market",
    "speciality market": "specialty_market",
    "专业市场": "specialty_market",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("-", " ").replace("_", " ")
    return " ".join(text.split())


_LOOKUP: dict[str, str] = {
    **{_fold(k): k for k in FORMATS},
    **{_fold(f.name_en): f.key for f in FORMATS.values()},
    **{_fold(f.name_zh): f.key for f in FORMATS.values()},
    **{_fold(k): v for k, v in _ALIASES.items()},
}


def normalise_format(text: Any) -> str | None:
    """Return the format key for a format name in English or Chinese, or None if unknown.

    Parameters
    ----------
    text : Any
        ``"Supermarket"``, ``"超市"``, ``"home_centre"``, ``"shopping mall"``, ...

    Returns
    -------
    str or None
        A key of :data:`FORMATS`.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    key = _fold(text)
    if key in _LOOKUP:
        return _LOOKUP[key]
    return _LOOKUP.get(key.rstrip("s"))


def format_key(text: Any, *, option: str = "format") -> str:
    """Return the format key for a format name in English or Chinese.

    Parameters
    ----------
    text : Any
        A key or a name of a format (``"Supermarket"``, ``"便利店"``, ``"home_centre"``).
    option : str
        The option or column the value came from, named in the error.

    Returns
    -------
    str
        A key of :data:`FORMATS`.

    Raises
    ------
    InputError
        If the value names no format; the message names the value and the valid keys.
    """
    key = normalise_format(text)
    if key is None:
        msg = f"unknown retail format {text!r}; use one of {', '.join(FORMATS)}"
        raise InputError(msg, option=option)
    return key


def retail_format(text: Any) -> RetailFormat:
    """Return the :class:`RetailFormat` a key or name stands for (see :func:`format_key`)."""
    return FORMATS[format_key(text)]


def category_of(formats: Any) -> list[str | None]:
    """Return the spending category of each format key (None where the key is unknown)."""
    return [FORMATS[f].category if f in FORMATS else None for f in formats]


class FormatTable(Mapping[str, T]):
    """A value per format, read by format key or by any name of the format.

    Iterates over the format keys in registry order; ``table["convenience store"]`` and
    ``table["便利店"]`` both find ``table["convenience"]``.
    """

    def __init__(self, value: Callable[[RetailFormat], T]) -> None:
        self._values = {k: value(f) for k, f in FORMATS.items()}

    def __getitem__(self, name: str) -> T:
        key = normalise_format(name)
        if key is None:
            raise KeyError(name)
        return self._values[key]

    def __contains__(self, name: object) -> bool:
        return normalise_format(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def format_table() -> pd.DataFrame:
    """Return the retail formats as a table (one row per format), for docs and the app."""
    return pd.DataFrame(
        [{**f.__dict__, "primary_ring_m": f.primary_ring_m} for f in FORMATS.values()]
    )
