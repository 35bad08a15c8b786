"""The app names the setting at fault by its label, never by a CLI flag."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    from tradearea import project as proj
    from tradearea.errors import InputError
    from tradearea.project.workspace import Project
    from tradearea.ui._common import show_error

    try:
        proj.evaluate_candidate(
            Project(name="t", region="helsinki-center"), 60.17, 24.94, method="teleport"
        )
    except InputError as exc:
        show_error(exc)
    show_error(InputError("the value is unknown", option=st.session_state["option"]))


@pytest.mark.parametrize(("lang", "label"), [("en", "Trade-area method"), ("zh", "商圈划定方法")])
def test_errors_name_the_setting_in_the_interface_language(lang: str, label: str) -> None:
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["lang"] = lang
    at.session_state["option"] = "method"
    at.run()
    assert not at.exception
    texts = [e.value.replace("\\", "") for e in at.error]  # Markdown escapes removed
    assert any("teleport" in t for t in texts)  # the library's own error, shown
    assert any(label in t for t in texts)  # the option, by the page's label
    assert not any("--" in t for t in texts)  # never a command-line flag
