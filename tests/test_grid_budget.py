"""Grids whose size is known only from their extent are refused before they are built."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely.geometry import box

from tradearea.errors import InputError
from tradearea.huff import huff_contours
from tradearea.saturation import surface_cells

STORES = pd.DataFrame(
    {"store_id": ["A", "B"], "lat": [60.17, 60.18], "lon": [24.94, 24.96],
     "floor_area_m2": [1000.0, 800.0]}
)  # fmt: skip


def test_a_country_sized_surface_at_street_resolution_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRADEAREA_MAX_MEMORY_MB", "64")
    finland = box(20.0, 59.5, 31.5, 70.0)  # ~ 380,000 km² at resolution 10: ~25 M cells
    with pytest.raises(InputError, match="TRADEAREA_MAX_MEMORY_MB") as err:
        surface_cells(finland, resolution=10)
    assert err.value.option == "resolution"
    assert "cells" in str(err.value)


def test_a_city_surface_is_built_within_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEAREA_MAX_MEMORY_MB", "64")
    cells = surface_cells(box(24.93, 60.16, 24.96, 60.18), resolution=9)
    assert 10 < len(cells) < 200


def test_huff_contours_over_a_huge_radius_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEAREA_MAX_MEMORY_MB", "16")
    with pytest.raises(InputError, match="Huff contours"):
        huff_contours(STORES, "A", radius_m=200_000.0, resolution=11)
    small = huff_contours(STORES, "A", radius_m=1_000.0, resolution=9)
    assert len(small) >= 1
