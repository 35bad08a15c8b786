"""Survey column names (English and Chinese synonyms) and cell values (frequencies, amounts)."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from tradearea._core.text import fold
from tradearea.io.tables import SynonymTable

# Canonical column -> header synonyms (matched after folding case, spaces and punctuation).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "respondent_id": (
        "respondent_id",
        "respondent",
        "respondent id",
        "resp id",
        "questionnaire no",
        "questionnaire id",
        "questionnaire",
        "survey id",
        "id",
        "no",
        "编号",
        "问卷编号",
        "受访者编号",
        "序号",
        "样本编号",
        "问卷号",
    ),
    "customer_id": ("customer_id", "customer id", "customer", "client id", "客户编号", "客户号"),
    "survey_date": (
        "survey_date",
        "survey date",
        "date",
        "interview date",
        "日期",
        "调查日期",
        "访问日期",
        "填写日期",
    ),
    "address": (
        "address",
        "home address",
        "street address",
        "residential address",
        "addr",
        "full address",
        "地址",
        "住址",
        "家庭住址",
        "居住地址",
        "家庭地址",
        "现住址",
        "详细地址",
        "osoite",
        "kotiosoite",
        "adresse",
        "dirección",
        "direccion",
    ),
    "street": ("street", "street name", "road", "街道", "道路", "katu", "katuosoite"),
    "housenumber": ("housenumber", "house number", "house no", "number", "门牌号", "门牌"),
    "postcode": (
        "postcode",
        "post code",
        "postal code",
        "zip",
        "zip code",
        "zipcode",
        "邮编",
        "邮政编码",
        "postinumero",
    ),
    "city": ("city", "town", "城市", "所在城市", "kaupunki", "ort"),
    "district": ("district", "区", "区县", "行政区", "所在区"),
    "visits_per_month": (
        "visits_per_month",
        "visits",
        "visits per month",
        "monthly visits",
        "visit frequency",
        "frequency",
        "visits month",
        "来店频率",
        "来店次数",
        "每月来店次数",
        "来店频率次月",
        "月来店次数",
        "光顾次数",
        "来店频度",
        "来店频率每月",
    ),
    "visits_per_week": (
        "visits_per_week",
        "visits per week",
        "weekly visits",
        "visits week",
        "每周来店次数",
        "来店频率次周",
        "周来店次数",
        "来店频率每周",
    ),
    "spend_per_visit": (
        "spend_per_visit",
        "spend",
        "spend per visit",
        "amount",
        "basket",
        "average spend",
        "purchase amount",
        "spending",
        "消费金额",
        "每次消费金额",
        "每次消费",
        "客单价",
        "消费额",
        "单次消费",
    ),
    "large_store_visits_per_month": (
        "large_store_visits_per_month",
        "large store visits",
        "large store use",
        "large store visits per month",
        "大型店利用频度",
        "大型店利用频率",
        "大型店来店次数",
        "大型店利用频度次月",
    ),
    "lat": ("lat", "latitude", "y", "纬度", "wgs84 lat", "lat wgs84"),
    "lon": ("lon", "lng", "long", "longitude", "x", "经度", "wgs84 lon", "lon wgs84"),
    "household_size": (
        "household_size",
        "household size",
        "household",
        "hh size",
        "persons",
        "家庭人数",
        "家庭人口",
        "户人数",
        "家庭规模",
    ),
    "age_group": ("age_group", "age", "age group", "年龄", "年龄段", "年龄组"),
    "gender": ("gender", "sex", "性别"),
    "income_band": (
        "income_band",
        "income",
        "household income",
        "income band",
        "收入",
        "家庭收入",
        "月收入",
        "家庭月收入",
    ),
    "travel_mode": (
        "travel_mode",
        "travel mode",
        "mode",
        "transport",
        "交通方式",
        "出行方式",
        "来店方式",
    ),
    "member_id": (
        "member_id",
        "member id",
        "membership",
        "loyalty id",
        "member",
        "会员号",
        "会员卡号",
        "会员编号",
    ),
}
_COMPETITOR = r"(?:competitor|competitorstore|otherstore|竞争店|竞争对手|竞争商店|其他商店)"
_COMPETITOR_NAME = re.compile(rf"^{_COMPETITOR}(\d{{1,2}})(?:name|名称|店名)?$")
_COMPETITOR_MONTH = re.compile(
    rf"^{_COMPETITOR}(\d{{1,2}})(?:visitspermonth|visits|frequency|freq|利用频度|利用频率|"
    r"来店次数|频率|次数|频度)(?:次月|permonth|每月)?$"
)
_COMPETITOR_WEEK = re.compile(
    rf"^{_COMPETITOR}(\d{{1,2}})(?:visitsperweek|visits次周|利用频度次周|利用频率次周|每周次数)$"
)
_CANONICAL_COMPETITOR = re.compile(r"^competitor_\d{1,2}(_visits_per_(month|week))?$")


def _competitor_column(key: str) -> str | None:
    """``competitor_N``, ``competitor_N_visits_per_month`` ... for a header key, or None."""
    for pattern, suffix in (
        (_COMPETITOR_NAME, ""),
        (_COMPETITOR_MONTH, "_visits_per_month"),
        (_COMPETITOR_WEEK, "_visits_per_week"),
    ):
        m = pattern.match(key)
        if m:
            return f"competitor_{int(m.group(1))}{suffix}"
    return None


# The survey's columns for the one header-mapping engine (tradearea.io.tables.map_headers).
SURVEY_COLUMNS = SynonymTable(SYNONYMS, patterns=(_competitor_column,))

FREQUENCY_COLUMNS = ("visits_per_month", "visits_per_week", "large_store_visits_per_month")
WEEKS_PER_MONTH = 52 / 12
DAYS_PER_MONTH = 365 / 12


def canonical_name(header: str) -> str | None:
    """Return the canonical survey column a header stands for, or None.

    Parameters
    ----------
    header : str
        A column header (``"住址"``, ``"Visits (per week)"``, ``"address / 住址"``, ...).

    Returns
    -------
    str or None
        ``address``, ``visits_per_month``, ``competitor_2_visits_per_month`` ...
    """
    return SURVEY_COLUMNS.match(header)


def is_canonical(name: str) -> bool:
    """Whether ``name`` is a canonical survey column (including ``competitor_N...``)."""
    return name in SYNONYMS or bool(_CANONICAL_COMPETITOR.match(str(name)))


# ---- values ----------------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "半": 0.5,
}
_UNIT_WORDS = (
    ("week", re.compile(r"week|wk|\bw\b|/w|周|星期|礼拜|viikko|vko")),
    ("day", re.compile(r"\bday|daily|\bd\b|/d|天|每日|päivä")),
    ("year", re.compile(r"year|\byr|annual|/y|年|vuosi")),
    ("month", re.compile(r"month|\bmo\b|/m|月|kk|kuukausi")),
)
_PER_MONTH = {"month": 1.0, "week": WEEKS_PER_MONTH, "day": DAYS_PER_MONTH, "year": 1 / 12}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_CURRENCY = re.compile(r"[¥￥€$£]|元|rmb|cny|eur|usd|gbp|kr\b|yuan|euro", re.IGNORECASE)


def _decimal(token: str) -> float:
    """``"1,5"`` is 1.5 but ``"1,234"`` is 1234 (a comma before exactly three digits)."""
    head, sep, tail = token.partition(",")
    if sep and len(tail) == 3:
        return float(head + tail)
    return float(token.replace(",", "."))


def _number(text: str) -> float | None:
    nums = [_decimal(n) for n in _NUMBER.findall(text)]
    if not nums:
        for word, count in (("once", 1.0), ("twice", 2.0), ("thrice", 3.0)):
            if word in text:
                return count
        digits = [_CN_DIGITS[c] for c in text if c in _CN_DIGITS]
        if not digits:
            return None
        if len(digits) == 2 and digits[0] == 10:  # 十二 = 12
            return 10 + digits[1]
        if len(digits) == 2 and digits[1] == 10:  # 二十 = 20
            return digits[0] * 10
        return float(digits[0])
    if len(nums) >= 2 and re.search(r"\d\s*(?:-|–|~|至|到|to)\s*\d", text):
        return (nums[0] + nums[1]) / 2  # a range "2-3"
    return nums[0]


def parse_frequency(value: Any, *, unit: str = "month") -> tuple[float, str]:
    """Read a visit frequency and return it per month, with a note on what was done.

    ``"6"`` in a per-month column is 6; ``"2/week"``, ``"每周2次"``, ``"2次/周"`` are 8.67 per
    month; ``"daily"`` is 30.4; ``"2-3"`` is 2.5.

    Parameters
    ----------
    value : Any
        The cell.
    unit : str
        The column's unit: ``month``, ``week`` or ``day``.

    Returns
    -------
    (float, str)
        Visits per month (NaN when empty or unreadable) and a note ('' when nothing to say).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan, ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number, said = float(value), unit
    else:
        text = fold(str(value))
        if not text or text in ("nan", "-", "n/a", "na"):
            return math.nan, ""
        said = next((name for name, pat in _UNIT_WORDS if pat.search(text)), unit)
        number = _number(text)
        if number is not None and re.match(r"^\s*-\s*\d", text):
            number = -number
        if number is None:
            if said != unit or any(w in text for w in ("weekly", "daily", "monthly", "每")):
                number = 1.0
            else:
                return math.nan, f"'{value}' unreadable: left empty"
    if number < 0:
        return math.nan, f"'{value}' is negative: left empty"
    per_month = number * _PER_MONTH[said]
    note = ""
    if said != unit:
        note = f"'{value}' read as {number:g} per {said} = {per_month:.2f} per month"
    elif isinstance(value, str) and value.strip() != f"{number:g}" and not _plain(value):
        note = f"'{value}' read as {number:g}"
    return per_month, note


def _plain(text: str) -> bool:
    try:
        float(text.strip().replace(",", "."))
    except ValueError:
        return False
    return True


def parse_amount(value: Any) -> tuple[float, str]:
    """Read an amount of money (``"¥25.5"``, ``"25,50 €"``, ``"1 234,50"``, ``"30元"``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan, ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), ""
    text = _CURRENCY.sub("", str(value)).strip().replace("\u00a0", "").replace(" ", "")
    if not text or text.lower() in ("nan", "-", "n/a", "na"):
        return math.nan, ""
    if "," in text and "." in text:
        text = (
            text.replace(",", "")
            if text.rfind(".") > text.rfind(",")
            else text.replace(".", "").replace(",", ".")
        )
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = head.replace(",", "") + ("." if len(tail) != 3 else "") + tail
    m = re.fullmatch(r"\d+(?:\.\d+)?", text)
    if m:
        return float(text), ""
    got = _number(text)
    if got is None:
        return math.nan, f"'{value}' unreadable: left empty"
    return got, f"'{value}' read as {got:g}"


def normalise_values(
    frame: pd.DataFrame, mapping: dict[str, str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Build the survey table: canonical columns with converted values, then the others.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    mapping : dict
        Canonical name -> column.

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray)
        The table and a per-row note on converted or emptied values.
    """
    n = len(frame)
    notes: list[list[str]] = [[] for _ in range(n)]
    out: dict[str, Any] = {}
    order = list(SYNONYMS) + sorted(
        (c for c in mapping if c.startswith("competitor_")), key=_competitor_order
    )
    for canon in order:
        if canon in mapping:
            out[canon] = frame[mapping[canon]].tolist()
    if "address" not in out and "street" in out:
        out["address"] = [_compose(out, i) for i in range(n)]
    for canon in list(out):
        if canon in FREQUENCY_COLUMNS or canon.endswith(("_visits_per_month", "_visits_per_week")):
            unit = "week" if canon.endswith("_per_week") else "month"
            out[canon] = _convert(
                out[canon], canon, notes, lambda v, u=unit: parse_frequency(v, unit=u)
            )
        elif canon in ("spend_per_visit", "household_size"):
            out[canon] = _convert(out[canon], canon, notes, parse_amount)
    for week, month in _week_columns(out):
        weekly = np.asarray(out[week], dtype=float)  # already converted to per month
        if month in out:
            del out[week]
            base = np.asarray(out[month], dtype=float)
            out[month] = np.where(np.isnan(base), weekly, base)
        else:  # the monthly column takes the weekly column's place
            out = {(month if k == week else k): v for k, v in out.items()}
            out[month] = weekly
    survey = pd.DataFrame(out, index=frame.index) if out else pd.DataFrame(index=frame.index)
    used = set(mapping.values())
    for col in frame.columns:
        if col not in used and col not in survey.columns:
            survey[col] = frame[col]
    return survey.reset_index(drop=True), np.array(["; ".join(x) for x in notes], dtype=object)


def _competitor_order(name: str) -> tuple[int, int]:
    m = re.match(r"competitor_(\d+)(.*)", name)
    return (int(m.group(1)), len(m.group(2))) if m else (0, 0)


def _week_columns(out: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (c, c.replace("_per_week", "_per_month"))
        for c in list(out)
        if c.endswith("_visits_per_week") or c == "visits_per_week"
    ]


def _convert(values: list[Any], canon: str, notes: list[list[str]], parse: Any) -> list[float]:
    result = []
    for i, v in enumerate(values):
        number, note = parse(v)
        result.append(number)
        if note:
            notes[i].append(f"{canon}: {note}")
    return result


def _compose(out: dict[str, Any], i: int) -> str:
    def cell(name: str) -> str:
        v = out.get(name, [""] * (i + 1))[i]
        return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()

    head = " ".join(x for x in (cell("street"), cell("housenumber")) if x)
    tail = " ".join(x for x in (cell("postcode"), cell("city")) if x)
    return f"{head}, {tail}" if head and tail else head or tail
