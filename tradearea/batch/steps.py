"""The steps of the batch pipeline (``tradearea run``): each reads Parquet, writes Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from tradearea import scale, tradeareas
from tradearea.batch.context import Context, Step
from tradearea.batch.crm_import import import_crm, locate_customers
from tradearea.batch.report import write_batch_report
from tradearea.competition import read_competitors
from tradearea.demand import read_demand, read_zones, spend_per_household
from tradearea.errors import InputError
from tradearea.formats import FORMATS, normalise_format
from tradearea.huff import DEFAULT_ALPHA, DEFAULT_BETA
from tradearea.project.settings import load_settings
from tradearea.project.summary import project_summary
from tradearea.project.workspace import Project, points_frame, save_project
from tradearea.scale._dask import compute, is_dask
from tradearea.scale.candidates import candidate_records
from tradearea.scale.huff import huff_summary
from tradearea.surveys import load_survey
from tradearea.tradeareas import trade_areas_by_rings

RING_CHUNK = 200  # stores per ring task with the Dask engine


def write_table(frame: Any, path: Path) -> int:
    """Write a pandas (or GeoPandas) table as (Geo)Parquet, atomically; return its rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(path)
    return len(frame)


def _stores(ctx: Context) -> pd.DataFrame:
    return pd.read_parquet(ctx.out("stores.parquet"))


def _existing(stores: pd.DataFrame) -> pd.DataFrame:
    return stores[stores["role"].astype(str) != "candidate"].reset_index(drop=True)


def _candidates(stores: pd.DataFrame) -> pd.DataFrame:
    return stores[stores["role"].astype(str) == "candidate"].reset_index(drop=True)


def _own(stores: pd.DataFrame) -> pd.DataFrame:
    return stores[stores["role"].astype(str) == "own"].reset_index(drop=True)


# ---- survey, geocode, stores --------------------------------------------------------------


def step_survey(ctx: Context) -> dict[str, Any]:
    """Read the survey (any encoding, English or Chinese headers) and screen its rows."""
    survey, rejected = load_survey(ctx.input("survey"))
    write_table(survey, ctx.out("survey.parquet"))
    return {"rows": len(survey), "rejected": len(rejected), "line": f"{len(survey)} rows read"}


def step_geocode(ctx: Context) -> dict[str, Any]:
    """Geocode the survey against the region pack (offline)."""
    survey = pd.read_parquet(ctx.out("survey.parquet"))
    address_col = ctx.config.section("geocode").get("address_col", "address")
    coded = scale.geocode_frame(ctx.frame(survey), region=_region(ctx), address_col=address_col)
    if is_dask(coded):
        coded = compute(coded)[0].reset_index(drop=True)
    write_table(coded, ctx.out("survey_geocoded.parquet"))
    status = coded["status"].astype(str).value_counts().to_dict()
    placed = int(coded["lat"].notna().sum())
    return {
        "rows": len(coded),
        "placed": placed,
        "status": status,
        "line": f"{placed} of {len(coded)} placed",
    }


def _region(ctx: Context) -> str:
    name = ctx.config.region
    if not name:
        msg = "[region] name is needed to geocode addresses and count households"
        raise InputError(msg, file=str(ctx.config.path), column="region.name")
    return name


def step_stores(ctx: Context) -> dict[str, Any]:
    """Read own stores and competitors, add the candidate sites."""
    stores = pd.DataFrame(read_competitors(ctx.input("stores"))).drop(
        columns="geometry", errors="ignore"
    )
    if "role" not in stores.columns:
        stores["role"] = "competitor"
    own_ids = ctx.config.section("trade_areas").get("stores")
    if own_ids:
        stores["role"] = np.where(
            stores["store_id"].astype(str).isin([str(s) for s in own_ids]), "own", stores["role"]
        )
    stores["role"] = stores["role"].fillna("competitor").astype(str)
    cands = candidate_records([{"store_id": c["id"], **c} for c in ctx.config.candidates])
    clash = set(stores["store_id"].astype(str)) & {c["store_id"] for c in cands}
    if clash:
        msg = f"candidate id {sorted(clash)[0]!r} is already a store id"
        raise InputError(msg, file=str(ctx.config.path), column="candidates.id")
    if cands:
        stores = pd.concat([stores, pd.DataFrame(cands)], ignore_index=True)
    stores = stores.astype({"store_id": str, "name": str, "format": str, "role": str})
    for col in stores.columns:
        if pd.api.types.is_object_dtype(stores[col].dtype):
            stores[col] = stores[col].astype("str")
    write_table(stores, ctx.out("stores.parquet"))
    n = stores["role"].value_counts().to_dict()
    return {"stores": n, "line": ", ".join(f"{v} {k}" for k, v in sorted(n.items()))}


# ---- trade areas --------------------------------------------------------------------------


def _rings(frame: pd.DataFrame, radii: list[float], region: str | None) -> Any:
    return trade_areas_by_rings(
        None, frame[["store_id", "name", "lat", "lon"]], radii_m=radii, region=region
    ).areas


def step_trade_areas(ctx: Context) -> dict[str, Any]:
    """Survey stores: tiers by share or penetration; other own stores and candidates: rings."""
    cfg = ctx.config.section("trade_areas")
    stores = _stores(ctx)
    region = ctx.config.region
    radii = [float(r) for r in cfg.get("rings_m", [1000, 3000, 5000])]
    parts, account = [], {}
    surveyed: set[str] = set()
    own = _own(stores)
    if ctx.out("survey_geocoded.parquet").exists() and "survey" in ctx.config.inputs and len(own):
        survey = pd.read_parquet(ctx.out("survey_geocoded.parquet"))
        method = cfg.get("method", "share")
        if method not in ("share", "penetration"):
            msg = f"method {method!r}: the survey's stores use share or penetration tiers"
            raise InputError(msg, file=str(ctx.config.path), column="trade_areas.method")
        options: dict[str, Any] = {"region": region, "weight": cfg.get("weight", "annual_spend")}
        if "thresholds" in cfg:
            options["thresholds"] = cfg["thresholds"]
        result = tradeareas.trade_areas(
            survey, own[["store_id", "name", "lat", "lon"]], method=method, **options
        )
        parts.append(result.areas)
        account = {k: v for k, v in result.account.items() if isinstance(v, int | float | str)}
        surveyed = set(result.areas["store_id"].astype(str))
    rest = stores[(stores["role"].isin(["own", "candidate"])) & ~stores["store_id"].isin(surveyed)]
    if len(rest):
        chunks = [rest.iloc[i : i + RING_CHUNK] for i in range(0, len(rest), RING_CHUNK)]
        if ctx.engine == "dask" and len(chunks) > 1:
            from dask import delayed  # optional heavy dependency (scale extra)

            parts += compute([delayed(_rings)(c, radii, region) for c in chunks])[0]
        else:
            parts += [_rings(c, radii, region) for c in chunks]
    if not parts:
        msg = "no own stores (role = own) and no candidates: nothing to draw trade areas for"
        raise InputError(msg, file=str(ctx.config.inputs["stores"]), column="role")
    areas = gpd.GeoDataFrame(
        pd.concat(parts, ignore_index=True), geometry="geometry", crs="EPSG:4326"
    )
    write_table(areas, ctx.out("trade_areas.parquet"))
    line = f"{areas['store_id'].nunique()} stores, {len(areas)} tiers ({len(surveyed)} from the survey)"
    return {
        "stores": int(areas["store_id"].nunique()),
        "areas": len(areas),
        "survey_account": account,
        "line": line,
    }


# ---- CRM ----------------------------------------------------------------------------------


def step_crm(ctx: Context) -> dict[str, Any]:
    """Import the CRM file, locate customers, value and tier them, write the CRM tables."""
    cfg = ctx.config.section("crm")
    imported = import_crm(ctx, ctx.input("crm"), mapping=cfg.get("mapping"))
    write_table(imported.report, ctx.out("crm_import.parquet"))
    customers = imported.table
    if imported.kind == "transactions":
        ctx.say("crm: transactions -> customers")
        customers = scale.customers_from_transactions(customers, as_of=cfg.get("as_of"))
        if "crm_profile" in ctx.config.inputs:
            profile = import_crm(ctx, ctx.input("crm_profile"), expect="profile")
            keep = [
                c for c in profile.table.columns if c not in customers.columns or c == "customer_id"
            ]
            customers = customers.merge(profile.table[keep], on="customer_id", how="left")
    customers = locate_customers(ctx, customers)
    stores = _stores(ctx)
    own_ids = set(_own(stores)["store_id"])
    areas = gpd.read_parquet(ctx.out("trade_areas.parquet"))
    areas = areas[areas["store_id"].astype(str).isin(own_ids)].reset_index(drop=True)
    ctx.say(
        f"crm: valuing and tiering customers ({'partitioned' if is_dask(customers) else 'in memory'})"
    )
    tables = scale.analyse_customers(
        customers,
        areas,
        as_of=cfg.get("as_of"),
        retention_rate=cfg.get("retention_rate"),
        discount_rate=cfg.get("discount_rate", 0.10),
        horizon=cfg.get("horizon", 3) or None,
        stores=_own(stores)[["store_id", "lat", "lon"]],
        out=ctx.out("crm_customers"),
    )
    for name in ("segment_tier", "segment_tier_by_store", "penetration", "winback"):
        write_table(getattr(tables, name), ctx.out(f"crm_{name}.parquet"))
    info = tables.summary()
    info.update(imported.counts)
    tiers = info["tiers"]
    line = f"{info['customers']:,} customers: " + ", ".join(f"{k} {v:,}" for k, v in tiers.items())
    return {**info, "line": line}


# ---- Huff and IRS -------------------------------------------------------------------------


def _zones(ctx: Context, spend: float | None) -> pd.DataFrame:
    zones = read_demand(ctx.input("zones"), spend=spend)
    return pd.DataFrame(zones.drop(columns="geometry"))


def _format(value: str | None) -> str:
    key = normalise_format(value or "supermarket")
    if key is None:
        msg = f"format {value!r}: use one of {', '.join(FORMATS)}"
        raise InputError(msg, column="format")
    return str(key)


def step_huff(ctx: Context) -> dict[str, Any]:
    """Expected sales of every store, market share per zone, and each candidate's forecast."""
    cfg = ctx.config.section("huff")
    fmt = _format(cfg.get("format"))
    spend = float(cfg["spend"]) if "spend" in cfg else spend_per_household(fmt)
    zones = ctx.frame(_zones(ctx, spend))
    stores = _existing(_stores(ctx))
    options = {
        "alpha": float(cfg.get("alpha", 1.0)),
        "beta": float(cfg.get("beta", 2.0)),
        "attractiveness": cfg.get("attractiveness", "floor_area_m2"),
    }
    own = list(_own(stores)["store_id"])
    result = scale.huff_model_to_parquet(zones, stores, ctx.out("huff_zones"), focus=own, **options)
    write_table(result.sales, ctx.out("huff_sales.parquet"))
    cands = _candidates(_stores(ctx))
    forecast = (
        scale.forecast_candidates(zones, stores, cands, own=own, **options)
        if len(cands)
        else pd.DataFrame(columns=list(scale.candidates.CANDIDATE_COLUMNS))
    )
    write_table(forecast, ctx.out("huff_candidates.parquet"))
    total = float(result.sales["expected_sales"].sum())
    line = f"{len(stores)} stores, {len(cands)} candidates, expected sales {total:,.0f}"
    return {**huff_summary(result), "candidates": len(cands), "line": line}


def step_irs(ctx: Context) -> dict[str, Any]:
    """IRS of every tier, and of each candidate's tiers with the candidate open."""
    cfg = ctx.config.section("irs")
    stores = _stores(ctx)
    existing = _existing(stores)
    areas = gpd.read_parquet(ctx.out("trade_areas.parquet"))
    zones = read_zones(ctx.input("zones")) if "zones" in ctx.config.inputs else None
    options: dict[str, Any] = {
        "format": _format(cfg.get("format")),
        "spend": cfg.get("spend"),
        "zones": zones,
        "period": cfg.get("period", "week"),
        "cumulative": bool(cfg.get("cumulative", False)),
    }
    frame = ctx.frame(areas)
    table = scale.irs_by_trade_area(frame, existing, **options)
    write_table(table, ctx.out("irs.parquet"))
    cands = _candidates(stores)
    with_cand = (
        scale.irs_for_candidates(frame, existing, cands, **options)
        if len(cands)
        else pd.DataFrame()
    )
    write_table(with_cand, ctx.out("irs_candidates.parquet"))
    return {"tiers": len(table), "candidate_tiers": len(with_cand), "line": f"{len(table)} tiers"}


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        frame.reset_index(drop=True),
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )


def run_project(ctx: Context) -> Project:
    """Return the run's inputs and trade areas as a project (what ``tradearea app`` opens).

    Own stores, competitors and candidates from ``stores.parquet``, the geocoded survey, the
    run's trade areas and zones; settings from [run] currency, [trade_areas] thresholds,
    [huff] α and β and [irs] period.
    """
    stores = _stores(ctx)
    cands = _candidates(stores).rename(columns={"store_id": "candidate_id"})
    layers: dict[str, gpd.GeoDataFrame] = {
        "stores": _points(_own(stores).drop(columns="role")),
        "competitors": _points(
            stores[stores["role"] == "competitor"].drop(columns="role").reset_index(drop=True)
        ),
        "candidates": _points(cands.drop(columns="role")),
        "trade_areas": gpd.read_parquet(ctx.out("trade_areas.parquet")),
    }
    if ctx.out("survey_geocoded.parquet").exists():
        layers["customers"] = points_frame(pd.read_parquet(ctx.out("survey_geocoded.parquet")))
    if "zones" in ctx.config.inputs:
        layers["zones"] = read_zones(ctx.input("zones"))
    run, huff, irs = (ctx.config.section(k) for k in ("run", "huff", "irs"))
    settings: dict[str, Any] = {
        "currency": run.get("currency", "EUR"),
        "irs_period": irs.get("period", "week"),
        "candidate_trade_area": "rings",
        "huff": {
            "alpha": float(huff.get("alpha", DEFAULT_ALPHA)),
            "beta": float(huff.get("beta", DEFAULT_BETA)),
            "source": "user" if {"alpha", "beta"} & set(huff) else "default",
        },
    }
    thresholds = ctx.config.section("trade_areas").get("thresholds")
    if thresholds and ctx.config.section("trade_areas").get("method", "share") == "share":
        settings["share_thresholds"] = thresholds
    if "survey" in ctx.config.inputs:
        settings["survey_file"] = Path(ctx.input("survey")).name
    project = Project(
        name=str(run.get("name") or "Batch run"),
        region=ctx.config.region or "",
        layers=layers,
        settings=load_settings(settings),
    )
    project.record("batch_run", file=ctx.config.path.name)
    return project


def step_project(ctx: Context) -> dict[str, Any]:
    """Write the run as a project file and its key figures (the project layer's summary)."""
    project = run_project(ctx)
    table = project_summary(project)
    write_table(table, ctx.out("summary.parquet"))
    save_project(project, ctx.out("project.gpkg"), overwrite=True)  # a rerun replaces its output
    sites = int(table["site_id"].nunique()) if len(table) else 0
    return {"sites": sites, "rows": len(table), "line": f"{sites} sites, {len(table)} rows"}


def step_report(ctx: Context) -> dict[str, Any]:
    """Write the batch report (HTML and XLSX) and summary.json from the step outputs."""
    return write_batch_report(ctx)


def _has(*names: str) -> Any:
    return lambda config: all(n in config.inputs for n in names)


STEPS: tuple[Step, ...] = (
    Step("survey", step_survey, ("survey.parquet",), inputs=("survey",), when=_has("survey")),
    Step(
        "geocode",
        step_geocode,
        ("survey_geocoded.parquet",),
        needs=("survey",),
        sections=("geocode", "region"),
        uses_region=True,
        when=_has("survey"),
    ),
    Step(
        "stores",
        step_stores,
        ("stores.parquet",),
        inputs=("stores",),
        sections=("trade_areas", "candidates"),
    ),
    Step(
        "trade_areas",
        step_trade_areas,
        ("trade_areas.parquet",),
        needs=("geocode", "stores"),
        sections=("trade_areas", "region"),
        uses_region=True,
    ),
    Step(
        "crm",
        step_crm,
        (
            "crm_import.parquet",
            "crm_customers",
            "crm_segment_tier.parquet",
            "crm_segment_tier_by_store.parquet",
            "crm_penetration.parquet",
            "crm_winback.parquet",
        ),
        needs=("trade_areas", "stores"),
        inputs=("crm", "crm_profile"),
        sections=("crm", "region"),
        uses_region=True,
        when=_has("crm"),
    ),
    Step(
        "huff",
        step_huff,
        ("huff_sales.parquet", "huff_zones", "huff_candidates.parquet"),
        needs=("stores",),
        inputs=("zones",),
        sections=("huff",),
        when=_has("zones"),
    ),
    Step(
        "irs",
        step_irs,
        ("irs.parquet", "irs_candidates.parquet"),
        needs=("trade_areas", "stores"),
        inputs=("zones",),
        sections=("irs",),
    ),
    Step(
        "project",
        step_project,
        ("project.gpkg", "summary.parquet"),
        needs=("geocode", "stores", "trade_areas"),
        inputs=("zones",),
        sections=("run", "trade_areas", "huff", "irs", "region"),
        uses_region=True,
    ),
    Step(
        "report",
        step_report,
        ("report.html", "report.xlsx", "summary.json"),
        needs=("survey", "geocode", "stores", "trade_areas", "crm", "huff", "irs"),
        sections=("report",),
    ),
)
