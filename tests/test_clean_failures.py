"""Clean failures: offline geocoder gives up fast, special files refused, OS errors exit 2,
outputs owner-only, a read-only open leaves a WAL-mode project as it was."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
import stat
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

from tests.test_no_network import no_network  # noqa: F401 - the fixture
from tradearea._core.atomic import atomic_path, write_bytes_atomic
from tradearea.cli import app
from tradearea.errors import InputError
from tradearea.project import workspace

REPO = Path(__file__).resolve().parent.parent
STREETS = [f"Kuvitteellinen katu {i}, 00{i:03d} Atlantis" for i in range(40)]


def test_online_geocoder_without_network_gives_up_fast_and_names_no_address(
    no_network: list[str],  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tradearea.geocode import geocode_frame
    from tradearea.geocode.online import OnlineGeocoder

    online = OnlineGeocoder(cache=False, min_delay_s=0, timeout=1)  # default retries
    frame = pd.DataFrame({"address": STREETS})
    start = time.monotonic()
    with caplog.at_level(logging.WARNING):
        out = geocode_frame(frame, region="helsinki-center", address_col="address", online=online)
    assert time.monotonic() - start < 20
    assert online.broken and online.requests <= 3  # the breaker opened after the first failure
    assert len(no_network) <= 6
    assert len(out) == len(STREETS) and (out["match_level"] == "unmatched").all()
    text = caplog.text
    assert "no more addresses are sent" in text
    assert not any(street.split(",")[0] in text for street in STREETS)


def test_cli_geocode_online_without_network_exits_non_zero(
    no_network: list[str],  # noqa: F811
    tmp_path: Path,
    demo_region: object,
) -> None:
    src = tmp_path / "survey.csv"
    pd.DataFrame({"respondent_id": range(len(STREETS)), "address": STREETS}).to_csv(
        src, index=False
    )
    out = tmp_path / "geocoded.csv"
    start = time.monotonic()
    result = CliRunner().invoke(
        app,
        ["geocode", str(src), "--region", "helsinki-center", "--out", str(out), "--online"],
        env={"TRADEAREA_CACHE": str(tmp_path / "cache")},
    )
    assert time.monotonic() - start < 30
    assert result.exit_code == 2, result.output
    assert "could not be used" in result.output
    assert not any(street.split(",")[0] in result.output for street in STREETS)
    assert out.exists()  # the offline results are kept
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.parametrize("special", ["/dev/null", "fifo"])
def test_writing_over_a_device_or_fifo_is_refused(tmp_path: Path, special: str) -> None:
    target = Path(special)
    if special == "fifo":
        target = tmp_path / "out.csv"
        os.mkfifo(target)
    with pytest.raises(InputError, match="not a regular file"), atomic_path(target) as tmp:
        tmp.write_text("x")
    assert target.exists() and not target.is_file()
    result = CliRunner().invoke(
        app, ["report", "demo", "--format", "html", "--section", "summary", "--out", str(target)]
    )
    assert result.exit_code == 2, result.output
    assert "not a regular file" in result.output


def test_outputs_are_owner_readable_only(tmp_path: Path) -> None:
    path = write_bytes_atomic(tmp_path / "customers.csv", b"customer_id\n1\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_disk_full_and_long_names_exit_2_with_a_message(tmp_path: Path, monkeypatch) -> None:
    long_name = tmp_path / ("r" * 300 + ".html")
    result = CliRunner().invoke(
        app, ["report", "demo", "--format", "html", "--section", "summary", "--out", str(long_name)]
    )
    assert result.exit_code == 2, result.output
    assert "File name too long" in result.output

    from tradearea._core import atomic

    def full(tmp: Path, target: Path) -> None:
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(atomic, "_replace", full)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(
        app, ["report", "demo", "--format", "html", "--section", "summary", "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.output
    assert not out.exists() and not list(tmp_path.glob(".r.*"))  # no temporary file left


@pytest.mark.parametrize("version", ["0", "-3", "abc", "99"])
def test_bad_schema_versions_exit_2(tmp_path: Path, version: str) -> None:
    p = workspace.Project(name="V", region="helsinki-center")
    path = workspace.save_project(p, tmp_path / "v.gpkg")
    with sqlite3.connect(path) as con:
        con.execute("UPDATE project_meta SET value=? WHERE key='schema_version'", (version,))
    with pytest.raises(InputError):
        workspace.open_project(path)
    result = CliRunner().invoke(app, ["summary", str(path)])
    assert result.exit_code == 2, result.output
    assert "v.gpkg" in result.output


def test_read_only_open_leaves_a_wal_mode_project_unchanged(tmp_path: Path) -> None:
    p = workspace.Project(name="W", region="helsinki-center")
    p.layers["stores"] = gpd.GeoDataFrame(
        {"store_id": ["S1"]}, geometry=[Point(24.94, 60.17)], crs="EPSG:4326"
    )
    live = tmp_path / "live"
    path = workspace.save_project(p, live / "w.gpkg")
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute("UPDATE project_meta SET value='W2' WHERE key='name'")
    con.commit()  # committed to the -wal file, not yet to the main file
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in live.iterdir():
        if f.name.startswith("w.gpkg"):
            shutil.copy(f, copy / f.name)  # as a writer that died left them
    con.close()

    def state() -> dict[str, str]:
        return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in copy.iterdir()}

    before = state()
    assert "w.gpkg-wal" in before
    opened = workspace.open_project(copy / "w.gpkg")
    assert opened.name == "W2"  # the committed change in the WAL is read
    assert state() == before


def test_geocode_cache_is_owner_readable_only(tmp_path: Path) -> None:
    from tradearea.geocode.cache import GeocodeCache

    cache = GeocodeCache(tmp_path / "geocode_cache.sqlite")
    cache.put("nominatim", "mannerheimintie 5", {"lat": 60.17, "lon": 24.94})
    for f in tmp_path.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name
    cache.close()
