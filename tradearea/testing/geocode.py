"""Synthetic test material for the geocoder: noisy copies of real addresses, a large fake region."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from tradearea._core.text import strip_accents as _strip_accents

NOISES = ("lowercase_no_accents", "typo", "abbreviation", "extra_spaces", "no_postcode")
# Full word -> abbreviation, as people write them.
_ABBREVIATE = (
    (re.compile(r"katu$", re.IGNORECASE), "k."),
    (re.compile(r"tie$", re.IGNORECASE), "t."),
    (re.compile(r"\bstreet$", re.IGNORECASE), "St."),
    (re.compile(r"\broad$", re.IGNORECASE), "Rd"),
    (re.compile(r"\bavenue$", re.IGNORECASE), "Ave"),
)


def address_text(street: Any, housenumber: Any, postcode: Any = None, city: Any = None) -> str:
    """Write an address the usual way: ``"Street 12 A, 00100 City"``."""
    head = f"{street} {housenumber}".strip()
    tail = " ".join(str(v) for v in (postcode, city) if isinstance(v, str) and v)
    return f"{head}, {tail}" if tail else head


def transpose(word: str, rng: np.random.Generator) -> str:
    """Swap two adjacent, different letters of ``word`` (one transposition typo)."""
    spots = [
        i
        for i in range(len(word) - 1)
        if word[i].isalpha() and word[i + 1].isalpha() and word[i] != word[i + 1]
    ]
    if not spots:
        return word
    i = int(rng.choice(spots))
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def noisy_address(
    street: str,
    housenumber: str,
    postcode: str | None,
    city: str | None,
    rng: np.random.Generator,
    *,
    noises: tuple[str, ...] = NOISES,
) -> str:
    """Return the address with the given kinds of noise applied (all of them by default).

    Parameters
    ----------
    street, housenumber, postcode, city : str
        The true address.
    rng : numpy.random.Generator
        Random source (the typo position, the extra spaces).
    noises : tuple of str
        Any of ``lowercase_no_accents``, ``typo``, ``abbreviation``, ``extra_spaces``,
        ``no_postcode``.

    Returns
    -------
    str
        The noisy text.
    """
    name = street
    if "typo" in noises:
        words = name.split(" ")
        longest = max(range(len(words)), key=lambda j: len(words[j]))
        words[longest] = transpose(words[longest], rng)
        name = " ".join(words)
    if "abbreviation" in noises:
        for pattern, short in _ABBREVIATE:
            if pattern.search(name):
                name = pattern.sub(short, name)
                break
    code = None if "no_postcode" in noises else postcode
    text = address_text(name, housenumber, code, city)
    if "lowercase_no_accents" in noises:
        text = _strip_accents(text).lower()
    if "extra_spaces" in noises:
        parts = text.split(" ")
        text = "  " + "   ".join(parts) + " "
        text = text.replace(",", " , ", 1)
    return text


_SYLLABLES = [
    "aa",
    "ak",
    "al",
    "an",
    "ar",
    "as",
    "au",
    "ee",
    "el",
    "en",
    "er",
    "es",
    "ha",
    "he",
    "hi",
    "ho",
    "ja",
    "ka",
    "ke",
    "ki",
    "ko",
    "ku",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "pa",
    "pe",
    "pi",
    "po",
    "pu",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "su",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "vo",
    "yl",
    "yr",
    "ai",
    "ei",
    "oi",
    "ui",
]
_SUFFIXES = ("katu", "tie", "kuja", "polku", "ranta", "rinne", "tori", "puisto", "kaari", "piha")


def synthetic_region(n_addresses: int = 50_000, *, seed: int = 7) -> pd.DataFrame:
    """Build a fake region's address table with distinct Finnish-looking street names.

    Streets are straight lines in a 30 x 30 km square around Helsinki with 10-40 numbered
    addresses each (some with letters or ranges), spread over postcodes and three cities.

    Parameters
    ----------
    n_addresses : int
        At least this many addresses.
    seed : int
        Random seed (the table is reproducible).

    Returns
    -------
    pandas.DataFrame
        street, housenumber, postcode, city, lon, lat.
    """
    rng = np.random.default_rng(seed)
    names: set[str] = set()
    rows: list[tuple[str, str, str, str, float, float]] = []
    cities = ("Helsinki", "Espoo", "Vantaa")
    while len(rows) < n_addresses:
        stem = "".join(rng.choice(_SYLLABLES, size=int(rng.integers(2, 5))))
        name = (stem + str(rng.choice(_SUFFIXES))).capitalize()
        if name in names:
            continue
        names.add(name)
        count = int(rng.integers(10, 41))
        lat0 = 60.10 + rng.random() * 0.27
        lon0 = 24.60 + rng.random() * 0.54
        angle = rng.random() * np.pi
        step = 15.0 + rng.random() * 10.0  # metres between numbers
        city = str(cities[int(rng.integers(0, 3))])
        postcode = f"{int(rng.integers(0, 99)) * 10 + 100:05d}"
        for k in range(1, count + 1):
            d = k * step / 2
            lat = lat0 + d * np.sin(angle) / 111_320
            lon = lon0 + d * np.cos(angle) / (111_320 * np.cos(np.radians(lat0)))
            number = str(k)
            roll = rng.random()
            if roll < 0.05:
                number = f"{k} {'ABC'[int(rng.integers(0, 3))]}"
            elif roll < 0.08:
                number = f"{k}-{k + 2}"
            rows.append((name, number, postcode, city, float(lon), float(lat)))
    return pd.DataFrame(rows, columns=["street", "housenumber", "postcode", "city", "lon", "lat"])
