"""CLI: ``tradearea saturation``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from tradearea._core.atomic import atomic_path
from tradearea.cli._common import (
    JSON_OPTION,
    check_datum,
    cli_run,
    datum_option,
    datum_warnings,
    fail,
    parse_latlon,
)
from tradearea.cli.huff import in_file, write_csv
from tradearea.errors import InputError


def register(app: typer.Typer) -> None:
    """Add the ``saturation`` command."""

    @app.command("saturation")
    def saturation_command(
        areas: Path = typer.Option(
            ...,
            "--areas",
            help="Trade areas (GeoJSON/GeoPackage): store_id, tier, households, polygons.",
        ),
        competitors: Path = typer.Option(
            ...,
            "--competitors",
            help="Competitor stores CSV: name, brand, format, lat, lon, floor_area_m2.",
        ),
        out: Path = typer.Option(..., "--out", help="Write the IRS table (CSV)."),
        spend: float | None = typer.Option(
            None,
            "--spend",
            help="RE: spending per household per period on the category (default: the "
            "format's default, e.g. 90 per week for grocery).",
        ),
        format_: str = typer.Option(
            "supermarket",
            "--format",
            help="Format tested; stores of its category (e.g. grocery) count in RF.",
        ),
        period: str = typer.Option("week", "--period", help="Period of RE: week, month, year."),
        zones: Path | None = typer.Option(
            None,
            "--zones",
            help="Demand zones with households (GeoJSON/...); C is shared into the areas by "
            "area instead of taken from the areas' households column.",
        ),
        candidate: str | None = typer.Option(
            None, "--candidate", help="Proposed store at LAT,LON: IRS with and without it."
        ),
        candidate_area: float | None = typer.Option(
            None, "--candidate-area", help="Proposed store's floor area, m² (format default)."
        ),
        cumulative: bool = typer.Option(
            False, "--cumulative", help="Tier k covers tiers 1..k instead of its ring only."
        ),
        surface: Path | None = typer.Option(
            None,
            "--surface",
            help="Also write the saturation surface (H3 cells, GeoJSON): IRS with each "
            "cell's own catchment; needs --region or --zones for households.",
        ),
        region: str | None = typer.Option(
            None, "--region", help="Region pack for households (buildings) and networks."
        ),
        catchment: str = typer.Option(
            "radius", "--catchment", help="Surface catchment: radius, drive or walk."
        ),
        datum: str = datum_option(),
        radius_m: float = typer.Option(1000.0, "--radius-m", help="Surface radius in metres."),
        minutes: float = typer.Option(10.0, "--minutes", help="Surface drive/walk minutes."),
        resolution: int = typer.Option(9, "--resolution", help="Surface H3 resolution."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Index of Retail Saturation per trade-area tier: IRS = C × RE / RF.

        C = households in the tier, RE = spending per household on the category, RF = floor
        area of all stores of that category in the tier. Higher IRS = less saturated. With
        --candidate, also IRS after the proposed store opens.

        Examples:

          tradearea saturation --areas areas.geojson --competitors data/examples/competitors.csv --out irs.csv

          tradearea saturation --areas areas.geojson --competitors c.csv --spend 25 --candidate 60.1675,24.945 --candidate-area 1200 --out irs.csv --json

          tradearea saturation --areas areas.geojson --competitors c.csv --zones data/examples/zones.geojson --surface surface.geojson --out irs.csv
        """
        with cli_run("saturation", as_json=as_json) as summary:
            import numpy as np  # lazy: keeps CLI start-up fast

            from tradearea import competition, saturation  # lazy: keeps CLI start-up fast

            fmt = _format(format_)
            if period not in ("week", "month", "year"):
                fail(f"--period {period!r}: expected week, month or year")
            from tradearea.geocode import (  # lazy: keeps CLI start-up fast
                datum_warning,
                to_wgs84,
            )

            datum = check_datum(datum)
            stores = in_file(
                competitors, lambda: competition.read_competitors(competitors, datum=datum)
            )
            noted = datum_warnings(
                summary,
                [datum_warning(stores["lat"], stores["lon"], system=datum, what=str(competitors))],
            )
            area_frame = in_file(areas, lambda: _read_areas(areas, need_households=zones is None))
            zone_frame = _zones(zones, datum) if zones is not None else None
            _report_repairs(((areas, area_frame), (zones, zone_frame)), summary)
            cand = None
            if candidate is not None:
                lat, lon = parse_latlon(candidate, option="--candidate")
                if datum != "wgs84":
                    c_lat, c_lon = to_wgs84(lat, lon, system=datum)
                    lat, lon = float(c_lat), float(c_lon)
                cand = {"lat": lat, "lon": lon, "floor_area_m2": candidate_area}
            table = saturation.irs_by_trade_area(
                area_frame,
                stores,
                format=fmt,
                spend=spend,
                zones=zone_frame,
                candidate=cand,
                cumulative=cumulative,
                period=period,  # type: ignore[arg-type]
            )
            write_csv(table, out)
            re = float(table["spend"].iloc[0]) if len(table) else float("nan")
            line = f"saturation: {len(table)} tier(s), RE {re:,.2f}/household/{period}"
            finite = table[np.isfinite(table["irs"])] if len(table) else table
            if len(finite):
                best = finite.sort_values("irs", ascending=False).iloc[0]
                line += f"; highest IRS {best['irs']:,.2f} ({best['store_id']} tier {best['tier']})"
            open_tiers = int((table["status"] == "no_competition").sum()) if len(table) else 0
            if open_tiers:
                line += f"; {open_tiers} tier(s) with no competing floor area"
            summary.update(
                out=str(out),
                format=fmt,
                spend=re,
                period=period,
                rows=_records(table),
            )
            if surface is not None:
                cells = _surface(
                    stores,
                    fmt,
                    spend,
                    zone_frame,
                    region,
                    catchment,
                    radius_m,
                    minutes,
                    resolution,
                    period,
                )

                with atomic_path(surface) as tmp:  # a failed write never leaves half a file
                    cells.to_file(tmp, driver="GeoJSON")
                ok = cells[cells["status"] == "ok"]
                summary.update(
                    surface=str(surface),
                    surface_cells=len(cells),
                    white_space_cells=int((cells["status"] == "no_competition").sum()),
                    surface_irs_max=float(ok["irs"].max()) if len(ok) else None,
                )
                line += f"; surface {len(cells)} cells -> {surface}"
            summary.line = line + noted + f" -> {out}"


def _report_repairs(read: Any, summary: Any) -> None:
    """Print (stderr) and add to --json the polygons repaired and CRS converted while reading."""
    from tradearea.io.geofiles import repairs  # lazy: keeps CLI start-up fast

    notes = [f"file {path}: {note}" for path, frame in read for note in repairs(frame)]
    for note in notes:
        typer.echo(f"tradearea saturation: note: {note}", err=True)
    if notes:
        summary.update(repairs=notes)


def _format(value: str) -> str:
    from tradearea.competition import normalise_format  # lazy: keeps CLI start-up fast
    from tradearea.formats import FORMATS

    key = normalise_format(value)
    if key is None:
        fail(f"--format {value!r}: expected one of {', '.join(FORMATS)}")
    return str(key)


def _read_areas(path: Path, *, need_households: bool) -> Any:
    import numpy as np  # lazy: keeps CLI start-up fast
    import pandas as pd  # lazy: keeps CLI start-up fast

    from tradearea.io.geofiles import read_polygons  # lazy: keeps CLI start-up fast

    # size limit, CRS check/reprojection, polygons only, invalid polygons repaired
    frame = read_polygons(path, name=str(path), what="trade areas")
    if "tier" in frame.columns:
        tier = pd.to_numeric(frame["tier"], errors="coerce")
        bad = (tier.isna() | (tier < 1)).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError("tier must be 1, 2 or 3", file=str(path), row=i + 1, column="tier")
    if need_households:
        if "households" not in frame.columns:
            msg = "column 'households' is missing: add it or give demand zones (--zones)"
            raise InputError(msg, file=str(path), column="households")
        hh = pd.to_numeric(frame["households"], errors="coerce")
        bad = (hh.isna() | (hh < 0)).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                "households must be a number of at least 0",
                file=str(path),
                row=i + 1,
                column="households",
            )
    return frame


def _zones(path: Path, datum: str = "wgs84") -> Any:
    from tradearea.demand import read_zones  # lazy: keeps CLI start-up fast

    return in_file(path, lambda: read_zones(path, datum=datum))


def _surface(
    stores: Any,
    fmt: str,
    spend: float | None,
    zones: Any,
    region: str | None,
    catchment: str,
    radius_m: float,
    minutes: float,
    resolution: int,
    period: str,
) -> Any:
    from tradearea import demand, saturation  # lazy: keeps CLI start-up fast

    reg = None
    if region is not None:
        from tradearea.regions.packs import load_region  # lazy: keeps CLI start-up fast

        reg = load_region(region)
    if zones is None:
        if reg is None:
            fail("--surface needs households: give --zones or --region")
        else:
            zones = demand.zones_from_buildings(reg.residential_buildings, zone="building")
    network = None
    if catchment in ("drive", "walk"):
        if reg is None:
            fail(f"--catchment {catchment} needs --region (its {catchment} network)")
        from tradearea.regions.network import load_network  # lazy: keeps CLI start-up fast

        network = load_network(reg, catchment)  # type: ignore[arg-type]
    elif catchment != "radius":
        fail(f"--catchment {catchment!r}: expected radius, drive or walk")
    extent = reg.boundary.geometry.iloc[0] if reg is not None else None
    return saturation.saturation_surface(
        zones,
        stores,
        format=fmt,
        spend=spend,
        catchment=catchment,  # type: ignore[arg-type]
        radius_m=radius_m,
        minutes=minutes,
        network=network,
        resolution=resolution,
        extent=extent,
        period=period,  # type: ignore[arg-type]
    )


def _records(table: Any) -> list[dict[str, Any]]:
    import numpy as np  # lazy: keeps CLI start-up fast

    rows = table.to_dict("records")
    return [
        {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
        for r in rows
    ]
