"""GeoPackage rendering: trade areas, stores, competitors, candidates and aggregated customers."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from tradearea.privacy import strip_personal
from tradearea.report.model import Report

WGS84 = "EPSG:4326"
LAYER_ORDER = (
    "trade_areas", "candidates", "stores", "competitors", "customers_h3", "crm_h3", "customers",
)  # fmt: skip
_AGGREGATED = frozenset({"customers_h3", "crm_h3"})


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list | tuple | set):
        return json.dumps(list(value) if isinstance(value, set) else value, default=str)
    return value


def gpkg_frame(layer: gpd.GeoDataFrame, *, name: str, detailed: bool) -> gpd.GeoDataFrame:
    """Return a layer ready for the GeoPackage: WGS84, plain column types, no personal data.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        A report layer.
    name : str
        Its layer name; ``customers`` is only ever written for detailed reports.
    detailed : bool
        Whether the report is detailed.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy that pyogrio writes without surprises.
    """
    out = gpd.GeoDataFrame(layer.copy(), crs=layer.crs or WGS84).to_crs(WGS84)
    out.attrs = {}
    if name in _AGGREGATED or (name == "customers" and not detailed):
        geom = out.geometry
        out = gpd.GeoDataFrame(
            strip_personal(pd.DataFrame(out.drop(columns=geom.name))),
            geometry=geom.to_numpy(),
            crs=WGS84,
        )
    for col in out.columns:
        if col == out.geometry.name:
            continue
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            out[col] = series.astype(str)
        elif series.dtype == object:
            out[col] = series.map(_plain)
        elif str(series.dtype) == "Int64":
            out[col] = series.astype("float64")
    return out


def render_gpkg(report: Report) -> bytes:
    """Render the report's map layers as one GeoPackage (EPSG:4326), plus a ``report_info`` table.

    Layers: ``trade_areas``, ``candidates`` (the report's sites with their decision figures),
    ``stores``, ``competitors``, ``customers_h3`` (customer counts on H3 cells, small cells
    suppressed), ``crm_h3`` when CRM data exist, and ``customers`` only for a detailed report.

    Parameters
    ----------
    report : Report
        The report.

    Returns
    -------
    bytes
        The ``.gpkg`` file; it opens in QGIS and any GDAL tool.
    """
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="tradearea-report-") as folder:
        path = Path(folder) / "report.gpkg"
        names = [n for n in LAYER_ORDER if n in report.layers] + [
            n for n in report.layers if n not in LAYER_ORDER
        ]
        for name in names:
            if name == "customers" and not report.detailed:
                continue
            frame = gpkg_frame(report.layers[name], name=name, detailed=report.detailed)
            kwargs: dict[str, Any] = {"layer": name, "driver": "GPKG"}
            types = set(frame.geometry.dropna().geom_type)
            if types & {"Polygon", "MultiPolygon"}:
                kwargs["promote_to_multi"] = True
            if frame.geometry.isna().all() or not types:
                kwargs["geometry_type"] = "Unknown"
            pyogrio.write_dataframe(frame, path, **kwargs)
        info = pd.DataFrame(
            [
                ("title", report.title),
                ("project", report.project_name),
                ("region", report.region),
                ("generated_at", report.generated_at),
                ("currency", report.currency),
                ("detailed", str(report.detailed)),
                ("k", str(report.k)),
                ("attribution", report.attribution),
                ("sites", ", ".join(s.site_id for s in report.sites)),
            ],
            columns=["key", "value"],
        )
        pyogrio.write_dataframe(info, path, layer="report_info", driver="GPKG")
        return path.read_bytes()
