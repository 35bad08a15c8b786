"""CLI: ``tradearea run``."""

from __future__ import annotations

from pathlib import Path

import typer

from tradearea.cli._common import JSON_OPTION, cli_run, fail


def register(app: typer.Typer) -> None:
    """Add the ``run`` command."""

    @app.command("run")
    def run_command(
        pipeline: Path = typer.Argument(
            ..., metavar="PIPELINE.toml", help="Pipeline file (see data/examples/pipeline.toml)."
        ),
        engine: str | None = typer.Option(
            None, "--engine", help="pandas (in memory) or dask (partitioned, out of core)."
        ),
        scheduler: str | None = typer.Option(
            None,
            "--scheduler",
            help="Dask scheduler address (tcp://host:8786) or scheduler.json; implies "
            "--engine dask. Default: a local cluster.",
        ),
        out: Path | None = typer.Option(
            None, "--out", help="Output folder (overrides [run] output in the file)."
        ),
        force: bool = typer.Option(
            False, "--force", help="Run every step, even those already up to date."
        ),
        quiet: bool = typer.Option(False, "--quiet", help="No progress lines."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Run a batch pipeline: survey/CRM -> geocode -> tiers -> Huff/IRS -> CRM -> report.

        Every own store and candidate site of the file is analysed in one run, reading and
        writing Parquet/GeoParquet. Resumable: a step whose inputs, settings and upstream
        outputs are unchanged is skipped, so a second run (or a run after a crash) redoes
        only what is missing or changed. Progress is printed on stderr, one line per step.
        The same file runs in memory (--engine pandas) or partitioned on Dask (--engine dask,
        a local cluster, or any cluster with --scheduler) and gives the same tables.

        Examples:

          tradearea run data/examples/pipeline.toml --out pipeline-out

          tradearea run data/examples/pipeline.toml --engine dask --out pipeline-out --json

          tradearea run national.toml --scheduler tcp://10.0.0.5:8786

          tradearea run national.toml --scheduler /shared/scheduler.json --force
        """
        if engine is not None and engine not in ("pandas", "dask"):
            fail(f"--engine {engine!r}: use pandas or dask")
        if engine == "pandas" and scheduler:
            fail("--scheduler needs the Dask engine (drop --engine pandas)")
        with cli_run("run", as_json=as_json) as summary:
            from tradearea.batch.pipeline import (  # lazy: keeps CLI start-up fast
                load_config,
                run_pipeline,
            )

            config = load_config(pipeline, engine=engine, scheduler=scheduler, output=out)

            def progress(line: str) -> None:
                if not quiet:
                    typer.echo(f"tradearea run: {line}", err=True)

            reports = run_pipeline(config, force=force, progress=progress)
            ran = [r.name for r in reports if r.status == "ran"]
            skipped = [r.name for r in reports if r.status == "skipped"]
            seconds = sum(r.seconds for r in reports)
            summary.line = (
                f"run: {len(reports)} steps ({len(ran)} ran, {len(skipped)} up to date) in "
                f"{seconds:.1f} s on {config.engine} -> {config.output}"
            )
            summary.update(
                pipeline=str(pipeline),
                engine=config.engine,
                output=str(config.output),
                ran=ran,
                skipped=skipped,
                steps=[
                    {
                        "name": r.name,
                        "status": r.status,
                        "seconds": round(r.seconds, 3),
                        "outputs": r.outputs,
                        "summary": {k: v for k, v in r.summary.items() if k != "line"},
                    }
                    for r in reports
                ],
            )
