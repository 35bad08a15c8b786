"""The plain verdict per site and the IRS reference: every branch computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tradearea.sites import IrsReference, Verdict, irs_reference, site_verdict

GOOD = {
    "rent_capacity": 10.0,
    "scenario_rent": 6.0,
    "cannibalisation_share": 0.05,
    "taboos": 0,
    "unchecked": 0,
}
ROOM = 0.8  # IRS percentile: less saturated than 80 % of the reference


# --------------------------------------------------------------------------------------------
# IRS reference


def test_percentile_of_the_region_by_hand() -> None:
    cells = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    ref = irs_reference(62.4, cells)
    assert (ref.below, ref.above, ref.n, ref.percentile) == (0.6, 0.4, 10, 0.6)
    assert ref.label_en == "less saturated than 60 % of the region's populated cells"
    assert ref.label_zh == "比本区域有人口的网格中的 60 % 更不饱和"
    low = irs_reference(15.0, cells)
    assert low.below == 0.1 and low.above == 0.9
    assert low.label_en == "more saturated than 90 % of the region's populated cells"
    assert low.label_zh == "比本区域有人口的网格中的 90 % 更饱和"


def test_ties_nan_and_no_competition_cells() -> None:
    # NaN cells are ignored; inf cells (no competing floor area) are the least saturated
    ref = irs_reference(50.0, [50.0, 50.0, 20.0, np.nan, np.inf])
    assert ref.n == 4 and ref.below == 0.25 and ref.above == 0.25
    assert ref.label_en.startswith("less saturated than 25 %")
    alone = irs_reference(math.inf, [1.0, 2.0, 3.0, math.inf])
    assert alone.below == 0.75 and alone.above == 0.0
    assert alone.label_en.startswith("no competing floor area: less saturated than 75 %")
    same = irs_reference(5.0, [5.0, 5.0])
    assert same.label_en == "as saturated as the region's populated cells"


def test_percentile_against_the_other_sites() -> None:
    assert irs_reference(5.0, [10.0, 3.0, 7.0], against="sites").label_en == (
        "more saturated than 2 of the 3 other sites"
    )
    assert irs_reference(8.0, [10.0, 3.0, 7.0], against="sites").label_zh == (
        "比其他 3 个店址中的 2 个更不饱和"
    )
    one = irs_reference(8.0, [3.0], against="sites")
    assert one.label_en == "less saturated than the other site" and one.below == 1.0


def test_missing_irs_or_reference() -> None:
    ref = irs_reference(float("nan"), [1.0, 2.0])
    assert math.isnan(ref.below) and ref.label_en.startswith("IRS not known")
    empty = irs_reference(3.0, [np.nan])
    assert math.isnan(empty.percentile) and empty.n == 0 and "no reference" in empty.label_en
    with pytest.raises(ValueError, match="against"):
        irs_reference(3.0, [1.0], against="country")


# --------------------------------------------------------------------------------------------
# Verdict: each check's branches


def test_open_when_every_check_passes() -> None:
    verdict = site_verdict(GOOD, irs=ROOM, currency="EUR")
    assert isinstance(verdict, Verdict)
    assert (verdict.code, verdict.label_en, verdict.label_zh) == ("open", "Open", "建议开店")
    assert verdict.checks == dict.fromkeys(
        ("rent", "saturation", "cannibalisation", "taboos"), "ok"
    )
    # 1 - 6 / 10 = 40 % headroom
    assert verdict.reasons[0] == (
        "carries the rent: 6.00 tested against 10.00 EUR/m²/month carried (40 % headroom)",
        "可承受租金：测试 6.00，可承受 10.00 EUR/m²/月（余量 40 %）",
    )
    assert verdict.text().startswith("Open: carries the rent")
    assert verdict.text("zh").startswith("建议开店：可承受租金")


@pytest.mark.parametrize(
    ("rent", "outcome", "text"),
    [
        (12.0, "block", "does not carry the rent: 12.00 tested against 10.00/m²/month carried (20 % over)"),
        (10.0, "condition", "carries the rent only just: 10.00 tested against 10.00/m²/month "
                            "carried (0 % headroom); open if the rent is agreed at or below "
                            "9.00/m²/month (10 % under the capacity)"),
        (9.5, "condition", "carries the rent only just"),
        (8.9, "ok", "carries the rent: 8.90 tested against 10.00/m²/month carried (11 % headroom)"),
    ],
)  # fmt: skip
def test_rent_check(rent: float, outcome: str, text: str) -> None:
    verdict = site_verdict(dict(GOOD, scenario_rent=rent), irs=ROOM)
    assert verdict.checks["rent"] == outcome
    code = {"block": "do_not_open", "condition": "open_if", "ok": "open"}[outcome]
    assert verdict.code == code
    assert any(en.startswith(text) for en, _ in verdict.reasons)
    if outcome != "ok":  # what blocks or conditions the site comes first
        assert verdict.reasons[0][0].startswith(text)


def test_rent_not_known_is_a_condition_never_a_pass() -> None:
    verdict = site_verdict({**GOOD, "rent_capacity": None}, irs=ROOM)
    assert verdict.checks["rent"] == "condition" and verdict.code == "open_if"
    assert "no rent capacity" in verdict.reasons[0][0]
    # headroom alone is enough: -1 means the rent is above the capacity
    only = site_verdict({"rent_headroom": -1.0, "cannibalisation_share": 0, "taboos": 0}, irs=ROOM)
    assert only.checks["rent"] == "block"


@pytest.mark.parametrize(
    ("percentile", "outcome"),
    [(0.1, "block"), (0.249, "block"), (0.25, "condition"), (0.49, "condition"), (0.5, "ok")],
)
def test_saturation_check(percentile: float, outcome: str) -> None:
    verdict = site_verdict(GOOD, irs=percentile)
    assert verdict.checks["saturation"] == outcome


def test_saturation_reason_uses_the_reference_label() -> None:
    cells = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    verdict = site_verdict(GOOD, irs=irs_reference(15.0, cells))  # 10 %: saturated
    assert verdict.code == "do_not_open"
    assert verdict.reasons[0] == (
        "saturated: IRS more saturated than 90 % of the region's populated cells",
        "市场饱和：饱和指数比本区域有人口的网格中的 90 % 更饱和",
    )
    unknown = site_verdict(GOOD)  # no reference at all
    assert unknown.checks["saturation"] == "condition"
    assert site_verdict(dict(GOOD, irs_percentile=0.9)).checks["saturation"] == "ok"
    assert isinstance(irs_reference(1.0, [2.0]), IrsReference)


@pytest.mark.parametrize(
    ("share", "outcome"),
    [(0.0, "ok"), (0.15, "ok"), (0.16, "condition"), (0.30, "condition"), (0.31, "block"),
     (float("nan"), "condition")],
)  # fmt: skip
def test_cannibalisation_check(share: float, outcome: str) -> None:
    verdict = site_verdict(dict(GOOD, cannibalisation_share=share), irs=ROOM)
    assert verdict.checks["cannibalisation"] == outcome
    if outcome == "block":
        assert verdict.reasons[0][0] == (
            "cannibalises: 31 % of its sales come from own stores (limit 30 %)"
        )


@pytest.mark.parametrize(
    ("taboos", "unchecked", "outcome", "text"),
    [
        (0, 0, "ok", "no site taboo found, every item checked"),
        (0, 3, "condition", "no taboo found so far: open if the 3 items to check on site pass"),
        (1, 0, "condition", "1 site taboo found (west-facing frontage): open if it can be remedied"),
        (2, 1, "block", "2 site taboos found (west-facing frontage); 1 item to check on site"),
        (None, 0, "condition", "taboo checklist not run: check the site before opening"),
    ],
)  # fmt: skip
def test_taboo_check(taboos, unchecked: int, outcome: str, text: str) -> None:
    verdict = site_verdict(
        dict(GOOD, taboos=taboos, unchecked=unchecked),
        irs=ROOM,
        taboos_found=[("west-facing frontage", "西晒")] if taboos else (),
    )
    assert verdict.checks["taboos"] == outcome
    assert text in [en for en, _ in verdict.reasons]


def test_blocks_come_before_conditions_and_thresholds_are_options() -> None:
    factors = dict(GOOD, scenario_rent=11.0, cannibalisation_share=0.2, taboos=1)
    verdict = site_verdict(factors, irs=0.4)
    assert verdict.code == "do_not_open"
    assert [verdict.checks[k] for k in ("rent", "saturation", "cannibalisation", "taboos")] == [
        "block", "condition", "condition", "condition",
    ]  # fmt: skip
    assert verdict.reasons[0][0].startswith("does not carry the rent")
    assert len(verdict.reasons) == 4 and all(zh for _, zh in verdict.reasons)
    lenient = site_verdict(
        dict(factors, scenario_rent=6.0),
        irs=0.4,
        crowded_below=0.3,
        watch_cannibalisation=0.25,
        blocking_taboos=5,
    )
    assert lenient.checks == {
        "rent": "ok", "saturation": "ok", "cannibalisation": "ok", "taboos": "condition",
    }  # fmt: skip
    assert lenient.code == "open_if"
    with pytest.raises(ValueError, match="crowded_below"):
        site_verdict(GOOD, saturated_below=0.6, crowded_below=0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        site_verdict(GOOD, max_cannibalisation=30)
    with pytest.raises(ValueError, match="blocking_taboos"):
        site_verdict(GOOD, blocking_taboos=0)


def test_all_of_the_region() -> None:
    top = irs_reference(5.0, [1.0, 2.0])
    assert top.label_en == "less saturated than all of the region's populated cells"
    assert top.label_zh == "比本区域有人口的网格都更不饱和"
    assert irs_reference(0.5, [1.0, 2.0]).label_en.startswith("more saturated than all of")
