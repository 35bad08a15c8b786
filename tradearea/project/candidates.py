"""Candidates of a project: their inputs, evaluation of all of them, comparison and scorecard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tradearea.project.decision import site_decision
from tradearea.project.evaluation import (
    CANDIDATE_COLUMNS,
    CandidateEvaluation,
    evaluate_candidate,
)
from tradearea.project.market import layer_ids
from tradearea.sites.scoring import SCORECARD_FACTORS, scorecard

if TYPE_CHECKING:
    from tradearea.project.workspace import Project

WGS84 = "EPSG:4326"
# Figures shown side by side, in the order a planner reads them (scorecard factors among them).
COMPARISON_FIGURES: tuple[str, ...] = (
    "households_primary", "households_total", "expected_sales", "market_share_primary",
    "cannibalisation_share", "irs_before", "irs_after", "competitors_primary", "transit_stops",
    "rent_capacity", "scenario_rent", "irr", "npv", "payback_years", "taboos", "unchecked",
)  # fmt: skip


def candidates_table(items: Sequence[CandidateEvaluation] | pd.DataFrame) -> pd.DataFrame:
    """Return one row per candidate with its key figures (the ``candidates`` layer columns).

    Parameters
    ----------
    items : sequence of CandidateEvaluation, or pandas.DataFrame
        Evaluations, or a table that has those columns already (the saved layer).

    Returns
    -------
    pandas.DataFrame
        Indexed by candidate_id.
    """
    if isinstance(items, pd.DataFrame):
        table = pd.DataFrame(items.drop(columns="geometry", errors="ignore")).copy()
        table = table.reset_index(drop=True)
        table["candidate_id"] = layer_ids(table)
    else:
        table = pd.DataFrame([ev.row() for ev in items], columns=list(CANDIDATE_COLUMNS))
    table["candidate_id"] = table["candidate_id"].astype(str)
    for col in CANDIDATE_COLUMNS:  # a layer from elsewhere: figures not evaluated yet
        if col not in table:
            table[col] = np.nan
    table["name"] = table["name"].where(table["name"].notna(), table["candidate_id"]).astype(str)
    twice = table["candidate_id"][table["candidate_id"].duplicated()]
    if len(twice):
        msg = f"two candidates share the id {twice.iloc[0]!r}: give each its own candidate_id"
        raise ValueError(msg)
    return table.set_index("candidate_id")


def compare_candidates(
    evaluations: Sequence[CandidateEvaluation] | pd.DataFrame,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Compare candidates side by side and score them (scorecard of DOMAIN.md §3).

    Parameters
    ----------
    evaluations : sequence of CandidateEvaluation, or pandas.DataFrame
        The candidates (evaluations, or the ``candidates`` layer with its key-figure columns).
    weights : mapping of str to float, optional
        Factor -> weight (:data:`SCORECARD_FACTORS` keys; defaults for those not given).

    Returns
    -------
    pandas.DataFrame
        Indexed by candidate_id: name, the figures of :data:`COMPARISON_FIGURES` (NaN where a
        candidate was not evaluated yet), a
        ``score_<factor>`` column per weighted factor (0–100), ``total`` (0–100) and ``rank``
        (1 = best), sorted by rank.

    Raises
    ------
    ValueError
        With no candidate, a negative weight, or no factor with a positive weight.
    """
    table = candidates_table(evaluations)
    if not len(table):
        msg = "no candidates to compare: add one first"
        raise ValueError(msg)
    keys = (*SCORECARD_FACTORS, "rent_capacity", "scenario_rent", "occupancy_threshold")
    factors = pd.DataFrame(
        {k: pd.to_numeric(table.get(k), errors="coerce") for k in dict.fromkeys(keys)},
        index=table.index,
    ).replace([np.inf, -np.inf], np.nan)
    scores = scorecard(factors, weights=dict(weights or {}))
    out = pd.concat([table[["name", *COMPARISON_FIGURES]], scores], axis=1)
    return out.sort_values(["rank", "total"], ascending=[True, False], kind="stable")


def candidate_inputs(project: Project) -> list[dict[str, Any]]:
    """Return the inputs of every candidate of the layer, to evaluate them again.

    Returns
    -------
    list of dict
        Keywords of :func:`tradearea.project.evaluate_candidate` (lat, lon, name, format,
        floor_area_m2, candidate_id), plus ``rent_per_m2_month`` when the layer has one.
    """
    layer = project.layers.get("candidates")
    if layer is None or not len(layer):
        return []
    out = []
    ids = layer_ids(layer)
    for i, row in layer.reset_index(drop=True).iterrows():
        geom = row.get("geometry")
        lat = pd.to_numeric(pd.Series([row.get("lat")]), errors="coerce").iloc[0]
        lon = pd.to_numeric(pd.Series([row.get("lon")]), errors="coerce").iloc[0]
        if (pd.isna(lat) or pd.isna(lon)) and geom is not None and not geom.is_empty:
            lat, lon = geom.y, geom.x
        area = pd.to_numeric(pd.Series([row.get("floor_area_m2")]), errors="coerce").iloc[0]
        item: dict[str, Any] = {
            "lat": float(lat),
            "lon": float(lon),
            "name": str(row.get("name") or f"Candidate {i + 1}"),
            "format": str(row.get("format") or "supermarket"),
            "floor_area_m2": float(area) if pd.notna(area) and area > 0 else None,
            "candidate_id": ids[i],
        }
        rent = pd.to_numeric(pd.Series([row.get("scenario_rent")]), errors="coerce").iloc[0]
        if pd.notna(rent):
            item["rent_per_m2_month"] = float(rent)
        out.append(item)
    return out


def evaluate_candidates(project: Project) -> list[CandidateEvaluation]:
    """Evaluate every candidate of the project's layer (cached: see ``evaluate_candidate``).

    A candidate placed on any page is evaluated the same way, so it shows the same figures on
    every page and in the report.

    Parameters
    ----------
    project : Project
        The project.

    Returns
    -------
    list of CandidateEvaluation
        In layer order.
    """
    out = []
    for item in candidate_inputs(project):
        ticks = project.settings.taboo_ticks.get(item["candidate_id"])
        out.append(evaluate_candidate(project, **item, ticks=ticks))
    return out


def compare_project_candidates(
    project: Project, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Compare every candidate of the project, evaluated now (see :func:`compare_candidates`).

    Parameters
    ----------
    project : Project
        The project.
    weights : mapping of str to float, optional
        Scorecard weights; default the project's ``scorecard_weights``.

    Returns
    -------
    pandas.DataFrame
        The :func:`compare_candidates` table plus, per candidate, its verdict (``verdict``
        code, ``verdict_en``/``verdict_zh``, ``reasons_en``/``reasons_zh``) and its IRS after
        opening read against the region (``irs_reading_en``/``irs_reading_zh``), from
        :func:`tradearea.project.decision.site_decision`.
    """
    chosen = dict(project.settings.scorecard_weights) if weights is None else dict(weights)
    evaluations = evaluate_candidates(project)
    table = compare_candidates(evaluations, chosen)
    irs_after = {ev.candidate_id: ev.figures.get("irs_after", np.nan) for ev in evaluations}
    rows = {}
    for ev in evaluations:
        if ev.analysis is None:
            continue
        others = [v for k, v in irs_after.items() if k != ev.candidate_id]
        d = site_decision(ev.analysis, others=others)
        verdict, region = d["verdict"], d["irs_region"]
        rows[ev.candidate_id] = {
            "verdict": verdict.code,
            "verdict_en": verdict.label_en,
            "verdict_zh": verdict.label_zh,
            "reasons_en": "; ".join(en for en, _ in verdict.reasons),
            "reasons_zh": "；".join(zh for _, zh in verdict.reasons),
            "irs_reading_en": region.label_en if region is not None else "",
            "irs_reading_zh": region.label_zh if region is not None else "",
        }
    return table.join(pd.DataFrame.from_dict(rows, orient="index"))
