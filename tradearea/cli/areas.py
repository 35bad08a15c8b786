"""CLI: ``tradearea areas``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from tradearea._core.atomic import atomic_path
from tradearea._core.audit_log import log_personal_export
from tradearea.cli._common import (
    JSON_OPTION,
    check_datum,
    cli_run,
    datum_option,
    datum_warnings,
    fail,
    parse_latlon,
)
from tradearea.cli.huff import in_file
from tradearea.errors import InputError

METHODS = ("share", "penetration", "rings", "drive", "walk")
METRICS = ("distance", "drive", "walk")


def register(app: typer.Typer) -> None:
    """Add the ``areas`` command."""

    @app.command("areas")
    def areas_command(
        input_file: Path = typer.Argument(
            ..., metavar="INPUT", help="Customers: CSV/XLSX with lat, lon (e.g. from `geocode`)."
        ),
        store: list[str] = typer.Option(
            [], "--store", help="Store position LAT,LON; repeat for several stores (S1, S2, ...)."
        ),
        stores_file: Path | None = typer.Option(
            None, "--stores", help="CSV of stores: store_id, name, lat, lon (instead of --store)."
        ),
        method: str = typer.Option(
            "share", "--method", help="share | penetration | rings | drive | walk."
        ),
        metric: str = typer.Option(
            "distance", "--metric", help="For share: distance | drive | walk (walk outward by)."
        ),
        thresholds: str | None = typer.Option(
            None,
            "--thresholds",
            help="Percents: share 75,90,95 (or 'Applebaum 65/85/95', '30/50/70'); "
            "penetration 30,10,5.",
        ),
        weight_col: str = typer.Option(
            "annual_spend",
            "--weight-col",
            help="Weight: annual_spend (visits x spend x 12), customers, or a column name.",
        ),
        radii: str | None = typer.Option(None, "--radii", help="Rings in km, e.g. 1,3,5."),
        retail_format: str | None = typer.Option(
            None, "--format", help="Ring preset by retail format, e.g. 'convenience store'."
        ),
        minutes: str = typer.Option("5,10,15", "--minutes", help="Drive/walk time areas (min)."),
        resolution: int = typer.Option(9, "--resolution", help="H3 resolution (penetration)."),
        zones_file: Path | None = typer.Option(
            None, "--zones", help="Zones with a households column (GeoJSON/GeoPackage)."
        ),
        expansion: float = typer.Option(
            1.0, "--expansion", help="Store customers per respondent (penetration)."
        ),
        buffer_m: float | None = typer.Option(
            None, "--buffer", help="Metres either side of reached streets (drive 150, walk 50)."
        ),
        footprint: str | None = typer.Option(
            None, "--footprint", help="Also write customer footprints: concave | h3."
        ),
        region: str = typer.Option("helsinki-center", "--region", help="Region pack name."),
        customers_out: Path | None = typer.Option(
            None, "--customers-out", help="Also write each customer's store, tier and reason (CSV)."
        ),
        out: Path = typer.Option(..., "--out", help="Output GeoJSON of the tier polygons."),
        datum: str = datum_option(),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Draw primary / secondary / tertiary trade areas around one or several stores.

        Examples:

          tradearea areas geocoded.csv --store 60.1699,24.9420 --out areas.geojson

          tradearea areas geocoded.csv --store 60.1699,24.9420 --metric walk
          --thresholds "Applebaum 65/85/95" --out areas.geojson --json

          tradearea areas geocoded.csv --store 60.1699,24.9420 --method penetration
          --thresholds 30,10,5 --out pen.geojson

          tradearea areas geocoded.csv --store 60.1699,24.9420 --method rings
          --format supermarket --out rings.geojson

          tradearea areas geocoded.csv --stores stores.csv --method drive --minutes 5,10,15
          --out drive.geojson
        """
        with cli_run("areas", as_json=as_json) as s:
            if method not in METHODS:
                fail(f"--method {method!r}: choose one of {', '.join(METHODS)}")
            if metric not in METRICS:
                fail(f"--metric {metric!r}: choose one of {', '.join(METRICS)}")
            if footprint not in (None, "concave", "h3"):
                fail(f"--footprint {footprint!r}: choose concave or h3")
            datum = check_datum(datum)
            stores = _to_wgs84(_stores(store, stores_file), datum)
            customers = _read_customers(input_file, region=region, datum=datum)
            options = _options(
                method,
                metric=metric,
                thresholds=thresholds,
                radii=radii,
                retail_format=retail_format,
                minutes=minutes,
                resolution=resolution,
                expansion=expansion,
                buffer_m=buffer_m,
            )
            from tradearea.tradeareas import trade_areas  # lazy: keeps CLI start-up fast

            zones = _to_wgs84(_read_zones(zones_file), datum) if zones_file else None
            result = trade_areas(
                customers,
                stores,
                method=method,
                weight=weight_col,
                region=region,
                zones=zones,
                footprint=footprint,
                file=input_file.name,
                **options,
            )
            _write(result, out, customers_out=customers_out)
            s.update(**_summary_fields(result, method, out))
            s.line = _summary_line(result, method, out, extra=_datum_note(s, customers, datum))


def _stores(store: list[str], stores_file: Path | None) -> Any:
    import pandas as pd  # lazy: keeps CLI start-up fast

    if stores_file is not None:
        from tradearea.tradeareas._base import prepare_stores  # lazy: keeps CLI start-up fast

        table = _read_table(stores_file)
        in_file(stores_file, lambda: prepare_stores(table))  # bad stores: name the file
        return table
    if not store:
        fail("give the store: --store LAT,LON (repeat for several) or --stores FILE")
    points = [parse_latlon(text) for text in store]
    return pd.DataFrame(points, columns=["lat", "lon"])


def _read_table(path: Path) -> Any:
    """Read CSV/XLSX through the shared hardened reader (size, zip-bomb and column limits)."""
    from tradearea.io.tables import read_table  # lazy: keeps CLI start-up fast

    frame = read_table(path)
    return frame.where(frame.notna(), "")


def _read_customers(path: Path, *, region: str, datum: str = "wgs84") -> Any:

    frame = _read_table(path)
    if {"lat", "lon"} <= set(frame.columns):
        return _to_wgs84(frame, datum)
    if "address" not in frame.columns:
        msg = "no lat/lon columns and no address column: nothing to place"
        raise InputError(msg, file=path.name, column="lat")
    from tradearea.geocode import geocode_frame  # lazy: keeps CLI start-up fast

    return geocode_frame(frame, region=region, address_col="address")


def _to_wgs84(frame: Any, datum: str) -> Any:
    """Coordinates in ``datum`` converted to WGS84 (only inside China)."""
    if datum == "wgs84":
        return frame
    from tradearea.geocode import frame_to_wgs84  # lazy: keeps CLI start-up fast

    return frame_to_wgs84(frame, datum=datum)


def _datum_note(summary: Any, customers: Any, datum: str) -> str:
    """A warning when a file declared GCJ-02/BD-09 has no point in China."""
    if datum == "wgs84" or not {"lat", "lon"} <= set(customers.columns):
        return ""
    import pandas as pd  # lazy: keeps CLI start-up fast

    from tradearea.geocode import datum_warning  # lazy: keeps CLI start-up fast

    lat = pd.to_numeric(customers["lat"], errors="coerce")
    lon = pd.to_numeric(customers["lon"], errors="coerce")
    return datum_warnings(summary, [datum_warning(lat, lon, system=datum, what="the input")])


def _read_zones(path: Path) -> Any:
    """Zones with households: size limit, CRS check, invalid polygons repaired (geofiles)."""
    from tradearea.io.geofiles import read_polygons  # lazy: keeps CLI start-up fast
    from tradearea.io.tables import numeric_column, require_columns  # lazy: keeps CLI start-up fast

    zones = read_polygons(path, name=path.name, what="zones", polygons=False)
    require_columns(zones, ("households",), file=path.name)
    zones["households"] = numeric_column(zones, "households", file=path.name, minimum=0)
    return zones


def _numbers(text: str, option: str) -> list[float]:
    try:
        return [float(p) for p in text.replace(";", ",").split(",") if p.strip()]
    except ValueError:
        fail(f"{option} {text!r}: expected numbers separated by commas")
    return []


def _options(method: str, **o: Any) -> dict[str, Any]:
    from tradearea.tradeareas import (  # lazy: keeps CLI start-up fast
        DEFAULT_PENETRATION_THRESHOLDS,
        parse_thresholds,
    )

    if method == "share":
        out: dict[str, Any] = {"metric": o["metric"], "buffer_m": o["buffer_m"]}
        if o["thresholds"]:
            out["thresholds"] = parse_thresholds(o["thresholds"], kind="share")
        return out
    if method == "penetration":
        thr = o["thresholds"]
        return {
            "thresholds": parse_thresholds(thr, kind="penetration")
            if thr
            else DEFAULT_PENETRATION_THRESHOLDS,
            "resolution": o["resolution"],
            "expansion": o["expansion"],
        }
    if method == "rings":
        if o["radii"]:
            return {"radii_m": [km * 1000.0 for km in _numbers(o["radii"], "--radii")]}
        return {"retail_format": o["retail_format"]}
    return {"minutes": _numbers(o["minutes"], "--minutes"), "buffer_m": o["buffer_m"]}


def _write(result: Any, out: Path, *, customers_out: Path | None) -> None:
    from tradearea._core.escaping import neutralise_frame  # lazy: keeps CLI start-up fast

    if customers_out is not None:
        # one row per customer, with their location: logged before any file (no log, no export)
        log_personal_export("areas", file=customers_out, rows=len(result.customers))
    # each output replaces the previous one in one step: a failed write leaves it intact
    with atomic_path(out) as tmp:
        result.areas.to_file(tmp, driver="GeoJSON")
    if result.footprints is not None:
        with atomic_path(out.with_name(out.stem + "_footprints.geojson")) as tmp:
            result.footprints.to_file(tmp, driver="GeoJSON")
    if customers_out is not None:
        table = result.customers.drop(columns="geometry")
        with atomic_path(customers_out) as tmp:
            neutralise_frame(table).to_csv(tmp, index=False, encoding="utf-8")


def _summary_line(result: Any, method: str, out: Path, *, extra: str = "") -> str:
    acc = result.account
    parts = []
    for row in result.areas.itertuples():
        cut = (
            f"{row.cutoff:,.0f} {row.cutoff_unit}"
            if row.cutoff_unit != "penetration"
            else (f"≥{row.cutoff:.0%}")
        )
        parts.append(
            f"{row.store_id} {row.tier_name} {row.customers} ({row.weight_share:.0%}, {cut})"
        )
    warned = "".join(f"; warning: {w}" for w in acc.get("warnings", []))
    return (
        f"areas: {method}, "
        + "; ".join(parts)
        + f"; {acc['outliers']} outliers, {acc['not_placed']} not placed{warned}{extra} -> {out}"
    )


def _summary_fields(result: Any, method: str, out: Path) -> dict[str, Any]:
    table = result.areas.drop(columns="geometry")
    tiers = [
        {k: (None if v != v else v) for k, v in row.items()}  # NaN -> null
        for row in table.to_dict(orient="records")
    ]
    fields: dict[str, Any] = {
        "method": method,
        "out": str(out),
        "tiers": tiers,
        "account": result.account,
    }
    if result.overlap is not None:
        fields["overlap"] = result.overlap.to_dict(orient="records")
    return fields
