"""App page "Report": choose sites and sections, preview, download PDF, HTML, XLSX, GeoPackage."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import streamlit as st

from tradearea import report as rep
from tradearea.report.model import PROJECT_SECTIONS, SECTION_KEYS, SITE_SECTIONS
from tradearea.ui._common import current_project, show_error, tr

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

FORMAT_LABELS = {
    "pdf": ("PDF", "PDF"),
    "html": ("HTML (interactive, offline)", "HTML（交互式，离线可用）"),
    "xlsx": ("Excel tables (XLSX)", "Excel 表格 (XLSX)"),
    "gpkg": ("GIS layers (GeoPackage)", "GIS 图层 (GeoPackage)"),
}
PREVIEW_HEIGHT = 900


def _section_label(key: str) -> str:
    en, zh = {**SITE_SECTIONS, **PROJECT_SECTIONS}[key]
    return tr(en, zh)


def export_bytes(report: rep.Report, fmt: str, project: Project) -> bytes:
    """Render ``report`` as ``fmt`` and record the export in the project's audit log.

    Parameters
    ----------
    report : tradearea.report.Report
        The built report.
    fmt : str
        ``pdf``, ``html``, ``xlsx`` or ``gpkg``.
    project : tradearea.project.workspace.Project
        The open project (its audit log gets the entry).

    Returns
    -------
    bytes
        The file.
    """
    data = rep.render(report, fmt)
    rep.record_export(project, report, fmt, file=rep.file_name(report, fmt))
    return data


def _build(project: Any, sites: list[str], sections: list[str], k: int, detailed: bool) -> None:
    try:
        with st.spinner(tr("Building the report…", "正在生成报告…")):
            crm = st.session_state.get("crm_result")  # from the Customers page, if run
            report = rep.build_report(
                project,
                sites=sites,
                sections=sections,
                detailed=detailed,
                k=k,
                crm=getattr(crm, "customers", None),
            )
            html = rep.render(report, "html").decode("utf-8")
    except Exception as exc:
        show_error(exc)
        return
    st.session_state["report"] = report
    st.session_state["report_html"] = html
    st.session_state["report_project"] = id(project)


def _choices(project: Any) -> tuple[list[str], list[str], int, bool] | None:
    try:
        sites = rep.project_sites(project)
    except Exception as exc:
        show_error(exc)
        return None
    if not sites:
        st.info(
            tr(
                "The project has no candidate site and no own store yet: add one on the Sites "
                "page.",
                "项目中还没有候选店址或自有门店：请在“选址”页面添加。",
            )
        )
        return None
    names = {s.site_id: s for s in sites}
    default = [s.site_id for s in rep.choose_sites(project)]
    chosen = st.multiselect(
        tr("Sites (several make a comparison)", "选址（多选即为比较）"),
        options=list(names),
        default=default,
        format_func=lambda sid: (
            f"{names[sid].name} · "
            + (
                tr("candidate", "候选")
                if names[sid].kind == "candidate"
                else tr("own store", "自有门店")
            )
        ),
        key="report_sites",
    )
    sections = st.multiselect(
        tr("Sections", "章节"),
        options=list(SECTION_KEYS),
        default=list(SECTION_KEYS),
        format_func=_section_label,
        key="report_sections",
    )
    c1, c2 = st.columns(2)
    k = int(
        c1.number_input(
            tr("Smallest customer count per map cell (k)", "地图每格最少顾客数 (k)"),
            min_value=1,
            max_value=1000,
            value=int(project.settings.privacy_k),
            step=1,
            key="report_k",
            help=tr(
                "Cells with fewer customers are left off every map and layer.",
                "顾客少于 k 的网格不会出现在任何地图或图层中。",
            ),
        )
    )
    detailed = c2.checkbox(
        tr("Detailed internal export (personal data)", "内部详细导出（含个人数据）"),
        value=False,
        key="report_detailed",
        help=tr(
            "Adds customer points, respondent ids and addresses. Logged in the audit trail.",
            "加入顾客点位、编号和地址。该操作会记入审计日志。",
        ),
    )
    if detailed:
        st.warning(
            tr(
                "The report will contain personal data: for internal use only. The export is "
                "recorded in the project's audit log.",
                "报告将包含个人数据，仅限内部使用。导出会记入项目审计日志。",
            ),
            icon="🔒",
        )
    return chosen, sections, k, detailed


def _downloads(report: rep.Report, project: Any) -> None:
    st.subheader(tr("Download", "下载"))
    cols = st.columns(len(rep.FORMATS))
    for col, fmt in zip(cols, rep.FORMATS, strict=True):
        en, zh = FORMAT_LABELS[fmt]
        col.download_button(
            tr(en, zh),
            data=functools.partial(export_bytes, report, fmt, project),
            file_name=rep.file_name(report, fmt),
            mime=rep.MEDIA_TYPES[fmt],
            key=f"report_download_{fmt}",
            on_click="ignore",
        )
    if report.detailed:
        st.caption(tr("Detailed report: contains personal data.", "详细报告：含个人数据。"))


def _headline(report: rep.Report) -> None:
    for site in report.sites:
        summary = report.section("summary", site.site_id)
        if summary is None or not summary.figures:
            continue
        st.markdown(f"**{tr('Site', '选址')}: {_md(site.name)}**")
        figures = list(summary.figures.values())[:8]
        cols = st.columns(4)
        for i, fig in enumerate(figures):
            cols[i % 4].metric(tr(fig.label, fig.label_zh or fig.label), fig.text)
    missing = report.availability()
    if missing:
        st.info(
            tr("Not available in this report:", "本报告暂缺：")
            + "\n"
            + "\n".join(f"- {_md(k)}: {_md(v)}" for k, v in missing.items())
        )


def _md(text: object) -> str:
    """Escape Markdown and HTML in user text shown with st.markdown/st.info."""
    from tradearea._core.escaping import escape_html

    out = escape_html(text)
    for ch in "\\`*_{}[]()#+-.!|~>":
        out = out.replace(ch, "\\" + ch)
    return out


def page() -> None:
    """Render the Report page."""
    project = current_project()
    st.header(tr("Report", "报告"))
    st.caption(
        tr(
            "One report, four formats: a PDF to read, a self-contained HTML page with an "
            "offline map, Excel tables and GIS layers. Customers appear only as counts on map "
            "cells.",
            "一份报告，四种格式：PDF、可离线使用的 HTML、Excel 表格和 GIS 图层。顾客仅以地图网格计数显示。",
        )
    )
    picked = _choices(project)
    if picked is None:
        return
    sites, sections, k, detailed = picked
    if st.button(
        tr("Build report", "生成报告"),
        type="primary",
        key="report_build",
        disabled=not sites or not sections,
    ):
        _build(project, sites, sections, k, detailed)
    report = st.session_state.get("report")
    if report is None or st.session_state.get("report_project") != id(project):
        return
    _headline(report)
    _downloads(report, project)
    st.subheader(tr("Preview", "预览"))
    # The report's own page has no script; its map runs in a sandboxed inner frame.
    st.iframe(st.session_state["report_html"], height=PREVIEW_HEIGHT)
