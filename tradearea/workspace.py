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


def _copy_project(self: Project) -> Project:
    """Return a deep-enough copy (frames copied) so a session can change it freely."""
    return Project(
        name=self.name,
        region=self.region,
        path=self.path,
        layers={k: v.copy() for k, v in self.layers.items()},
        settings=dict(self.settings),
        scenarios={k: dict(v) for k, v in self.scenarios.items()},
        log=list(self.log),
    )


Project.copy = _copy_project  # type: ignore[attr-defined]


def demo_project() -> Project:
    """Return the demo project: region helsinki-center, the demo store, competitors, survey.

    The customers layer holds the demo survey geocoded offline when the geocoder is available.

    Returns
    -------
    Project
        Not saved anywhere (``path`` is None).
    """
    import pandas as pd

    from tradearea import demo

    demo.ensure_demo_region()
    stores = demo.demo_stores()
    points = gpd.points_from_xy(stores["lon"], stores["lat"], crs="EPSG:4326")
    all_stores = gpd.GeoDataFrame(stores, geometry=points, crs="EPSG:4326")
    own = all_stores[all_stores["role"] == "own"].drop(columns="role").reset_index(drop=True)
    comp = all_stores[all_stores["role"] == "competitor"].drop(columns="role")
    project = Project(
        name="Demo: Lidl, Helsinki centre",
        region=DEMO_REGION,
        layers={"stores": own, "competitors": comp.reset_index(drop=True)},
        settings={"currency": "EUR", "survey_file": str(demo.DEMO_SURVEY)},
    )
    survey = pd.read_csv(demo.DEMO_SURVEY, dtype=str, keep_default_na=False)
    try:
        from tradearea.geocode import geocode_frame
    except ImportError:
        geocode_frame = None
    if geocode_frame is not None:
        geocoded = geocode_frame(survey, region=DEMO_REGION, address_col="address")
        placed = geocoded[geocoded["lat"].notna()]
        project.layers["customers"] = gpd.GeoDataFrame(
            geocoded,
            geometry=gpd.points_from_xy(geocoded["lon"], geocoded["lat"]),
            crs="EPSG:4326",
        )
        project.log.append(
            {
                "what": "import",
                "file": demo.DEMO_SURVEY.name,
                "rows": len(survey),
                "placed": len(placed),
                "online": False,
            }
        )
    return project


def open_project(target: str | Path) -> Project:
    """Open a project file, or the demo project when ``target`` is ``"demo"``.

    Parameters
    ----------
    target : str or pathlib.Path
        A ``.gpkg`` project file or ``demo``.

    Returns
    -------
    Project
        The project.
    """
    if str(target) == DEMO:
        return demo_project()
    from tradearea.errors import InputError

    path = Path(target)
    if not path.is_file():
        raise InputError("project file not found", file=str(path))
    msg = "opening saved project files is not built yet (issue 8)"
    raise InputError(msg, file=str(path))
