"""A project: the layers, settings and scenarios of one study, kept in one GeoPackage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd

LAYERS = ("customers", "stores", "competitors", "candidates", "trade_areas", "zones", "fixes")
DEMO = "demo"
DEMO_REGION = "helsinki-center"


def _empty_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"geometry": gpd.GeoSeries([], crs="EPSG:4326")}, crs="EPSG:4326")


@dataclass
class Project:
    """One study: a region, its layers, settings, scenarios and an audit log.

    Attributes
    ----------
    name : str
        A display name.
    region : str
        The region pack the project uses (``tradearea.regions.load_region``).
    path : pathlib.Path or None
        Where the project is saved; ``None`` for an unsaved or the demo project.
    layers : dict of str to geopandas.GeoDataFrame
        ``customers``, ``stores``, ``competitors``, ``candidates``, ``trade_areas``, ``zones``,
        ``fixes`` (WGS84).
    settings : dict
        Project settings (currency, thresholds, spending, language, ...).
    scenarios : dict
        Named pricing scenarios: name -> dict of inputs.
    log : list of dict
        Audit trail entries (what, when, details).
    """

    name: str
    region: str
    path: Path | None = None
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in LAYERS:
            self.layers.setdefault(name, _empty_layer())

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """Return layer ``name`` (an empty frame if the project has none yet)."""
        if name not in LAYERS:
            msg = f"unknown layer {name!r}; expected one of {', '.join(LAYERS)}"
            raise KeyError(msg)
        return self.layers[name]
