"""Which sites a report can be about: the project's candidates and own stores, the demo's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tradearea.errors import InputError
from tradearea.project.market import format_key

if TYPE_CHECKING:
    from tradearea.project.workspace import Project


@dataclass
class Site:
    """A site the report is about: a candidate location or an existing own store.

    Attributes
    ----------
    site_id : str
        Identifier (unique among stores, competitors and candidates).
    name : str
        Display name (user text: escaped wherever it is shown).
    lat, lon : float
        Location (WGS84).
    format : str
        Retail format key of :data:`tradearea.competition.FORMATS`.
    floor_area_m2 : float
        Sales floor area.
    kind : str
        ``candidate`` or ``store`` (an existing own store).
    address : str or None
        The site's street address, if known.
    floor_area_source : str
        ``input``, ``osm_building`` or ``format_default``.
    note : str
        Where the site comes from.
    """

    site_id: str
    name: str
    lat: float
    lon: float
    format: str = "supermarket"
    floor_area_m2: float = 1_500.0
    kind: str = "candidate"
    address: str | None = None
    floor_area_source: str = "input"
    note: str = ""

    def store_record(self) -> dict[str, Any]:
        """Return the site as a store row (DESIGN.md store columns plus role)."""
        return {
            "store_id": self.site_id,
            "name": self.name,
            "brand": None,
            "format": self.format,
            "lat": float(self.lat),
            "lon": float(self.lon),
            "floor_area_m2": float(self.floor_area_m2),
            "floor_area_source": self.floor_area_source,
            "role": "candidate" if self.kind == "candidate" else "own",
        }


PENETRATION_THRESHOLDS = (0.30, 0.10, 0.05)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _lat_lon(row: pd.Series) -> tuple[float, float]:
    lat = pd.to_numeric(pd.Series([row.get("lat")]), errors="coerce").iloc[0]
    lon = pd.to_numeric(pd.Series([row.get("lon")]), errors="coerce").iloc[0]
    geom = row.get("geometry")
    if (pd.isna(lat) or pd.isna(lon)) and geom is not None and not geom.is_empty:
        point = geom.representative_point()
        lat, lon = point.y, point.x
    return float(lat), float(lon)


def project_sites(project: Project) -> list[Site]:
    """Return every site a report can be about: candidates first, then the own stores.

    Candidates come from the project's ``candidates`` layer, own stores from ``stores``.

    Parameters
    ----------
    project : tradearea.project.workspace.Project
        The project.

    Returns
    -------
    list of Site
        Candidates (``kind='candidate'``), then own stores (``kind='store'``).
    """
    from tradearea.formats import FORMATS

    sites: list[Site] = []
    for layer, kind in (("candidates", "candidate"), ("stores", "store")):
        frame = project.layers.get(layer)
        if frame is None or not len(frame):
            continue
        for i, row in frame.reset_index(drop=True).iterrows():
            sid = next(
                (
                    _text(row.get(c))
                    for c in ("site_id", "candidate_id", "store_id", "id")
                    if _text(row.get(c))
                ),
                None,
            ) or (f"K{i + 1}" if kind == "candidate" else f"S{i + 1}")
            lat, lon = _lat_lon(row)
            if not (np.isfinite(lat) and np.isfinite(lon)):
                raise InputError("site has no location", file=layer, row=i + 1, column="lat")
            fmt = format_key(row.get("format"), row=i + 1, file=layer)
            area = pd.to_numeric(pd.Series([row.get("floor_area_m2")]), errors="coerce").iloc[0]
            given = bool(np.isfinite(area) and area > 0)
            sites.append(
                Site(
                    site_id=str(sid),
                    name=_text(row.get("name")) or str(sid),
                    lat=lat,
                    lon=lon,
                    format=fmt,
                    floor_area_m2=float(area) if given else FORMATS[fmt].default_floor_area_m2,
                    kind=kind,
                    address=_text(row.get("address")),
                    floor_area_source=(_text(row.get("floor_area_source")) or "input")
                    if given
                    else "format_default",
                    note=f"{layer} layer, row {i + 1}",
                )
            )
    return sites


def choose_sites(project: Project, names: list[str] | None = None) -> list[Site]:
    """Return the sites named in ``names`` (by id or name), or the default ones.

    The default is every candidate, or the own stores when the project has no candidate.

    Raises
    ------
    InputError
        If a name matches no site (the message lists the sites).
    """
    every = project_sites(project)
    if not every:
        raise InputError(
            "the project has no candidate site and no own store to report on", column="site"
        )
    if not names:
        candidates = [s for s in every if s.kind == "candidate"]
        return candidates or [s for s in every if s.kind == "store"]
    chosen: list[Site] = []
    for name in names:
        key = str(name).strip().casefold()
        hit = next((s for s in every if s.site_id.casefold() == key), None) or next(
            (s for s in every if s.name.casefold() == key), None
        )
        if hit is None:
            known = "; ".join(f"{s.site_id} ({s.name})" for s in every)
            raise InputError(f"no site {name!r}; sites are: {known}", column="site")
        if hit not in chosen:
            chosen.append(hit)
    return chosen
