"""The ``tradearea geocode`` command: outputs, summaries, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradearea.cli import app
from tradearea.geocode import gcj02_to_wgs84, wgs84_to_gcj02
from tradearea.settings import REPO_DIR

DEMO = REPO_DIR / "surveys" / "demo_survey.csv"
OUTPUTS = ["lat", "lon", "match_level", "match_score", "matched_address", "status", "reason"]


@pytest.fixture(scope="module")
def runner(demo_region: object) -> CliRunner:
    return CliRunner()


def _xlsx_bytes() -> bytes:
    import io

    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["id", "address"])
    sheet.write_row(1, 0, ["R1", "Annankatu 29 B"])
    book.close()
    return buf.getvalue()


def _run(runner: CliRunner, *args: object) -> object:
    return runner.invoke(app, ["geocode", *map(str, args)])


def test_demo_survey_writes_every_row_with_the_account(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "geocoded.csv"
    result = _run(runner, DEMO, "--region", "helsinki-center", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["ok"] is True
    assert summary["account"]["rows"] == 150
    assert (
        summary["account"]["placed"],
        summary["account"]["unmatched"],
        summary["account"]["rejected"],
    ) == (148, 1, 1)
    assert summary["read"]["encoding"] == "utf-8"
    assert "150 rows: 148 placed" in result.stderr
    written = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    source = pd.read_csv(DEMO, dtype=str, keep_default_na=False)
    assert written.columns.tolist() == source.columns.tolist() + OUTPUTS
    assert len(written) == 150
    assert written[source.columns].equals(source)
    assert written["status"].value_counts().to_dict() == {
        "geocoded": 147,
        "unmatched": 1,
        "repaired": 1,
        "rejected": 1,
    }
    row = written.set_index("respondent_id").loc["R135"]
    assert (row["status"], row["reason"]) == ("rejected", "empty address")


def test_help_shows_examples(runner: CliRunner) -> None:
    result = runner.invoke(app, ["geocode", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "--address-col" in result.output and "--online" in result.output


def test_chinese_gbk_file_with_named_address_column(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "问卷.csv"
    text = "编号,家庭住址,来店频率\nR1,Mannerheimintie 14,4\nR2,mannerheimintie 14,2\nR1,Annankatu 29 B,1\n"
    src.write_bytes(text.encode("gbk"))
    out = tmp_path / "out.xlsx"
    result = _run(
        runner,
        src,
        "--region",
        "helsinki-center",
        "--out",
        out,
        "--address-col",
        "家庭住址",
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["read"]["encoding"] == "gb18030"
    written = pd.read_excel(out, dtype=str)
    assert written["status"].tolist() == ["geocoded", "geocoded", "rejected"]
    assert written.loc[2, "reason"] == "duplicate respondent id R1 (first at row 1)"


def test_coordinates_in_gcj02_are_converted(runner: CliRunner, tmp_path: Path) -> None:
    lat, lon = (float(v) for v in wgs84_to_gcj02(31.2304, 121.4737))
    src = tmp_path / "coords.csv"
    src.write_text(f"id,纬度,经度\nR1,{lat},{lon}\nR2,95,24.9\n", "utf-8")
    out = tmp_path / "coords_out.csv"
    result = _run(runner, src, "--region", "helsinki-center", "--out", out, "--coords", "gcj02")
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out, encoding="utf-8-sig")
    assert written.loc[0, "lat"] == pytest.approx(31.2304, abs=1e-6)
    assert written.loc[0, "lon"] == pytest.approx(121.4737, abs=1e-6)
    assert written["status"].tolist() == ["geocoded", "rejected"]
    back = gcj02_to_wgs84(lat, lon)
    assert float(back[0]) == pytest.approx(written.loc[0, "lat"], abs=1e-9)


def test_fixes_file_is_applied(runner: CliRunner, tmp_path: Path) -> None:
    fixes = tmp_path / "fixes.csv"
    fixes.write_text(
        "respondent_id,lat,lon,how,matched_address\nR091,60.1688,24.9465,placed,by hand\n", "utf-8"
    )
    out = tmp_path / "fixed.csv"
    result = _run(
        runner, DEMO, "--region", "helsinki-center", "--out", out, "--fixes", fixes, "--json"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["account"]["placed"], summary["account"]["unmatched"]) == (149, 0)
    written = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index(
        "respondent_id"
    )
    assert written.loc["R091", "reason"] == "fixed by analyst (placed)"


def test_formulas_in_cells_are_neutralised_in_the_output(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "formula.csv"
    src.write_text(
        'id,address\nF1,"=HYPERLINK(""http://evil.example"",""x"")"\nF2,@SUM(1+1)\n', "utf-8"
    )
    out = tmp_path / "formula_out.csv"
    result = _run(runner, src, "--region", "helsinki-center", "--out", out)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert written["address"].tolist() == ['\'=HYPERLINK("http://evil.example","x")', "'@SUM(1+1)"]
    assert written["status"].tolist() == ["unmatched", "unmatched"]


@pytest.mark.parametrize(
    ("content", "extra", "expect"),
    [
        (b"", (), "file {src}: the file is empty"),
        (b"respondent_id,address\n", (), "file {src}: has a header (row 1) but no data rows"),
        (bytes(range(256)) * 64, (), "file {src}: looks like a binary file"),
        (
            "编号,住址\nR1,南京东路\n".encode("gbk"),
            ("--encoding", "utf-8"),
            "cannot be read as utf-8: bad bytes",
        ),
        (
            b"id,address\nR1,A 1\n",
            ("--address-col", "addr"),
            "file {src}, column 'addr': --address-col: no column 'addr'",
        ),
        (b"id,comment\nR1,nice\n", (), "file {src}, column 'address': no address column found"),
        (
            _xlsx_bytes(),
            ("--sheet", "answers"),
            "file {src}: has no sheet 'answers' (sheets: Sheet1)",
        ),
    ],
)
def test_bad_input_exits_2_naming_file_row_column(
    runner: CliRunner, tmp_path: Path, content: bytes, extra: tuple, expect: str | None
) -> None:
    src = tmp_path / "input.csv"
    src.write_bytes(content)
    result = _run(runner, src, "--region", "helsinki-center", "--out", tmp_path / "o.csv", *extra)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    if expect is not None:
        assert expect.format(src=src) in result.stderr


def test_missing_input_and_unknown_region_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = _run(
        runner, tmp_path / "nope.csv", "--region", "helsinki-center", "--out", tmp_path / "o.csv"
    )
    assert result.exit_code == 2 and "not found" in result.stderr
    result = _run(runner, DEMO, "--region", "atlantis", "--out", tmp_path / "o.csv", "--json")
    assert result.exit_code == 2
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["ok"] is False and "atlantis" in payload["error"]
    result = _run(runner, DEMO, "--region", "helsinki-center", "--out", tmp_path / "o.txt")
    assert result.exit_code == 2 and ".csv or .xlsx" in result.stderr


def test_console_script_runs_end_to_end(tmp_path: Path, demo_region: object) -> None:
    out = tmp_path / "cli.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "tradearea.cli", "geocode", str(DEMO), "--region", "helsinki-center",
         "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=REPO_DIR,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (
        "tradearea geocode: 150 rows: 148 placed (147 geocoded, 1 repaired), 1 unmatched, 1 rejected"
        in proc.stderr
    )
    assert out.exists()
