"""The batch run's report: stores and candidates side by side, as HTML, XLSX and summary.json."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradearea._core.escaping import escape_html, neutralise_frame

CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:0 0 1.5em}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
    "th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}"
    ".note{color:#555;font-size:90%}"
)


def _read(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.exists() else None


def _cell(value: Any) -> str:
    if value is None or (np.isscalar(value) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return "∞" if np.isinf(value) else f"{value:,.2f}"
    if isinstance(value, np.integer | int) and not isinstance(value, bool):
        return f"{int(value):,}"
    return escape_html(value)


def _html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape_html(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def store_table(out: Path) -> pd.DataFrame:
    """One row per own store and candidate: customers by tier, expected sales, IRS by tier."""
    stores = pd.read_parquet(out / "stores.parquet")
    mine = stores[stores["role"].isin(["own", "candidate"])][["store_id", "name", "role"]].copy()
    by_store = _read(out / "crm_segment_tier_by_store.parquet")
    if by_store is not None and len(by_store):
        counts = by_store.pivot_table(
            index="store_id", columns="tier_label", values="customers", aggfunc="sum", observed=True
        )
        own = (mine["role"] == "own").to_numpy()
        for tier in ("primary", "secondary", "tertiary"):
            if tier in counts.columns:
                found = mine["store_id"].map(counts[tier]).fillna(0)
                mine[f"customers_{tier}"] = found.where(own).astype("Int64")
    sales = _read(out / "huff_sales.parquet")
    if sales is not None:
        mine["expected_sales"] = mine["store_id"].map(sales.set_index("store_id")["expected_sales"])
    cands = _read(out / "huff_candidates.parquet")
    if cands is not None and len(cands):
        c = cands.set_index("store_id")
        is_cand = mine["store_id"].isin(c.index)
        if "expected_sales" not in mine:
            mine["expected_sales"] = np.nan
        mine.loc[is_cand, "expected_sales"] = mine.loc[is_cand, "store_id"].map(c["expected_sales"])
        mine["cannibalisation_share"] = mine["store_id"].map(c["cannibalisation_share"])
    irs = _read(out / "irs.parquet")
    if irs is not None and len(irs):
        wide = irs.pivot_table(index="store_id", columns="tier", values="irs", aggfunc="first")
        for tier in wide.columns:
            mine[f"irs_tier{int(tier)}"] = mine["store_id"].map(wide[tier])
    with_cand = _read(out / "irs_candidates.parquet")
    if with_cand is not None and len(with_cand):
        first = with_cand[with_cand["tier"] == 1].set_index("store_id")
        mine["irs_tier1_with_candidate"] = mine["store_id"].map(first["irs_with_candidate"])
    return mine.reset_index(drop=True)


def write_batch_report(ctx: Any) -> dict[str, Any]:
    """Write report.html, report.xlsx and summary.json into the output folder."""
    out: Path = ctx.config.output
    title = ctx.config.section("report").get("title") or ctx.config.section("run").get(
        "name", "tradearea batch run"
    )
    state = json.loads((out / ".pipeline" / "state.json").read_text("utf-8"))
    steps = state.get("steps", {})
    stores = store_table(out)
    sections: list[tuple[str, pd.DataFrame]] = [("Stores and candidates", stores)]
    segment = _read(out / "crm_segment_tier.parquet")
    if segment is not None:
        pivot = segment.pivot_table(
            index="segment", columns="tier_label", values="customers", aggfunc="sum", observed=False
        )
        pivot.columns = [str(c) for c in pivot.columns]
        sections.append(("CRM customers: segment x tier", pivot.reset_index()))
    geocoded = _read(out / "survey_geocoded.parquet")
    if geocoded is not None:
        account = geocoded["status"].astype(str).value_counts().rename_axis("status").reset_index()
        sections.append(("Survey rows: geocoding", account))
    irs = _read(out / "irs.parquet")
    if irs is not None and len(irs):
        cols = [
            c
            for c in ("store_id", "tier", "customers", "floor_area", "stores", "irs", "status")
            if c in irs
        ]
        sections.append(("IRS per tier", irs[cols]))
    facts = {
        name: {k: v for k, v in info.get("summary", {}).items() if not isinstance(v, dict | list)}
        for name, info in steps.items()
    }
    summary = {
        "title": title,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "region": ctx.config.region,
        "steps": facts,
        "stores": json.loads(stores.to_json(orient="records")),
    }
    html = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{escape_html(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape_html(title)}</h1>",
        f"<p class='note'>Region {escape_html(ctx.config.region or '-')}; generated "
        f"{escape_html(summary['generated'])}. Customers appear only as counts.</p>",
    ]
    for heading, frame in sections:
        html += [f"<h2>{escape_html(heading)}</h2>", _html_table(frame)]
    html.append("</body></html>")
    (out / "report.html").write_text("".join(html), "utf-8")
    with pd.ExcelWriter(out / "report.xlsx", engine="xlsxwriter") as book:
        for heading, frame in sections:
            sheet = heading.split(":")[0][:31]
            table = neutralise_frame(frame.replace([np.inf, -np.inf], np.nan))
            table.to_excel(book, sheet_name=sheet, index=False)
    (out / "summary.json").write_text(
        json.dumps(summary, indent=2, default=str, ensure_ascii=False), "utf-8"
    )
    return {"sections": len(sections), "stores": len(stores), "line": "report.html, report.xlsx"}
