"""Shared, cached demo reports for the report tests (built once per test session)."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from tradearea.project.workspace import Project, open_project
from tradearea.report import Report, build_report, render


@functools.lru_cache(maxsize=1)
def demo_project() -> Project:
    """The demo project, opened once (tests that change a project use ``.copy()``).

    Its candidate's tiers are Huff contours (setting ``candidate_trade_area``): the report tests
    were written on them; the rings of the demo's own setting are covered elsewhere.
    """
    project = open_project("demo")
    project.settings.candidate_trade_area = "huff"
    return project


@functools.lru_cache(maxsize=4)
def demo_report(charts: bool = True) -> Report:
    """The default demo report: the demo candidate K1, every section."""
    return build_report(demo_project().copy(), charts=charts)


@functools.lru_cache(maxsize=8)
def demo_output(fmt: str) -> bytes:
    """The default demo report rendered as ``fmt``."""
    return render(demo_report(charts=fmt in ("pdf", "html")), fmt)


def pdf_text(data: bytes, tmp: Path) -> str:
    """The PDF's text as pdftotext reads it (layout kept)."""
    path = tmp / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def have_poppler() -> bool:
    """Whether pdftotext and pdftoppm are installed."""
    return shutil.which("pdftotext") is not None and shutil.which("pdftoppm") is not None
