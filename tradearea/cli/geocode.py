"""CLI: ``tradearea geocode``."""

from __future__ import annotations

from pathlib import Path

import typer

from tradearea._core.atomic import atomic_path
from tradearea._core.audit_log import log_personal_export
from tradearea.cli._common import JSON_OPTION, check_datum, cli_run, datum_option, datum_warnings
from tradearea.errors import InputError


def register(app: typer.Typer) -> None:
    """Add the ``geocode`` command."""

    @app.command("geocode")
    def geocode_command(
        input_file: Path = typer.Argument(
            ..., metavar="INPUT", help="Survey or CRM file (.csv or .xlsx, any common encoding)."
        ),
        region: str = typer.Option(..., "--region", help="Region pack, e.g. helsinki-center."),
        out: Path = typer.Option(..., "--out", help="Output file (.csv or .xlsx)."),
        address_col: str = typer.Option(
            None, "--address-col", help="Address column (default: detected, e.g. address/住址)."
        ),
        lat_col: str = typer.Option(None, "--lat-col", help="Latitude column, if given."),
        lon_col: str = typer.Option(None, "--lon-col", help="Longitude column, if given."),
        coord_system: str = datum_option("--coords"),
        encoding: str = typer.Option(None, "--encoding", help="Force the encoding, e.g. gbk."),
        sheet: str = typer.Option(None, "--sheet", help="Worksheet name or number (XLSX)."),
        delimiter: str = typer.Option(None, "--delimiter", help="Force the CSV delimiter."),
        header_row: int = typer.Option(None, "--header-row", help="Header row (1-based)."),
        fixes: Path = typer.Option(
            None, "--fixes", help="Analysts' fixes (CSV: respondent_id or address, lat, lon)."
        ),
        online: bool = typer.Option(
            False,
            "--online",
            help="Ask an online geocoder for rows left unplaced (sends those addresses out).",
        ),
        provider: str = typer.Option("nominatim", "--provider", help="Online provider (geopy)."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Geocode a survey or CRM file offline against a region pack.

        Writes every input column plus lat, lon, match_level, match_score, matched_address,
        status (geocoded, repaired, unmatched, rejected) and reason, one row per input row.

        Examples:

          tradearea geocode surveys/demo_survey.csv --region helsinki-center --out geocoded.csv

          tradearea geocode survey.xlsx --region shanghai --out out.csv --address-col 住址 --json

          tradearea geocode crm.csv --region city --out out.csv --lat-col 纬度 --lon-col 经度 --datum gcj02
        """
        from tradearea._core.escaping import neutralise_frame  # lazy: keeps CLI start-up fast
        from tradearea.geocode import (  # lazy: keeps CLI start-up fast
            account,
            datum_warning,
            geocode_frame,
            parse_coordinate,
        )
        from tradearea.geocode.online import OnlineGeocoder  # lazy: keeps CLI start-up fast
        from tradearea.regions.packs import load_region  # lazy: keeps CLI start-up fast
        from tradearea.surveys import map_columns, read_table  # lazy: keeps CLI start-up fast

        with cli_run("geocode", as_json=as_json) as s:
            if out.suffix.lower() not in (".csv", ".xlsx"):
                raise InputError("output must end in .csv or .xlsx", file=str(out))
            datum = check_datum(coord_system)
            pack = load_region(region)
            frame, info = read_table(
                input_file,
                encoding=encoding,
                sheet=sheet,
                delimiter=delimiter,
                header_row=header_row,
            )
            mapping = map_columns(frame)
            file = str(input_file)
            for option, col in (
                ("--address-col", address_col),
                ("--lat-col", lat_col),
                ("--lon-col", lon_col),
            ):
                if col is not None and col not in frame.columns:
                    cols = ", ".join(map(str, frame.columns[:15]))
                    msg = f"{option}: no column {col!r} (columns: {cols})"
                    raise InputError(msg, file=file, column=col)
            address = address_col or mapping.get("address") or "address"
            lat = lat_col or (mapping.get("lat") if not lon_col else None)
            lon = lon_col or (mapping.get("lon") if not lat_col else None)
            if bool(lat) != bool(lon):
                raise InputError("give both --lat-col and --lon-col", file=file)
            if address not in frame.columns and not lat:
                cols = ", ".join(map(str, frame.columns[:15]))
                msg = f"no address column found (columns: {cols}); name it with --address-col"
                raise InputError(msg, file=file, column="address")
            fix_table = read_table(fixes)[0] if fixes is not None else None
            online_geocoder = OnlineGeocoder(provider=provider) if online else None
            geocoded = geocode_frame(
                frame,
                region=pack,
                address_col=address,
                lat_col=lat,
                lon_col=lon,
                online=online_geocoder if online_geocoder is not None else False,
                fixes=fix_table,
                id_col=mapping.get("respondent_id") or mapping.get("customer_id"),
                coord_system=datum,
                source_rows=info.source_rows,
            )

            safe = neutralise_frame(geocoded)
            # addresses and coordinates of people: logged before the file (no log, no file)
            log_personal_export("geocode", file=out, rows=len(safe), online=bool(online))
            with atomic_path(out) as tmp:  # a failed write never leaves half a file
                if out.suffix.lower() == ".xlsx":
                    safe.to_excel(tmp, index=False, engine="xlsxwriter")
                else:
                    safe.to_csv(tmp, index=False, encoding="utf-8-sig")
            acc = account(geocoded)
            s.line = (
                f"geocode: {acc['rows']} rows: {acc['placed']} placed "
                f"({acc['geocoded']} geocoded, {acc['repaired']} repaired), "
                f"{acc['unmatched']} unmatched, {acc['rejected']} rejected"
            )
            if lat and lon:
                lats = frame[lat].map(parse_coordinate)
                lons = frame[lon].map(parse_coordinate)
                note = datum_warning(lats, lons, system=datum, what=file)
                s.line += datum_warnings(s, [note])
            s.line += f" -> {out}"
            s.update(
                out=str(out),
                region=region,
                account=acc,
                read=info.as_dict(),
                columns={"address": address, "lat": lat, "lon": lon},
                online=bool(online),
            )
            if online_geocoder is not None and online_geocoder.broken:
                msg = (
                    f"the online geocoder ({provider}) could not be used: "
                    f"{online_geocoder.failed} address(es) were not placed online; the offline "
                    f"results are in {out}"
                )
                raise InputError(msg, option="online")
