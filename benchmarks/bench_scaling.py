"""Benchmark: scaling of tier assignment + CRM aggregation, 10k -> 10M customers, both engines.

A synthetic national chain (1,000 stores over a country-sized area, 1 / 3 / 5 km ring trade
areas, loyalty customers living around the stores) is written as Parquet part files of 250,000
customers. For each size, ``tradearea.scale.analyse_customers`` (CLV, RFM, lifecycle, point in
polygon tiers, segment x tier tables, penetration, win-back, Pareto) runs in a fresh process:

- pandas engine: read every part into memory, run the CRM functions on the whole table;
- Dask engine: a LocalCluster of 2 single-threaded workers reads the parts out of core.

Time is wall clock including reading and writing the tiered customers back to Parquet; peak
memory is the largest resident memory of the whole process tree (client and workers), sampled
every 0.1 s. Both engines must give the same tables (checked on the summary figures).

Sizes: ``TRADEAREA_BENCH_MAX`` (default 10,000,000; 1,000,000 when ``TRADEAREA_BENCH_QUICK``
is set), e.g. ``TRADEAREA_BENCH_MAX=1000000 python benchmarks/bench_scaling.py``. The pandas
engine at a size is skipped when its memory (extrapolated from the previous size) would not
fit in the available memory with a 30 % margin (``TRADEAREA_BENCH_PANDAS_ALWAYS=1`` forces it).
Temporary files go to ``TRADEAREA_BENCH_TMP`` (default: the system temp folder).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

SIZES = (10_000, 100_000, 1_000_000, 10_000_000)
N_STORES = 1000
RADII_M = (1000.0, 3000.0, 5000.0)
PART_ROWS = 250_000
WORKERS = 2
WORKER_MEMORY = "5GiB"
BAR_1M_S = 60.0
HERE = Path(__file__).resolve()


def _sizes() -> list[int]:
    quick = bool(os.environ.get("TRADEAREA_BENCH_QUICK"))
    top = int(float(os.environ.get("TRADEAREA_BENCH_MAX", 1_000_000 if quick else 10_000_000)))
    return [s for s in SIZES if s <= top] or [SIZES[0]]


# ---- child: one engine, one size ----------------------------------------------------------


def _warm_up() -> None:
    import tradearea.crm
    import tradearea.scale.crm_tables  # noqa: F401


def _child(engine: str, data: Path, work: Path) -> dict[str, Any]:
    import geopandas as gpd
    import pandas as pd

    from tradearea import scale

    areas = gpd.read_parquet(work / "areas.parquet")
    stores = pd.read_parquet(work / "stores.parquet")[["store_id", "lat", "lon"]]
    out = work / f"tiered-{engine}"
    workers_before = 0.0
    started, at = time.perf_counter(), os.times()
    if engine == "pandas":
        customers = pd.read_parquet(data)
        read_s = time.perf_counter() - started
        tables = scale.analyse_customers(
            customers, areas, as_of="2024-12-31", stores=stores, out=out
        )
        seconds = time.perf_counter() - started
    else:
        import dask.dataframe as dd

        read_s = 0.0
        with scale.dask_client(
            workers=WORKERS,
            threads_per_worker=1,
            memory_limit=WORKER_MEMORY,
            local_directory=work / "dask-spill",
        ) as client:
            client.run(_warm_up)  # a long-lived cluster has its libraries loaded already
            workers_before = sum(client.run(time.process_time).values())
            started, at = time.perf_counter(), os.times()
            with scale._dask.dask_config():
                customers = dd.read_parquet(str(data))
            tables = scale.analyse_customers(
                customers, areas, as_of="2024-12-31", stores=stores, out=out
            )
            seconds = time.perf_counter() - started
    info = tables.summary()
    shutil.rmtree(out, ignore_errors=True)
    # CPU seconds of the analysis in this process and in the Dask workers (reaped children,
    # less their start-up): the work done, whatever else the machine was running
    end = os.times()
    cpu = sum(end[:4]) - sum(at[:4]) - workers_before
    return {"seconds": seconds, "read_s": read_s, "cpu_s": cpu, "summary": info}


# ---- parent: data, processes, memory --------------------------------------------------------


def _tree_rss(proc: Any) -> int:
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def _run_child(engine: str, data: Path, work: Path) -> dict[str, Any]:
    import psutil

    cmd = [sys.executable, str(HERE), "--child", engine, "--data", str(data), "--work", str(work)]
    load = os.getloadavg()[0]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(proc.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(watched))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    for line in out.splitlines():
        if line.startswith("SCALING_JSON "):
            result = json.loads(line[len("SCALING_JSON ") :])
            result["peak_mb"] = round(peak / 2**20, 1)
            result["load"] = round((load + os.getloadavg()[0]) / 2, 1)
            return result
    msg = f"{engine} child failed ({proc.returncode}): {err[-3000:]}"
    if engine == "pandas":  # e.g. killed for want of memory: record it, go on with Dask
        print(msg, file=sys.stderr)
        return {"failed": f"exit {proc.returncode}", "peak_mb": round(peak / 2**20, 1)}
    raise RuntimeError(msg)


def _prepare(work: Path) -> None:
    import geopandas as gpd

    from tradearea.saturation import rule_of_thumb_rings
    from tradearea.testing.scale import national_stores

    stores = national_stores(N_STORES)
    stores.to_parquet(work / "stores.parquet", index=False)
    areas = rule_of_thumb_rings(stores, radii_m=RADII_M)
    gpd.GeoDataFrame(areas).to_parquet(work / "areas.parquet", index=False)


def _agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("customers", "tiers", "segments", "overlaps", "winback")
    same = all(a[k] == b[k] for k in keys)
    close = all(
        abs(a[k] - b[k]) <= 1e-9 * max(1.0, abs(a[k]))
        for k in ("revenue", "clv_total", "pareto_top20_share")
    )
    return same and close


def _available_mb() -> float:
    import psutil

    return psutil.virtual_memory().available / 2**20


def main() -> list[dict[str, Any]]:
    """Run every size on both engines; print the scaling table; return rows for run_all."""
    import pandas as pd

    from tradearea.testing.scale import write_customer_parts

    sizes = _sizes()
    base = os.environ.get("TRADEAREA_BENCH_TMP") or None
    work = Path(tempfile.mkdtemp(prefix="tradearea-scaling-", dir=base))
    rows: list[dict[str, Any]] = []
    table = []
    try:
        _prepare(work)
        stores = pd.read_parquet(work / "stores.parquet")
        pandas_mb_per_row = None
        for size in sizes:
            data = write_customer_parts(
                work / f"customers-{size}", size, stores, rows_per_part=PART_ROWS
            )
            results: dict[str, dict[str, Any] | None] = {}
            need = None if pandas_mb_per_row is None else pandas_mb_per_row * size
            room = _available_mb()
            if (
                need is not None
                and need * 1.3 > room
                and not os.environ.get("TRADEAREA_BENCH_PANDAS_ALWAYS")
            ):
                print(
                    f"pandas engine at {size:,}: skipped, needs about {need:,.0f} MB in memory, {room:,.0f} MB available"
                )
                results["pandas"] = None
            else:
                results["pandas"] = _run_child("pandas", data, work)
                pandas_mb_per_row = results["pandas"]["peak_mb"] / size
                if "failed" in results["pandas"]:
                    print(f"pandas engine at {size:,}: {results['pandas']['failed']}")
                    results["pandas"] = None
            results["dask"] = _run_child("dask", data, work)
            shutil.rmtree(data, ignore_errors=True)
            pd_res, dk = results["pandas"], results["dask"]
            agree = _agree(pd_res["summary"], dk["summary"]) if pd_res else None
            for engine, res in results.items():
                if res is None:
                    table.append((size, engine, None, None, None, None, None))
                    continue
                cpu = res["cpu_s"]
                row_ = (size, engine, res["seconds"], cpu, cpu / size * 1e6, res["peak_mb"])
                table.append((*row_, res["load"]))
            row: dict[str, Any] = {
                "task": f"scaling tiers+CRM, dask {WORKERS} workers",
                "size": f"{size:,} customers",
                "ours_s": round(dk["seconds"], 2),
                "peer": "pandas engine (in memory)",
                "peer_s": round(pd_res["seconds"], 2) if pd_res else None,
                "ratio": round(pd_res["seconds"] / dk["seconds"], 2) if pd_res else None,
                "peak_mb": dk["peak_mb"],
                "cpu_s": round(dk["cpu_s"], 1),
                "load_avg": dk["load"],
                "pandas_peak_mb": pd_res["peak_mb"] if pd_res else None,
                "pandas_cpu_s": round(pd_res["cpu_s"], 1) if pd_res else None,
                "pandas_load_avg": pd_res["load"] if pd_res else None,
                "engines_agree": agree,
                "customers_by_tier": dk["summary"]["tiers"],
            }
            rows.append(row)
            print(
                f"{size:>12,} customers: dask {dk['seconds']:8.1f} s {dk['peak_mb']:9,.0f} MB | "
                + (
                    f"pandas {pd_res['seconds']:8.1f} s {pd_res['peak_mb']:9,.0f} MB | same tables: {agree}"
                    if pd_res
                    else "pandas skipped"
                ),
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"\n{'customers':>12} {'engine':<7} {'wall s':>9} {'CPU s':>9} {'CPU s/1M':>9} "
        f"{'peak MB':>9} {'load':>5}"
    )
    for size, engine, seconds, cpu, per_m, peak, load in table:
        if seconds is None:
            print(f"{size:>12,} {engine:<7} {'skipped':>9}")
            continue
        print(
            f"{size:>12,} {engine:<7} {seconds:9.1f} {cpu:9.1f} {per_m:9.1f} {peak:9,.0f} {load:5.1f}"
        )
    print("(load: the machine's 1-minute load average during the run; 2 cores)")
    for size, engine, seconds, *_ in table:
        if size == 1_000_000 and seconds is not None:
            verdict = "under" if seconds < BAR_1M_S else "OVER"
            print(
                f"1,000,000 customers, {engine}: {seconds:.1f} s ({verdict} the {BAR_1M_S:.0f} s bar, 2 cores)"
            )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=("pandas", "dask"))
    parser.add_argument("--data", type=Path)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    if args.child:
        print("SCALING_JSON " + json.dumps(_child(args.child, args.data, args.work), default=str))
    else:
        main()
