"""CLI: ``tradearea pricing``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from tradearea._core.atomic import write_text_atomic
from tradearea.cli._common import JSON_OPTION, cli_run
from tradearea.cli.huff import in_file


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def register(app: typer.Typer) -> None:
    """Add the ``pricing`` command."""

    @app.command("pricing")
    def pricing_command(
        scenario: Path = typer.Argument(
            ..., help="Scenario TOML file (copy data/examples/scenario.toml)."
        ),
        out: Path = typer.Option(
            ..., "--out", help="Write the full result (prices, rents, cash flows, ...) as JSON."
        ),
        grid: list[str] = typer.Option(
            [],
            "--grid",
            help="Vary an input: KEY=a:b:n (n values from a to b) or KEY=v1,v2. Repeat for "
            "a grid over several inputs (every combination is computed).",
        ),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Price shop space for lease and sale and compute investment returns of a scenario.

        Sale price by cost, market-comparison and income methods (reconciled); rent by
        yield, comparables and what the trade area can pay; yearly cash flows of the
        business model (lease, sell or mixed), NPV, IRR, payback and equity multiple; a
        tornado of the inputs that move IRR most; optionally a scenario grid.

        Examples:

          tradearea pricing data/examples/scenario.toml --out result.json

          tradearea pricing data/examples/scenario.toml --out grid.json --grid rents.base_rent_per_m2_month=180:300:13 --grid rents.vacancy=0:0.2:5

          tradearea pricing my.toml --out r.json --grid timing.hold_years=8,10,15 --json
        """
        with cli_run("pricing", as_json=as_json) as summary:
            from tradearea import pricing  # lazy: keeps CLI start-up fast

            loaded = pricing.load_scenario(scenario)
            defaulted = pricing.defaults_used(loaded)
            axes = dict(pricing.parse_grid_spec(spec) for spec in grid)

            # errors in files the scenario refers to (comparables) name the scenario file too
            result = in_file(scenario, lambda: pricing.analyse(loaded, grid=axes or None))

            write_text_atomic(out, json.dumps(result, ensure_ascii=False, indent=2))
            metrics = result["investment"]["metrics"]
            npv = metrics["npv"]
            payback = metrics["payback_years"]
            line = (
                f"pricing: {loaded.name}: IRR {_percent(metrics['irr'])}, "
                f"NPV {npv:,.0f}, payback "
                f"{'never' if payback is None else f'{payback:.1f} years'}, "
                f"price {result['price']['reconciled']:,.0f}/m², "
                f"yield rent {result['rent']['yield']:,.1f}/m²/month"
            )
            whole = [d for d in defaulted if "." not in d]
            if len(whole) == len(pricing.GROUPS):
                line += (
                    f"; the scenario gives no inputs: defaults used for every group "
                    f"({', '.join(whole)}; see data/examples/scenario.toml)"
                )
            elif whole:
                line += f"; defaults used for {', '.join(whole)}"
            summary.update(
                defaults_used=defaulted,
                scenario=loaded.name,
                out=str(out),
                irr=metrics["irr"],
                npv=npv,
                payback_years=payback,
                equity_irr=metrics["equity_irr"],
                equity_multiple=metrics["equity_multiple"],
                price_reconciled=result["price"]["reconciled"],
                rent_yield=result["rent"]["yield"],
                rent_market=result["rent"]["market"],
                rent_capacity=result["rent"]["capacity"],
            )
            if axes:
                irrs = [r["irr"] for r in result["grid"]["rows"] if r["irr"] is not None]
                size = result["grid"]["size"]
                line += f"; grid of {size:,} scenarios"
                if irrs:
                    line += f", IRR {_percent(min(irrs))} to {_percent(max(irrs))}"
                summary.update(
                    grid_size=size,
                    grid_irr_min=min(irrs) if irrs else None,
                    grid_irr_max=max(irrs) if irrs else None,
                )
            summary.line = line + f" -> {out}"
