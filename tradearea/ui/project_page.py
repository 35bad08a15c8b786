"""App page "Project": open, create and save projects; the region and its map."""

from __future__ import annotations

import hashlib
from pathlib import Path

import folium
import streamlit as st

from tradearea._core.atomic import write_bytes_atomic
from tradearea._core.escaping import escape_html, escape_markdown
from tradearea.errors import InputError
from tradearea.project import workspace
from tradearea.project.commands import set_settings
from tradearea.regions.packs import list_regions
from tradearea.settings import projects_dir
from tradearea.ui._common import (
    add_store_markers,
    current_project,
    current_region,
    offline_map,
    set_project,
    show_error,
    show_map,
    tr,
)


def _save(project: workspace.Project, target: Path, *, overwrite: bool) -> None:
    """Save, asking before replacing another file; a changed file is never overwritten."""
    try:
        path = workspace.save_project(project, target, overwrite=overwrite)
    except workspace.ProjectExistsError:
        st.session_state["save_confirm"] = str(target)
    except workspace.ProjectChangedError as exc:
        show_error(exc)
        st.info(
            tr(
                "Nothing was saved. Open the file again (Open tab) to see the other changes, "
                "or type another name above to save yours as a new project.",
                "未保存。请重新打开该文件查看其他更改，或在上方输入新名称另存为新项目。",
            )
        )
    except Exception as exc:
        show_error(exc)
    else:
        st.success(tr(f"Saved to {path}", f"已保存到 {path}"))


def _project_files() -> None:
    project = current_project()
    tab_save, tab_open, tab_new = st.tabs(
        [tr("Save", "保存"), tr("Open", "打开"), tr("New", "新建")]
    )
    with tab_save:
        default = project.path.stem if project.path else project.name
        name = st.text_input(tr("Save as", "另存为"), value=default, key="save_name")
        target = projects_dir() / workspace.safe_project_filename(name)
        if st.button(tr("Save project", "保存项目"), key="save_btn", type="primary"):
            st.session_state.pop("save_confirm", None)
            _save(project, target, overwrite=False)
        if st.session_state.get("save_confirm") == str(target):
            st.warning(
                tr(
                    f"A project named {escape_markdown(target.name)} already exists. Replace it?",
                    f"已有名为 {escape_markdown(target.name)} 的项目。要替换它吗？",
                )
            )
            if st.button(tr("Replace it", "替换"), key="save_replace"):
                st.session_state.pop("save_confirm", None)
                _save(project, target, overwrite=True)
        if project.path:
            st.caption(tr("File", "文件") + f": {project.path}")
    with tab_open:
        recent = workspace.recent_projects()
        if recent:
            choice = st.selectbox(
                tr("Recent projects", "最近的项目"),
                recent,
                format_func=lambda p: p.name,
                key="recent_choice",
            )
            if st.button(tr("Open", "打开"), key="open_recent"):
                _open(choice)
        uploaded = st.file_uploader(
            tr("Open a project file (.gpkg)", "打开项目文件 (.gpkg)"),
            type=["gpkg"],
            key="project_upload",
        )
        if uploaded is not None and st.button(
            tr("Open uploaded project", "打开上传的项目"), key="open_upload"
        ):
            _open_upload(uploaded.name, uploaded.getvalue())
        if st.button(tr("Open the demo project", "打开演示项目"), key="open_demo"):
            _open(workspace.DEMO)
    with tab_new:
        name = st.text_input(tr("Project name", "项目名称"), key="new_name")
        regions = list_regions()
        region = st.selectbox(tr("Region", "区域"), regions, key="new_region")
        currency = st.text_input(
            tr("Currency", "货币"), value="EUR", max_chars=8, key="new_currency"
        )
        if st.button(tr("Create project", "创建项目"), key="new_btn", disabled=not name):
            try:
                set_project(workspace.new_project(name, region=region, currency=currency))
            except Exception as exc:
                show_error(exc)
            else:
                st.rerun()


def _open_upload(name: str, data: bytes) -> bool:
    """Open an uploaded project file; its name is shown in messages, never used as a path."""
    target = projects_dir() / f"uploaded-{hashlib.sha256(data).hexdigest()[:12]}.gpkg"
    write_bytes_atomic(target, data)
    if _open(target, shown_as=name):
        return True
    target.unlink(missing_ok=True)  # a file that is not a project is not kept
    return False


def _open(target: object, *, shown_as: str | None = None) -> bool:
    """Open ``target``; on failure show an error box naming it (``shown_as``: an upload's name)."""
    try:
        project = workspace.open_project(target)
    except Exception as exc:
        if shown_as is not None and isinstance(exc, InputError):
            exc.file = shown_as
        show_error(exc)
        return False
    set_project(project)
    st.rerun()
    return True


def page() -> None:
    """Render the Project page."""
    project = current_project()
    st.header(tr("Project", "项目"))
    st.subheader(escape_markdown(project.name))  # data, not Markdown
    with st.expander(
        tr("Project file: save, open, new", "项目文件：保存、打开、新建"), expanded=False
    ):
        _project_files()  # first: a project whose region is missing can still be switched
    region = current_region()
    currency = st.text_input(
        tr("Currency of money figures", "金额货币"),
        value=project.settings.currency,
        max_chars=8,
        key="project_currency",
        help=tr(
            "Shown with every money figure; saved with the project.",
            "显示在所有金额旁，随项目保存。",
        ),
    ).strip()
    if currency and currency.upper() != project.settings.currency:
        try:
            set_settings(project, currency=currency)
        except InputError as exc:
            show_error(exc)
    meta = region.meta
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("Addresses", "地址"), f"{meta['counts']['addresses']:,}")
    c2.metric(tr("Shops and services", "商店与服务"), f"{meta['counts']['shops']:,}")
    c3.metric(tr("Buildings", "建筑"), f"{meta['counts']['buildings']:,}")
    c4.metric(tr("Street segments", "街道路段"), f"{meta['counts']['streets']:,}")
    m = offline_map(zoom=15)
    stores = project.layer("stores")
    competitors = project.layer("competitors")
    comp_group = folium.FeatureGroup(name=tr("Competitors", "竞争店"))
    for row in competitors[workspace.located_rows(competitors)].itertuples():
        folium.CircleMarker(
            [row.lat, row.lon],
            radius=6,
            color="#34495e",
            fill=True,
            fill_opacity=0.9,
            tooltip=escape_html(row.name),
        ).add_to(comp_group)
    comp_group.add_to(m)
    add_store_markers(m, stores)
    folium.LayerControl(collapsed=False).add_to(m)
    show_map(m, key="project_map", height=560, returned_objects=[])
    st.caption(
        tr("Region", "区域")
        + f": {region.name} · "
        + tr("source", "数据源")
        + f": {escape_html(meta['source_file'])} "
        + f"({meta.get('source_date') or '?'}) · {escape_html(meta['attribution'])}"
    )
