"""Commands that change a project: each one changes it and writes its audit entry.

Pages, the CLI and batch runs change a project only through these functions, so every change
is validated the same way and leaves one entry in the project's audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea import pricing
from tradearea._core.audit_log import log_personal_export
from tradearea.errors import InputError
from tradearea.project.evaluation import CandidateEvaluation
from tradearea.project.market import layer_ids, next_candidate_id
from tradearea.project.settings import HuffSettings, ProjectSettings, SalesForecast, load_settings
from tradearea.project.workspace import Project
from tradearea.sites.taboos import TABOO_KEYS

__all__ = [
    "logged_download",
    "place_candidate",
    "put_candidate",
    "record_export",
    "record_import",
    "record_merge",
    "remove_candidate",
    "set_huff",
    "set_layer",
    "set_scenario",
    "set_settings",
    "set_taboo_ticks",
    "set_trade_areas",
]

WGS84 = "EPSG:4326"


def set_settings(project: Project, **changes: Any) -> ProjectSettings:
    """Change project settings (validated as a whole) and log what changed.

    Parameters
    ----------
    project : Project
        The project (changed in place).
    **changes
        Setting -> new value (see :class:`tradearea.project.settings.ProjectSettings`).

    Returns
    -------
    ProjectSettings
        The new settings.

    Raises
    ------
    InputError
        Naming the setting, for an unknown setting or a bad value; nothing is changed then.
    """
    known = set(ProjectSettings.model_fields)
    unknown = [k for k in changes if k not in known]
    if unknown:
        msg = f"unknown setting {unknown[0]!r}; settings are {', '.join(sorted(known))}"
        raise InputError(msg, column=unknown[0])
    current = project.settings.to_json()
    old = {k: current.get(k) for k in changes}
    merged = {**current, **{k: _jsonable(v) for k, v in changes.items()}}
    new = load_settings(merged)
    after = new.to_json()
    changed = {k: after.get(k) for k in changes if after.get(k) != old.get(k)}
    project.settings = new
    if changed:
        project.record("settings", changed=changed, before={k: old[k] for k in changed})
    return new


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def set_huff(project: Project, alpha: float, beta: float, *, source: str = "user") -> HuffSettings:
    """Set the Huff model's α and β (from a calibration or the user) and log it.

    Parameters
    ----------
    project : Project
        The project (changed in place).
    alpha, beta : float
        Attractiveness and distance-decay exponents.
    source : str
        ``user``, ``survey_ml``, ``survey_mci`` or ``default``.

    Returns
    -------
    HuffSettings
    """
    huff = {"alpha": float(alpha), "beta": float(beta), "source": source}
    if project.settings.huff.model_dump(mode="json") != huff:
        set_settings(project, huff=huff)
    return project.settings.huff


def set_layer(project: Project, name: str, frame: gpd.GeoDataFrame, *, file: str) -> None:
    """Replace a layer of the project with an imported file and log the import.

    Parameters
    ----------
    project : Project
        The project (changed in place).
    name : str
        ``customers``, ``stores``, ``competitors``, ``candidates``, ``trade_areas``, ``zones``.
    frame : geopandas.GeoDataFrame
        The new layer.
    file : str
        The file it came from (its name only is logged).
    """
    project.layer(name)  # an unknown layer name is an error
    project.layers[name] = frame
    project.record("import", file=str(file), rows=len(frame), layer=name)


def set_trade_areas(
    project: Project, areas: gpd.GeoDataFrame, *, method: str, options: Mapping[str, Any]
) -> bool:
    """Keep the trade areas drawn on the Trade areas page; log when they change.

    Parameters
    ----------
    project : Project
        The project (changed in place).
    areas : geopandas.GeoDataFrame
        The tiers drawn.
    method : str
        How they were drawn (``share``, ``penetration``, ``rings``, ``drive``, ``walk``).
    options : mapping
        The options of the method (thresholds, radii, minutes ...), for the audit log.

    Returns
    -------
    bool
        Whether the layer changed (a redraw of the same tiers changes and logs nothing).
    """
    old = project.layers.get("trade_areas")
    if old is not None and len(old) == len(areas) and _same_layer(old, areas):
        return False
    project.layers["trade_areas"] = areas.copy()
    project.record("trade_areas", method=method, tiers=len(areas), options=_jsonable(dict(options)))
    return True


def _same_layer(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> bool:
    try:
        geometry_equal = bool(
            a.geometry.reset_index(drop=True)
            .geom_equals_exact(b.geometry.reset_index(drop=True), tolerance=1e-9)
            .all()
        )
    except (ValueError, AttributeError):
        return False
    cols = [c for c in a.columns if c in b.columns and c != a.geometry.name]
    plain_a = pd.DataFrame(a[cols]).reset_index(drop=True).astype(str)
    plain_b = pd.DataFrame(b[cols]).reset_index(drop=True).astype(str)
    return geometry_equal and plain_a.equals(plain_b)


def record_import(project: Project, *, file: str, layer: str, **counts: Any) -> None:
    """Log the import of a file into a layer (or a table such as the CRM), with its row account."""
    project.record("import", file=str(file), layer=layer, **counts)


def record_merge(project: Project, *, file: str, records: int, **details: Any) -> None:
    """Log that duplicate records of a file were merged (how many, into how many)."""
    project.record("merge", file=str(file), records=int(records), **details)


def record_export(
    project: Project, *, table: str, format: str, detailed: bool, **details: Any
) -> None:
    """Log an export (which table, which format, whether it holds personal data)."""
    project.record("export", table=table, format=format, detailed=bool(detailed), **details)


def logged_download(
    project: Project,
    make: Callable[[], bytes],
    *,
    table: str,
    format: str,
    file: str,
    rows: int,
) -> Callable[[], bytes]:
    """Return a download's data as a callable that logs the export first, then makes the file.

    For the app's downloads of personal data (addresses, homes): the export is written to the
    project's audit log and the machine's exports log (:func:`tradearea._core.audit_log.
    log_personal_export`) when the user clicks, before the bytes are made; if the log cannot be
    written the download fails, so no file leaves without its entry.

    Parameters
    ----------
    project : Project
        The project (its audit log gets the entry).
    make : callable
        Makes the file's bytes.
    table, format, file : str
        What is exported, as what, under which name.
    rows : int
        How many rows it holds.

    Returns
    -------
    callable
        No arguments; returns the bytes (what ``st.download_button(data=...)`` takes).
    """

    def data() -> bytes:
        log_personal_export("app download", file=file, table=table, format=format, rows=rows)
        record_export(project, table=table, format=format, detailed=True, file=file, rows=rows)
        return make()

    return data


def set_scenario(project: Project, name: str, scenario: pricing.Scenario) -> None:
    """Keep a pricing scenario in the project under ``name`` and log it."""
    project.scenarios[str(name)] = pricing.scenario_to_dict(scenario)
    project.record("scenario", name=str(name))


def put_candidate(
    project: Project,
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
    project: Project, evaluation: CandidateEvaluation, *, store_scenario: bool, change: str
) -> None:
    cand = evaluation.candidate
    if store_scenario and evaluation.pricing:
        scenario = evaluation.pricing["scenario"]
        project.scenarios[str(cand["name"])] = pricing.scenario_to_dict(scenario)
    project.settings.candidate_trade_area = evaluation.method
    fc = evaluation.forecast
    if fc is not None:
        project.settings.sales_forecast = SalesForecast(
            candidate_id=evaluation.candidate_id,
            name=str(cand["name"]),
            expected_sales_per_year=float(fc.expected_sales),
        )
    project.record(
        "candidate",
        candidate_id=evaluation.candidate_id,
        name=str(cand["name"]),
        lat=float(cand["lat"]),
        lon=float(cand["lon"]),
        method=evaluation.method,
        change=change,
    )


def remove_candidate(project: Project, candidate_id: str) -> bool:
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
    project.settings.taboo_ticks.pop(str(candidate_id), None)
    project.record("candidate_removed", candidate_id=str(candidate_id))
    return True


def set_taboo_ticks(project: Project, candidate_id: str, ticks: Mapping[str, bool]) -> None:
    """Keep the user's taboo checklist answers of a candidate (setting ``taboo_ticks``)."""
    unknown = [k for k in ticks if k not in TABOO_KEYS]
    if unknown:
        msg = f"unknown taboo item {unknown[0]!r}; items are {', '.join(TABOO_KEYS)}"
        raise ValueError(msg)
    project.settings.taboo_ticks[str(candidate_id)] = {k: bool(v) for k, v in ticks.items()}
    project.record("taboo_ticks", candidate_id=str(candidate_id), ticks=dict(ticks))


def place_candidate(project: Project, record: Mapping[str, Any], *, source: str) -> str:
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
    layer = project.layers.get("candidates")
    layer = layer.reset_index(drop=True).copy() if layer is not None and len(layer) else None
    fields = ("name", "format", "floor_area_m2", "floor_area_source")
    row: dict[str, Any] = {"lat": float(record["lat"]), "lon": float(record["lon"])}
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
