"""The command line: --help lists DESIGN.md's commands, region build, exit codes, --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyrosm
import pytest
from typer.testing import CliRunner

from tradearea.cli import app

runner = CliRunner()
COMMANDS = ("app", "region", "geocode", "areas", "huff", "saturation", "crm", "pricing", "report")


def test_help_lists_every_design_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for cmd in COMMANDS:
        assert f" {cmd} " in result.output


def test_region_build_writes_a_pack_and_json(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TRADEAREA_DATA", str(tmp_path))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tradearea.cli",
            "region",
            "build",
            pyrosm.get_data("test_pbf"),
            "--name",
            "t1",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["ok"] and summary["counts"]["drive_edges"] > 0
    assert "region build: t1" in proc.stderr
    assert (tmp_path / "regions" / "t1" / "meta.json").exists()
    listed = runner.invoke(app, ["region", "list", "--json"])
    assert listed.exit_code == 0 and "t1" in listed.output
    info = runner.invoke(app, ["region", "info", "t1"])
    assert info.exit_code == 0 and "OpenStreetMap contributors" in info.output


def test_region_build_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["region", "build", str(tmp_path / "nope.osm.pbf"), "--name", "x"])
    assert result.exit_code == 2
    assert "nope.osm.pbf" in result.output


def test_region_build_bad_name_exits_2() -> None:
    result = runner.invoke(
        app, ["region", "build", pyrosm.get_data("test_pbf"), "--name", "../../etc/passwd"]
    )
    assert result.exit_code == 2
    assert "not allowed" in result.output


def test_region_info_unknown_exits_2_with_hint() -> None:
    result = runner.invoke(app, ["region", "info", "nowhere", "--json"])
    assert result.exit_code == 2
    assert "tradearea region build" in result.output


@pytest.mark.parametrize("cmd", ["app", "region"])
def test_help_has_examples(cmd: str) -> None:
    result = runner.invoke(app, [cmd, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_region_build_help_has_examples() -> None:
    result = runner.invoke(app, ["region", "build", "--help"])
    assert "Examples" in result.output and "--name" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("tradearea ")


def test_app_refuses_a_bad_project_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"not a geopackage")
    result = runner.invoke(app, ["app", str(bad)])
    assert result.exit_code == 2
    assert "bad.gpkg" in result.output
