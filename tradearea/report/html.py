"""HTML rendering of a report: one jinja2 template (autoescape on), self-contained output."""

from __future__ import annotations

import base64
import json
import math
from functools import lru_cache
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader

from tradearea._core.escaping import escape_html
from tradearea.report.charts import TIER_COLOURS, TIER_NAMES
from tradearea.report.model import Report, Section, Site, column_kind, format_value

MAX_ROWS = 40


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The jinja2 environment: templates of this package, autoescape ON for every template."""
    env = Environment(
        loader=PackageLoader("tradearea.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def table_context(frame: pd.DataFrame, *, max_rows: int = MAX_ROWS) -> dict[str, Any]:
    """Turn a table into formatted text cells for the template (raw text, escaped there)."""
    kinds = [column_kind(c, frame[c]) for c in frame.columns]
    shown = frame.head(max_rows)
    rows = [
        [format_value(v, kind) for v, kind in zip(row, kinds, strict=True)]
        for row in shown.itertuples(index=False, name=None)
    ]
    return {
        "columns": [str(c).replace("_", " ") for c in frame.columns],
        "numeric": [k != "text" for k in kinds],
        "rows": rows,
        "total": len(frame),
        "truncated": len(frame) > max_rows,
    }


IMAGE_SCHEME = "tradearea-image"


def _png_src(data: bytes, images: dict[str, bytes] | None = None) -> str:
    """A data: URL, or (for the PDF) a key in ``images`` served from memory."""
    if images is None:
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    key = f"{IMAGE_SCHEME}:{len(images) + 1}"
    images[key] = data
    return key


def section_context(
    sec: Section, *, number: str, anchor: str, images: dict[str, bytes] | None = None
) -> dict[str, Any]:
    """Everything the template needs to draw one section."""
    return {
        "key": sec.key,
        "number": number,
        "anchor": anchor,
        "title": sec.title,
        "title_zh": sec.title_zh,
        "available": sec.available,
        "reason": sec.reason,
        "figures": [
            {"label": f.label, "label_zh": f.label_zh, "text": f.text} for f in sec.figures.values()
        ],
        "tables": [
            {"caption": caption, **table_context(sec.display.get(caption, frame))}
            for caption, frame in sec.tables.items()
            if caption not in sec.xlsx_only
        ],
        "charts": [{"caption": c, "src": _png_src(data, images)} for c, data in sec.charts.items()],
        "notes": list(sec.notes),
        "map_html": None,
    }


def report_context(
    report: Report, *, mode: str, images: dict[str, bytes] | None = None
) -> dict[str, Any]:
    """Build the template context: cover, table of contents and numbered blocks."""
    blocks: list[dict[str, Any]] = []
    toc: list[dict[str, Any]] = []
    n = 0
    if report.comparison is not None:
        n += 1
        ctx = section_context(report.comparison, number=str(n), anchor="comparison", images=images)
        blocks.append({"kind": "section", **ctx})
        toc.append({"anchor": "comparison", "number": str(n), "title": ctx["title"],
                    "title_zh": ctx["title_zh"], "level": 1})  # fmt: skip
    for site in report.sites:
        n += 1
        anchor = f"site-{_slug(site.site_id)}"
        label = "Candidate site" if site.kind == "candidate" else "Own store"
        blocks.append(
            {
                "kind": "site",
                "number": str(n),
                "anchor": anchor,
                "title": f"{label}: {site.name}",
                "title_zh": "候选店址" if site.kind == "candidate" else "自有门店",
                "site": _site_context(site),
            }
        )
        toc.append({"anchor": anchor, "number": str(n), "title": f"{label}: {site.name}",
                    "title_zh": "", "level": 1})  # fmt: skip
        for i, sec in enumerate(report.site_sections.get(site.site_id, []), start=1):
            number = f"{n}.{i}"
            sub = f"{anchor}-{sec.key}"
            ctx = section_context(sec, number=number, anchor=sub, images=images)
            if mode == "html" and sec.key == "trade_area" and sec.available:
                ctx["map_html"] = interactive_map(report, site)
            blocks.append({"kind": "section", **ctx})
            toc.append({"anchor": sub, "number": number, "title": sec.title,
                        "title_zh": sec.title_zh, "level": 2})  # fmt: skip
    for sec in report.project_sections:
        n += 1
        anchor = sec.key.replace("_", "-")
        ctx = section_context(sec, number=str(n), anchor=anchor, images=images)
        blocks.append({"kind": "section", **ctx})
        toc.append({"anchor": anchor, "number": str(n), "title": sec.title,
                    "title_zh": sec.title_zh, "level": 1})  # fmt: skip
    return {
        "mode": mode,
        "title": report.title,
        "project_name": report.project_name,
        "region": report.region,
        "generated_at": report.generated_at,
        "currency": report.currency,
        "detailed": report.detailed,
        "k": report.k,
        "attribution": report.attribution,
        "sites": [_site_context(s) for s in report.sites],
        "toc": toc,
        "blocks": blocks,
        "tier_colours": TIER_COLOURS,
    }


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in str(text)).strip("-") or "site"


def _site_context(site: Site) -> dict[str, Any]:
    return {
        "site_id": site.site_id,
        "name": site.name,
        "kind": site.kind,
        "format": site.format,
        "floor_area": format_value(site.floor_area_m2, "int", unit="m²"),
        "address": site.address or "",
        "location": f"{site.lat:.5f}, {site.lon:.5f}",
    }


def interactive_map(report: Report, site: Site) -> str | None:
    """Return a self-contained Leaflet page of the site's map (no network needed), or None."""
    import folium

    from tradearea.mapping import maps as mapping
    from tradearea.regions.packs import load_region

    try:
        region = load_region(report.region)
    except Exception:  # no region pack: the static map still shows
        return None
    m = mapping.offline_map(region, center=(site.lat, site.lon), zoom=15, height="100%")
    areas = report.layers.get("trade_areas")
    if areas is not None and len(areas):
        mine = areas[areas["store_id"].astype(str) == site.site_id]
        if len(mine) and mine.geometry.notna().any():
            x0, y0, x1, y1 = mine.total_bounds
            if all(map(math.isfinite, (x0, y0, x1, y1))):
                m.fit_bounds([[y0, x0], [y1, x1]])
        for tier in sorted(mine["tier"].astype(int).unique(), reverse=True):
            geom = mine.loc[mine["tier"].astype(int) == tier].geometry
            colour = TIER_COLOURS.get(int(tier), "#888888")
            folium.GeoJson(
                json.loads(gpd_json(geom)),
                name=f"Tier {tier}: {TIER_NAMES.get(int(tier), '')}",
                style_function=lambda _f, c=colour: {
                    "color": c,
                    "weight": 2,
                    "fillColor": c,
                    "fillOpacity": 0.25,
                },
                tooltip=f"Tier {tier}: {TIER_NAMES.get(int(tier), '')}",
            ).add_to(m)
    cells = report.layers.get("customers_h3")
    if cells is not None and len(cells):
        group = folium.FeatureGroup(name=f"Customers per H3 cell (≥ {report.k})")
        for _, row in cells.iterrows():
            folium.GeoJson(
                row.geometry.__geo_interface__,
                style_function=lambda _f: {
                    "color": "#1f5f8b",
                    "weight": 1,
                    "fillColor": "#6baed6",
                    "fillOpacity": 0.45,
                },
                tooltip=f"{int(row['customers'])} customers",
            ).add_to(group)
        group.add_to(m)
    for name, colour in (("competitors", "#333333"), ("stores", "#1f5f8b")):
        layer = report.layers.get(name)
        if layer is None or not len(layer):
            continue
        group = folium.FeatureGroup(name="Competitors" if name == "competitors" else "Own stores")
        for _, row in layer.iterrows():
            folium.CircleMarker(
                [float(row.geometry.y), float(row.geometry.x)],
                radius=6,
                color=colour,
                fill=True,
                fill_opacity=0.8,
                tooltip=escape_html(row.get("name")),
            ).add_to(group)
        group.add_to(m)
    folium.CircleMarker(
        [site.lat, site.lon],
        radius=10,
        color="#d62728",
        fill=True,
        fill_opacity=0.9,
        tooltip=escape_html(site.name),
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    # Only Leaflet itself: no icon fonts or Bootstrap (megabytes once inlined, and unused).
    m.default_js = [(n, u) for n, u in m.default_js if n == "leaflet"]
    m.default_css = [(n, u) for n, u in m.default_css if n == "leaflet_css"]
    return mapping.render_html(m, inline=True)


def gpd_json(geoms: Any) -> str:
    """GeoJSON of a GeoSeries (geometry only)."""
    import geopandas as gpd

    return gpd.GeoDataFrame(geometry=geoms.reset_index(drop=True)).to_json(drop_id=True)


def render_html(
    report: Report, *, mode: str = "html", images: dict[str, bytes] | None = None
) -> str:
    """Render the report as one self-contained HTML page (``mode='pdf'`` for weasyprint).

    Parameters
    ----------
    report : Report
        The report.
    mode : {'html', 'pdf'}
        ``html`` adds the interactive maps; ``pdf`` lays out for print (static maps only).
    images : dict, optional
        If given, charts are referenced by key and their PNG bytes put in this dict (the PDF
        serves them from memory) instead of being inlined as data: URLs.

    Returns
    -------
    str
        The HTML; every user-supplied string is escaped by the template.
    """
    context = report_context(report, mode=mode, images=images)
    return environment().get_template("report.html.j2").render(**context)
