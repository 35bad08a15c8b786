"""Calibration of α and β: recovery from simulated surveys (ML and MCI), the demo survey."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradearea.calibration import (
    calibrate,
    calibrate_mci,
    calibrate_ml,
    huff_parameters,
    survey_choices,
)
from tradearea.distance import great_circle_m
from tradearea.errors import InputError

ALPHA, BETA = 0.8, 1.6


def _simulate(
    *,
    seed: int,
    n: int = 400,
    n_stores: int = 12,
    visits: int = 60,
    k: int | None = None,
    exact: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondents around Helsinki choosing among stores by a Huff model with ALPHA, BETA."""
    rng = np.random.default_rng(seed)
    slat = 60.17 + rng.uniform(-0.03, 0.03, n_stores)
    slon = 24.94 + rng.uniform(-0.06, 0.06, n_stores)
    area = np.exp(rng.uniform(np.log(200), np.log(8000), n_stores))
    stores = pd.DataFrame(
        {
            "store_id": [f"S{j}" for j in range(n_stores)],
            "lat": slat,
            "lon": slon,
            "floor_area_m2": area,
        }
    )
    rlat = 60.17 + rng.uniform(-0.03, 0.03, n)
    rlon = 24.94 + rng.uniform(-0.06, 0.06, n)
    d = np.maximum(great_circle_m(rlat[:, None], rlon[:, None], slat[None], slon[None]), 50.0)
    rows = []
    for i in range(n):
        chosen = np.arange(n_stores) if k is None else rng.choice(n_stores, size=k, replace=False)
        u = area[chosen] ** ALPHA * d[i, chosen] ** -BETA
        p = u / u.sum()
        v = p * 100 if exact else rng.multinomial(visits, p)
        rows += [
            (f"R{i}", f"S{j}", float(vv), rlat[i], rlon[i]) for j, vv in zip(chosen, v, strict=True)
        ]
    return pd.DataFrame(rows, columns=["respondent_id", "store_id", "visits", "lat", "lon"]), stores


def test_ml_recovers_alpha_beta_over_all_stores() -> None:
    choices, stores = _simulate(seed=1)
    choices = choices[choices["visits"] > 0]  # a survey lists used stores; "all" adds zeros
    fit = calibrate_ml(choices, stores, choice_set="all")
    assert fit.alpha == pytest.approx(ALPHA, rel=0.05)
    assert fit.beta == pytest.approx(BETA, rel=0.05)
    assert fit.converged
    assert 0 < fit.se_alpha < 0.05 and 0 < fit.se_beta < 0.05
    assert fit.se_alpha_robust > 0 and fit.se_beta_robust > 0
    assert fit.log_likelihood > fit.log_likelihood_null
    assert 0 < fit.pseudo_r2 < 1
    assert fit.n_respondents == 400 and fit.n_observations == 400 * 12
    assert abs(fit.alpha - ALPHA) < 3 * fit.se_alpha and abs(fit.beta - BETA) < 3 * fit.se_beta


def test_ml_recovers_with_named_choice_sets() -> None:
    choices, stores = _simulate(seed=2, k=4)  # each respondent chooses among 4 stores
    fit = calibrate_ml(choices, stores, choice_set="named")
    assert fit.alpha == pytest.approx(ALPHA, rel=0.05)
    assert fit.beta == pytest.approx(BETA, rel=0.05)
    assert fit.n_observations == 400 * 4


def test_mci_recovers_alpha_beta() -> None:
    choices, stores = _simulate(seed=3, k=4, visits=200)
    fit = calibrate_mci(choices, stores)
    assert fit.alpha == pytest.approx(ALPHA, rel=0.05)
    assert fit.beta == pytest.approx(BETA, rel=0.05)
    assert 0.5 < fit.r2 < 1
    assert fit.se_alpha > 0 and fit.se_beta > 0
    assert fit.method == "mci" and fit.choice_set == "named"


def test_mci_is_exact_on_noise_free_shares() -> None:
    choices, stores = _simulate(seed=4, n=50, k=5, exact=True)
    fit = calibrate_mci(choices, stores)
    assert fit.alpha == pytest.approx(ALPHA, abs=1e-8)
    assert fit.beta == pytest.approx(BETA, abs=1e-8)
    assert fit.r2 == pytest.approx(1.0, abs=1e-10)
    ml = calibrate(choices, stores, method="ml", choice_set="named")
    assert ml.alpha == pytest.approx(ALPHA, abs=1e-6) and ml.beta == pytest.approx(BETA, abs=1e-6)


def test_respondents_with_one_store_are_left_out_and_counted() -> None:
    choices, stores = _simulate(seed=5, n=60, k=3)
    lonely = pd.DataFrame([("solo", "S0", 5.0, 60.17, 24.94)], columns=choices.columns)
    fit = calibrate_ml(pd.concat([choices, lonely]), stores, choice_set="named")
    assert fit.dropped == 1 and fit.n_respondents == 60
    assert fit.notes


def _demo() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from tradearea.competition import fill_floor_area
    from tradearea.project.demo import DEMO_SURVEY, DEMO_TRUTH, demo_stores

    survey = pd.read_csv(DEMO_SURVEY, dtype=str, keep_default_na=False)
    truth = pd.read_csv(DEMO_TRUTH)
    return survey, truth, fill_floor_area(demo_stores())


def test_demo_survey_choices(demo_region: object) -> None:
    survey, truth, stores = _demo()
    choices, report = survey_choices(survey, stores, coords=truth)
    assert report["own_store_id"] == "S1"
    assert report["respondents"] == 150 and report["without_coordinates"] == 0
    assert report["unmatched_names"] == {}
    own = choices[choices["store_id"] == "S1"]
    assert len(own) == 150  # everyone interviewed at the store visits it
    named = (survey["competitor_1"] != "").sum() + (survey["competitor_2"] != "").sum()
    assert len(choices) == 150 + named
    assert own["visits"].sum() == pd.to_numeric(survey["visits_per_month"]).sum()


def test_demo_names_match_despite_case_and_accents(demo_region: object) -> None:
    survey, truth, stores = _demo()
    messy = survey.head(20).copy()
    messy["competitor_1"] = "k market lonnrotinkatu"
    messy["competitor_2"] = "Nowhere Mart"
    messy["competitor_2_visits_per_month"] = "2"
    choices, report = survey_choices(messy, stores, coords=truth)
    assert set(choices["store_id"]) == {"S1", "C05"}
    assert report["unmatched_names"] == {"Nowhere Mart": 20}


def test_demo_calibration_is_plausible(demo_region: object) -> None:
    # The demo survey placed homes with a Huff share of β = 2 (DOMAIN.md generator).
    survey, truth, stores = _demo()
    choices, _ = survey_choices(survey, stores, coords=truth)
    fit = calibrate_ml(choices, stores, choice_set="all")
    assert fit.converged and 1.5 < fit.beta < 2.6 and 0 < fit.alpha < 1.5
    mci = calibrate_mci(choices, stores)
    assert np.isfinite(mci.alpha) and np.isfinite(mci.beta)
    d = fit.to_dict()
    assert d["r2"] is None and d["method"] == "ml"


def test_survey_without_coordinates_is_an_input_error(demo_region: object) -> None:
    survey, _, stores = _demo()
    with pytest.raises(InputError, match="geocode"):
        survey_choices(survey, stores)
    with pytest.raises(InputError, match="own store"):
        survey_choices(survey, stores.drop(columns="role"), coords=_demo()[1])


def test_parameter_precedence() -> None:
    choices, stores = _simulate(seed=6, n=80)
    fit = calibrate_ml(choices[choices["visits"] > 0], stores)
    assert huff_parameters(fit, alpha=1.2, beta=2.5) == (1.2, 2.5, "user")
    a, b, source = huff_parameters(fit)
    assert (a, b, source) == (fit.alpha, fit.beta, "survey_ml")
    assert huff_parameters(None) == (1.0, 2.0, "default")
    assert huff_parameters(fit, beta=3.0)[1] == 3.0
    with pytest.raises(ValueError, match="method"):
        calibrate(choices, stores, method="ols")
