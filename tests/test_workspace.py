"""Projects on disk: one GeoPackage, atomic saves, identical round trips, migration, safe names."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from tradearea.errors import InputError
from tradearea.project import workspace


@pytest.fixture()
def project(demo_region) -> workspace.Project:
    p = workspace.Project(name="Test <b>shop</b>", region="helsinki-center")
    p.layers["stores"] = gpd.GeoDataFrame(
        {"store_id": ["S1"], "name": ["Lidl"], "floor_area_m2": [1150.6], "open": [True]},
        geometry=[Point(24.942, 60.1699)],
        crs="EPSG:4326",
    )
    customers = pd.DataFrame(
        {
            "respondent_id": ["R1", "R2", "R3"],
            "lat": [60.17, None, 60.168],
            "lon": [24.94, None, 24.95],
            "address": ["Mannerheimintie 5", "", '=HYPERLINK("x")'],
            "visits_per_month": [4.0, 2.0, 8.0],
        }
    )
    p.layers["customers"] = workspace.points_frame(customers)
    p.settings = {"currency": "EUR", "thresholds": [75, 90, 95], "名称": "测试"}
    p.scenarios = {"base": {"rent": 30.0, "vacancy": 0.05}, "high rent": {"rent": 40.0}}
    p.record("import", file="survey.csv", rows=3)
    return p


def _frames_equal(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    cols = [c for c in a.columns if c != a.geometry.name]
    pd.testing.assert_frame_equal(
        a[cols].reset_index(drop=True), b[cols].reset_index(drop=True), check_dtype=False
    )
    assert [g.wkt if g is not None else None for g in a.geometry] == [
        g.wkt if g is not None else None for g in b.geometry
    ]


def test_round_trip_is_identical(project, tmp_path: Path) -> None:
    path = workspace.save_project(project, tmp_path / "shop")
    assert path.suffix == ".gpkg" and project.path == path
    again = workspace.open_project(path)
    assert again.name == project.name and again.region == project.region
    assert again.settings == project.settings
    assert again.scenarios == project.scenarios
    assert again.log == project.log
    for name in ("stores", "customers"):
        _frames_equal(project.layers[name], again.layers[name])
    # every row kept, including the one with no coordinates
    assert len(again.layers["customers"]) == 3
    assert again.layers["customers"].geometry.isna().sum() == 1


def test_project_file_opens_as_plain_geopackage(project, tmp_path: Path) -> None:
    path = workspace.save_project(project, tmp_path / "p.gpkg")
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert set(workspace.LAYERS) <= layers
    assert {"settings", "scenarios", "audit_log", "project_meta"} <= layers
    stores = gpd.read_file(path, layer="stores")
    assert stores.crs.to_epsg() == 4326 and stores["name"].tolist() == ["Lidl"]


def test_open_is_read_only(project, tmp_path: Path) -> None:
    path = workspace.save_project(project, tmp_path / "p.gpkg")
    before = (path.stat().st_mtime_ns, path.read_bytes())
    workspace.open_project(path)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_save_as_keeps_original(project, tmp_path: Path) -> None:
    first = workspace.save_project(project, tmp_path / "a.gpkg")
    project.scenarios["new"] = {"rent": 1.0}
    second = workspace.save_project(project, tmp_path / "b.gpkg")
    assert "new" not in workspace.open_project(first).scenarios
    assert "new" in workspace.open_project(second).scenarios


_WRITER = textwrap.dedent("""
    import sys, geopandas as gpd, numpy as np
    from shapely.geometry import Point
    from tradearea.project import workspace
    p = workspace.open_project(sys.argv[1])
    n = 200_000
    rng = np.random.default_rng(0)
    p.layers["customers"] = gpd.GeoDataFrame(
        {"respondent_id": [f"X{i}" for i in range(n)], "v": rng.random(n)},
        geometry=gpd.points_from_xy(24.9 + rng.random(n) / 100, 60.1 + rng.random(n) / 100),
        crs="EPSG:4326")
    print("saving", flush=True)
    workspace.save_project(p)
""")


def test_kill_during_save_leaves_previous_version_intact(project, tmp_path: Path) -> None:
    path = workspace.save_project(project, tmp_path / "p.gpkg")
    good = path.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "saving"
    deadline = time.monotonic() + 60
    # kill as soon as the temporary file is being written: mid-save, by construction
    while not any(f.stat().st_size > 0 for f in tmp_path.glob(".p.*.tmp.gpkg*")):
        assert proc.poll() is None, "the save finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert path.read_bytes() == good
    again = workspace.open_project(path)
    assert len(again.layers["customers"]) == 3
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_migration_from_schema_1(project, tmp_path: Path) -> None:
    path = workspace.save_project(project, tmp_path / "old.gpkg")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE project_meta SET value='1' WHERE key='schema_version'")
        con.execute("DELETE FROM settings WHERE key='currency'")
    migrated = workspace.open_project(path)
    assert migrated.settings.currency == "EUR"
    assert migrated.log[-1]["what"] == "migrate"


def test_newer_schema_is_refused(project, tmp_path: Path) -> None:
    path = workspace.save_project(project, tmp_path / "new.gpkg")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE project_meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(InputError, match="newer"):
        workspace.open_project(path)


@pytest.mark.parametrize(
    "content", [b"", b"not sqlite at all", b"SQLite format 3\x00" + b"\x00" * 50]
)
def test_bad_project_files_are_bad_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.gpkg"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        workspace.open_project(path)
    assert "bad.gpkg" in str(err.value)


def test_missing_project_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        workspace.open_project(tmp_path / "nope.gpkg")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "etc_passwd.gpkg"),
        ("My shop", "My shop.gpkg"),
        ("", "project.gpkg"),
        ("商圈 研究", "商圈 研究.gpkg"),
        ("a/b\\c:d", "a_b_c_d.gpkg"),
    ],
)
def test_safe_project_filenames(name: str, expected: str) -> None:
    assert workspace.safe_project_filename(name) == expected
    assert "/" not in workspace.safe_project_filename(name)


def test_recent_projects(project, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TRADEAREA_PROJECTS", str(tmp_path / "projects"))
    a = workspace.save_project(project, tmp_path / "a.gpkg")
    b = workspace.save_project(project, tmp_path / "b.gpkg")
    assert workspace.recent_projects()[:2] == [b.resolve(), a.resolve()]
    b.unlink()
    assert workspace.recent_projects() == [a.resolve()]
    (tmp_path / "projects" / "recent.json").write_text("{broken")
    assert workspace.recent_projects() == []


def test_demo_project_is_addressable(demo_region) -> None:
    p = workspace.open_project("demo")
    assert p.region == "helsinki-center" and p.path is None
    assert p.layers["stores"]["name"].tolist() == ["Lidl"]
    assert len(p.layers["competitors"]) == 14
    json.dumps(p.settings.to_json())


def test_stale_temporary_files_are_cleaned(project, tmp_path: Path) -> None:
    stale = tmp_path / ".p.abc123.tmp.gpkg"
    stale.write_bytes(b"half written")
    workspace.save_project(project, tmp_path / "p.gpkg")
    assert not stale.exists()
