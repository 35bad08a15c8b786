"""Customer footprints (concave hulls, H3) reveal no home and no cell of fewer than k customers."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from tradearea.privacy import DEFAULT_K
from tradearea.tradeareas import trade_areas_by_share
from tradearea.tradeareas.overlap import FOOTPRINT_H3_RESOLUTION

STORE = (60.1699, 24.9420)
TO_XY = Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True)


def _homes(n: int = 148, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    r = rng.gamma(2.0, 250.0, n)
    a = rng.uniform(0, 2 * np.pi, n)
    lat = STORE[0] + r * np.sin(a) / 111_320
    lon = STORE[1] + r * np.cos(a) / (111_320 * np.cos(np.radians(STORE[0])))
    return pd.DataFrame(
        {"respondent_id": [f"R{i}" for i in range(n)], "lat": lat, "lon": lon,
         "customers": 1.0}
    )  # fmt: skip


def _arc_centres(geom: shapely.Geometry) -> np.ndarray:
    """Centres of the circles through every three consecutive boundary vertices (metres)."""
    out = []
    for ring in shapely.get_rings(geom):
        lon, lat = shapely.get_coordinates(ring).T
        x, y = TO_XY.transform(lon, lat)
        p = np.column_stack([x, y])
        a, b, c = p[:-2], p[1:-1], p[2:]
        d = 2 * (a[:, 0] * (b[:, 1] - c[:, 1]) + b[:, 0] * (c[:, 1] - a[:, 1])
                 + c[:, 0] * (a[:, 1] - b[:, 1]))  # fmt: skip
        ok = np.abs(d) > 1e-9
        sa, sb, sc = (a**2).sum(1), (b**2).sum(1), (c**2).sum(1)
        ux = sa * (b[:, 1] - c[:, 1]) + sb * (c[:, 1] - a[:, 1]) + sc * (a[:, 1] - b[:, 1])
        uy = sa * (c[:, 0] - b[:, 0]) + sb * (a[:, 0] - c[:, 0]) + sc * (b[:, 0] - a[:, 0])
        out.append(np.column_stack([ux[ok] / d[ok], uy[ok] / d[ok]]))
    return np.vstack(out) if out else np.empty((0, 2))


def test_no_home_is_recovered_from_concave_hull_corners() -> None:
    homes = _homes()
    result = trade_areas_by_share(homes, STORE, weight="customers", footprint="concave")
    hx, hy = TO_XY.transform(homes["lon"].to_numpy(), homes["lat"].to_numpy())
    home_xy = np.column_stack([hx, hy])
    recovered = set()
    for geom in result.footprints.geometry:
        centres = _arc_centres(geom)
        if len(centres):
            dist = np.sqrt(((home_xy[:, None, :] - centres[None, :, :]) ** 2).sum(-1)).min(1)
            recovered |= set(np.flatnonzero(dist < 1.0).tolist())
    print(f"homes recovered to under 1 m from footprint corners: {len(recovered)} of {len(homes)}")
    assert recovered == set()


def test_h3_footprints_keep_only_cells_of_k_customers() -> None:
    homes = _homes()
    result = trade_areas_by_share(homes, STORE, weight="customers", footprint="h3")
    counts = pd.Series(
        [
            h3.latlng_to_cell(a, b, FOOTPRINT_H3_RESOLUTION)
            for a, b in zip(homes["lat"], homes["lon"], strict=True)
        ]
    ).value_counts()
    small = counts[counts < DEFAULT_K]
    assert len(small) > 0  # the sample has cells of one customer
    union = shapely.union_all(result.footprints.geometry.to_numpy())
    for cell in small.index:
        lat, lon = h3.cell_to_latlng(cell)
        assert not shapely.intersects_xy(union.buffer(-1e-7), lon, lat), cell


@pytest.mark.parametrize("kind", ["concave", "h3"])
def test_a_lone_customer_does_not_change_a_footprint(kind: str) -> None:
    homes = _homes()
    lone = pd.DataFrame({"respondent_id": ["LONE"], "lat": [STORE[0] + 0.006],
                         "lon": [STORE[1] + 0.011], "customers": [1.0]})  # fmt: skip
    a = trade_areas_by_share(homes, STORE, weight="customers", footprint=kind, thresholds=(1.0,))
    b = trade_areas_by_share(pd.concat([homes, lone], ignore_index=True), STORE,
                             weight="customers", footprint=kind, thresholds=(1.0,))  # fmt: skip
    assert shapely.equals(a.footprints.geometry.iloc[0], b.footprints.geometry.iloc[0])
