"""CLI: ``tradearea region build|list|info``."""

from __future__ import annotations

from pathlib import Path

import typer

from tradearea.cli._common import JSON_OPTION, cli_run


def register(app: typer.Typer) -> None:
    """Add the ``region`` command group."""
    region_app = typer.Typer(
        help="Build and inspect region packs made from OpenStreetMap extracts.",
        no_args_is_help=True,
    )

    @region_app.command("build")
    def build(
        pbf: Path = typer.Argument(..., help="An OpenStreetMap extract (.osm.pbf)."),
        name: str = typer.Option(..., "--name", help="Region name, e.g. helsinki-center."),
        force: bool = typer.Option(False, "--force", help="Rebuild even if the pack exists."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Build region pack NAME from FILE.osm.pbf into data/regions/NAME/.

        Examples:

          tradearea region build helsinki.osm.pbf --name helsinki-center

          tradearea region build city.osm.pbf --name city --force --json
        """
        from tradearea.regions import packs as regions  # lazy: keeps CLI start-up fast

        with cli_run("region build", as_json=as_json) as s:
            meta = regions.build_region(pbf, name=name, force=force)
            counts = meta["counts"]
            s.line = (
                f"region build: {name}: "
                + ", ".join(f"{k} {v}" for k, v in counts.items())
                + f" in {meta['build_seconds']:.1f} s"
            )
            s.update(name=name, path=meta["path"], counts=counts, seconds=meta["build_seconds"])

    @region_app.command("list")
    def list_(as_json: bool = JSON_OPTION) -> None:
        """List the region packs that are built."""
        from tradearea.regions import packs as regions  # lazy: keeps CLI start-up fast

        with cli_run("region list", as_json=as_json) as s:
            names = regions.list_regions()
            for n in names:
                typer.echo(n)
            s.line = f"region list: {len(names)} region(s)"
            s.update(regions=names)

    @region_app.command("info")
    def info(
        name: str = typer.Argument(..., help="Region name."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Show a region pack's source, date, attribution and layer counts."""
        from tradearea.regions import packs as regions  # lazy: keeps CLI start-up fast

        with cli_run("region info", as_json=as_json) as s:
            meta = regions.region_meta(name)
            for key in ("name", "source_file", "source_date", "attribution", "crs"):
                typer.echo(f"{key}: {meta.get(key)}")
            for k, v in meta["counts"].items():
                typer.echo(f"{k}: {v}")
            s.line = f"region info: {name}"
            s.update(**meta)

    app.add_typer(region_app, name="region")
