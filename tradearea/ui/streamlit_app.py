"""The Streamlit app: navigation over the pages, in the order of the planner's journey."""

from __future__ import annotations

import contextlib
import datetime
import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.state import get_session_state

from tradearea._core.escaping import escape_markdown
from tradearea.ui._common import LANGUAGES, current_project, status_strip, tr

LOG = logging.getLogger("tradearea.app")

FAVICON = Path(__file__).with_name("favicon.png")

# (module, url path, English title, Chinese title, icon) in journey order.
PAGES = (
    ("project_page", "project", "Project", "项目", ":material/home:"),
    ("survey_page", "survey", "Survey", "问卷调查", ":material/assignment:"),
    ("tradeareas_page", "trade-areas", "Trade areas", "商圈", ":material/radar:"),
    ("competition_page", "competition", "Competition", "竞争与饱和", ":material/storefront:"),
    ("customers_page", "customers", "Customers", "客户", ":material/groups:"),
    ("pricing_page", "pricing", "Pricing", "租售定价", ":material/payments:"),
    ("sites_page", "sites", "Sites", "选址", ":material/add_location:"),
    ("report_page", "report", "Report", "报告", ":material/description:"),
)


def _page_function(module: str) -> Callable[[], None]:
    return importlib.import_module(f"tradearea.ui.{module}").page


# Widgets whose value the session state cannot hold: buttons, uploads, chat and camera inputs.
_NOT_KEPT = frozenset(
    {"trigger_value", "string_trigger_value", "json_trigger_value", "file_uploader_state_value",
     "chat_input_value", "camera_input_value"}
)  # fmt: skip


def keep_inputs() -> None:
    """Keep every input's value across language switches and page changes.

    Streamlit forgets a widget's value when its label changes (switching the language
    changes every label) or when its page is not shown; writing each keyed value back into
    the session state at the start of a run keeps it, so a working pricing scenario or a
    candidate's inputs survive the switch. Buttons and uploads are left alone (their state
    cannot be set).
    """
    state = get_session_state()._state  # no public API says which keys belong to buttons
    for key in list(st.session_state):
        if not isinstance(key, str) or key.startswith(("FormSubmitter", "$$")):
            continue
        value = st.session_state[key]
        meta = state.get_widget_metadata(state._get_widget_id(key))
        kind = getattr(meta, "value_type", None)
        if kind is not None:  # a data editor's edits (a dict) cannot be set either
            kept = kind not in _NOT_KEPT and _plain(value)
        else:  # unknown widget: a button (bool) or an upload (None, a file) cannot be set
            kept = _plain(value) and not isinstance(value, bool)
        if kept:
            with contextlib.suppress(StreamlitAPIException, KeyError):
                st.session_state[key] = value


def _plain(value: object) -> bool:
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return isinstance(value, str | int | float | datetime.date | datetime.time)


def main() -> None:
    """Run the app (called by ``app.py`` and by ``tradearea app``)."""
    st.set_page_config(page_title="tradearea", page_icon=str(FAVICON), layout="wide")
    keep_inputs()
    with st.sidebar:
        st.selectbox(
            "Language / 语言", options=list(LANGUAGES), format_func=LANGUAGES.get, key="lang"
        )
    pages = [
        st.Page(
            _page_function(mod),
            title=tr(en, zh),
            url_path=url,
            icon=icon,
            default=(i == 0),
        )
        for i, (mod, url, en, zh, icon) in enumerate(PAGES)
    ]
    nav = st.navigation(pages)
    with st.sidebar:
        st.toggle(
            tr("Online map tiles (uses the internet)", "在线底图（需联网）"),
            key="online_tiles",
            value=False,
            help=tr(
                "Off by default: the basemap is drawn from the region's own OpenStreetMap "
                "data and nothing leaves the machine.",
                "默认关闭：底图来自本地 OpenStreetMap 数据，不向外发送任何数据。",
            ),
        )
    status_strip()
    run_page(nav)


def run_page(nav: Any) -> None:
    """Run the chosen page; what the open project lacks is said in words, never a traceback.

    The problems of the project (a region not built here, stores without coordinates) are
    shown above every page; an error on a page is shown as a message with the way out (open
    another project on the Project page), and the full traceback goes to the server's log.
    """
    from tradearea.project.workspace import project_problems

    problems = project_problems(current_project())
    for problem in problems:
        st.warning(escape_markdown(problem))
    try:
        nav.run()
    except Exception as exc:  # a page failing on this project must not take the app with it
        LOG.exception("page failed on project %s", getattr(current_project(), "name", "?"))
        st.error(
            tr("This page cannot be shown for the open project: ", "当前项目无法显示此页面：")
            + escape_markdown(str(exc))
        )
        st.info(
            tr(
                "Open or create another project on the Project page (the sidebar).",
                "请在“项目”页面（侧栏）打开或新建其他项目。",
            )
        )


if __name__ == "__main__":
    main()
