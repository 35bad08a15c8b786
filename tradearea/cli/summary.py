"""CLI: ``tradearea summary``."""

from __future__ import annotations

from pathlib import Path

import typer

from tradearea.cli._common import JSON_OPTION, cli_run, fail


def register(app: typer.Typer) -> None:
    """Add the ``summary`` command."""

    @app.command("summary")
    def summary_command(
        project: str = typer.Argument(
            ..., help="A project file (.gpkg) or 'demo' (the demo project)."
        ),
        out: Path = typer.Option(
            None, "--out", "-o", help="Also write the table as CSV (UTF-8) to this file."
        ),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Key figures of a project per store, candidate and tier.

        One row per site and tier (tier 0 = the whole trade area): method, survey customers,
        households, population, demand a year, IRS before and after opening, expected sales a
        year, market share, cannibalisation and the share of the area inside the region's
        data. The same figures every app page and every report format show.

        Examples:

          tradearea summary demo

          tradearea summary shop.gpkg --json > figures.json

          tradearea summary shop.gpkg --out figures.csv
        """
        if out is not None and out.exists() and out.is_dir():
            fail(f"--out {out}: is a folder; give a file name such as summary.csv")
        with cli_run("summary", as_json=as_json) as s:
            # lazy: keeps CLI start-up fast
            from tradearea._core.atomic import write_bytes_atomic
            from tradearea._core.escaping import neutralise_frame
            from tradearea.project.summary import project_summary, summary_records
            from tradearea.project.workspace import open_project

            proj = open_project(project)
            table = project_summary(proj)
            if out is not None:
                csv = neutralise_frame(table).to_csv(index=False).encode("utf-8")
                write_bytes_atomic(out, csv)
            if not as_json:
                shown = table.copy()
                for col in ("households", "population", "demand", "expected_sales"):
                    shown[col] = shown[col].map(lambda v: "–" if v != v else f"{v:,.0f}")
                for col in ("irs_before", "irs_after"):
                    shown[col] = shown[col].map(lambda v: "–" if v != v else f"{v:,.1f}")
                for col in ("market_share", "coverage", "cannibalisation_share"):
                    shown[col] = shown[col].map(lambda v: "–" if v != v else f"{v:.1%}")
                typer.echo(shown.drop(columns=["area_km2"]).to_string(index=False))
            sites = table.drop_duplicates("site_id")
            s.line = f"summary: {len(sites)} site(s), {len(table)} rows" + (
                f" -> {out}" if out is not None else ""
            )
            s.update(
                project=proj.name,
                currency=proj.settings.currency,
                irs_period=proj.settings.irs_period,
                rows=summary_records(table),
            )
