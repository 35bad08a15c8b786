"""Geocode 100,000 noisy addresses against a 50,000-address region, next to plain rapidfuzz.

Ours: ``tradearea.geocode.geocode_frame`` on a synthetic region (``synthetic_region``: 50,000+
addresses on ~2,000 Finnish-looking streets in three cities). Queries are the region's own
addresses with random noise (lowercase without diacritics, a transposition typo, katu -> k.,
extra spaces, no postcode; each with probability 1/2). The address index is built once per
region (timed apart); matching is blocked by street name, so it stays fast.

Peer: ``rapidfuzz.process.extractOne`` (WRatio, default processor) of each query over the whole
list of 50,000 address strings. It would take far too long on 100,000 queries, so it is timed on
a sample of 500 and its rate projected; both rates are per address, on one core. Accuracy (share
placed within 40 m of the true point) is printed for both on the same sample.

    .venv/bin/python benchmarks/bench_geocode.py
"""

from __future__ import annotations

import resource
import time

import numpy as np
import pandas as pd

REGION_SIZE = 50_000
QUERIES = 100_000
PEER_SAMPLE = 500
WITHIN_M = 40.0
TARGET_PER_S = 2_000


def _queries(addresses: pd.DataFrame, n: int, seed: int) -> tuple[list[str], pd.DataFrame]:
    from tradearea.testing.geocode import NOISES, noisy_address

    rng = np.random.default_rng(seed)
    picked = addresses.iloc[rng.integers(0, len(addresses), n)].reset_index(drop=True)
    texts = []
    for s, h, p, c in picked[["street", "housenumber", "postcode", "city"]].itertuples(index=False):
        noises = tuple(x for x in NOISES if rng.random() < 0.5)
        texts.append(noisy_address(s, h, p, c, rng, noises=noises))
    return texts, picked


def main() -> dict[str, object]:
    """Time ours on 100,000 queries and the peer on a sample; print both and the ratio."""
    from rapidfuzz import process, utils

    from tradearea.distance import great_circle_m as distance_m
    from tradearea.geocode import build_index, geocode_frame
    from tradearea.testing.geocode import synthetic_region

    addresses = synthetic_region(REGION_SIZE)
    start = time.perf_counter()
    index = build_index(addresses, name="synthetic")
    index_s = time.perf_counter() - start
    texts, truth = _queries(addresses, QUERIES, seed=11)

    start = time.perf_counter()
    ours = geocode_frame(pd.DataFrame({"address": texts}), region=index)
    ours_s = time.perf_counter() - start
    ours_ok = distance_m(ours["lat"], ours["lon"], truth["lat"], truth["lon"]) < WITHIN_M

    labels = index.labels
    sample = np.arange(PEER_SAMPLE)
    start = time.perf_counter()
    peer_rows = [
        process.extractOne(texts[i], labels, processor=utils.default_process)[2] for i in sample
    ]
    peer_sample_s = time.perf_counter() - start
    peer_ok = (
        distance_m(
            index.lat[peer_rows], index.lon[peer_rows], truth["lat"][sample], truth["lon"][sample]
        )
        < WITHIN_M
    )
    peer_per_address = peer_sample_s / PEER_SAMPLE
    peer_s = peer_per_address * QUERIES  # projected
    ours_rate = QUERIES / ours_s
    peer_rate = 1 / peer_per_address
    ratio = ours_rate / peer_rate
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"geocode {QUERIES:,} noisy addresses against a region of {len(addresses):,} addresses "
        f"({len(index.street_names):,} streets):\n"
        f"  ours : {ours_s:7.2f} s = {ours_rate:9,.0f} addresses/s on one core "
        f"(target {TARGET_PER_S:,}/s: {'met' if ours_rate >= TARGET_PER_S else 'NOT met'}); "
        f"index built once in {index_s:.2f} s; {ours_ok.mean():.2%} within {WITHIN_M:.0f} m; "
        f"{(ours['status'] == 'unmatched').mean():.2%} unmatched\n"
        f"  peer : rapidfuzz process.extractOne (WRatio) over all {len(labels):,} addresses, "
        f"timed on {PEER_SAMPLE} queries ({peer_sample_s:.2f} s) and projected: {peer_s:,.0f} s = "
        f"{peer_rate:,.1f} addresses/s; {peer_ok.mean():.2%} within {WITHIN_M:.0f} m "
        f"(ours on the same {PEER_SAMPLE}: {ours_ok[:PEER_SAMPLE].mean():.2%})\n"
        f"  ratio: ours {ratio:,.0f}x faster per address; peak memory {peak_mb:.0f} MB"
    )
    return {
        "task": f"geocode {QUERIES:,} noisy addresses, region of {len(addresses):,}",
        "size": QUERIES,
        "ours_s": round(ours_s, 3),
        "peer_s": round(peer_s, 1),
        "ratio": round(ratio, 1),
        "peak_mb": round(peak_mb, 1),
        "peer": "rapidfuzz process.extractOne (WRatio) over all addresses",
        "note": (
            f"peer timed on {PEER_SAMPLE} queries and projected; ours {ours_rate:,.0f}/s, "
            f"{ours_ok.mean():.1%} within 40 m (peer {peer_ok.mean():.1%} on its sample); "
            f"index build {index_s:.1f} s not included"
        ),
    }


if __name__ == "__main__":
    main()
