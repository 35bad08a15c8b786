"""Small inputs that expand are refused or read within the memory budget, measured in a capped child."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from tradearea.testing import bombs

REPO = Path(__file__).resolve().parent.parent
BUDGET_MB = 1024  # TRADEAREA_MAX_MEMORY_MB default
KILL_MB = 1500  # resident memory at which the child is killed (a failed test, not a dead machine)
AS_MB = 4096  # address-space limit of the child (resource.setrlimit)
REFUSED = "more than the 1,024 MB budget"


def run_capped(argv: list[str], *, timeout: float = 120) -> tuple[int | None, float, str]:
    """Run ``argv`` under an address-space limit; kill it above ``KILL_MB`` resident or ``timeout``.

    Returns the exit code (None when killed), the peak resident memory in MB and the output.
    """

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (AS_MB * 2**20, AS_MB * 2**20))

    env = dict(os.environ, TRADEAREA_MAX_MEMORY_MB=str(BUDGET_MB))
    proc = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        preexec_fn=limit,
    )  # fmt: skip
    peak, killed = 0.0, False
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
            rss = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
            peak = max(peak, int(rss.split()[1]) / 1024)
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            pass
        if peak > KILL_MB or time.monotonic() > deadline:
            proc.kill()
            killed = True
            break
        time.sleep(0.02)
    out = proc.communicate()[0].decode("utf-8", "replace")
    return (None if killed else proc.returncode), peak, out


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "tradearea.cli", *args]


def _geocode(path: Path, tmp: Path) -> list[str]:
    return _cli("geocode", str(path), "--region", "helsinki-center", "--out", str(tmp / "o.csv"))


def _saturation(path: Path, tmp: Path) -> list[str]:
    competitors = str(REPO / "data" / "examples" / "competitors.csv")
    return _cli("saturation", "--areas", str(path), "--competitors", competitors,
                "--out", str(tmp / "o.csv"))  # fmt: skip


def _base_gpkg(tmp: Path) -> Path:
    base = tmp / "base.gpkg"
    areas = gpd.read_file(REPO / "data" / "examples" / "crm_areas.geojson")
    areas.to_file(base, layer="trade_areas", driver="GPKG")
    return base


def _assert_bounded(code: int | None, peak: float, out: str, *, refused: str | None) -> None:
    print(f"peak resident memory {peak:.0f} MB, exit {code}: {out.strip()[-200:]}")
    assert code is not None, f"killed at {peak:.0f} MB (over {KILL_MB} MB) or timed out"
    assert peak < BUDGET_MB, peak
    assert code in (0, 2), out
    if refused is not None:
        assert code == 2 and refused in out, out


@pytest.mark.parametrize(
    ("make", "refused"),
    [
        (lambda d: bombs.shared_string_bomb(d / "shared.xlsx"), REFUSED),  # 40,000 x 1 MB
        (lambda d: bombs.dimension_bomb(d / "dimension.xlsx"), None),  # read, padding ignored
        (lambda d: bombs.csv_cell_bomb(d / "cells.csv"), REFUSED),  # 81 million empty cells
    ],
    ids=["xlsx-shared-string", "xlsx-declared-dimension", "csv-empty-cells"],
)
def test_table_bombs(tmp_path: Path, demo_region: object, make: object, refused: str) -> None:
    path = make(tmp_path)
    assert path.stat().st_size < 100 * 2**20
    _assert_bounded(*run_capped(_geocode(path, tmp_path)), refused=refused)


@pytest.mark.parametrize(
    ("make", "refused"),
    [
        (bombs.gpkg_view_bomb, "is an SQL view"),
        (bombs.gpkg_generated_bomb, "generated) columns"),
    ],
    ids=["gpkg-recursive-view", "gpkg-generated-column"],
)
def test_geopackage_sql_bombs(tmp_path: Path, make: object, refused: str) -> None:
    path = make(tmp_path / "bomb.gpkg", _base_gpkg(tmp_path))
    assert path.stat().st_size < 2**20
    _assert_bounded(*run_capped(_saturation(path, tmp_path)), refused=refused)


def test_polygon_with_millions_of_vertices_is_refused(tmp_path: Path) -> None:
    n = 4_000_000
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = 0.01 * (1 + 0.3 * np.sin(t * 50_000))
    x, y = 24.94 + 2 * r * np.cos(t), 60.17 + r * np.sin(t)
    y[::2] += 0.00002  # zigzags: the polygon is invalid, make_valid would have to repair it
    poly = shapely.Polygon(np.column_stack([x, y]))
    path = tmp_path / "vertices.gpkg"
    gpd.GeoDataFrame({"store_id": ["S1"], "tier": [1]}, geometry=[poly], crs="EPSG:4326").to_file(
        path, layer="trade_areas", driver="GPKG"
    )
    _assert_bounded(*run_capped(_saturation(path, tmp_path)), refused=REFUSED)
