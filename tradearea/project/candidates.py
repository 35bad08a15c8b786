"""Candidates in a project: the candidates layer, side-by-side comparison and the scorecard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea.project.evaluation import CANDIDATE_COLUMNS, CandidateEvaluation
from tradearea.project.market import layer_ids
from tradearea.sites.scoring import SCORECARD_FACTORS, scorecard

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
    factors = pd.DataFrame(
        {k: pd.to_numeric(table.get(k), errors="coerce") for k in SCORECARD_FACTORS},
        index=table.index,
    ).replace([np.inf, -np.inf], np.nan)
    scores = scorecard(factors, weights=dict(weights or {}))
    out = pd.concat([table[["name", *COMPARISON_FIGURES]], scores], axis=1)
    return out.sort_values(["rank", "total"], ascending=[True, False], kind="stable")


def put_candidate(
    project: Any,
    evaluation: CandidateEvaluation,
    *,
    store_scenario: bool = True,
    change: str = "evaluate",
) -> None:
    """Add or replace a candidate in the project's ``candidates`` layer, with its figures.

    The candidate's pricing scenario is kept under its name in ``project.scenarios`` (so the
    report and the Pricing page use the same one), its trade-area method in the setting
    ``candidate_trade_area``, and the evaluation in the audit log.

    Parameters
    ----------
    project : tradearea.project.workspace.Project
        The project (changed in place).
    evaluation : CandidateEvaluation
        From :func:`tradearea.project.evaluate_candidate`.
    store_scenario : bool
        Keep the pricing scenario in the project.
    change : str
        What changed, for the audit log (``evaluate``, ``rent``, ``taboo``, ``method``).
    """
    row = evaluation.row()
    new = gpd.GeoDataFrame(
        [row], geometry=gpd.points_from_xy([row["lon"]], [row["lat"]]), crs=WGS84
    )
    layer = project.layers.get("candidates")
    if layer is None or not len(layer):
        project.layers["candidates"] = new
    else:
        layer = layer.reset_index(drop=True).copy()
        layer["candidate_id"] = layer_ids(layer)
        same = np.flatnonzero((layer["candidate_id"] == row["candidate_id"]).to_numpy())
        if len(same):  # re-evaluated: keep its place in the layer
            parts = [layer.iloc[: same[0]], new, layer.iloc[same[0] + 1 :]]
            parts[2] = parts[2][parts[2]["candidate_id"] != row["candidate_id"]]
        else:
            parts = [layer, new]
        frame = pd.concat([p for p in parts if len(p)], ignore_index=True)
        project.layers["candidates"] = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)
    _remember(project, evaluation, store_scenario=store_scenario, change=change)


def _remember(
    project: Any, evaluation: CandidateEvaluation, *, store_scenario: bool, change: str
) -> None:
    from tradearea import pricing

    cand = evaluation.candidate
    if store_scenario and evaluation.pricing:
        scenario = evaluation.pricing["scenario"]
        project.scenarios[str(cand["name"])] = pricing.scenario_to_dict(scenario)
    project.settings["candidate_trade_area"] = evaluation.method
    fc = evaluation.forecast
    if fc is not None:
        project.settings["sales_forecast"] = {
            "candidate_id": evaluation.candidate_id,
            "name": str(cand["name"]),
            "expected_sales_per_year": float(fc.expected_sales),
        }
    project.record(
        "candidate",
        candidate_id=evaluation.candidate_id,
        name=str(cand["name"]),
        lat=float(cand["lat"]),
        lon=float(cand["lon"]),
        method=evaluation.method,
        change=change,
    )


def remove_candidate(project: Any, candidate_id: str) -> bool:
    """Remove a candidate (and its taboo ticks) from the project; return whether it was there.

    Its pricing scenario stays in ``project.scenarios`` (a user may have edited it).
    """
    layer = project.layers.get("candidates")
    if layer is None or not len(layer):
        return False
    layer = layer.reset_index(drop=True).copy()
    layer["candidate_id"] = layer_ids(layer)
    same = layer["candidate_id"] == str(candidate_id)
    if not same.any():
        return False
    project.layers["candidates"] = gpd.GeoDataFrame(
        layer[~same].reset_index(drop=True), geometry="geometry", crs=WGS84
    )
    ticks = project.settings.get("taboo_ticks")
    if isinstance(ticks, dict):
        ticks.pop(str(candidate_id), None)
    project.record("candidate_removed", candidate_id=str(candidate_id))
    return True


def set_taboo_ticks(project: Any, candidate_id: str, ticks: Mapping[str, bool]) -> None:
    """Keep the user's taboo checklist answers of a candidate (setting ``taboo_ticks``)."""
    from tradearea.sites.taboos import TABOO_KEYS

    unknown = [k for k in ticks if k not in TABOO_KEYS]
    if unknown:
        msg = f"unknown taboo item {unknown[0]!r}; items are {', '.join(TABOO_KEYS)}"
        raise ValueError(msg)
    all_ticks = project.settings.setdefault("taboo_ticks", {})
    all_ticks[str(candidate_id)] = {k: bool(v) for k, v in ticks.items()}


def candidate_inputs(project: Any) -> list[dict[str, Any]]:
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


def place_candidate(project: Any, record: Mapping[str, Any], *, source: str) -> str:
    """Put a candidate placed on another page into the layer, replacing that page's last one.

    Only the location, name, format and floor area are kept (evaluate it on the Sites page for
    its figures). A row that page placed before is replaced, unless it is the same site, so
    evaluated figures survive the page being shown again; other candidates are left alone.

    Parameters
    ----------
    project : tradearea.project.workspace.Project
        The project (changed in place).
    record : mapping
        lat, lon, and optionally name, format, floor_area_m2, floor_area_source.
    source : str
        The page that placed it (``competition`` ...), kept in the ``placed_on`` column.

    Returns
    -------
    str
        The candidate's id.
    """
    from tradearea.project.market import next_candidate_id

    layer = project.layers.get("candidates")
    layer = layer.reset_index(drop=True).copy() if layer is not None and len(layer) else None
    fields = ("name", "format", "floor_area_m2", "floor_area_source")
    row = {"lat": float(record["lat"]), "lon": float(record["lon"])}
    row |= {k: record[k] for k in fields if k in record}
    row["placed_on"] = source
    if layer is not None:
        layer["candidate_id"] = layer_ids(layer)
        mine = (
            layer["placed_on"].astype(str) == source
            if "placed_on" in layer
            else pd.Series(False, index=layer.index)
        )
        if mine.any():
            i = layer.index[mine][0]
            old = layer.loc[i]
            same = all(
                _same(old.get(k), row.get(k)) for k in ("lat", "lon", "format", "floor_area_m2")
            )
            if same:
                return str(old["candidate_id"])
            row["candidate_id"] = str(old["candidate_id"])
            layer = layer.drop(index=i)
    row.setdefault("candidate_id", next_candidate_id(project))
    new = gpd.GeoDataFrame(
        [row], geometry=gpd.points_from_xy([row["lon"]], [row["lat"]]), crs=WGS84
    )
    parts = [p for p in (layer, new) if p is not None and len(p)]
    frame = pd.concat(parts, ignore_index=True)
    project.layers["candidates"] = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)
    return str(row["candidate_id"])


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int | np.floating) and isinstance(b, float | int | np.floating):
        return bool(np.isclose(float(a), float(b), rtol=0, atol=1e-7)) or (
            np.isnan(float(a)) and np.isnan(float(b))
        )
    return (pd.isna(a) and pd.isna(b)) if (a is None or b is None) else a == b
