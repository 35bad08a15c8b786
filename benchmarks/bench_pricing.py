"""A 10,000-scenario pricing grid (rent × vacancy), next to a numpy-financial loop per scenario.

Ours: ``pricing.scenario_grid`` on the example scenario (mixed model with a loan): the monthly
cash-flow engine, then IRR, NPV, payback, equity IRR and equity multiple, all vectorised over
the scenario axis (target: under 1 s). Peer: a Python loop calling ``numpy_financial.irr`` (project
and equity flows) and ``numpy_financial.npv`` per scenario on the same yearly flows; the peer
does not even build the cash flows, so the ratio (peer ÷ ours, > 1 = ours faster) is
conservative. A like-for-like ratio over the metrics alone is printed too.

    .venv/bin/python benchmarks/bench_pricing.py
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import numpy as np

SIDE = 100  # 100 rents × 100 vacancies = 10,000 scenarios
REPEATS = 3
EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "examples" / "scenario.toml"


def _best(func: object, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> dict[str, object]:
    """Time our grid and the numpy-financial loop; print both and the ratio; return the row."""
    import numpy_financial as npf

    from tradearea import pricing

    base = pricing.load_scenario(EXAMPLE)
    axes = {
        "rents.base_rent_per_m2_month": np.linspace(150, 350, SIDE),
        "rents.vacancy": np.linspace(0.0, 0.3, SIDE),
    }
    size = SIDE * SIDE
    pricing.scenario_grid(base, axes)  # warm up
    ours = _best(lambda: pricing.scenario_grid(base, axes))
    tracemalloc.start()
    frame = pricing.scenario_grid(base, axes)
    peak_mb = tracemalloc.get_traced_memory()[1] / 1024**2
    tracemalloc.stop()

    mesh = np.meshgrid(*axes.values(), indexing="ij")
    evaluation = pricing.evaluate(base, {k: m.ravel() for k, m in zip(axes, mesh, strict=True)})
    net, equity = evaluation.net, evaluation.equity
    rate = base.finance.discount_rate

    def peer_loop() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        irr = np.array([npf.irr(row) for row in net])
        npv = np.array([npf.npv(rate, row) for row in net])
        equity_irr = np.array([npf.irr(row) for row in equity])
        return irr, npv, equity_irr

    start = time.perf_counter()
    peer_irr, peer_npv, peer_equity_irr = peer_loop()
    peer = time.perf_counter() - start

    def our_metrics() -> None:
        pricing.irr(net)
        pricing.npv(rate, net)
        pricing.irr(equity)

    metrics_only = _best(our_metrics)
    irr_gap = float(np.nanmax(np.abs(frame["irr"].to_numpy() - peer_irr)))
    npv_gap = float(np.nanmax(np.abs(frame["npv"].to_numpy() - peer_npv) / np.abs(peer_npv)))
    equity_gap = float(np.nanmax(np.abs(frame["equity_irr"].to_numpy() - peer_equity_irr)))
    ratio = peer / ours
    print(
        f"pricing grid {size:,} scenarios (rent x vacancy, mixed model, 12 years): "
        f"ours {ours:.3f} s (target < 1 s: {'met' if ours < 1 else 'MISSED'}), "
        f"peer numpy-financial loop {peer:.3f} s, ratio {ratio:.1f}x"
    )
    print(
        f"  metrics only (IRR, NPV, equity IRR on the same flows): ours {metrics_only:.3f} s, "
        f"ratio {peer / metrics_only:.1f}x; peak {peak_mb:.0f} MB (tracemalloc)"
    )
    print(
        f"  agreement with numpy-financial: max |IRR gap| {irr_gap:.1e}, "
        f"equity IRR {equity_gap:.1e}, max relative NPV gap {npv_gap:.1e}"
    )
    return {
        "task": "pricing scenario grid (engine + IRR/NPV/payback)",
        "size": f"{size:,} scenarios",
        "ours_s": round(ours, 4),
        "peer_s": round(peer, 4),
        "ratio": round(ratio, 2),
        "peak_mb": round(peak_mb, 1),
        "peer": "numpy-financial irr/npv loop",
        "note": f"metrics-only ratio {peer / metrics_only:.1f}x; max IRR gap {irr_gap:.1e}",
    }


if __name__ == "__main__":
    main()
