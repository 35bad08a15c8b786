"""`tradearea report`: the four formats, --json, --site, exit codes and the detailed audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _report_support import demo_project
from typer.testing import CliRunner

from tradearea.cli import app

runner = CliRunner()


def _run(*args: str) -> object:
    return runner.invoke(app, ["report", *args])


def test_help_shows_examples() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    assert "tradearea report demo --format pdf --out report.pdf" in result.output
    assert "--detailed" in result.output and "--site" in result.output


def test_xlsx_with_json_summary(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "tables.xlsx"
    result = _run("demo", "--format", "xlsx", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["ok"] is True and payload["format"] == "xlsx"
    assert payload["sites"] == ["K1"]
    assert out.is_file() and out.stat().st_size == payload["bytes"]
    figures = payload["figures"]["K1"]
    assert figures["expected_sales"] == pytest.approx(3279916.8, rel=1e-6)
    # the figures of the project layer (tradearea summary): the whole trade area, before opening
    from tradearea.project import open_project, project_summary

    table = project_summary(open_project("demo"))
    whole = table[(table["site_id"] == "K1") & (table["tier"] == 0)].iloc[0]
    assert figures["irs_without"] == pytest.approx(whole["irs_before"], rel=1e-12)
    assert figures["expected_sales"] == pytest.approx(whole["expected_sales"], rel=1e-12)
    assert list(payload["not_available"]) == []
    assert "report: XLSX of 1 site(s)" in result.stderr


def test_gpkg_comparison_of_two_sites(tmp_path: Path) -> None:
    import pyogrio

    out = tmp_path / "layers.gpkg"
    result = _run(
        "demo", "--format", "gpkg", "--out", str(out), "--site", "K1", "--site", "Lidl",
        "--section", "summary", "--section", "trade_area", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["sites"] == ["K1", "S1"]
    layers = dict(pyogrio.list_layers(out))
    assert "trade_areas" in layers and "customers" not in layers
    areas = pyogrio.read_dataframe(out, layer="trade_areas")
    assert sorted(set(areas["store_id"])) == ["K1", "S1"] and len(areas) == 6


def test_html_file(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = _run("demo", "-f", "html", "-o", str(out), "--section", "summary", "--k", "10")
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert text.startswith("<!doctype html>") and "at least 10" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx"], "--format 'docx'"),
        (["--format", "pdf", "--site", "Atlantis"], "no site 'Atlantis'"),
        (["--format", "pdf", "--section", "horoscope"], "unknown section 'horoscope'"),
        (["--format", "xlsx", "--k", "0"], "at least 1"),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = _run("demo", "--out", str(tmp_path / "x.out"), *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "x.out").exists()


def test_missing_project_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gpkg"
    result = _run(str(missing), "--format", "pdf", "--out", str(tmp_path / "r.pdf"), "--json")
    assert result.exit_code == 2
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["ok"] is False and payload["file"] == str(missing)


def test_out_is_a_folder_exits_2(tmp_path: Path) -> None:
    result = _run("demo", "--format", "pdf", "--out", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in result.output


def test_detailed_export_of_a_saved_project_is_audited(tmp_path: Path, monkeypatch) -> None:
    import pyogrio

    from tradearea.project.workspace import open_project, save_project

    monkeypatch.setenv("TRADEAREA_PROJECTS", str(tmp_path))
    project = demo_project().copy()
    path = save_project(project, tmp_path / "study.gpkg")
    out = tmp_path / "internal.gpkg"
    result = _run(
        str(path), "--format", "gpkg", "--out", str(out), "--site", "S1", "--detailed",
        "--section", "summary", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "DETAILED" in result.stderr
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["detailed"] is True and payload["audit_saved"] is True
    assert len(pyogrio.read_dataframe(out, layer="customers")) == 150
    log = open_project(path).log
    whats = [e["what"] for e in log]
    assert "report_detailed" in whats
    export = [e for e in log if e["what"] == "export"][-1]
    assert export["format"] == "gpkg" and export["detailed"] is True
    assert export["file"] == "internal.gpkg"
