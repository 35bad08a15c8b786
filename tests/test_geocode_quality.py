"""Quality bars of the offline geocoder on the helsinki-center pack and the demo survey."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rapidfuzz.distance import OSA

from tradearea.distance import great_circle_m as distance_m
from tradearea.geocode import account, geocode_frame, region_index
from tradearea.geocode.matcher import max_edits
from tradearea.geocode.normalise import key
from tradearea.settings import REPO_DIR
from tradearea.testing.geocode import NOISES, address_text, noisy_address

WITHIN_M = 40.0
# Real Helsinki streets outside the pack's 1 x 1.7 km extract, and made-up ones.
NOT_IN_REGION = (
    "Hämeentie", "Runeberginkatu", "Topeliuksenkatu", "Museokatu", "Fleminginkatu", "Sturenkatu",
    "Mechelininkatu", "Albertinkatu", "Lapinlahdenkatu", "Tehtaankatu", "Pursimiehenkatu",
    "Merimiehenkatu", "Laivurinkatu", "Kapteeninkatu", "Meritullinkatu", "Maneesikatu",
    "Kruunuvuorenkatu", "Pohjoisranta", "Kristianinkatu", "Ratakatu", "Punavuorenkatu",
    "Abrahaminkatu", "Hietalahdenkatu", "Malminkatu", "Kampinkuja", "Urho Kekkosen katu",
    "Pohjoinen Rautatiekatu", "Eteläinen Rautatiekatu", "Lapinrinne", "Porthaninkatu",
    "Castréninkatu", "Agricolankatu", "Franzéninkatu", "Kaarlenkatu", "Vaasankatu", "Kustaankatu",
    "Aleksis Kiven katu", "Mäkelänkatu", "Tukholmankatu", "Paciuksenkatu", "Linnankoskenkatu",
    "Nordenskiöldinkatu", "Döbelninkatu", "Helsinginkatu", "Kotkankatu", "Toinen linja",
    "Kolmas linja", "Pengerkatu", "Fredrikinranta", "Olematonkatu", "Kuvitelmakatu",
    "Satumaantie", "Haavekuja", "Unelmapolku", "Tyhjätori",
)  # fmt: skip


@pytest.fixture(scope="module")
def addresses(demo_region: object) -> pd.DataFrame:
    a = demo_region.addresses
    return pd.DataFrame(
        {
            "street": a["street"],
            "housenumber": a["housenumber"],
            "postcode": a["postcode"].where(a["postcode"].notna(), None),
            "city": a["city"].where(a["city"].notna(), None),
            "lat": a["lat"],
            "lon": a["lon"],
        }
    ).reset_index(drop=True)


def _share_within(
    frame: pd.DataFrame, texts: list[str], region: object
) -> tuple[float, pd.DataFrame]:
    out = geocode_frame(pd.DataFrame({"address": texts}), region=region)
    d = distance_m(out["lat"], out["lon"], frame["lat"], frame["lon"])
    out["error_m"] = d
    return float(np.mean(d < WITHIN_M)), out


def test_clean_region_addresses_at_least_99_percent_within_40_m(
    addresses: pd.DataFrame, demo_region: object
) -> None:
    texts = [
        address_text(s, h, p, c)
        for s, h, p, c in addresses[["street", "housenumber", "postcode", "city"]].itertuples(
            index=False
        )
    ]
    share, out = _share_within(addresses, texts, demo_region)
    assert share >= 0.99, out[out["error_m"] >= WITHIN_M]
    assert share == 1.0  # measured: all 596
    assert (out["match_level"] == "address").all()
    assert (out["match_score"] == 100).mean() > 0.95


def test_noisy_region_addresses_at_least_95_percent_within_40_m(
    addresses: pd.DataFrame, demo_region: object
) -> None:
    # Every noise at once: lowercase without diacritics, one transposition typo in the street,
    # katu -> k. / tie -> t., extra spaces, and no postcode.
    rng = np.random.default_rng(20261122)
    texts = [
        noisy_address(s, h, p, c, rng)
        for s, h, p, c in addresses[["street", "housenumber", "postcode", "city"]].itertuples(
            index=False
        )
    ]
    assert sum(t.strip().islower() or not any(ch.isalpha() for ch in t) for t in texts) > 500
    share, out = _share_within(addresses, texts, demo_region)
    assert share >= 0.95, out[out["error_m"] >= WITHIN_M][["address", "matched_address", "reason"]]
    assert share >= 0.99  # measured: 596 of 596
    assert (out.loc[out["error_m"] < WITHIN_M, "match_level"] == "address").all()


@pytest.mark.parametrize("noise", NOISES)
def test_each_kind_of_noise_alone(addresses: pd.DataFrame, demo_region: object, noise: str) -> None:
    rng = np.random.default_rng(7)
    texts = [
        noisy_address(s, h, p, c, rng, noises=(noise,))
        for s, h, p, c in addresses[["street", "housenumber", "postcode", "city"]].itertuples(
            index=False
        )
    ]
    share, _ = _share_within(addresses, texts, demo_region)
    assert share >= 0.99


def test_streets_that_do_not_exist_are_never_matched(demo_region: object) -> None:
    index = region_index(demo_region)
    # none is within the typing-error allowance of a real street of the pack (else it would be a typo)
    for name in NOT_IN_REGION:
        k = key(name)
        assert min(OSA.distance(k, s) for s in index.street_ids) > max_edits(k), name
    rng = np.random.default_rng(1)
    texts = []
    for i, name in enumerate(NOT_IN_REGION):
        number = int(rng.integers(1, 40))
        texts += [
            f"{name} {number}, 00100 Helsinki",
            f"{name.lower()} {number}",
            f"{name} {i + 1} A",
        ]
    out = geocode_frame(pd.DataFrame({"address": texts}), region=demo_region)
    assert (out["status"] == "unmatched").all(), out[out["status"] != "unmatched"]
    assert out["lat"].isna().all()
    assert out["reason"].str.contains("not found in region helsinki-center").all()


def test_demo_survey_148_placed_and_2_not(demo_region: object) -> None:
    survey = pd.read_csv(REPO_DIR / "surveys" / "demo_survey.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(
        REPO_DIR / "surveys" / "demo_survey_truth.csv", dtype=str, keep_default_na=False
    )
    out = geocode_frame(survey, region=demo_region).merge(
        truth, on="respondent_id", suffixes=("", "_true")
    )
    acc = account(out)
    assert acc["placed"] == 148
    assert (acc["unmatched"], acc["rejected"]) == (1, 1)
    by_flaw = out.set_index("flaw")
    assert by_flaw.loc["empty", "status"] == "rejected"
    assert by_flaw.loc["empty", "reason"] == "empty address"
    assert by_flaw.loc["unknown_street", "status"] == "unmatched"
    assert "olematonkatu" in by_flaw.loc["unknown_street", "reason"]
    assert by_flaw.loc["no_housenumber", "match_level"] == "street"
    assert by_flaw.loc["typo", "status"] == "repaired"
    placed = out[out["status"].isin(["geocoded", "repaired"])]
    at_address = placed[placed["flaw"] != "no_housenumber"]
    assert len(at_address) == 147 and (at_address["match_level"] == "address").all()
    d = distance_m(at_address["lat"], at_address["lon"], at_address["lat_true"].astype(float),
                   at_address["lon_true"].astype(float))  # fmt: skip
    assert d.max() < 1.0  # every address-level point is the true address point
