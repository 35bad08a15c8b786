"""Trade-area presets: share thresholds, penetration tiers, rings per retail format, time bands."""

from __future__ import annotations

from tradearea.formats import FormatTable

# Cumulative share of the store's weight (sales) carried by the tiers, walking outward.
DEFAULT_SHARE_THRESHOLDS: tuple[float, ...] = (0.75, 0.90, 0.95)
SHARE_PRESETS: dict[str, tuple[float, ...]] = {
    "75/90/95": (0.75, 0.90, 0.95),
    "Applebaum 65/85/95": (0.65, 0.85, 0.95),
    "30/50/70": (0.30, 0.50, 0.70),
}
# Minimum penetration (store customers / households) of a zone in each tier (DOMAIN.md §1).
DEFAULT_PENETRATION_THRESHOLDS: tuple[float, ...] = (0.30, 0.10, 0.05)
DEFAULT_TIME_MINUTES: tuple[float, ...] = (5.0, 10.0, 15.0)
DEFAULT_RING_RADII_M: tuple[float, ...] = (1000.0, 3000.0, 5000.0)

# Rule-of-thumb rings (m) and Chinese names by retail format, read from the one registry
# (tradearea.formats); sources and assumptions in ring_presets(). Keyed by format key; a format
# name in English or Chinese finds the same entry ("convenience store" -> "convenience").
RING_PRESETS: FormatTable[tuple[float, float, float]] = FormatTable(lambda f: f.rings_m)
RING_PRESETS_ZH: FormatTable[str] = FormatTable(lambda f: f.name_zh)


def ring_presets() -> dict[str, tuple[float, float, float]]:
    """Return the rule-of-thumb ring radii (m) of primary/secondary/tertiary areas by format.

    These are planning defaults, not measurements: replace them by survey-based tiers as soon
    as a survey exists. The generic rule (DOMAIN.md §1) is 1 / 3 / 5 km; the per-format values
    follow the usual catchment reasoning of the Chinese trade-area literature (商圈研究) and
    common Western planning practice, as noted:

    ==================== ============== ===============================================
    format key           rings (km)     source / assumption
    ==================== ============== ===============================================
    convenience          0.3 / 0.5 / 1  便利店 walk-in trade: 5-minute walk ≈ 300-500 m
    supermarket          1 / 2 / 3      community supermarket, mostly walk and short car
                                        trips; generic 1/3/5 km tightened for food top-ups
    hypermarket          3 / 5 / 10     大卖场: car-borne weekly shop, 10-20 min drive
    warehouse_club       5 / 10 / 20    仓储会员店: members travel far; few stores a city
    department_store     3 / 5 / 10     百货店: city-centre or district draw
    specialty_store      2 / 5 / 10     专业店 (electronics, sports): comparison goods
    exclusive_shop       3 / 5 / 10     专卖店: relies on the host centre's catchment
    home_centre          5 / 10 / 20    家居建材: infrequent, bulky purchases, by car
    shopping_mall        3 / 5 / 10     community to regional mall; regional ones reach
                                        further (raise to 5 / 10 / 20)
    specialty_market     5 / 15 / 30    专业市场 (wholesale/specialty market): city-wide
                                        and regional trade customers
    ==================== ============== ===============================================

    The radii are :attr:`tradearea.formats.RetailFormat.rings_m`; the primary one is the
    format's :attr:`~tradearea.formats.RetailFormat.primary_ring_m`.

    Returns
    -------
    dict of str to tuple of float
        Format key -> (primary, secondary, tertiary) radii in metres (a copy).
    """
    return dict(RING_PRESETS)
