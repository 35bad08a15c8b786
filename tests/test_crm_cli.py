"""`tradearea crm`: exit codes, --json summary, exports without personal data, row reports."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from tradearea import crm
from tradearea.cli import app
from tradearea.settings import REPO_DIR

EX = REPO_DIR / "data" / "examples"
AREAS = str(EX / "crm_areas.geojson")
runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["crm", *args])
    return result.exit_code, result.stdout, result.stderr


def test_help_shows_examples() -> None:
    code, out, _ = _run("--help")
    assert code == 0
    assert "Examples:" in out and "tradearea crm data/examples/crm_customers.csv" in out


def test_customer_file_to_csv_with_json_summary(tmp_path) -> None:
    out = tmp_path / "seg.csv"
    code, stdout, stderr = _run(
        str(EX / "crm_customers.csv"), "--areas", AREAS, "--out", str(out), "--json"
    )
    assert code == 0, stderr
    summary = json.loads(stdout)
    table = pd.read_csv(out, dtype={"customer_id": str, "store_id": str})
    src = pd.read_csv(EX / "crm_customers.csv")
    assert summary["ok"] and summary["kind"] == "customers"
    assert summary["rows"] == summary["accepted"] == len(src) == len(table)
    assert sum(summary["tiers"].values()) == len(table)
    assert summary["tiers"] == table["tier_label"].value_counts().to_dict()
    assert summary["personal_columns_dropped"] == ["name", "phone", "email"]
    assert table.columns.tolist() == list(crm.EXPORT_COLUMNS)
    assert set(table["segment"]) <= set(crm.SEGMENTS)
    assert set(table["lifecycle"]) <= set(crm.LIFECYCLE)
    text = out.read_text(encoding="utf-8-sig")
    for secret in src["name"].head(20).tolist() + src["email"].head(20).tolist():
        assert secret not in text
    assert (table.loc[table["tier_label"] == "outside", "tier"] == 0).all()
    assert table.loc[table["tier_label"] == "outside", "store_id"].isna().all()
    assert "crm:" in stderr and "customers" in stderr


def test_transactions_with_dedup_to_xlsx_and_side_tables(tmp_path) -> None:
    out, wb, merges, tables = (
        tmp_path / n for n in ("seg.xlsx", "wb.csv", "merges.csv", "tables.csv")
    )
    code, stdout, stderr = _run(
        str(EX / "crm_transactions.csv"),
        "--customers",
        str(EX / "crm_customers.csv"),
        "--areas",
        AREAS,
        "--dedup",
        "--match-on",
        "name,phone,email",
        "--out",
        str(out),
        "--winback",
        str(wb),
        "--merges",
        str(merges),
        "--tables",
        str(tables),
        "--as-of",
        "2024-12-31",
        "--json",
    )
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["kind"] == "transactions" and summary["as_of"] == "2024-12-31"
    n_reregistered = int(
        pd.read_csv(EX / "crm_customers.csv")["customer_id"].str.startswith("W").sum()
    )
    assert summary["merged_records"] == n_reregistered
    ws = openpyxl.load_workbook(out).active
    assert ws.max_row - 1 == summary["customers"]
    log = pd.read_csv(merges)
    assert log.columns.tolist() == [
        "merged_id",
        "master_id",
        "score",
        "linked_to",
        "link_score",
        "decision",
        "merged_at",
    ]
    winback = pd.read_csv(wb)
    assert len(winback) == summary["winback"]
    assert (winback["segment"] == "at risk").all() and (winback["tier"] == 1).all()
    assert winback["clv"].is_monotonic_decreasing
    crosstab = pd.read_csv(tables)
    assert crosstab["customers"].sum() == summary["customers"]


def test_rejected_rows_are_reported_with_reasons(tmp_path) -> None:
    src = tmp_path / "tx.csv"
    src.write_text(
        "会员号,交易日期,消费金额\nA,2024-01-01,10\nA,someday,5\nB,2024-02-01,-3\n,2024-02-02,4\n",
        encoding="utf-8",
    )
    customers = tmp_path / "c.csv"
    customers.write_text("customer_id,lat,lon\nA,60.169,24.943\nB,60.30,25.10\n", encoding="utf-8")
    rejects = tmp_path / "rej.csv"
    code, stdout, stderr = _run(
        str(src),
        "--customers",
        str(customers),
        "--areas",
        AREAS,
        "--out",
        str(tmp_path / "o.csv"),
        "--rejects",
        str(rejects),
        "--json",
    )
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert (summary["rows"], summary["accepted"], summary["rejected"], summary["flagged"]) == (
        4,
        2,
        2,
        1,
    )
    report = pd.read_csv(rejects, keep_default_na=False)
    assert report["row"].tolist() == [2, 3, 4]
    assert report["reason"].tolist()[0] == "unparseable date"
    assert report["flag"].tolist()[1].startswith("negative amount")
    assert "2 rejected" in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--out", "x.json"), "use a .csv or .xlsx"),
        (("--out", "x.csv", "--dedup"), "--dedup needs --match-on"),
        (("--out", "x.csv", "--map", "nonsense"), "expected SOURCE_COLUMN=FIELD"),
    ],
)
def test_bad_options_exit_2(tmp_path, args: tuple[str, ...], message: str) -> None:
    fixed = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    code, _, stderr = _run(str(EX / "crm_customers.csv"), "--areas", AREAS, *fixed)
    assert code == 2
    assert message in stderr


def test_bad_input_names_file_row_column(tmp_path) -> None:
    src = tmp_path / "bad.csv"
    src.write_text("who,when,much\n1,2024-01-01,3\n", encoding="utf-8")
    code, stdout, stderr = _run(
        str(src), "--areas", AREAS, "--out", str(tmp_path / "o.csv"), "--json"
    )
    assert code == 2
    err = json.loads(stdout)
    assert err["ok"] is False and err["file"] == "bad.csv" and err["column"] == "customer_id"
    assert "Traceback" not in stderr
    areas = tmp_path / "areas.geojson"
    areas.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"store_id": "S", "tier": 7}, "geometry": {"type": "Point", "coordinates": [24.9, 60.1]}}]}'
    )
    code, _, stderr = _run(
        str(EX / "crm_customers.csv"), "--areas", str(areas), "--out", str(tmp_path / "o.csv")
    )
    assert code == 2 and "row 1" in stderr and "tier" in stderr
    code, _, stderr = _run(
        str(tmp_path / "missing.csv"), "--areas", AREAS, "--out", str(tmp_path / "o.csv")
    )
    assert code == 2 and "not found" in stderr
