"""Trade areas: share-threshold and penetration tiers, rings and drive/walk time areas."""

from __future__ import annotations

from tradearea.errors import InputError
from tradearea.tiers import TIER_NAMES, tier_name
from tradearea.tradeareas._base import (
    NOT_PLACED,
    OUTLIER,
    TradeAreaResult,
    parse_thresholds,
)
from tradearea.tradeareas.households import households_in
from tradearea.tradeareas.overlap import footprints, overlap_report
from tradearea.tradeareas.penetration import h3_cells, trade_areas_by_penetration
from tradearea.tradeareas.presets import (
    DEFAULT_PENETRATION_THRESHOLDS,
    DEFAULT_RING_RADII_M,
    DEFAULT_SHARE_THRESHOLDS,
    DEFAULT_TIME_MINUTES,
    RING_PRESETS,
    RING_PRESETS_ZH,
    SHARE_PRESETS,
    ring_presets,
)
from tradearea.tradeareas.rings import trade_areas_by_rings, trade_areas_by_time
from tradearea.tradeareas.share import (
    share_cutoffs,
    trade_areas_by_share,
    unreachable_thresholds,
)

METHODS = ("share", "penetration", "rings", "drive", "walk")


def trade_areas(customers, stores, *, method: str = "share", **options):  # type: ignore[no-untyped-def]
    """Dispatch to the trade-area method named ``method``.

    Parameters
    ----------
    customers : pandas.DataFrame or None
        Geocoded customers.
    stores : tuple or pandas.DataFrame
        ``(lat, lon)`` or a frame of stores.
    method : {'share', 'penetration', 'rings', 'drive', 'walk'}
        Which method.
    **options
        Passed on to :func:`trade_areas_by_share`, :func:`trade_areas_by_penetration`,
        :func:`trade_areas_by_rings` or :func:`trade_areas_by_time`.

    Returns
    -------
    TradeAreaResult
        The result.
    """
    if method == "share":
        return trade_areas_by_share(customers, stores, **options)
    if method == "penetration":
        return trade_areas_by_penetration(customers, stores, **options)
    if method == "rings":
        return trade_areas_by_rings(customers, stores, **options)
    if method in ("drive", "walk"):
        return trade_areas_by_time(customers, stores, kind=method, **options)

    msg = f"method must be one of {', '.join(METHODS)}, not {method!r}"
    raise InputError(msg, option="method")


__all__ = [
    "DEFAULT_PENETRATION_THRESHOLDS",
    "DEFAULT_RING_RADII_M",
    "DEFAULT_SHARE_THRESHOLDS",
    "DEFAULT_TIME_MINUTES",
    "METHODS",
    "NOT_PLACED",
    "OUTLIER",
    "RING_PRESETS",
    "RING_PRESETS_ZH",
    "SHARE_PRESETS",
    "TIER_NAMES",
    "TradeAreaResult",
    "footprints",
    "h3_cells",
    "households_in",
    "overlap_report",
    "parse_thresholds",
    "ring_presets",
    "share_cutoffs",
    "tier_name",
    "trade_areas",
    "trade_areas_by_penetration",
    "trade_areas_by_rings",
    "trade_areas_by_share",
    "trade_areas_by_time",
    "unreachable_thresholds",
]
