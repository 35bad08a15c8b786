"""CLI: ``tradearea report``."""

from __future__ import annotations

import math
from pathlib import Path

import typer

from tradearea.cli._common import JSON_OPTION, cli_run, fail

FORMATS = ("pdf", "html", "xlsx", "gpkg")


def register(app: typer.Typer) -> None:
    """Add the ``report`` command."""

    @app.command("report")
    def report_command(
        project: str = typer.Argument(
            ..., help="A project file (.gpkg) or 'demo' (the demo project)."
        ),
        fmt: str = typer.Option(
            ..., "--format", "-f", help="Output format: pdf, html, xlsx or gpkg."
        ),
        out: Path = typer.Option(..., "--out", "-o", help="Where to write the report."),
        site: list[str] = typer.Option(
            None,
            "--site",
            help="A site id or name to report on (repeat for a comparison). Default: every "
            "candidate, else the own stores.",
        ),
        section: list[str] = typer.Option(
            None,
            "--section",
            help="Only these sections (repeatable): summary, trade_area, demand, competition, "
            "huff, crm, pricing, scorecard, data_quality, assumptions, sources.",
        ),
        k: int = typer.Option(
            None, "--k", help="Smallest customer count shown on a map cell (default 5)."
        ),
        detailed: bool = typer.Option(
            False,
            "--detailed",
            help="INTERNAL USE: include personal data (customer points, ids, addresses). "
            "Recorded in the project's audit log.",
        ),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Export a site report: PDF, self-contained HTML, XLSX or GeoPackage.

        Customers appear only as counts on map cells of at least k customers; no name,
        address or individual location is exported unless --detailed is given.

        Examples:

          tradearea report demo --format pdf --out report.pdf

          tradearea report demo --format html --out report.html --site K1 --site S1

          tradearea report shop.gpkg --format gpkg --out layers.gpkg --k 10

          tradearea report demo --format xlsx --out tables.xlsx --section summary --section huff
        """
        kind = str(fmt).strip().lower().lstrip(".")
        if kind not in FORMATS:
            fail(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
        with cli_run("report", as_json=as_json) as s:
            if out.is_dir():  # inside cli_run: a name too long is an OSError, exit 2
                fail(f"--out {out}: is a folder; give a file name such as report.{kind}")
            from tradearea import report as rep  # lazy: keeps CLI start-up fast
            from tradearea.project.workspace import (  # lazy: keeps CLI start-up fast
                open_project,
                save_project,
            )

            proj = open_project(project)
            built = rep.build_report(
                proj,
                sites=site or None,
                sections=section or None,
                detailed=detailed,
                k=k,
                charts=kind in ("pdf", "html"),
            )
            data = rep.render(built, kind)
            # the audit entry comes before the file: a failure to log blocks the export
            rep.record_export(proj, built, kind, file=out.name)
            saved = False
            if detailed and proj.path is not None:
                save_project(proj)  # the audit entry of a personal-data export must persist
                saved = True
            rep.write_atomic(out, data)
            missing = built.availability()
            sections = built.sections()
            s.line = (
                f"report: {kind.upper()} of {len(built.sites)} site(s), "
                f"{len(sections) - len(missing)} of {len(sections)} sections available, "
                f"{len(data):,} bytes -> {out}" + (" [DETAILED: personal data]" if detailed else "")
            )
            s.update(
                format=kind,
                out=str(out),
                bytes=len(data),
                sites=[x.site_id for x in built.sites],
                sections=[x.key for x in sections],
                not_available=missing,
                detailed=detailed,
                k=built.k,
                audit_saved=saved,
                figures={x.site_id: _figures(built, x.site_id) for x in built.sites},
            )


def _figures(report: object, site_id: str) -> dict[str, object]:
    """Decision figures of a site for --json (infinite or missing values as null)."""
    summary = report.section("summary", site_id)  # type: ignore[attr-defined]
    out: dict[str, object] = {}
    for key, fig in (summary.figures if summary is not None else {}).items():
        value = fig.value
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[key] = value
    return out
