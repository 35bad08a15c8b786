"""The app's downloads of personal data are logged before the file is made; no log, no file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tradearea.project.commands import logged_download
from tradearea.project.workspace import Project


def test_a_download_is_logged_before_its_bytes_are_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEAREA_CACHE", str(tmp_path / "cache"))
    project = Project(name="p", region="helsinki-center")
    order: list[str] = []

    def make() -> bytes:
        order.append("file")
        log = (tmp_path / "cache" / "exports.log").read_text("utf-8")
        order.append("logged" if "geocoded.csv" in log else "not logged")
        return b"respondent_id,address\n"

    data = logged_download(
        project, make, table="geocoded survey", format="csv", file="geocoded.csv", rows=1
    )
    assert project.log == []  # nothing happens until the user clicks
    assert data() == b"respondent_id,address\n"
    assert order == ["file", "logged"]
    entry = json.loads((tmp_path / "cache" / "exports.log").read_text("utf-8").splitlines()[-1])
    assert entry["command"] == "app download" and entry["rows"] == 1 and entry["user"]
    assert project.log[-1]["what"] == "export" and project.log[-1]["detailed"] is True
    assert (tmp_path / "cache" / "exports.log").stat().st_mode & 0o077 == 0


def test_no_log_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("TRADEAREA_CACHE", str(blocker / "cache"))  # cannot be created
    made: list[bool] = []
    data = logged_download(
        Project(name="p", region="helsinki-center"),
        lambda: made.append(True) or b"x",
        table="customer tiers", format="csv", file="customer_tiers.csv", rows=3,
    )  # fmt: skip
    with pytest.raises(OSError):
        data()
    assert made == []
