"""The names and colours of the trade-area tiers, shared by maps, charts, tables and reports."""

from __future__ import annotations

TIER_NAMES: dict[int, str] = {1: "primary", 2: "secondary", 3: "tertiary"}
TIER_NAMES_ZH: dict[int, str] = {1: "第一商圈", 2: "第二商圈", 3: "第三商圈"}
TIER_COLOURS: dict[int, str] = {1: "#c0392b", 2: "#e67e22", 3: "#f1c40f"}
# A customer's place relative to the tiers: tier 0 is outside every tier; a customer without
# coordinates has no tier at all.
OUTSIDE = 0
OUTSIDE_NAME, OUTSIDE_NAME_ZH = "outside", "商圈外"
NO_LOCATION_NAME, NO_LOCATION_NAME_ZH = "no location", "无位置"
TIER_LABELS: dict[int, str] = {**TIER_NAMES, OUTSIDE: OUTSIDE_NAME}
TIER_LABELS_ZH: dict[int, str] = {**TIER_NAMES_ZH, OUTSIDE: OUTSIDE_NAME_ZH}
# The order of tier labels in tables: the tiers outward, then outside, then no location.
TIER_ORDER: tuple[str, ...] = (*TIER_NAMES.values(), OUTSIDE_NAME, NO_LOCATION_NAME)


def tier_name(tier: int, *, chinese: bool = False) -> str:
    """Return the trade's name of tier ``tier`` (1 primary / 第一商圈, ...).

    Parameters
    ----------
    tier : int
        1, 2 or 3 (other numbers get a generic name).
    chinese : bool
        The Chinese name.

    Returns
    -------
    str
        The name.
    """
    tier = int(tier)
    if chinese:
        return TIER_NAMES_ZH.get(tier, f"第{tier}商圈")
    return TIER_NAMES.get(tier, f"tier {tier}")
