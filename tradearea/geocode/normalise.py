"""Address normalisation: fold case and diacritics, expand abbreviations, split street and number."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from tradearea._core.text import CJK as _CJK
from tradearea._core.text import fold

_KEEP = re.compile(r"[^\w\s,;.\-'/]")
_SPACES = re.compile(r"\s+")
_RANGE = re.compile(r"(\d)\s*-\s*(\d)")
_COMPONENTS = re.compile(r"[,;\n]")
_NUMBER = re.compile(r"^(\d{1,5})([a-z])?(?:-(\d{1,5})([a-z])?)?$")
_HOUSENUMBER = re.compile(
    r"(\d{1,5})\s*([a-z])?(?![a-z])(?:\s*[-/]\s*(\d{1,5})\s*([a-z])?(?![a-z]))?"
)
_POSTCODE = re.compile(r"^(?:[a-z]{1,2}-)?(\d{5})$")
_KEY_DROP = re.compile(r"[\W_]+")

# Whole-word abbreviations (folded, without the dot) -> the full words they may stand for.
WORD_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "st": ("street", "saint"),
    "str": ("strasse", "street"),
    "rd": ("road",),
    "ave": ("avenue",),
    "av": ("avenue",),
    "blvd": ("boulevard",),
    "dr": ("drive",),
    "ln": ("lane",),
    "pl": ("place",),
    "sq": ("square",),
    "ct": ("court",),
    "hwy": ("highway",),
    "pkwy": ("parkway",),
    "k": ("katu",),
    "t": ("tie",),
    "kj": ("kuja",),
    "g": ("gatan",),
    "v": ("vagen",),
}
# Abbreviated endings glued to the last word: "Uudenmaank." -> "Uudenmaankatu".
SUFFIX_ABBREVIATIONS: dict[str, str] = {
    "k": "katu",
    "t": "tie",
    "kj": "kuja",
    "g": "gatan",
    "v": "vagen",
    "str": "strasse",
}
# Chinese road words: a remainder ending in one of these names a street.
CHINESE_ROAD = re.compile(r"(大道|大街|路|街|道|巷|弄|胡同|里|段)")
_CHINESE_NUMBER = re.compile(r"(\d{1,5})(?:\s*[-~至]\s*(\d{1,5}))?\s*[号弄]")
_CHINESE_ADMIN = re.compile(r"^.*(?:省|自治区|特别行政区|市|自治州|地区|盟|区|县|旗)")


@dataclass(frozen=True, slots=True)
class HouseNumber:
    """A parsed house number: ``5``, ``5 A`` (letter), ``6-10`` (range)."""

    number: int
    letter: str = ""
    number_to: int | None = None

    @property
    def text(self) -> str:
        """The number as written in a matched address: ``5``, ``5 A``, ``6-10``."""
        base = f"{self.number} {self.letter.upper()}" if self.letter else str(self.number)
        return f"{base}-{self.number_to}" if self.number_to is not None else base


@dataclass(slots=True)
class ParsedAddress:
    """An address split into the parts the matcher uses.

    Attributes
    ----------
    text : str
        The input as given.
    street_keys : tuple of str
        Candidate keys for the street (folded, no spaces or punctuation), best first: as written,
        with abbreviations expanded, without a leading or trailing city name.
    street : str
        The street words as read (folded), for messages.
    house : HouseNumber or None
        The house number.
    postcode, city : str or None
        The postcode and city (folded) when found.
    context : str
        Other words (building name, staircase, floor) as a key, to tell apart addresses that
        share a street and number.
    chinese : bool
        Whether the address is written in Chinese.
    """

    text: str
    street_keys: tuple[str, ...] = ()
    street: str = ""
    house: HouseNumber | None = None
    postcode: str | None = None
    city: str | None = None
    context: str = ""
    chinese: bool = False
    district: str | None = None
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def has_street(self) -> bool:
        """Whether the address names a street."""
        return bool(self.street_keys)


@lru_cache(maxsize=65536)
def key(text: str) -> str:
    """Return the comparison key of a name: folded, without spaces or punctuation."""
    return _KEY_DROP.sub("", fold(text))


def address_key(text: object) -> str:
    """Return the normalised form of a whole address, used to key caches and fixes.

    Parameters
    ----------
    text : object
        An address as typed.

    Returns
    -------
    str
        Folded words and numbers separated by single spaces (``"annankatu 29 b"``).
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return _SPACES.sub(" ", _KEY_DROP.sub(" ", fold(str(text)))).strip()


def is_chinese(text: str) -> bool:
    """Return whether ``text`` contains Chinese characters."""
    return bool(_CJK.search(text))


def parse_housenumber(text: object) -> tuple[HouseNumber | None, str]:
    """Parse a house number and the words after it.

    Parameters
    ----------
    text : object
        ``"13 A, 5. krs./Floor 5"``, ``"9-11"``, ``"36a"`` ...

    Returns
    -------
    (HouseNumber or None, str)
        The number (ranges ordered low-high) and the rest as a key (``"5krsfloor5"``).
    """
    if text is None or (isinstance(text, float) and text != text):
        return None, ""
    s = fold(str(text))
    m = _HOUSENUMBER.search(s)
    if not m:
        return None, key(s)
    number, letter, to = int(m.group(1)), m.group(2) or "", m.group(3)
    number_to = int(to) if to is not None else None
    if number_to is not None and number_to < number:
        number, number_to = number_to, number
    if number_to == number:
        number_to = None
    rest = key(s[: m.start()] + " " + s[m.end() :])
    return HouseNumber(number, letter, number_to), rest


def street_variants(words: list[str]) -> tuple[str, ...]:
    """Return the candidate keys of a street written as ``words`` (folded), best first.

    The first key is the street as written; others expand abbreviations (``st`` -> ``street``,
    ``uudenmaank.`` -> ``uudenmaankatu``). The matcher accepts any key found in the region.
    """
    words = [w for w in words if w.strip(".-'")]
    if not words:
        return ()
    keys: list[str] = []
    plain = _KEY_DROP.sub("", "".join(words))
    if plain:
        keys.append(plain)
    options: list[tuple[str, ...]] = []
    for i, word in enumerate(words):
        bare = word.strip(".")
        opts = [bare]
        if bare in WORD_ABBREVIATIONS and (i > 0 or len(words) == 1 or bare in ("st", "str")):
            opts = [*WORD_ABBREVIATIONS[bare], bare]
        elif i == len(words) - 1 and (word.endswith(".") or len(words) == 1):
            for short, full in SUFFIX_ABBREVIATIONS.items():
                if bare.endswith(short) and len(bare) > len(short) + 2 and not bare.endswith(full):
                    opts = [bare[: -len(short)] + full, bare]
                    break
        options.append(tuple(opts))
    expanded = _KEY_DROP.sub("", "".join(o[0] for o in options))
    if expanded and expanded not in keys:
        dotted = any(w.endswith(".") for w in words)
        keys.insert(0 if dotted else len(keys), expanded)
    for i, opts in enumerate(options):
        for alt in opts[1:]:
            variant = _KEY_DROP.sub(
                "", "".join((alt if j == i else o[0]) for j, o in enumerate(options))
            )
            if variant and variant not in keys:
                keys.append(variant)
    return tuple(keys)


def parse_address(
    text: object,
    *,
    cities: frozenset[str] = frozenset(),
    postcodes: frozenset[str] = frozenset(),
) -> ParsedAddress:
    """Split an address into street, house number, postcode, city and context.

    Handles street-first (``"Mannerheimintie 14 A, 00100 Helsinki"``) and number-first
    (``"12 Main St"``) forms, postcode and city in any order, ranges (``"6-10"``), letters
    (``"5 A"``), floor or building words, and Chinese addresses (``"南京东路100号"``).

    Parameters
    ----------
    text : object
        The address as typed.
    cities : frozenset of str
        Folded city names of the region (to tell a city from a street).
    postcodes : frozenset of str
        Postcodes of the region.

    Returns
    -------
    ParsedAddress
        The parts; ``street_keys`` is empty when no street was found.
    """
    raw = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    folded = fold(raw)
    if _CJK.search(folded):
        return _parse_chinese(raw, folded)
    s = _RANGE.sub(r"\1-\2", _KEEP.sub(" ", folded))
    comps = [c.split() for c in _COMPONENTS.split(s)]
    comps = [c for c in comps if any(t.strip(".-'/") for t in c)]
    used = [[False] * len(c) for c in comps]
    postcode = _take_postcode(comps, used, cities, postcodes)
    city = _take_city(comps, used, cities, postcode is not None)
    frees = [[t for j, t in enumerate(c) if not used[ci][j]] for ci, c in enumerate(comps)]
    street_words: list[str] = []
    house: HouseNumber | None = None
    context_parts: list[str] = []
    main = None
    for ci, free in enumerate(frees):
        if free:
            words, number, rest = _street_and_number(free)
            if words and number is not None:
                main, street_words, house = ci, words, number
                context_parts.extend(rest)
                break
    if main is None:
        for ci, free in enumerate(frees):
            words = [t for t in free if any(ch.isalpha() for ch in t)]
            if len(words) == 1 and len(words[0].strip(".")) < 2:
                continue
            if words:
                main, street_words = ci, words
                nxt = frees[ci + 1] if ci + 1 < len(frees) else []
                if nxt and _NUMBER.match(nxt[0]):
                    house, _ = parse_housenumber(
                        " ".join(nxt[:2]) if len(nxt) > 1 and len(nxt[1]) == 1 else nxt[0]
                    )
                    frees[ci + 1] = nxt[2:] if len(nxt) > 1 and len(nxt[1]) == 1 else nxt[1:]
                context_parts.extend(t for t in free if t not in words)
                break
    for ci, free in enumerate(frees):
        if ci != main:
            context_parts.extend(free)
    keys = street_variants(street_words)
    keys = _without_city_words(keys, street_words, cities)
    return ParsedAddress(
        text=raw,
        street_keys=keys,
        street=" ".join(street_words),
        house=house,
        postcode=postcode,
        city=city,
        context=key(" ".join(context_parts)),
    )


def _take_postcode(
    comps: list[list[str]],
    used: list[list[bool]],
    cities: frozenset[str],
    postcodes: frozenset[str],
) -> str | None:
    city_first = _first_words(cities)
    for ci, comp in enumerate(comps):
        for j, tok in enumerate(comp):
            if not tok[:1].isdigit() and not tok[:1].isalpha():
                continue
            m = _POSTCODE.match(tok.strip("."))
            if not m and not (tok in postcodes and tok.isdigit()):
                continue
            code = m.group(1) if m else tok
            nxt = comp[j + 1] if j + 1 < len(comp) else None
            prev = comp[j - 1] if j > 0 else None
            if (
                code in postcodes
                or nxt is None
                or nxt in city_first
                or (prev is not None and prev[0].isdigit())
            ):
                used[ci][j] = True
                return code
    return None


@lru_cache(maxsize=64)
def _first_words(cities: frozenset[str]) -> frozenset[str]:
    return frozenset(c.split()[0] for c in cities if c)


def _take_city(
    comps: list[list[str]], used: list[list[bool]], cities: frozenset[str], had_postcode: bool
) -> str | None:
    if not cities:
        return None
    found = None
    starts = _first_words(cities)
    for ci, comp in enumerate(comps):
        n = len(comp)
        if not any(t.strip(".") in starts for t in comp):
            continue
        for size in (3, 2, 1):
            for a in range(0, n - size + 1):
                b = a + size
                if any(used[ci][a:b]):
                    continue
                name = " ".join(comp[a:b]).strip(".")
                if name not in cities:
                    continue
                rest = [j for j in range(n) if not used[ci][j] and not a <= j < b]
                before_is_number = a > 0 and (used[ci][a - 1] or comp[a - 1][0].isdigit())
                after_is_code = b < n and used[ci][b]
                if not rest or (b == n and before_is_number) or (a == 0 and after_is_code):
                    for j in range(a, b):
                        used[ci][j] = True
                    found = found or name
    return found


def _street_and_number(tokens: list[str]) -> tuple[list[str], HouseNumber | None, list[str]]:
    numbers = [i for i, t in enumerate(tokens) if _NUMBER.match(t.strip("."))]
    has_word = [any(ch.isalpha() for ch in t) for t in tokens]
    if not numbers:
        return [t for t, w in zip(tokens, has_word, strict=True) if w], None, []
    i = numbers[0]
    if i == 0:
        # number first ("12 Main St", "12 b Main St"); a floor ("5. krs") is not a house number
        start = 2 if len(tokens) > 2 and len(tokens[1]) == 1 and tokens[1].isalpha() else 1
        j = start
        words = []
        while j < len(tokens) and not _NUMBER.match(tokens[j].strip(".")):
            words.append(tokens[j])
            j += 1
        if not words or tokens[0].endswith(".") or (len(words) == 1 and len(words[0]) < 2):
            return [], None, tokens
        hn, _ = parse_housenumber(" ".join(tokens[:start]))
        return words, hn, tokens[j:]
    words = tokens[:i]
    j = i + 1
    number_text = tokens[i]
    if j < len(tokens) and len(tokens[j].strip(".")) == 1 and tokens[j][0].isalpha():
        number_text += tokens[j].strip(".")
        j += 1
    hn, rest = parse_housenumber(number_text)
    return words, hn, tokens[j:] + ([rest] if rest else [])


def _without_city_words(
    keys: tuple[str, ...], words: list[str], cities: frozenset[str]
) -> tuple[str, ...]:
    if len(words) < 2 or not cities:
        return keys
    extra: list[str] = []
    for size in (1, 2, 3):
        if size < len(words) and " ".join(words[:size]) in cities:
            extra.extend(street_variants(words[size:]))
        if size < len(words) and " ".join(words[-size:]) in cities:
            extra.extend(street_variants(words[:-size]))
    return keys + tuple(k for k in extra if k not in keys)


def _parse_chinese(raw: str, folded: str) -> ParsedAddress:
    s = _SPACES.sub("", folded).strip(",;")
    m = _CHINESE_NUMBER.search(s)
    house = None
    before = s
    after = ""
    if m:
        low, high = int(m.group(1)), m.group(2)
        house = HouseNumber(low, "", int(high) if high and int(high) != low else None)
        before, after = s[: m.start()], s[m.end() :]
    before = before.strip(",;-")
    candidates: list[str] = []
    stripped = _CHINESE_ADMIN.sub("", before) if CHINESE_ROAD.search(before) else ""
    road_end = list(CHINESE_ROAD.finditer(before))
    for text in (stripped, before):
        if text:
            candidates.append(text)
    if road_end:
        # drop words after the road name ("南京东路步行街" keeps both; "xx路口" keeps "xx路")
        last = road_end[-1]
        candidates.append(before[: last.end()])
        if stripped:
            cut = list(CHINESE_ROAD.finditer(stripped))
            candidates.append(stripped[: cut[-1].end()])
    keys: list[str] = []
    for c in candidates:
        k = _KEY_DROP.sub("", c)
        if k and k not in keys:
            keys.append(k)
    names_street = bool(road_end) or house is not None
    street = stripped or before
    return ParsedAddress(
        text=raw,
        street_keys=tuple(keys) if names_street else (),
        street=street if names_street else "",
        house=house,
        context=key(after),
        chinese=True,
        extras={"area": before},
    )
