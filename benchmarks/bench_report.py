"""Site report for the demo project in each format (target < 10 s), next to naive writers.

ours: build the whole report (trade areas, demand, IRS, Huff, pricing, taboos, charts) and
render it. peer: write the same finished tables, charts and layers with the obvious tools
(pandas ``to_html`` + weasyprint, ``DataFrame.to_excel`` with openpyxl, ``GeoDataFrame.to_file``),
with none of the analysis: ratio = peer / ours, so a ratio below 1 is the price of the analysis
and of the formatting. A cold row times the CLI in a fresh process (imports and the demo
project's offline geocoding included).
"""

from __future__ import annotations

import base64
import io
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ("pdf", "html", "xlsx", "gpkg")
TARGET_S = 10.0


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _naive_html(report: object) -> str:
    parts = [f"<h1>{report.title}</h1>"]
    for sec in report.sections():
        parts.append(f"<h2>{sec.title}</h2>")
        for caption, data in sec.charts.items():
            src = base64.b64encode(data).decode("ascii")
            parts.append(f"<p>{caption}</p><img src='data:image/png;base64,{src}'>")
        for caption, frame in sec.tables.items():
            parts.append(f"<h3>{caption}</h3>" + frame.to_html(index=False))
    return "<html><body>" + "".join(parts) + "</body></html>"


def _peer(report: object, fmt: str, folder: Path) -> float:
    import pandas as pd

    t = time.perf_counter()
    if fmt in ("html", "pdf"):
        html = _naive_html(report)
        if fmt == "pdf":
            import weasyprint

            weasyprint.HTML(string=html).write_pdf()
    elif fmt == "xlsx":
        with pd.ExcelWriter(io.BytesIO(), engine="openpyxl") as writer:
            for i, sec in enumerate(report.sections()):
                for j, frame in enumerate(sec.tables.values()):
                    frame.to_excel(writer, sheet_name=f"s{i}-{j}", index=False)
    else:
        path = folder / "peer.gpkg"
        for name, layer in report.layers.items():
            frame = layer.copy()
            frame.attrs = {}
            for col in frame.columns:
                if frame[col].dtype == object and col != frame.geometry.name:
                    frame[col] = frame[col].astype(str)
            frame.to_file(path, layer=name, driver="GPKG")
    return time.perf_counter() - t


def _cold_cli(fmt: str, folder: Path) -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tradearea.cli", "report", "demo", "--format", fmt, "--out",
         str(folder / f"cold.{fmt}")],
        check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - t


def main() -> list[dict[str, object]]:
    """Time the demo report in every format; print one line per format."""
    from tradearea.project.workspace import open_project
    from tradearea.report import build_report, render

    t = time.perf_counter()
    project = open_project("demo")
    open_s = time.perf_counter() - t
    render(build_report(project.copy()), "html")  # warm imports and region caches
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for fmt in FORMATS:
            best = None
            for _ in range(2):
                c0, t0 = time.process_time(), time.perf_counter()
                report = build_report(project.copy(), charts=fmt in ("pdf", "html"))
                built = time.perf_counter() - t0
                data = render(report, fmt)
                wall = time.perf_counter() - t0
                cpu = time.process_time() - c0
                if best is None or wall < best[0]:
                    best = (wall, built, cpu, len(data), report)
            wall, built, cpu, size, report = best
            peer = _peer(report, fmt, folder)
            status = "OK" if wall < TARGET_S else "OVER TARGET"
            print(
                f"report demo {fmt}: ours {wall:.2f} s (build {built:.2f} s, render "
                f"{wall - built:.2f} s, cpu {cpu:.2f} s; target < {TARGET_S:.0f} s: {status}), "
                f"peer {peer:.2f} s, ratio {peer / wall:.2f}, {size:,} bytes"
            )
            rows.append(
                {
                    "task": f"site report ({fmt})",
                    "size": f"demo project, 1 candidate, {len(report.sections())} sections, "
                    f"{size:,} bytes",
                    "ours_s": round(wall, 3),
                    "peer_s": round(peer, 3),
                    "ratio": round(peer / wall, 2),
                    "peak_mb": _peak_mb(),
                    "peer": "naive writers of the same finished tables (no analysis)",
                    "note": f"build {built:.2f} s + render {wall - built:.2f} s; cpu {cpu:.2f} s; "
                    f"demo project opened (geocoded) once in {open_s:.2f} s",
                }
            )
        cold = _cold_cli("pdf", folder)
        print(f"report demo pdf, cold CLI (fresh process, imports, geocoding): {cold:.2f} s")
        rows.append(
            {
                "task": "site report (pdf, cold CLI)",
                "size": "tradearea report demo --format pdf in a fresh process",
                "ours_s": round(cold, 3),
                "peer_s": None,
                "ratio": None,
                "peak_mb": _peak_mb(),
                "note": "includes interpreter start, imports and opening the demo project",
            }
        )
    return rows


if __name__ == "__main__":
    main()
