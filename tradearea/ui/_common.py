"""Shared pieces of the app's pages: language, the open project, offline maps, error boxes."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import folium
import streamlit as st

from tradearea._core.escaping import escape_markdown
from tradearea.errors import InputError
from tradearea.mapping import maps as mapping

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

LANGUAGES = {"en": "English", "zh": "简体中文"}


_LAST_LANG = ["en"]


def lang() -> str:
    """Return the interface language code ('en' or 'zh').

    Outside a script run (AppTest formatting a widget's options between runs) there is no
    session: the language of the last run is used, so labels match what the run drew.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return _LAST_LANG[0]
    code = st.session_state.get("lang", "en")
    _LAST_LANG[0] = code
    return code


def tr(en: str, zh: str) -> str:
    """Return the label in the interface language.

    Parameters
    ----------
    en, zh : str
        The English and Simplified Chinese texts.

    Returns
    -------
    str
        One of them.
    """
    return zh if lang() == "zh" else en


@st.cache_resource(show_spinner=False)
def _demo_project_cached() -> Any:
    from tradearea.project import workspace

    return workspace.open_project(workspace.DEMO)


def current_project() -> Any:
    """Return the open project (the demo project unless the user opened another).

    Returns
    -------
    tradearea.project.workspace.Project
        Kept in ``st.session_state["project"]``.
    """
    if "project" not in st.session_state:
        from tradearea.project import workspace

        target = os.environ.get("TRADEAREA_PROJECT", workspace.DEMO) or workspace.DEMO
        if target == workspace.DEMO:
            st.session_state["project"] = _demo_project_cached().copy()
        else:
            st.session_state["project"] = workspace.open_project(target)
    return st.session_state["project"]


def set_project(project: Project) -> None:
    """Make ``project`` the open project of this session (and forget cached page results)."""
    st.session_state["project"] = project
    for key in [k for k in st.session_state if str(k).startswith("result_")]:
        del st.session_state[key]


def status_strip() -> None:
    """Show what is done and what is missing in the open project, in journey order."""
    project = current_project()
    layers = project.layers
    steps = [
        (tr("Survey", "问卷"), len(layers["customers"]) > 0),
        (tr("Trade areas", "商圈"), len(layers["trade_areas"]) > 0),
        (tr("Competitors", "竞争店"), len(layers["competitors"]) > 0),
        (tr("Candidates", "候选店址"), len(layers["candidates"]) > 0),
        (tr("Scenarios", "定价方案"), len(project.scenarios) > 0),
    ]
    parts = [
        f"{':material/check_circle:' if done else ':material/radio_button_unchecked:'} {label}"
        for label, done in steps
    ]
    saved = (
        (tr("saved: ", "已保存：") + escape_markdown(project.path.name))
        if project.path
        else tr("not saved", "未保存")
    )
    # a project's name is data: shown as text, never Markdown (no image fetched, no link)
    st.caption(f"**{escape_markdown(project.name)}** · " + " · ".join(parts) + f" · {saved}")


def current_region() -> Any:
    """Return the region pack of the open project."""
    from tradearea.regions.packs import load_region

    return load_region(current_project().region)


def offline_map(
    center: tuple[float, float] | None = None, *, zoom: int = 15, basemap: bool = True
) -> folium.Map:
    """Return a folium map of the open project's region that works without internet.

    Parameters
    ----------
    center : tuple of float, optional
        (lat, lon); the region's centre by default.
    zoom : int
        Zoom level.
    basemap : bool
        Draw the region's streets and buildings.

    Returns
    -------
    folium.Map
        Add layers to it, then pass it to :func:`show_map`.
    """
    online = bool(st.session_state.get("online_tiles", False))
    return mapping.offline_map(
        current_region(), center=center, zoom=zoom, basemap=basemap, online_tiles=online
    )


def show_map(
    m: folium.Map,
    *,
    key: str,
    height: int = 520,
    returned_objects: list[str] | None = None,
) -> dict[str, Any]:
    """Render a folium map with streamlit-folium, its assets served locally.

    Parameters
    ----------
    m : folium.Map
        The map.
    key : str
        A unique widget key.
    height : int
        Height in pixels.
    returned_objects : list of str, optional
        What st_folium returns (default ``["last_clicked"]``; [] returns nothing and never reruns).

    Returns
    -------
    dict
        st_folium's result (``last_clicked`` with ``lat``/``lng`` when the user clicked).
    """
    from streamlit_folium import st_folium

    mapping.localise_assets(m)
    if not _assets_ok():
        st.warning(
            tr(
                "Map assets are not installed: run `make assets` (npm) and restart the app.",
                "地图资源未安装：请运行 `make assets`（npm）并重启应用。",
            )
        )
    result = st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=["last_clicked"] if returned_objects is None else returned_objects,
    )
    return result or {}


@st.cache_data(show_spinner=False)
def _assets_ok() -> bool:
    from tradearea.mapping.assets import assets_installed

    return assets_installed()


def add_store_markers(m: folium.Map, stores: Any, *, name: str | None = None) -> folium.Map:
    """Add the own stores as red shop markers (names escaped) in one layer of ``m``."""
    from tradearea._core.escaping import escape_html
    from tradearea.project.workspace import located_rows

    group = folium.FeatureGroup(name=name or tr("Own stores", "本店"))
    for row in stores[located_rows(stores)].itertuples():  # no marker without coordinates
        folium.Marker(
            [row.lat, row.lon],
            tooltip=escape_html(row.name),
            icon=folium.Icon(color="red", icon="shopping-cart", prefix="fa"),
        ).add_to(group)
    group.add_to(m)
    return m


# The app's label of each library option an error can name (the CLI shows its flag instead).
OPTION_LABELS: dict[str, tuple[str, str]] = {
    "method": ("Trade-area method", "商圈划定方法"),
    "format": ("Format", "业态"),
    "floor_area_m2": ("Sales floor area", "营业面积"),
    "rent_per_m2_month": ("Rent to test", "测试租金"),
    "scenario": ("Pricing scenario", "定价方案"),
    "currency": ("Currency", "货币"),
    "region": ("Region", "区域"),
    "k": ("Smallest customer count per map cell", "地图单元最少顾客数"),
    "privacy_k": ("Smallest customer count per map cell", "地图单元最少顾客数"),
    "thresholds": ("Thresholds", "阈值"),
    "radii_m": ("Ring radii", "同心圆半径"),
    "minutes": ("Minutes", "分钟"),
}


def show_error(exc: BaseException) -> None:
    """Show bad input as an error box naming file, row and column (never a traceback).

    Every part of the message is escaped: file names and cell values are user text and must not
    become links, images or HTML.
    """
    if isinstance(exc, InputError):
        parts = []
        if exc.file:
            parts.append(tr("file", "文件") + " " + escape_markdown(exc.file))
        if exc.row is not None:
            parts.append(tr(f"row {exc.row}", f"第 {exc.row} 行"))
        if exc.column:
            parts.append(tr("column", "列") + " " + escape_markdown(exc.column))
        if exc.option:
            label = OPTION_LABELS.get(exc.option, (exc.option, exc.option))
            parts.append(tr("setting", "设置") + " " + escape_markdown(tr(*label)))
        where = ", ".join(parts)
        text = escape_markdown(exc.message)
        st.error(f"{where}: {text}" if where else text, icon="⚠️")
    else:
        st.error(escape_markdown(f"{type(exc).__name__}: {exc}"), icon="⚠️")
