"""The ``tradearea pricing`` command: results file, --json summary, grids and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradearea import pricing
from tradearea.cli import app
from tradearea.settings import REPO_DIR

runner = CliRunner()
EXAMPLE = REPO_DIR / "data" / "examples" / "scenario.toml"


def test_example_scenario_writes_results_and_json_summary(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = runner.invoke(app, ["pricing", str(EXAMPLE), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    written = json.loads(out.read_text(encoding="utf-8"))
    expected = pricing.evaluate(pricing.load_scenario(EXAMPLE)).summary()
    assert summary["ok"] is True
    assert summary["irr"] == pytest.approx(expected["irr"])
    assert summary["npv"] == pytest.approx(expected["npv"])
    assert summary["payback_years"] == pytest.approx(expected["payback_years"])
    assert written["investment"]["metrics"]["irr"] == pytest.approx(expected["irr"])
    assert summary["price_reconciled"] == pytest.approx(written["price"]["reconciled"])
    assert summary["rent_yield"] == pytest.approx(32000 * 0.085 / 12)
    assert len(written["investment"]["years"]) == 12  # 2 years of building + 10 of operation
    assert written["tornado"][0]["range"] >= written["tornado"][-1]["range"]
    assert "IRR" in result.stderr and "pricing:" in result.stderr


def test_empty_scenario_says_which_defaults_it_used(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(
        app, ["pricing", str(empty), "--out", str(tmp_path / "r.json"), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["defaults_used"] == list(pricing.GROUPS)
    assert "no inputs" in result.stderr and "site, costs, rents" in result.stderr
    part = tmp_path / "part.toml"
    part.write_text("[rents]\nvacancy = 0.1\n", encoding="utf-8")
    result = runner.invoke(app, ["pricing", str(part), "--out", str(tmp_path / "r.json"), "--json"])
    summary = json.loads(result.stdout)
    assert (
        "rents" not in summary["defaults_used"]
        and "rents.base_rent_per_m2_month" in summary["defaults_used"]
    )
    assert "defaults used for site, costs" in result.stderr
    full = runner.invoke(app, ["pricing", str(EXAMPLE), "--out", str(tmp_path / "r.json")])
    assert "defaults used" not in full.stderr


def test_grid_over_two_inputs(tmp_path: Path) -> None:
    out = tmp_path / "grid.json"
    result = runner.invoke(
        app,
        [
            "pricing",
            str(EXAMPLE),
            "--out",
            str(out),
            "--grid",
            "rents.base_rent_per_m2_month=180:300:13",
            "--grid",
            "rents.vacancy=0:0.2:5",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    grid = json.loads(out.read_text(encoding="utf-8"))["grid"]
    assert summary["grid_size"] == grid["size"] == 65
    assert grid["keys"] == ["rents.base_rent_per_m2_month", "rents.vacancy"]
    irrs = [row["irr"] for row in grid["rows"]]
    assert summary["grid_irr_min"] == pytest.approx(min(irrs))
    best = max(grid["rows"], key=lambda r: r["irr"])
    assert (best["rents.base_rent_per_m2_month"], best["rents.vacancy"]) == (300, 0)


def test_unknown_key_exits_2_naming_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[rents]\nbase_rent = 200\n", encoding="utf-8")
    result = runner.invoke(app, ["pricing", str(bad), "--out", str(tmp_path / "o.json"), "--json"])
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert payload["file"] == str(bad) and payload["column"] == "rents.base_rent"
    assert "unknown key" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "o.json").exists()


def test_out_of_range_value_exits_2_with_the_range(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[finance]\nexit_yield = 0\n", encoding="utf-8")
    result = runner.invoke(app, ["pricing", str(bad), "--out", str(tmp_path / "o.json")])
    assert result.exit_code == 2
    assert "finance.exit_yield" in result.stderr and "(0, 1]" in result.stderr


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("rents.vacancy=0:1.5:4", "[0, 1)"),
        ("rents.vacancy", "KEY=a:b:n"),
        ("market.households=1:2:2", "cannot vary"),
        ("rents.nothing=1:2:2", "cannot vary"),
    ],
)
def test_bad_grid_exits_2(tmp_path: Path, spec: str, message: str) -> None:
    result = runner.invoke(
        app, ["pricing", str(EXAMPLE), "--out", str(tmp_path / "o.json"), "--grid", spec]
    )
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_scenario_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pricing", str(tmp_path / "nope.toml"), "--out", "o.json"])
    assert result.exit_code == 2
    assert "nope.toml" in result.stderr and "not found" in result.stderr


def test_help_shows_examples() -> None:
    result = runner.invoke(app, ["pricing", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "--grid" in result.output
    assert "data/examples/scenario.toml" in result.output


def test_console_script_runs_in_a_subprocess(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tradearea.cli", "pricing", str(EXAMPLE), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("tradearea pricing:")
    assert json.loads(out.read_text(encoding="utf-8"))["scenario"]["business_model"]["mode"] == (
        "mixed"
    )
