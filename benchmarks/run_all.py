"""Run every benchmark (benchmarks/bench_*.py) and print one table: ours, peer, ratio, peak memory.

Each benchmark module has ``main()`` returning a dict or a list of dicts with keys task, size,
ours_s, peer_s, ratio, peak_mb (and optionally peer, note). Each runs in its own process so peak
memory is its own. Results are also written to benchmarks/results.json with the machine description.

    python benchmarks/run_all.py            # all
    python benchmarks/run_all.py huff crm   # those whose file name contains a word
    python benchmarks/run_all.py --quick    # smaller sizes where a benchmark offers them

``--quick`` sets ``TRADEAREA_BENCH_QUICK=1`` for the benchmarks (bench_scaling then stops at
1,000,000 customers instead of 10,000,000; ``TRADEAREA_BENCH_MAX`` sets its top size).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_CHILD = """
import json, resource, runpy, sys
mod = runpy.run_path(sys.argv[1], run_name="bench")
res = mod["main"]()
rows = res if isinstance(res, list) else [res]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
for r in rows:
    r.setdefault("peak_mb", round(peak, 1))
print("BENCH_JSON " + json.dumps(rows, default=str))
"""


def machine() -> dict[str, object]:
    """Describe this machine (for results.json)."""
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024**2, 1),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def run(path: Path) -> list[dict[str, object]]:
    """Run one benchmark file in a child process and return its rows."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=HERE.parent,
    )
    sys.stdout.write(proc.stdout.replace("BENCH_JSON", "result:"))
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            rows = json.loads(line[len("BENCH_JSON ") :])
            for r in rows:
                r["file"] = path.name
            return rows
    sys.stderr.write(proc.stderr[-4000:])
    return [
        {
            "task": path.stem,
            "file": path.name,
            "error": f"exit {proc.returncode}",
            "wall_s": round(time.perf_counter() - started, 1),
        }
    ]


def _fmt(v: object, unit: str = "") -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.4g}{unit}"
    return f"{v}{unit}"


def main(argv: list[str]) -> int:
    """Run the selected benchmarks, print the table, write results.json."""
    if "--quick" in argv:
        argv = [a for a in argv if a != "--quick"]
        os.environ["TRADEAREA_BENCH_QUICK"] = "1"
    files = sorted(HERE.glob("bench_*.py"))
    if argv:
        files = [f for f in files if any(w in f.stem for w in argv)]
    rows: list[dict[str, object]] = []
    for f in files:
        print(f"== {f.name}", flush=True)
        rows.extend(run(f))
    header = f"{'task':<46} {'size':<22} {'ours':>11} {'peer':>11} {'ratio':>9} {'peak MB':>9}"
    print("\n" + header + "\n" + "-" * len(header))
    for r in rows:
        if "error" in r:
            print(f"{r['task']:<46} ERROR {r['error']}")
            continue
        print(
            f"{str(r.get('task'))[:46]:<46} {str(r.get('size'))[:22]:<22} "
            f"{_fmt(r.get('ours_s'), ' s'):>11} {_fmt(r.get('peer_s'), ' s'):>11} "
            f"{_fmt(r.get('ratio'), 'x'):>9} {_fmt(r.get('peak_mb')):>9}"
        )
    out = HERE / "results.json"
    out.write_text(json.dumps({"machine": machine(), "results": rows}, indent=2, default=str))
    print(f"\nwrote {out}")
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
