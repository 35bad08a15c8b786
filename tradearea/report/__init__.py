"""Site reports: one report model rendered to HTML, PDF, XLSX and GeoPackage, privacy-safe."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from tradearea._core.atomic import write_bytes_atomic
from tradearea.errors import InputError
from tradearea.privacy import check_k, customer_cells, log_detailed, strip_personal
from tradearea.project.analysis import (
    ProjectAnalysis,
    Unavailable,
    choose_sites,
    project_sites,
)
from tradearea.project.decision import score_sites
from tradearea.report.model import (
    DEFAULT_K,
    FORMATS,
    PROJECT_SECTIONS,
    SECTION_KEYS,
    SITE_SECTIONS,
    Figure,
    Report,
    Section,
    Site,
    format_value,
)

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

WGS84 = "EPSG:4326"
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
}


def _section_keys(sections: Sequence[str] | None) -> list[str]:
    if sections is None:
        return list(SECTION_KEYS)
    keys = [str(s).strip().lower().replace("-", "_") for s in sections]
    unknown = [k for k in keys if k not in SECTION_KEYS]
    if unknown:
        msg = f"unknown section {unknown[0]!r}; sections are: {', '.join(SECTION_KEYS)}"
        raise InputError(msg, column="sections")
    return [k for k in SECTION_KEYS if k in keys]


def build_report(
    project: Project,
    *,
    sites: Sequence[str] | None = None,
    sections: Sequence[str] | None = None,
    detailed: bool = False,
    k: int | None = None,
    charts: bool = True,
    crm: pd.DataFrame | None = None,
) -> Report:
    """Build the site report of a project: every section, table, chart and map layer.

    Parameters
    ----------
    project : tradearea.project.workspace.Project
        The project (``open_project("demo")`` for the demo).
    sites : sequence of str, optional
        Site ids or names (candidates or own stores). Default: every candidate, else the own
        stores. Several sites make a comparison.
    sections : sequence of str, optional
        Section keys to include (:data:`SECTION_KEYS`); all by default.
    detailed : bool
        Include personal data (customer points, respondent ids, addresses) for internal use.
        Recorded in the project's audit log.
    k : int, optional
        Smallest customer count shown on a map cell (setting ``privacy_k``, default 5).
    charts : bool
        Draw the charts and static maps (HTML and PDF show them; XLSX and GeoPackage do not
        need them).
    crm : pandas.DataFrame, optional
        Valued CRM customers (``tradearea.crm.CrmResult.customers``: segment, revenue, clv,
        lat, lon) when the project does not keep them; only counts reach the report.

    Returns
    -------
    Report
        Ready for :func:`render`. Sections whose module is missing or failed are marked not
        available with the reason; the report itself does not fail for them.

    Raises
    ------
    InputError
        For an unknown site or section, or an invalid ``k``.
    """
    keys = _section_keys(sections)
    try:
        k = check_k(k if k is not None else project.settings.privacy_k, detailed=detailed)
    except ValueError as exc:
        raise InputError(str(exc), column="k") from None
    ctx = ProjectAnalysis(project, k=k, draw=charts)
    ctx.crm_customers = crm
    chosen = choose_sites(project, list(sites) if sites else None)
    if detailed:
        log_detailed(project, reason="detailed report requested", sites=[s.site_id for s in chosen])
    from tradearea.report import sections as sec  # sections import this package's model

    scores = None
    if "scorecard" in keys or len(chosen) > 1:
        try:
            scores = score_sites(ctx, chosen)
        except Exception:  # the scorecard section will say why
            scores = None
    site_sections: dict[str, list[Section]] = {}
    summaries: dict[str, Section] = {}
    for site in chosen:
        parts: dict[str, Section] = {}
        for key in SITE_SECTIONS:
            if key == "summary" or key not in keys:
                continue
            extra = {"scores": scores} if key == "scorecard" else {}
            parts[key] = sec.SITE_FUNCTIONS[key](project, site, ctx=ctx, **extra)
        summary = sec.section_summary(project, site, ctx=ctx, parts=parts, build=sec.SITE_FUNCTIONS)
        summaries[site.site_id] = summary
        ordered = [summary] if "summary" in keys else []
        site_sections[site.site_id] = ordered + list(parts.values())
    project_sections: list[Section] = []
    if "data_quality" in keys:
        project_sections.append(
            sec.section_data_quality(project, ctx=ctx, sites=chosen, detailed=detailed)
        )
    if "assumptions" in keys:
        project_sections.append(sec.section_assumptions(project, ctx=ctx, sites=chosen))
    if "sources" in keys:
        project_sections.append(sec.section_sources(project, ctx=ctx))
    comparison = sec.section_comparison(summaries, chosen, scores) if len(chosen) > 1 else None
    from tradearea import OSM_ATTRIBUTION
    from tradearea.project.workspace import now_iso

    title = (
        f"Site report: {chosen[0].name}"
        if len(chosen) == 1
        else f"Site comparison: {', '.join(s.name for s in chosen)}"
    )
    report = Report(
        title=title,
        project_name=str(project.name),
        region=str(project.region),
        generated_at=now_iso(),
        currency=ctx.currency,
        sites=chosen,
        site_sections=site_sections,
        project_sections=project_sections,
        comparison=comparison,
        detailed=bool(detailed),
        k=k,
        attribution=OSM_ATTRIBUTION,
        project=project,
    )
    report.layers = _layers(ctx, report)
    return report


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    geom = gpd.points_from_xy(frame["lon"].astype(float), frame["lat"].astype(float), crs=WGS84)
    return gpd.GeoDataFrame(
        frame.drop(columns="geometry", errors="ignore"), geometry=geom, crs=WGS84
    )


def _layers(ctx: ProjectAnalysis, report: Report) -> dict[str, gpd.GeoDataFrame]:
    """The GeoPackage layers: never a customer point unless the report is detailed."""
    out: dict[str, gpd.GeoDataFrame] = {}
    areas = []
    for site in report.sites:
        sec = next(
            (s for s in report.site_sections.get(site.site_id, []) if "trade_areas" in s.layers),
            None,
        )
        if sec is not None:
            areas.append(sec.layers["trade_areas"])
            continue
        try:
            layer = ctx.site(site).trade_areas().copy()
        except Unavailable:
            continue
        layer.insert(1, "site_name", site.name)
        areas.append(layer)
    if areas:
        out["trade_areas"] = gpd.GeoDataFrame(pd.concat(areas, ignore_index=True), crs=WGS84)
    for name, getter in (("stores", ctx.own_stores), ("competitors", ctx.competitors)):
        try:
            frame = getter()
        except Unavailable:
            continue
        if len(frame):
            out[name] = _points(frame.drop(columns="role", errors="ignore"))
    rows = []
    for site in report.sites:
        row = {
            "site_id": site.site_id,
            "name": site.name,
            "kind": site.kind,
            "format": site.format,
            "floor_area_m2": site.floor_area_m2,
            "site_address": site.address,
            "lat": site.lat,
            "lon": site.lon,
        }
        summary = report.section("summary", site.site_id)
        if summary is not None:
            row.update({key: fig.value for key, fig in summary.figures.items()})
        rows.append(row)
    out["candidates"] = _points(pd.DataFrame(rows))
    with contextlib.suppress(Unavailable):
        out["customers_h3"] = ctx.customer_cells()
    crm = next((s.layers["crm_h3"] for s in report.sections() if "crm_h3" in s.layers), None)
    if crm is not None:
        out["crm_h3"] = crm
    if report.detailed:
        customers = ctx.customers()
        if len(customers):
            out["customers"] = gpd.GeoDataFrame(customers.copy(), crs=WGS84)
    return out


def render(report: Report, fmt: str, out_path: str | Path | None = None) -> bytes:
    """Render ``report`` as ``pdf``, ``html``, ``xlsx`` or ``gpkg``.

    Parameters
    ----------
    report : Report
        From :func:`build_report`.
    fmt : {'pdf', 'html', 'xlsx', 'gpkg'}
        The output format.
    out_path : str or pathlib.Path, optional
        Also write the file there (atomically: a half-written file never replaces it).

    Returns
    -------
    bytes
        The file's content.
    """
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in FORMATS:
        msg = f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}"
        raise InputError(msg, option="format")
    if fmt == "html":
        from tradearea.report.html import render_html

        data = render_html(report).encode("utf-8")
    elif fmt == "pdf":
        from tradearea.report.pdf import render_pdf

        data = render_pdf(report)
    elif fmt == "xlsx":
        from tradearea.report.xlsx import render_xlsx

        data = render_xlsx(report)
    else:
        from tradearea.report.gpkg import render_gpkg

        data = render_gpkg(report)
    if out_path is not None:
        write_atomic(Path(out_path), data)
    return data


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, owner-readable only; a device or pipe is refused."""
    return write_bytes_atomic(path, data)


def record_export(project: Project, report: Report, fmt: str, *, file: str | None = None) -> dict:
    """Record an export of ``report`` in the project's audit log and return the entry."""
    return project.record(
        "export",
        format=fmt,
        detailed=report.detailed,
        sites=[s.site_id for s in report.sites],
        k=report.k,
        **({"file": file} if file else {}),
    )


def file_name(report: Report, fmt: str) -> str:
    """Return a safe download file name for ``report`` in ``fmt`` (no path, no odd characters)."""
    import re

    what = report.sites[0].name if len(report.sites) == 1 else "comparison"
    stem = re.sub(r"[^\w]+", "-", f"report {what}", flags=re.UNICODE).strip("-_")[:80]
    return f"{stem or 'report'}.{fmt}"


__all__ = [
    "DEFAULT_K",
    "FORMATS",
    "MEDIA_TYPES",
    "PROJECT_SECTIONS",
    "SECTION_KEYS",
    "SITE_SECTIONS",
    "Figure",
    "Report",
    "Section",
    "Site",
    "build_report",
    "choose_sites",
    "customer_cells",
    "file_name",
    "format_value",
    "project_sites",
    "record_export",
    "render",
    "strip_personal",
    "write_atomic",
]
