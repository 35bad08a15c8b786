"""Inputs survive a language switch: the working pricing scenario and a candidate's inputs."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _pricing() -> None:
    from tradearea.ui.pricing_page import page
    from tradearea.ui.streamlit_app import keep_inputs

    keep_inputs()
    page()


def _sites() -> None:
    from tradearea.ui.sites_page import page
    from tradearea.ui.streamlit_app import keep_inputs

    keep_inputs()
    page()


def test_the_working_pricing_scenario_survives_a_language_switch() -> None:
    at = AppTest.from_function(_pricing, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    at.text_input(key="pricing.name").set_value("My lease, 12 EUR").run()
    at.number_input(key="pricing.rents.base_rent_per_m2_month").set_value(12.0).run()
    irr_en = next(m.value for m in at.metric if m.label == "IRR")
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.text_input(key="pricing.name").value == "My lease, 12 EUR"
    assert at.number_input(key="pricing.rents.base_rent_per_m2_month").value == 12.0
    irr_zh = next(m.value for m in at.metric if "IRR" in m.label)
    assert irr_zh == irr_en  # the same scenario, priced the same
    at.session_state["lang"] = "en"
    at.run()
    assert at.text_input(key="pricing.name").value == "My lease, 12 EUR"


def test_a_candidates_typed_inputs_survive_a_language_switch(demo_region: object) -> None:
    from tradearea.project.demo import demo_project

    at = AppTest.from_function(_sites, default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["project"] = demo_project()
    at.run()
    typed = [n for n in at.text_input if n.key and n.key.startswith("sites.")]
    assert typed, "the Sites page has typed inputs"
    box = typed[0]
    box.set_value("Hakaniemi corner").run()
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.text_input(key=box.key).value == "Hakaniemi corner"
