"""Privacy cannot be switched off by accident: k is a strict whole number, below 5 only when logged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tradearea.cli import app as cli_app
from tradearea.errors import InputError
from tradearea.privacy import DEFAULT_K, check_k
from tradearea.project.settings import load_settings


@pytest.mark.parametrize("value", [True, 1, 4, "x", "5", 2.5, None])
def test_privacy_k_in_a_project_is_never_silently_small(value: object) -> None:
    with pytest.raises(InputError, match="privacy_k"):
        load_settings({"privacy_k": value})
    assert load_settings({}).privacy_k == DEFAULT_K
    assert load_settings({"privacy_k": 12}).privacy_k == 12


def test_k_below_the_default_needs_the_detailed_switch() -> None:
    for bad in (True, 1.0, "3"):
        with pytest.raises(ValueError, match="whole number"):
            check_k(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="detailed"):
        check_k(2)
    assert check_k(2, detailed=True) == 2
    assert check_k(DEFAULT_K) == DEFAULT_K


def test_cli_k_below_default_exits_2_without_detailed(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(
        cli_app, ["report", "demo", "--format", "xlsx", "--out", str(out), "--k", "2"]
    )
    assert result.exit_code == 2, result.output
    assert "detailed" in result.output
    assert not out.exists()


def test_cli_export_is_logged_before_the_file_and_a_failed_log_blocks_it(
    tmp_path: Path, monkeypatch
) -> None:
    from tradearea.project import workspace

    seen: list[bool] = []
    real = workspace.Project.record

    def record(self, what, **details):
        if what == "export":
            seen.append((tmp_path / "r.xlsx").exists())
            raise OSError("audit log not writable")
        return real(self, what, **details)

    monkeypatch.setattr(workspace.Project, "record", record)
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(
        cli_app,
        ["report", "demo", "--format", "xlsx", "--out", str(out), "--section", "summary", "--json"],
    )
    assert seen == [False]  # logging came first, before any file
    assert result.exit_code != 0
    assert not out.exists()  # no log, no export
    monkeypatch.setattr(workspace.Project, "record", real)
    result = CliRunner().invoke(
        cli_app,
        ["report", "demo", "--format", "xlsx", "--out", str(out), "--section", "summary", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["k"] == DEFAULT_K


REPO = Path(__file__).resolve().parent.parent
EXPORTS = {
    "geocode": lambda out: ["geocode", str(REPO / "surveys" / "demo_survey.csv"), "--region",
                            "helsinki-center", "--out", str(out)],
    "crm": lambda out: ["crm", str(REPO / "data" / "examples" / "crm_customers.csv"), "--areas",
                        str(REPO / "data" / "examples" / "crm_areas.geojson"), "--out", str(out)],
    "areas": lambda out: ["areas", str(REPO / "surveys" / "demo_survey.csv"), "--store",
                          "60.169922,24.941997", "--method", "rings", "--region", "helsinki-center",
                          "--out", str(out.with_suffix(".geojson")), "--customers-out", str(out)],
}  # fmt: skip


@pytest.mark.parametrize("command", list(EXPORTS))
def test_cli_personal_data_exports_are_logged_first_and_a_failed_log_blocks_them(
    tmp_path: Path, demo_region: object, command: str
) -> None:
    cache = tmp_path / "cache"
    out = tmp_path / "out.csv"
    env = {"TRADEAREA_CACHE": str(cache)}
    result = CliRunner().invoke(cli_app, EXPORTS[command](out), env=env)
    assert result.exit_code == 0, result.output
    log = cache / "exports.log"
    entry = json.loads(log.read_text().splitlines()[-1])
    assert entry["command"] == command and entry["file"] == str(out.resolve())
    assert entry["user"] and entry["at"] and entry["rows"] > 0
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    # a log that cannot be written blocks the export
    blocked = tmp_path / "blocked.csv"
    log.unlink()
    log.mkdir()
    result = CliRunner().invoke(cli_app, EXPORTS[command](blocked), env=env)
    assert result.exit_code == 2, result.output
    assert not blocked.exists()
