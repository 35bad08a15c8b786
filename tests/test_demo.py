"""The demo: a reproducible survey of 150 respondents for a real Helsinki supermarket."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pandas as pd

from tradearea.project import demo


def _bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def test_committed_demo_survey_is_reproduced_byte_for_byte(demo_region, tmp_path) -> None:
    out, truth = demo.write_demo_survey(tmp_path / "s.csv", tmp_path / "t.csv")
    assert out.read_bytes() == demo.DEMO_SURVEY.read_bytes()
    assert truth.read_bytes() == demo.DEMO_TRUTH.read_bytes()
    assert (
        hashlib.sha256(out.read_bytes()).hexdigest()
        == hashlib.sha256(demo.DEMO_SURVEY.read_bytes()).hexdigest()
    )


def test_demo_survey_shape_and_plausibility(demo_region) -> None:
    survey = pd.read_csv(demo.DEMO_SURVEY, dtype=str, keep_default_na=False)
    assert len(survey) == 150
    assert list(survey.columns) == list(demo.SURVEY_COLUMNS)
    assert survey["respondent_id"].is_unique
    visits = survey["visits_per_month"].astype(int)
    spend = survey["spend_per_visit"].astype(float)
    assert visits.between(1, 40).all() and spend.between(2, 300).all()
    competitors = set(demo.demo_stores()["name"])
    named = set(survey["competitor_1"]) | set(survey["competitor_2"])
    assert named - {""} <= competitors
    truth = pd.read_csv(demo.DEMO_TRUTH, keep_default_na=False)
    assert (truth["flaw"] != "").sum() == 8


def test_distance_decay_customers_live_near_the_store(demo_region) -> None:
    stores = demo.demo_stores()
    own = stores[stores["role"] == "own"].iloc[0]
    truth = pd.read_csv(demo.DEMO_TRUTH)
    d = demo._haversine_m(truth["lat"], truth["lon"], own["lat"], own["lon"])
    all_addr = demo_region.addresses
    d_all = demo._haversine_m(all_addr["lat"], all_addr["lon"], own["lat"], own["lon"])
    # respondents live markedly closer to the store than the region's addresses on average
    assert np.median(d) < 0.7 * np.median(d_all)


def test_demo_store_is_the_real_lidl(demo_region) -> None:
    stores = demo.demo_stores()
    own = stores[stores["role"] == "own"]
    assert list(own["name"]) == ["Lidl"] and list(own["store_id"]) == ["S1"]
    assert own["floor_area_m2"].iloc[0] > 0
    assert stores["store_id"].is_unique
