"""A plain verdict per site (open, open if, do not open) with its reasons, and IRS read in context."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

VerdictCode = Literal["open", "open_if", "do_not_open"]
VERDICT_LABELS: dict[str, tuple[str, str]] = {
    "open": ("Open", "建议开店"),
    "open_if": ("Open if the conditions are met", "满足条件后开店"),
    "do_not_open": ("Do not open", "不建议开店"),
}
# Defaults of :func:`site_verdict`. ASSUMPTIONS, documented in docs/report.md: rules of thumb to
# override with the operator's own, not figures from DOMAIN.md.
TIGHT_HEADROOM = 0.10  # rent within 10 % of the capacity: carried, only just
SATURATED_BELOW = 0.25  # more saturated than 75 % of the reference: no room
CROWDED_BELOW = 0.50  # more saturated than half of the reference: room to be won
MAX_CANNIBALISATION = 0.30  # a third of its sales from own stores: it mostly moves sales
WATCH_CANNIBALISATION = 0.15
BLOCKING_TABOOS = 2  # two taboos found: do not open; one: open if it can be remedied

_REFERENCES: dict[str, tuple[str, str]] = {
    "region": ("the region's populated cells", "本区域有人口的网格"),
    "sites": ("the other sites", "其他店址"),
}


def _number(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


@dataclass(frozen=True)
class IrsReference:
    """Where a site's IRS falls in a reference distribution (higher IRS = less saturated).

    Attributes
    ----------
    value : float
        The site's IRS (``inf``: no competing floor area).
    below : float
        Share of the reference that is more saturated (lower IRS) than the site: its
        percentile, 0–1 (NaN when the IRS or the reference is missing).
    above : float
        Share of the reference that is less saturated (higher IRS).
    n : int
        Number of reference values used.
    against : str
        ``region`` (the region's saturation surface) or ``sites`` (the project's other sites).
    label_en, label_zh : str
        The reading in words, e.g. "less saturated than 80 % of the region's populated cells".
    """

    value: float
    below: float
    above: float
    n: int
    against: str
    label_en: str
    label_zh: str

    @property
    def percentile(self) -> float:
        """The site's percentile in the reference, 0–1 (1 = least saturated)."""
        return self.below


def irs_reference(
    value: float, reference: Sequence[float] | np.ndarray, *, against: str = "region"
) -> IrsReference:
    """Return where an IRS falls among reference values, in numbers and in plain words.

    ``below`` = share of reference values strictly lower than ``value`` (more saturated
    places), ``above`` = share strictly higher. The label says whichever is larger: "less
    saturated than 80 % of the region's populated cells" (比本区域 80 % 的有人口网格更不饱和),
    or "more saturated than …". Against the other sites the label counts them ("less saturated
    than 2 of the 3 other sites"). An infinite IRS (no competing floor area) is above every
    finite value and equal to other infinite ones.

    Parameters
    ----------
    value : float
        The site's IRS (the same period and category as the reference).
    reference : array-like of float
        The reference IRS values: for ``region``, the saturation surface's populated cells
        (:func:`tradearea.saturation.saturation_surface`, rows whose status is not
        ``no_households``, with ``inf`` for ``no_competition`` cells); for ``sites``, the
        other sites' IRS (not the site itself). NaN values are ignored.
    against : {'region', 'sites'}
        What the reference is, for the wording.

    Returns
    -------
    IrsReference
        Percentile and labels; ``below`` is NaN (and the label says why) when ``value`` is
        missing or no reference value is left.

    Raises
    ------
    ValueError
        For an unknown ``against``.

    Examples
    --------
    >>> irs_reference(62.4, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]).label_en
    "less saturated than 60 % of the region's populated cells"
    """
    if against not in _REFERENCES:
        msg = f"against must be one of {', '.join(_REFERENCES)}, not {against!r}"
        raise ValueError(msg)
    what_en, what_zh = _REFERENCES[against]
    ref = np.asarray(reference, dtype=float).ravel()
    ref = ref[~np.isnan(ref)]
    v = float(value) if value is not None else math.nan
    if math.isnan(v) or not len(ref):
        why = ("IRS not known", "饱和指数未知") if math.isnan(v) else ("no reference", "无参照")
        return IrsReference(
            v, math.nan, math.nan, len(ref), against,
            f"{why[0]}: not compared with {what_en}", f"{why[1]}：未与{what_zh}比较",
        )  # fmt: skip
    below = float(np.mean(ref < v))
    above = float(np.mean(ref > v))
    n = len(ref)
    if below == 0 and above == 0:
        en, zh = f"as saturated as {what_en}", f"与{what_zh}饱和度相同"
    elif against == "sites":
        k_below, k_above = int(np.sum(ref < v)), int(np.sum(ref > v))
        less = k_below >= k_above
        k = k_below if less else k_above
        word, word_zh = ("less", "更不饱和") if less else ("more", "更饱和")
        of = "the other site" if n == 1 else f"{k} of the {n} other sites"
        en = f"{word} saturated than {of}"
        zh = f"比另一店址{word_zh}" if n == 1 else f"比其他 {n} 个店址中的 {k} 个{word_zh}"
    elif below == 1 or above == 1:
        word, word_zh = ("less", "更不饱和") if below == 1 else ("more", "更饱和")
        en, zh = f"{word} saturated than all of {what_en}", f"比{what_zh}都{word_zh}"
    elif below >= above:
        en = f"less saturated than {_pct(below)} of {what_en}"
        zh = f"比{what_zh}中的 {_pct(below)} 更不饱和"
    else:
        en = f"more saturated than {_pct(above)} of {what_en}"
        zh = f"比{what_zh}中的 {_pct(above)} 更饱和"
    if math.isinf(v) and v > 0:
        en, zh = f"no competing floor area: {en}", f"无竞争营业面积：{zh}"
    return IrsReference(v, below, above, n, against, en, zh)


@dataclass(frozen=True)
class Verdict:
    """A plain verdict on a site, with the reasons behind it.

    Attributes
    ----------
    code : {'open', 'open_if', 'do_not_open'}
        The verdict.
    label_en, label_zh : str
        The verdict in words.
    reasons : list of (str, str)
        English and Chinese reasons: those that block first, then the conditions, then what
        speaks for the site.
    checks : dict of str to str
        Outcome per check (``rent``, ``saturation``, ``cannibalisation``, ``taboos``):
        ``block``, ``condition`` or ``ok``.
    details : list of (str, str, str, str)
        (check, outcome, English reason, Chinese reason), in the order of ``reasons``.
    """

    code: VerdictCode
    label_en: str
    label_zh: str
    reasons: list[tuple[str, str]] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)
    details: list[tuple[str, str, str, str]] = field(default_factory=list)

    def label(self, lang: str = "en") -> str:
        """The verdict in English (``en``) or Chinese (``zh``)."""
        return self.label_zh if lang == "zh" else self.label_en

    def table(self) -> pd.DataFrame:
        """The verdict's reasons as a table: verdict, check, outcome, reason, reason_zh."""
        outcomes = {"block": "blocks", "condition": "condition", "ok": "speaks for it"}
        return pd.DataFrame(
            [
                {"verdict": self.label_en, "check": check, "outcome": outcomes[outcome],
                 "reason": en, "reason_zh": zh}
                for check, outcome, en, zh in self.details
            ],
            columns=["verdict", "check", "outcome", "reason", "reason_zh"],
        )  # fmt: skip

    def text(self, lang: str = "en") -> str:
        """The verdict and its reasons in one line."""
        i = 1 if lang == "zh" else 0
        sep = "；" if lang == "zh" else "; "
        colon = "：" if lang == "zh" else ": "
        return self.label(lang) + colon + sep.join(r[i] for r in self.reasons)


def site_verdict(
    factors: Mapping[str, Any],
    *,
    irs: IrsReference | float | None = None,
    currency: str = "",
    taboos_found: Sequence[tuple[str, str]] = (),
    tight_headroom: float = TIGHT_HEADROOM,
    saturated_below: float = SATURATED_BELOW,
    crowded_below: float = CROWDED_BELOW,
    max_cannibalisation: float = MAX_CANNIBALISATION,
    watch_cannibalisation: float = WATCH_CANNIBALISATION,
    blocking_taboos: int = BLOCKING_TABOOS,
) -> Verdict:
    """Say whether to open a site at the tested rent, and why.

    Four checks, each ``block``, ``condition`` or ``ok``; any block gives ``do_not_open``,
    else any condition gives ``open_if``, else ``open``. A figure that is not known is a
    condition (check it before opening), never a pass.

    - **Rent** (the tenant's side): block when the tested rent is above the rent capacity;
      condition when the headroom ``1 − rent / capacity`` is below ``tight_headroom``.
    - **Saturation**: the IRS percentile (:func:`irs_reference`); block below
      ``saturated_below``, condition below ``crowded_below``.
    - **Cannibalisation**: the share of the site's sales taken from own stores; block above
      ``max_cannibalisation``, condition above ``watch_cannibalisation``.
    - **Taboos**: block at ``blocking_taboos`` or more found; condition for fewer found, or for
      items still to check on site.

    Parameters
    ----------
    factors : mapping
        ``rent_capacity`` and ``scenario_rent`` (money per m² per month; or ``rent_headroom``
        and ``rent_to_capacity``), ``cannibalisation_share`` (0–1), ``taboos`` (count found),
        ``unchecked`` (count to check on site); optionally ``irs_percentile`` (0–1) when
        ``irs`` is not given. Missing keys are unknown figures.
    irs : IrsReference or float, optional
        The site's IRS read against a reference, or its percentile (0–1).
    currency : str
        Currency code for the rent in the reasons.
    taboos_found : sequence of (str, str)
        English and Chinese names of the taboos found, for the reason.
    tight_headroom, saturated_below, crowded_below : float
        Thresholds of the rent and saturation checks (see above; shares 0–1).
    max_cannibalisation, watch_cannibalisation : float
        Thresholds of the cannibalisation check (shares 0–1).
    blocking_taboos : int
        Taboos found from which the site is not opened.

    Returns
    -------
    Verdict
        Code, labels, reasons (English, Chinese) and the outcome of each check.

    Raises
    ------
    ValueError
        When a threshold is out of range or the pairs are in the wrong order.
    """
    for name, share in (
        ("tight_headroom", tight_headroom), ("saturated_below", saturated_below),
        ("crowded_below", crowded_below), ("max_cannibalisation", max_cannibalisation),
        ("watch_cannibalisation", watch_cannibalisation),
    ):  # fmt: skip
        if not 0 <= share <= 1:
            msg = f"{name} must be a share between 0 and 1, not {share!r}"
            raise ValueError(msg)
    if saturated_below > crowded_below or watch_cannibalisation > max_cannibalisation:
        msg = (
            "saturated_below must not exceed crowded_below, nor watch_cannibalisation "
            "max_cannibalisation"
        )
        raise ValueError(msg)
    if blocking_taboos < 1:
        msg = f"blocking_taboos must be at least 1, not {blocking_taboos!r}"
        raise ValueError(msg)
    found: dict[str, list[tuple[str, str, str, str]]] = {"block": [], "condition": [], "ok": []}
    checks: dict[str, str] = {}
    for check, (outcome, (en, zh)) in (
        ("rent", _rent(factors, currency, tight_headroom)),
        ("saturation", _saturation(factors, irs, saturated_below, crowded_below)),
        ("cannibalisation", _cannibalisation(factors, max_cannibalisation, watch_cannibalisation)),
        ("taboos", _taboos(factors, taboos_found, blocking_taboos)),
    ):
        checks[check] = outcome
        found[outcome].append((check, outcome, en, zh))
    code: VerdictCode = (
        "do_not_open" if found["block"] else "open_if" if found["condition"] else "open"
    )
    details = found["block"] + found["condition"] + found["ok"]
    label_en, label_zh = VERDICT_LABELS[code]
    reasons = [(en, zh) for _, _, en, zh in details]
    return Verdict(code, label_en, label_zh, reasons, checks, details)


def _rent(factors: Mapping[str, Any], currency: str, tight: float) -> tuple[str, tuple[str, str]]:
    capacity = _number(factors.get("rent_capacity"))
    rent = _number(factors.get("scenario_rent"))
    ratio = _number(factors.get("rent_to_capacity"))
    if math.isnan(ratio) and capacity > 0 and not math.isnan(rent):
        ratio = rent / capacity
    headroom = _number(factors.get("rent_headroom"))
    if math.isnan(headroom) and not (math.isnan(capacity) or math.isnan(rent)):
        headroom = capacity - rent
    unit = f" {currency}/m²/month".replace("  ", " ") if currency else "/m²/month"
    unit_zh = f" {currency}/m²/月".replace("  ", " ") if currency else "/m²/月"
    if math.isnan(ratio) and math.isnan(headroom):
        return "condition", (
            "rent not checked against the trade area's sales (no rent capacity): "
            "open only once it is",
            "租金未与商圈销售额核对（无租金承受力）：核对后方可开店",
        )
    if math.isnan(ratio):
        ratio = 1.0 if headroom == 0 else (0.0 if headroom > 0 else math.inf)
    known = not (math.isnan(rent) or math.isnan(capacity))
    amounts = f": {rent:,.2f} tested against {capacity:,.2f}{unit} carried" if known else ""
    amounts_zh = f"：测试 {rent:,.2f}，可承受 {capacity:,.2f}{unit_zh}" if known else ""
    if ratio > 1:
        over = "" if math.isinf(ratio) else f" ({_pct(ratio - 1)} over)"
        over_zh = "" if math.isinf(ratio) else f"（超出 {_pct(ratio - 1)}）"
        return "block", (
            f"does not carry the rent{amounts}{over}",
            f"商圈销售额承受不了该租金{amounts_zh}{over_zh}",
        )
    room = 1.0 - ratio
    if room < tight:
        target = f" at or below {capacity * (1 - tight):,.2f}{unit}" if known else ""
        target_zh = f"不高于 {capacity * (1 - tight):,.2f}{unit_zh}" if known else "更低水平"
        return "condition", (
            f"carries the rent only just{amounts} ({_pct(room)} headroom); open if the rent is "
            f"agreed{target} ({_pct(tight)} under the capacity)",
            f"勉强承受租金{amounts_zh}（余量 {_pct(room)}）；租金谈定在{target_zh}"
            f"（低于承受力 {_pct(tight)}）方可开店",
        )
    return "ok", (
        f"carries the rent{amounts} ({_pct(room)} headroom)",
        f"可承受租金{amounts_zh}（余量 {_pct(room)}）",
    )


def _saturation(
    factors: Mapping[str, Any], irs: IrsReference | float | None, saturated: float, crowded: float
) -> tuple[str, tuple[str, str]]:
    if isinstance(irs, IrsReference):
        share, en, zh = irs.below, irs.label_en, irs.label_zh
    else:
        share = _number(irs if irs is not None else factors.get("irs_percentile"))
        en = f"less saturated than {_pct(share)} of the reference" if share == share else ""
        zh = f"比参照中的 {_pct(share)} 更不饱和" if share == share else ""
    if math.isnan(share):
        return "condition", (
            "saturation not compared with a reference (IRS or reference missing): check the "
            "competition before opening",
            "饱和度未与参照比较（缺饱和指数或参照）：开店前核查竞争情况",
        )
    if share < saturated:
        return "block", (f"saturated: IRS {en}", f"市场饱和：饱和指数{zh}")
    if share < crowded:
        return "condition", (
            f"crowded: IRS {en}; open if the site can win sales from its competitors",
            f"竞争较密：饱和指数{zh}；须能从竞争店争取销售额方可开店",
        )
    return "ok", (f"room for a store: IRS {en}", f"有开店空间：饱和指数{zh}")


def _cannibalisation(
    factors: Mapping[str, Any], limit: float, watch: float
) -> tuple[str, tuple[str, str]]:
    share = _number(factors.get("cannibalisation_share"))
    if math.isnan(share):
        return "condition", (
            "cannibalisation not known (no sales forecast): check the own stores nearby",
            "蚕食率未知（无销售预测）：须核查附近自有门店",
        )
    if share > limit:
        return "block", (
            f"cannibalises: {_pct(share)} of its sales come from own stores (limit {_pct(limit)})",
            f"蚕食自有门店：{_pct(share)} 的销售额来自自有门店（上限 {_pct(limit)}）",
        )
    if share > watch:
        return "condition", (
            f"takes {_pct(share)} of its sales from own stores: open if the network gains overall",
            f"{_pct(share)} 的销售额来自自有门店：整体网络增益时方可开店",
        )
    return "ok", (
        f"takes {_pct(share)} of its sales from own stores",
        f"仅 {_pct(share)} 的销售额来自自有门店",
    )


def _taboos(
    factors: Mapping[str, Any], names: Sequence[tuple[str, str]], blocking: int
) -> tuple[str, tuple[str, str]]:
    found = _number(factors.get("taboos"))
    unchecked = _number(factors.get("unchecked"))
    which_en = f" ({', '.join(n[0] for n in names)})" if names else ""
    which_zh = f"（{'、'.join(n[1] for n in names)}）" if names else ""
    if math.isnan(found):
        return "condition", (
            "taboo checklist not run: check the site before opening",
            "未做选址禁忌检查：开店前须现场核查",
        )
    n, m = int(found), 0 if math.isnan(unchecked) else int(unchecked)
    to_check = f"; {m} item{'s' if m != 1 else ''} to check on site" if m else ""
    to_check_zh = f"；{m} 项待现场核查" if m else ""
    if n >= blocking:
        return "block", (
            f"{n} site taboos found{which_en}{to_check}",
            f"发现 {n} 项选址禁忌{which_zh}{to_check_zh}",
        )
    if n:
        return "condition", (
            f"{n} site taboo{'s' if n != 1 else ''} found{which_en}: open if "
            f"{'it' if n == 1 else 'they'} can be remedied{to_check}",
            f"发现 {n} 项选址禁忌{which_zh}：须能整改方可开店{to_check_zh}",
        )
    if m:
        return "condition", (
            f"no taboo found so far: open if the {m} item{'s' if m != 1 else ''} to check on "
            "site pass",
            f"暂未发现选址禁忌：{m} 项待现场核查通过后方可开店",
        )
    return "ok", ("no site taboo found, every item checked", "无选址禁忌，各项均已核查")
