"""Every page of the app (AppTest) on the demo project, in English and Chinese: it renders, with
its heading, no error and no exception; how long each takes once warm is measured and printed."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from tradearea._core.escaping import escape_markdown
from tradearea.project.demo import demo_project
from tradearea.project.workspace import Project
from tradearea.ui.streamlit_app import PAGES

# The page heading where it differs from the navigation title.
HEADINGS = {"competition_page": ("Competition and saturation", "竞争与饱和")}
TIMES: dict[str, float] = {}


def _script() -> None:
    import importlib

    import streamlit as st

    from tradearea.ui._common import status_strip

    status_strip()
    importlib.import_module(f"tradearea.ui.{st.session_state['_page']}").page()


@pytest.fixture(scope="module")
def demo(demo_region: object) -> Project:
    return demo_project()


@pytest.fixture(scope="module", autouse=True)
def _print_times(request: pytest.FixtureRequest) -> object:
    yield
    if not TIMES:
        return
    from conftest import ARTIFACTS

    lines = ["", "warm page run on the demo project (AppTest, s):"]
    lines += [f"  {name:<28} {seconds:6.2f}" for name, seconds in TIMES.items()]
    lines.append(f"  slowest: {max(TIMES.values()):.2f} s (target: under 2 s)")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print("\n".join(lines), flush=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "page_times.json").write_text(json.dumps(TIMES, indent=1), "utf-8")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("module", "en", "zh"), [(p[0], p[2], p[3]) for p in PAGES])
def test_page_renders_on_the_demo_project(
    demo: Project, module: str, en: str, zh: str, lang: str
) -> None:
    at = AppTest.from_function(_script, default_timeout=180)
    at.session_state["project"] = demo.copy()
    at.session_state["lang"] = lang
    at.session_state["_page"] = module
    at.run()
    assert not at.exception, at.exception
    heading = HEADINGS.get(module, (en, zh))[lang == "zh"]
    assert at.header[0].value == heading
    assert not at.error, [e.value for e in at.error]
    strip = at.caption[0].value
    assert escape_markdown("Demo: Lidl, Helsinki centre") in strip  # name as text (issue 20)
    assert ("商圈" if lang == "zh" else "Trade areas") in strip
    start = time.perf_counter()
    at.run()  # warm: caches filled, same inputs
    TIMES[f"{module} [{lang}]"] = time.perf_counter() - start
    assert not at.exception


def test_the_shell_switches_language_and_lists_the_journey() -> None:
    from tradearea.settings import REPO_DIR

    at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=180)
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.header[0].value == "项目"
    assert at.selectbox(key="lang").value == "zh"
    assert "第一商圈" not in at.caption[0].value  # the strip names steps, not tiers
    assert [p[2] for p in PAGES] == [
        "Project", "Survey", "Trade areas", "Competition", "Customers", "Pricing", "Sites",
        "Report",
    ]  # fmt: skip
