"""The Customers page (客户) in Streamlit's AppTest, on the example CRM files."""

from __future__ import annotations

import functools

import geopandas as gpd
import pandas as pd
from streamlit.testing.v1 import AppTest

from tradearea import crm
from tradearea.settings import REPO_DIR

EX = REPO_DIR / "data" / "examples"


def _script() -> None:
    from tradearea.ui.customers_page import page

    page()


def _app(lang: str = "en") -> AppTest:
    at = AppTest.from_function(_script, default_timeout=120)
    at.session_state["lang"] = lang
    # the demo project has trade areas of its own; these tests use the example areas file
    at.session_state["crm_areas_source"] = "example"
    return at.run()


@functools.cache
def _expected() -> crm.CrmResult:
    return crm.analyse_crm(
        EX / "crm_transactions.csv",
        gpd.read_file(EX / "crm_areas.geojson"),
        profile=EX / "crm_customers.csv",
        match_on=["name", "phone", "email"],
        dedup=True,
        region="helsinki-center",
    )


def test_page_shows_segments_by_tier_map_dedup_and_export(demo_region: object) -> None:
    at = _app()
    assert not at.exception
    assert not at.error
    assert [h.value for h in at.header] == ["Customers"]
    expected = _expected().summary()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Customers"] == f"{expected['customers']:,}"
    assert metrics["Revenue"] == f"{expected['revenue']:,.0f}"
    assert metrics["Total CLV"] == f"{expected['clv_total']:,.0f}"
    assert metrics["Win-back (primary, at risk)"] == str(expected["winback"])
    assert metrics["Revenue from top 20 %"] == f"{expected['pareto_top20_share']:.0%}"
    assert [t.label for t in at.tabs] == [
        "Segment × tier",
        "Segment map",
        "Duplicates",
        "Win-back",
        "Survey link",
        "Export",
    ]
    assert len(at.get("vega_lite_chart")) == 1
    # the dedup review lists every scored pair, proposed merges ticked, names masked
    editors = [d for d in at.dataframe if d.proto.editing_mode]
    assert len(editors) == 1
    review = editors[0].value
    assert len(review) == len(_expected().duplicates)
    assert review["merge"].sum() == expected["duplicate_pairs"] == expected["merged_records"]
    names = pd.read_csv(EX / "crm_customers.csv")["name"]
    shown_names = set(review["name_a"]) | set(review["name_b"])
    assert all("•" in n for n in shown_names) and not shown_names & set(names)
    assert any("cells shown" in c.value and "hidden" in c.value for c in at.caption)
    downloads = at.get("download_button")
    assert len(downloads) == 3


def test_page_in_chinese() -> None:
    at = _app("zh")
    assert not at.exception
    assert [h.value for h in at.header] == ["客户"]
    assert "分群 × 商圈" in [t.label for t in at.tabs]


def test_upload_mode_waits_for_a_file() -> None:
    at = _app()
    at.toggle(key="crm_use_example").set_value(False).run()
    assert not at.exception
    assert any("Upload a CRM export" in i.value for i in at.info)
    assert not at.metric


def test_review_decisions_follow_the_editor(monkeypatch) -> None:
    from tradearea.ui import customers_page

    pairs = pd.DataFrame({"proposed": [True, True, False]})
    monkeypatch.setattr(customers_page.st, "session_state", {})
    assert customers_page._decisions(pairs) is None
    monkeypatch.setattr(
        customers_page.st,
        "session_state",
        {customers_page.PAIRS_KEY: {"edited_rows": {0: {"merge": False}, 2: {"merge": True}}}},
    )
    assert customers_page._decisions(pairs) == (False, True, True)


def test_names_are_masked_for_review() -> None:
    from tradearea.ui.customers_page import _mask

    assert _mask("Riikka Wallin") == "R••••• W•••••"
    assert _mask("anna@example.fi") == "a•••@example.fi"
    assert _mask(None) == ""


def test_crm_files_take_the_datum(demo_region: object) -> None:
    # issue 18: the CRM upload offers the datum; Helsinki points declared GCJ-02 stay put
    at = _app()
    radio = at.radio(key="crm_datum")
    assert radio.options == ["WGS84 (GPS)", "GCJ-02 (Amap / Tencent)", "BD-09 (Baidu)"]
    before = {m.label: m.value for m in at.metric}
    radio.set_value("gcj02").run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric} == before
