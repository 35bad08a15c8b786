"""CLI: ``tradearea crm``."""

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
)
from tradearea.errors import InputError
from tradearea.tiers import TIER_ORDER


def _mapping(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        source, sep, target = pair.rpartition("=")
        if not sep or not source or not target:
            fail(f"--map {pair!r}: expected SOURCE_COLUMN=FIELD, e.g. --map 'Kundnr=customer_id'")
        out[source.strip()] = target.strip()
    return out


def _read_areas(path: Path) -> Any:
    import pandas as pd  # lazy: keeps CLI start-up fast

    from tradearea.io.geofiles import (  # lazy: keeps CLI start-up fast
        read_polygons,
        require_polygons,
    )

    # size limit, CRS check/reprojection, invalid polygons repaired, households (if any) numbers
    frame = read_polygons(path, name=path.name, what="trade areas", polygons=False)
    missing = [c for c in ("store_id", "tier") if c not in frame.columns]
    if missing:
        msg = (
            f"trade areas need columns store_id and tier (from `tradearea areas`); "
            f"missing {', '.join(missing)}"
        )
        raise InputError(msg, file=path.name, column=missing[0])
    tier = pd.to_numeric(frame["tier"], errors="coerce")
    bad = ~tier.isin([1, 2, 3]).to_numpy()
    if bad.any():
        i = int(bad.argmax())
        msg = f"tier must be 1 (primary), 2 (secondary) or 3 (tertiary), got {frame['tier'].iloc[i]!r}"
        raise InputError(msg, file=path.name, row=i + 1, column="tier")
    require_polygons(frame, file=path.name, what="trade areas")
    return frame


def _write_table(frame: Any, path: Path) -> None:
    from tradearea._core.escaping import neutralise_frame  # lazy: keeps CLI start-up fast

    with atomic_path(path) as tmp:  # a failed write never leaves half a file
        neutralise_frame(frame).to_csv(tmp, index=False, encoding="utf-8-sig")


def register(app: typer.Typer) -> None:
    """Add the ``crm`` command."""

    @app.command("crm")
    def crm_command(
        crm_file: Path = typer.Argument(
            ..., metavar="CRM", help="CRM export (CSV/XLSX): transactions or one row per customer."
        ),
        areas: Path = typer.Option(
            ..., "--areas", help="Trade areas (GeoJSON/GeoPackage from `tradearea areas`)."
        ),
        out: Path = typer.Option(
            ...,
            "--out",
            help="Export for the CRM: .csv or .xlsx (customer_id, store_id, tier, "
            "segment, clv, lifecycle).",
        ),
        customers: Path | None = typer.Option(
            None,
            "--customers",
            help="One row per customer with lat/lon or address, costs and "
            "contact details, completing a transactions file.",
        ),
        mapping: list[str] = typer.Option(
            [],
            "--map",
            help="Column mapping SOURCE=FIELD (repeat), e.g. --map 'Kundnr=customer_id'.",
        ),
        match_on: str = typer.Option(
            "",
            "--match-on",
            help="Personal fields kept in memory for duplicate matching: any of "
            "name,phone,email,address. Without it names, phones and e-mails are dropped at import.",
        ),
        dedup: bool = typer.Option(False, "--dedup", help="Merge duplicate customer records."),
        threshold: float = typer.Option(
            85.0, "--threshold", help="Score (0-100) from which duplicates merge."
        ),
        as_of: str | None = typer.Option(
            None, "--as-of", help="Reference date (default: latest purchase)."
        ),
        retention_rate: float | None = typer.Option(
            None,
            "--retention-rate",
            help="Retention per year for CLV (default: estimated from the data).",
        ),
        discount_rate: float = typer.Option(
            0.10, "--discount-rate", help="Discount rate per year for CLV."
        ),
        horizon: int = typer.Option(3, "--horizon", help="CLV horizon in years (0 = no end)."),
        region: str | None = typer.Option(
            None, "--region", help="Region pack to geocode addresses without lat/lon."
        ),
        rejects: Path | None = typer.Option(
            None,
            "--rejects",
            help="Write the rows that were repaired or rejected, with reasons (CSV).",
        ),
        tables: Path | None = typer.Option(
            None, "--tables", help="Write the segment x tier table (CSV)."
        ),
        winback: Path | None = typer.Option(
            None,
            "--winback",
            help="Write the win-back list: at-risk customers in the primary area (CSV).",
        ),
        merges: Path | None = typer.Option(None, "--merges", help="Write the merge log (CSV)."),
        datum: str = datum_option(),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Link CRM customers to the trade-area tiers: value, RFM segments, lifecycle, win-back.

        Reads transactions (customer_id, date, amount, store_id) or one row per customer
        (first/last purchase, orders, revenue), English or Chinese headers. Every row is
        accepted, repaired or rejected with a reason. Computes CLV, customer ROI, profit
        margin, RFM quintiles and segments (champions, loyal, potential, new, at risk,
        hibernating, lost) and lifecycle stages, and gives each customer the store and tier
        (1 primary, 2 secondary, 3 tertiary, 0 outside) of the area holding their home.
        Names, phones, e-mails and addresses are never written to any output.

        Examples:

          tradearea crm data/examples/crm_customers.csv --areas data/examples/crm_areas.geojson --out segments.csv

          tradearea crm data/examples/crm_transactions.csv --customers data/examples/crm_customers.csv --areas data/examples/crm_areas.geojson --dedup --match-on name,phone,email --out segments.xlsx --winback winback.csv

          tradearea crm export.xlsx --areas areas.geojson --out out.csv --map 'Kundnr=customer_id' --as-of 2024-12-31 --json
        """
        with cli_run("crm", as_json=as_json) as summary:
            from tradearea import crm  # lazy: keeps CLI start-up fast

            if out.suffix.lower() not in {".csv", ".xlsx"}:
                fail(f"--out {out.name!r}: use a .csv or .xlsx file name")
            fields = [f.strip() for f in match_on.split(",") if f.strip()]
            if dedup and not fields:
                fail("--dedup needs --match-on, e.g. --match-on name,phone,email")
            trade_areas = _read_areas(areas)
            from tradearea.io.geofiles import repairs  # lazy: keeps CLI start-up fast

            notes = [f"file {areas.name}: {note}" for note in repairs(trade_areas)]
            for note in notes:
                typer.echo(f"tradearea crm: note: {note}", err=True)
            datum = check_datum(datum)
            result = crm.analyse_crm(
                crm_file,
                trade_areas,
                profile=customers,
                mapping=_mapping(mapping) or None,
                match_on=fields,
                dedup=dedup,
                threshold=threshold,
                as_of=as_of,
                retention_rate=retention_rate,
                discount_rate=discount_rate,
                horizon=horizon or None,
                region=region,
                datum=datum,
            )
            # one row per customer: logged before the files (no log, no export)
            log_personal_export(
                "crm", file=out, rows=len(result.customers),
                also=[str(p) for p in (rejects, tables, winback, merges) if p is not None],
            )  # fmt: skip
            crm.write_crm_export(result.customers, out)
            if rejects is not None:
                report = result.imported.report
                _write_table(
                    report[(report["status"] != "accepted") | (report["flag"] != "")], rejects
                )
            if tables is not None:
                _write_table(result.segment_tier, tables)
            if winback is not None:
                _write_table(result.winback, winback)
            if merges is not None:
                _write_table(result.merges, merges)
            info = result.summary()
            counts = result.imported.counts
            tiers = info["tiers"]
            tier_text = ", ".join(f"{t} {tiers[t]}" for t in TIER_ORDER if t in tiers)
            pareto = info["pareto_top20_share"]
            summary.line = (
                f"crm: {counts['rows']} rows ({counts['accepted']} accepted, {counts['repaired']} "
                f"repaired, {counts['rejected']} rejected); {info['customers']} customers: {tier_text}; "
                f"{info['winback']} at risk in the primary area; top 20 % bring "
                f"{'n/a' if pareto != pareto else f'{pareto:.0%}'} of revenue"
            )
            if datum != "wgs84" and {"lat", "lon"} <= set(result.customers.columns):
                from tradearea.geocode import datum_warning  # lazy: keeps CLI start-up fast

                note = datum_warning(
                    result.customers["lat"],
                    result.customers["lon"],
                    system=datum,
                    what=str(crm_file),
                )
                summary.line += datum_warnings(summary, [note])
            summary.line += f" -> {out}"
            summary.update(out=str(out), **info)
            if notes:
                summary.update(repairs=notes)
