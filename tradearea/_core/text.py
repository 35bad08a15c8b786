"""Text folding for comparisons: case, width, diacritics, dashes, traditional characters."""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not decompose.
_EXTRA_FOLD = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
# Dashes and quotes to their ASCII forms; traditional characters seen in addresses to simplified.
_PUNCT_FOLD = str.maketrans(
    {
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "−": "-",
        "’": "'",
        "‘": "'",
        "´": "'",
        "`": "'",
        "，": ",",
        "、": ",",
        "；": ";",
    }
)
# Traditional characters common in addresses -> simplified (路/号 forms match either way).
_TRADITIONAL = str.maketrans(
    "號區縣東門華國廣龍灣橋園陽莊衛鎮鄉條樓層棟館場與興長寧義體雲風陳張黃鄭劉楊趙環聯發",
    "号区县东门华国广龙湾桥园阳庄卫镇乡条楼层栋馆场与兴长宁义体云风陈张黄郑刘杨赵环联发",
)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold text for comparison: NFKC, case, diacritics (ä -> a, é -> e), dashes, spaces.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        Lower-case text without diacritics, with single spaces.
    """
    s = unicodedata.normalize("NFKC", text).casefold().translate(_PUNCT_FOLD)
    if CJK.search(s):
        s = s.translate(_TRADITIONAL)
    if not s.isascii():
        s = "".join(
            c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)
        ).translate(_EXTRA_FOLD)
        s = unicodedata.normalize("NFC", s)
    return _SPACES.sub(" ", s).strip()


def strip_accents(text: str) -> str:
    """Return ``text`` without combining marks (``"Hämeentie"`` -> ``"Hameentie"``), case kept."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
