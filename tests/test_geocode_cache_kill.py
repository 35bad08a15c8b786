"""Nothing lost: the geocode cache and a project file survive a writer killed mid-write."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

_CACHE_WRITER = textwrap.dedent(
    """
    import sys
    from tradearea.geocode.cache import GeocodeCache

    cache = GeocodeCache(sys.argv[1])
    print("ready", flush=True)
    i = 0
    while True:
        answer = {"lat": 60.0 + i * 1e-6, "lon": 24.9, "matched_address": f"Katu {i}",
                  "raw": {"i": i, "pad": "x" * 4000}}
        cache.put("nominatim", f"katu {i}", answer)
        print(i, flush=True)  # printed only once the commit has returned
        i += 1
    """
)


def _kill_writer_after(
    script: str, args: list[str], committed: int, *, env: dict[str, str] | None = None
) -> int:
    """Start ``script``, let it acknowledge ``committed`` writes, SIGKILL it mid-loop.

    Returns the last write it acknowledged.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    last = -1
    deadline = time.monotonic() + 60
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "ready":
                continue
            last = int(line)
            if last >= committed or time.monotonic() > deadline:
                break
        os.kill(proc.pid, signal.SIGKILL)  # no cleanup, no atexit, no final commit
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return last


@pytest.mark.parametrize("committed", [50, 400])
def test_geocode_cache_survives_a_killed_writer(tmp_path: Path, committed: int) -> None:
    """Every answer acknowledged before the kill is there, the database is intact, WAL is on."""
    from tradearea.geocode.cache import MISSING, GeocodeCache

    db = tmp_path / "geocode_cache.sqlite"
    last = _kill_writer_after(_CACHE_WRITER, [str(db)], committed)
    assert last >= committed
    with contextlib.closing(sqlite3.connect(db)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    cache = GeocodeCache(db)
    try:
        assert cache.journal_mode == "wal"
        assert len(cache) >= last + 1  # the write in flight may or may not have landed
        got = cache.get("nominatim", f"katu {last}")
        assert got is not MISSING
        assert got["lat"] == pytest.approx(60.0 + last * 1e-6)
        assert got["raw"]["i"] == last
        cache.put("nominatim", "after the crash", None)  # still writable
        assert cache.get("nominatim", "after the crash") is None
    finally:
        cache.close()


def test_cache_readers_see_committed_answers_while_a_writer_runs(tmp_path: Path) -> None:
    """WAL: a second connection reads while the writer holds the database."""
    from tradearea.geocode.cache import GeocodeCache

    db = tmp_path / "cache.sqlite"
    writer = GeocodeCache(db)
    reader = GeocodeCache(db)
    try:
        with writer._lock:  # a write transaction left open in the writer
            writer._conn.execute("BEGIN IMMEDIATE")
            writer._conn.execute(
                "INSERT INTO geocode_cache VALUES ('p', 'pending', 1, 1, 1, 'x', '{}', 0)"
            )
            assert len(reader) == 0  # the reader is not blocked and sees no half write
            writer._conn.commit()
        assert len(reader) == 1
    finally:
        writer.close()
        reader.close()


_PROJECT_SAVER = textwrap.dedent(
    """
    import sys
    import geopandas as gpd
    from shapely.geometry import Point
    from tradearea.project.workspace import Project, save_project

    target = sys.argv[1]
    i = 0
    while True:
        n = 200 + i
        stores = gpd.GeoDataFrame(
            {"store_id": [f"S{k}" for k in range(n)], "name": ["x" * 200] * n},
            geometry=[Point(24.9 + k * 1e-5, 60.1) for k in range(n)], crs="EPSG:4326")
        project = Project(name=f"version {i}", region="helsinki-center",
                          layers={"stores": stores}, settings={"version": i})
        save_project(project, target, overwrite=True)  # a new version replaces the file (issue 20)
        print(i, flush=True)
        i += 1
    """
)


def test_project_file_survives_a_save_killed_midway(tmp_path: Path) -> None:
    """Atomic saves: after a kill during a save, the file is the last complete version."""
    from tradearea.project.workspace import open_project

    target = tmp_path / "shop.gpkg"
    env = dict(os.environ, TRADEAREA_PROJECTS=str(tmp_path / "projects"))
    last = _kill_writer_after(_PROJECT_SAVER, [str(target)], 2, env=env)
    project = open_project(target)
    version = project.settings.model_extra["version"]
    assert version in (last, last + 1)  # the save in flight either landed whole or not at all
    assert project.name == f"version {version}"
    assert len(project.layers["stores"]) == 200 + version
    leftovers = [p.name for p in tmp_path.glob("*") if p.name != "shop.gpkg" and p.is_file()]
    assert all(".tmp.gpkg" in name for name in leftovers)  # at most the interrupted temp file


# --------------------------------------------------------------------------------------------
# Atomic writes of every output


def test_a_failed_write_leaves_the_previous_output(tmp_path: Path) -> None:
    """atomic_path: an exception mid-write keeps the old file whole and leaves no temp file."""
    from tradearea._core.atomic import atomic_path, write_text_atomic

    out = tmp_path / "result.csv"
    write_text_atomic(out, "version 1\n")
    with pytest.raises(RuntimeError), atomic_path(out) as tmp:
        tmp.write_text("half of version 2")
        raise RuntimeError("disk full")
    assert out.read_text() == "version 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.csv"]


_ATOMIC_WRITER = textwrap.dedent(
    """
    import sys
    from tradearea._core.atomic import write_bytes_atomic

    i = 0
    while True:
        write_bytes_atomic(sys.argv[1], (b"%08d" % i) * 200_000)  # 1.6 MB per version
        print(i, flush=True)
        i += 1
    """
)


def test_an_output_survives_a_killed_writer(tmp_path: Path) -> None:
    """Killed while rewriting, the output is one complete version, never a mix or a stub."""
    out = tmp_path / "out.bin"
    last = _kill_writer_after(_ATOMIC_WRITER, [str(out)], 5)
    data = out.read_bytes()
    assert len(data) == 1_600_000
    version = int(data[:8])
    assert version in (last, last + 1)
    assert data == (b"%08d" % version) * 200_000


def test_cli_outputs_are_replaced_atomically(
    tmp_path: Path, demo_region: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each command's --out is written beside it, then renamed over it in one step."""
    from typer.testing import CliRunner

    import tradearea._core.atomic
    from tradearea.cli import app

    replaced: list[Path] = []
    real = tradearea._core.atomic._replace
    real_path_replace = Path.replace

    def spy(tmp: Path, target: Path) -> None:
        replaced.append(Path(target))
        real(tmp, target)

    def path_spy(self: Path, target: Path) -> Path:  # crm's export renames its own temp file
        replaced.append(Path(target))
        return real_path_replace(self, target)

    monkeypatch.setattr(tradearea._core.atomic, "_replace", spy)
    monkeypatch.setattr(Path, "replace", path_spy)
    ex = REPO / "data" / "examples"
    survey = tmp_path / "survey.csv"
    survey.write_text("respondent_id,address\nR1,Mannerheimintie 14\nR2,Aleksanterinkatu 52\n")
    commands = {
        "geocode.csv": ["geocode", str(survey), "--region", "helsinki-center"],
        "areas.geojson": ["areas", str(tmp_path / "geocode.csv"), "--store", "60.1699,24.9420",
                          "--weight-col", "customers"],
        "huff.csv": ["huff", "--stores", str(ex / "competitors.csv"), "--demand",
                     str(ex / "zones.geojson")],
        "irs.csv": ["saturation", "--areas", str(ex / "crm_areas.geojson"), "--competitors",
                    str(ex / "competitors.csv")],
        "crm.csv": ["crm", str(ex / "crm_customers.csv"), "--areas", str(ex / "crm_areas.geojson")],
        "pricing.json": ["pricing", str(ex / "scenario.toml")],
    }  # fmt: skip
    runner = CliRunner()
    for name, argv in commands.items():
        out = tmp_path / name
        out.write_text("previous version")
        result = runner.invoke(app, [*argv, "--out", str(out)])
        assert result.exit_code == 0, (name, result.output)
        assert out in replaced, name
        assert out.read_text("utf-8", errors="replace") != "previous version"
    assert not list(tmp_path.glob(".*.tmp*"))  # no temporary file left behind
