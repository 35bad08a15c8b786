"""CLI: ``tradearea huff``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

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
from tradearea.errors import InputError

T = TypeVar("T")
S = TypeVar("S", bound=str)
CALIBRATION_METHODS: tuple[Literal["ml", "mci"], ...] = ("ml", "mci")
CHOICE_SETS: tuple[Literal["all", "named"], ...] = ("all", "named")
COST_ALIASES = {
    "origin_id": ("origin", "from", "zone_id", "zone", "起点", "区域编号"),
    "store_id": ("destination", "to", "store", "shop_id", "终点", "门店编号"),
    "cost": ("time", "travel_time", "travel_time_s", "minutes", "distance", "distance_m", "成本", "时间", "距离"),
}  # fmt: skip


def in_file(path: Path, read: Callable[[], T]) -> T:
    """Run ``read`` and name ``path`` in any InputError it raises without a file."""
    try:
        return read()
    except InputError as exc:
        if exc.file is None:
            exc.file = str(path)
        raise


def write_csv(frame: Any, out: Path) -> None:
    """Write a table as UTF-8 CSV, text cells neutralised against formula injection."""
    from tradearea._core.escaping import neutralise_frame  # lazy: keeps CLI start-up fast

    table = frame.drop(columns=["geometry"], errors="ignore")
    with atomic_path(out) as tmp:  # a failed write never leaves half a file
        neutralise_frame(table).to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")


def register(app: typer.Typer) -> None:
    """Add the ``huff`` command."""

    @app.command("huff")
    def huff_command(
        stores: Path = typer.Option(
            ..., "--stores", help="Stores CSV: store_id, name, format, lat, lon, floor_area_m2."
        ),
        demand: Path = typer.Option(
            ...,
            "--demand",
            help="Demand zones: CSV with origin_id, demand (or households), lat, lon; or "
            "GeoJSON/GeoPackage/Shapefile polygons.",
        ),
        out: Path = typer.Option(..., "--out", help="Write expected sales per store (CSV)."),
        costs: Path | None = typer.Option(
            None, "--costs", help="Travel costs CSV in long format: origin_id, store_id, cost."
        ),
        alpha: float | None = typer.Option(None, "--alpha", help="Attractiveness exponent α."),
        beta: float | None = typer.Option(None, "--beta", help="Distance-decay exponent β (λ)."),
        calibrate: Path | None = typer.Option(
            None,
            "--calibrate",
            help="Fit α and β from a geocoded survey (respondent_id, lat, lon, "
            "visits_per_month, competitor_1, competitor_1_visits_per_month, ...).",
        ),
        coords: Path | None = typer.Option(
            None, "--coords", help="respondent_id, lat, lon joined to the survey (if not geocoded)."
        ),
        method: str = typer.Option("ml", "--method", help="Calibration method: ml or mci."),
        choice_set: str = typer.Option(
            "all", "--choice-set", help="Calibration choice set: all stores, or named ones."
        ),
        own_store: str | None = typer.Option(
            None, "--own-store", help="store_id where the survey was taken (else role = own)."
        ),
        attractiveness: str = typer.Option(
            "floor_area_m2", "--attractiveness", help="Store column used as attractiveness."
        ),
        min_cost: float | None = typer.Option(
            None,
            "--min-cost",
            help="Costs below this count as this (default 50 m straight-line; half the "
            "smallest positive cost of a cost table).",
        ),
        spend: float | None = typer.Option(
            None,
            "--spend",
            help="Spending per household per week where the zones have no demand column "
            "(default: the format's default, e.g. 90 for grocery).",
        ),
        candidate: str | None = typer.Option(
            None, "--candidate", help="Forecast a new store at LAT,LON."
        ),
        candidate_area: float | None = typer.Option(
            None, "--candidate-area", help="Candidate floor area in m² (format default if not set)."
        ),
        format_: str = typer.Option(
            "supermarket",
            "--format",
            help="Retail format modelled: sets the default spending per household and the "
            "candidate's format.",
        ),
        zones_out: Path | None = typer.Option(
            None, "--zones-out", help="Also write per-zone market shares (CSV)."
        ),
        datum: str = datum_option(),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Huff model: store choice probabilities, expected sales and market shares.

        P_ij = A_j^α d_ij^-β / Σ_k A_k^α d_ik^-β with floor area as attractiveness and
        straight-line metres (or a cost table) as d. α, β come from --alpha/--beta, else from
        the survey fit (--calibrate), else the defaults 1 and 2. Expected sales per store =
        Σ_i demand_i P_ij.

        Examples:

          tradearea huff --stores data/examples/competitors.csv --demand data/examples/zones.geojson --out sales.csv

          tradearea huff --stores data/examples/competitors.csv --demand data/examples/zones.geojson --spend 90 --alpha 1 --beta 2 --out sales.csv --json

          tradearea huff --stores stores.csv --demand zones.csv --costs od.csv --calibrate survey_geocoded.csv --out sales.csv

          tradearea huff --stores data/examples/competitors.csv --demand data/examples/zones.geojson --calibrate surveys/demo_survey.csv --coords surveys/demo_survey_truth.csv --out sales.csv

          tradearea huff --stores data/examples/competitors.csv --demand data/examples/zones.geojson --candidate 60.1675,24.945 --candidate-area 1200 --out sales.csv --zones-out shares.csv
        """
        with cli_run("huff", as_json=as_json) as summary:
            from tradearea import (  # lazy: keeps CLI start-up fast
                calibration,
                competition,
                forecast,
                huff,
            )
            from tradearea.demand import (
                spend_per_household as default_spend,  # lazy: keeps CLI start-up fast
            )
            from tradearea.geocode import (  # lazy: keeps CLI start-up fast
                datum_warning,
                frame_to_wgs84,
                to_wgs84,
            )
            from tradearea.io.tables import read_table  # lazy: keeps CLI start-up fast

            datum = check_datum(datum)
            store_frame = in_file(
                stores,
                lambda: competition.read_competitors(
                    stores, default_format="supermarket", datum=datum
                ),
            )
            fmt = _format(format_)
            spend_used = spend if spend is not None else default_spend(fmt)
            zones = in_file(demand, lambda: _read_demand(demand, spend_used, datum))
            noted = datum_warnings(
                summary,
                [
                    datum_warning(zones["lat"], zones["lon"], system=datum, what=str(demand)),
                    datum_warning(
                        store_frame["lat"], store_frame["lon"], system=datum, what=str(stores)
                    ),
                ],
            )
            if "spend_per_household" in zones.columns:
                source = "--spend" if spend is not None else f"default for {fmt}"
                summary.update(spend_per_household=spend_used, spend_source=source)
            cost_table = None
            if costs is not None:
                table = read_table(costs, aliases=COST_ALIASES)
                cost_table = in_file(costs, lambda: _check_costs(table, costs))
                huff.cost_matrix(  # check ids and costs now, naming the cost file
                    cost_table,
                    zones["origin_id"].astype(str),
                    store_frame["store_id"].astype(str),
                    file=str(costs),
                )
            fit = None
            if calibrate is not None:
                survey = frame_to_wgs84(read_table(calibrate), datum=datum)
                coord_table = (
                    frame_to_wgs84(read_table(coords), datum=datum) if coords is not None else None
                )
                choices, report = in_file(
                    calibrate,
                    lambda: calibration.survey_choices(
                        survey, store_frame, own_store_id=own_store, coords=coord_table
                    ),
                )
                # Respondents' homes are not demand zones: calibration uses straight lines.
                fit = in_file(
                    calibrate,
                    lambda: calibration.calibrate(
                        choices,
                        store_frame,
                        method=_choice(method, CALIBRATION_METHODS, "--method"),
                        choice_set=_choice(choice_set, CHOICE_SETS, "--choice-set"),
                        attractiveness=attractiveness,
                    ),
                )
                summary.update(calibration=fit.to_dict(), survey=report)
            a, b, source = calibration.huff_parameters(fit, alpha=alpha, beta=beta)
            result = in_file(
                stores,
                lambda: huff.huff_model(
                    zones,
                    store_frame,
                    alpha=a,
                    beta=b,
                    attractiveness=attractiveness,
                    costs=cost_table,
                    min_cost=min_cost,
                    focus=_own_ids(store_frame),
                ),
            )
            sales = result.sales.sort_values("expected_sales", ascending=False)
            write_csv(sales, out)
            if zones_out is not None:
                write_csv(result.zones, zones_out)
            top = sales.iloc[0] if len(sales) else None
            line = (
                f"huff: {len(zones):,} zones x {len(store_frame):,} stores, α={a:.3g} β={b:.3g} "
                f"({source}); demand {result.summary()['total_demand']:,.0f}"
            )
            if top is not None:
                line += f"; top {top['store_id']} {top['expected_sales']:,.0f} ({top['sales_share']:.1%})"
            summary.update(
                out=str(out),
                parameters_source=source,
                **result.summary(),
                top_stores=sales.head(10)[["store_id", "expected_sales", "sales_share"]].to_dict(
                    "records"
                ),
                notes=result.notes,
            )
            if candidate is not None:
                lat, lon = parse_latlon(candidate, option="--candidate")
                if datum != "wgs84":
                    c_lat, c_lon = to_wgs84(lat, lon, system=datum)
                    lat, lon = float(c_lat), float(c_lon)
                cand = forecast.candidate_store(lat, lon, format=fmt, floor_area_m2=candidate_area)
                fc = forecast.forecast_candidate(
                    zones,
                    store_frame,
                    cand,
                    alpha=a,
                    beta=b,
                    attractiveness=attractiveness,
                    costs=cost_table,
                    min_cost=min_cost,
                    spend=spend_used,
                )
                summary.update(
                    forecast=fc.summary(), transfers=fc.stores.head(10).to_dict("records")
                )
                line += (
                    f"; candidate sells {fc.expected_sales:,.0f} "
                    f"({fc.cannibalisation_share:.0%} from own stores)"
                )
            summary.line = line + noted + f" -> {out}"


def _read_demand(path: Path, spend: float | None, datum: str = "wgs84") -> Any:
    from tradearea.demand import read_demand  # lazy: keeps CLI start-up fast

    return read_demand(path, spend=spend, datum=datum)


def _check_costs(table: Any, path: Path) -> Any:
    from tradearea.io.tables import require_columns  # lazy: keeps CLI start-up fast

    require_columns(table, ("origin_id", "store_id", "cost"), file=str(path))
    return table


def _choice(value: str, allowed: tuple[S, ...], option: str) -> S:
    for choice in allowed:
        if value == choice:
            return choice
    fail(f"{option} {value!r}: expected one of {', '.join(allowed)}")
    raise AssertionError  # not reached: fail() exits


def _format(value: str) -> str:
    from tradearea.competition import normalise_format  # lazy: keeps CLI start-up fast
    from tradearea.formats import FORMATS

    key = normalise_format(value)
    if key is None:
        fail(f"--format {value!r}: expected one of {', '.join(FORMATS)}")
    return str(key)


def _own_ids(stores: Any) -> list[str]:
    if "role" not in stores.columns:
        return []
    return stores.loc[stores["role"].astype(str) == "own", "store_id"].astype(str).tolist()
