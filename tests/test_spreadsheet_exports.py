"""Exports spreadsheets cannot turn against the user; the tool reads its own CSV back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from tradearea._core.escaping import neutralise_formula, neutralise_frame
from tradearea.io.tables import read_table

PAYLOADS = [
    'x\r=HYPERLINK("http://evil","click")',
    "y\r\n=1+1",
    "z\n@SUM(1+1)*cmd|' /C calc'!A0",
    "shop;=cmd|' /C calc'!A0",
    "a,+cmd",
    "tab\t-2+3+cmd",
    "；=全角",
]
RISKY = ("=", "+", "-", "@", "＝", "＋", "－", "＠")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_piece_of_a_cell_starts_a_formula(payload: str) -> None:
    safe = neutralise_formula(payload)
    assert "\r" not in safe
    for piece in safe.replace(";", "\n").replace(",", "\n").replace("\t", "\n").split("\n"):
        assert not piece.strip().startswith(RISKY), (payload, safe)


def test_plain_numbers_and_text_are_unchanged() -> None:
    for value in ("-12.5", "-1,234.5", "plain, text; ok", "Mannerheimintie 5", 3.5):
        assert neutralise_formula(value) == value


@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_export_read_as_a_spreadsheet_would_and_by_the_tool(tmp_path: Path, sep: str) -> None:
    frame = pd.DataFrame({"name": PAYLOADS, "visits": range(len(PAYLOADS))})
    text = neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n")
    # a spreadsheet splits rows on every line break outside quotes and cells on its separator
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    assert len(rows) == len(PAYLOADS) + 1  # no row split in two
    for row in rows:
        for cell in row:
            assert not cell.strip().startswith(RISKY), cell
    out = tmp_path / "export.csv"
    out.write_text(text, encoding="utf-8")
    back = read_table(out)
    frame_back = back.frame if hasattr(back, "frame") else back
    assert len(frame_back) == len(PAYLOADS)
