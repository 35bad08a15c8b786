"""Static report charts with matplotlib (Agg canvas, no pyplot): site maps, bars, cash flows."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import StrMethodFormatter

from tradearea import OSM_ATTRIBUTION
from tradearea.tiers import TIER_COLOURS, TIER_NAMES

if TYPE_CHECKING:
    from tradearea.regions.packs import Region

# The tier colours and names of tradearea.mapping.maps, repeated so that a PDF, XLSX or GeoPackage
# export does not import folium (mapping's) for two constants; a test keeps them equal.

DPI = 130
FONTS = ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", "sans-serif"]
RC = {
    "font.family": ["DejaVu Sans"],
    "font.size": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",
    "text.usetex": False,
}
POSITIVE = "#2e7d32"
NEGATIVE = "#c62828"
NEUTRAL = "#1f5f8b"


def label(text: Any, *, limit: int = 40) -> str:
    """Return user text safe for matplotlib (no mathtext) and not too long."""
    out = str(text if text is not None else "").replace("\n", " ").replace("$", r"\$")
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _rc_params(params: Mapping[str, Any]) -> Any:
    """The parameters as matplotlib's typed rc mapping (its stubs list every key)."""
    return dict(params)


def _rc(*texts: Any) -> dict[str, Any]:
    """Matplotlib settings; CJK fallback fonts only when a text needs them (they load slowly)."""
    wide = any(ord(ch) > 0x2FFF for t in texts for ch in str(t))
    return {**RC, "font.family": FONTS} if wide else RC


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def png(fig: Figure) -> bytes:
    """Return the figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    return buf.getvalue()


def _polygons(geoms: Any) -> list[np.ndarray]:
    """Exterior rings of every polygon part, as (x, y) arrays."""
    arr = np.asarray(geoms, dtype=object)
    arr = arr[[g is not None and not g.is_empty for g in arr]] if len(arr) else arr
    if not len(arr):
        return []
    parts = shapely.get_parts(np.asarray(arr))
    parts = parts[shapely.get_type_id(parts) == 3]
    return [np.asarray(shapely.get_coordinates(shapely.get_exterior_ring(p))) for p in parts]


def _lines(geoms: Any) -> list[np.ndarray]:
    arr = np.asarray(geoms, dtype=object)
    if not len(arr):
        return []
    parts = shapely.get_parts(arr[[g is not None for g in arr]])
    return [np.asarray(shapely.get_coordinates(p)) for p in parts]


def site_map(
    region: Region,
    *,
    site: Any,
    areas: gpd.GeoDataFrame | None = None,
    cells: gpd.GeoDataFrame | None = None,
    own: pd.DataFrame | None = None,
    competitors: pd.DataFrame | None = None,
    k: int = 5,
    width: float = 7.0,
) -> bytes:
    """Draw a static map: region buildings and streets, tiers, customer cells, stores, the site.

    Customers appear only as counts on H3 cells (cells under ``k`` already removed).

    Parameters
    ----------
    region : tradearea.regions.packs.Region
        The basemap source.
    site : Site
        The site (a red star).
    areas : geopandas.GeoDataFrame, optional
        Tiers (``tier``, geometry).
    cells : geopandas.GeoDataFrame, optional
        Aggregated customers (``customers``, hexagon geometry).
    own, competitors : pandas.DataFrame, optional
        Stores with lat, lon (and name).
    k : int
        The suppression threshold, named in the legend.
    width : float
        Width in inches.

    Returns
    -------
    bytes
        PNG image.
    """
    x0, y0, x1, y1 = region.boundary.total_bounds
    if areas is not None and len(areas):
        ax0, ay0, ax1, ay1 = areas.total_bounds
        if np.all(np.isfinite([ax0, ay0, ax1, ay1])):
            pad_x, pad_y = (ax1 - ax0) * 0.15 + 0.002, (ay1 - ay0) * 0.15 + 0.001
            x0, y0 = max(x0, ax0 - pad_x), max(y0, ay0 - pad_y)
            x1, y1 = min(x1, ax1 + pad_x), min(y1, ay1 + pad_y)
    aspect = 1.0 / math.cos(math.radians((y0 + y1) / 2))
    height = max(3.0, min(9.0, width * (y1 - y0) * aspect / max(x1 - x0, 1e-9)))
    names = [site.name]
    for frame in (own, competitors):
        if frame is not None and "name" in frame:
            names.extend(frame["name"].astype(str))
    with matplotlib.rc_context(_rc_params(_rc(*names))):
        fig = _figure(width, height)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_facecolor("#f4f1ea")
        window = shapely.box(x0, y0, x1, y1)
        b = region.buildings.geometry.to_numpy()
        b = b[shapely.intersects(b, window)]
        ax.add_collection(
            PolyCollection(_polygons(b), facecolor="#d9d4cc", edgecolor="#b9b4ad", lw=0.3)
        )
        s = region.streets.geometry.to_numpy()
        s = s[shapely.intersects(s, window)]
        ax.add_collection(LineCollection(_lines(s), colors="#9a9a9a", linewidths=0.6))
        handles: list[Any] = []
        if cells is not None and len(cells):
            counts = cells["customers"].to_numpy(dtype=float)
            top = max(float(counts.max()), float(k))
            colours = matplotlib.colormaps["Blues"](0.25 + 0.5 * counts / top)
            ax.add_collection(
                PolyCollection(
                    _polygons(cells.geometry),
                    facecolor=colours,
                    edgecolor="#1f5f8b",
                    lw=0.5,
                    alpha=0.35,
                )
            )
            for geom, n in zip(cells.geometry, counts, strict=True):
                c = geom.centroid
                if x0 <= c.x <= x1 and y0 <= c.y <= y1:
                    ax.text(c.x, c.y, f"{int(n)}", ha="center", va="center", fontsize=6,
                            color="#12344d", zorder=4)  # fmt: skip
            handles.append(
                Patch(fc="#9ecae1", ec="#1f5f8b", alpha=0.6, label=f"customers per cell (≥ {k})")
            )
        if areas is not None and len(areas):
            for tier in sorted(areas["tier"].astype(int).unique(), reverse=True):
                geoms = areas.loc[areas["tier"].astype(int) == tier].geometry
                colour = TIER_COLOURS.get(int(tier), "#888888")
                ax.add_collection(
                    PolyCollection(
                        _polygons(geoms), facecolor=colour, edgecolor=colour, lw=1.2, alpha=0.28
                    )
                )
                handles.append(
                    Patch(fc=colour, ec=colour, alpha=0.5, label=TIER_NAMES.get(int(tier), tier))
                )
        if competitors is not None and len(competitors):
            ax.scatter(
                competitors["lon"], competitors["lat"], marker="^", s=28, c="#333333", zorder=5
            )
            handles.append(Line2D([], [], marker="^", ls="", color="#333333", label="competitors"))
        if own is not None and len(own):
            ax.scatter(own["lon"], own["lat"], marker="s", s=30, c=NEUTRAL, zorder=6)
            handles.append(Line2D([], [], marker="s", ls="", color=NEUTRAL, label="own stores"))
        ax.scatter([site.lon], [site.lat], marker="*", s=220, c="#d62728", ec="white", zorder=7)
        handles.append(
            Line2D(
                [], [], marker="*", ls="", color="#d62728", ms=11, label=label(site.name, limit=30)
            )
        )
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(aspect)
        ax.set_axis_off()
        ax.legend(handles=handles, loc="upper left", fontsize=7, framealpha=0.85)
        ax.text(
            0.995, 0.005, "Map data " + OSM_ATTRIBUTION.split(",")[0], transform=ax.transAxes,
            ha="right", va="bottom", fontsize=6, color="#444444",
            bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 1.5},
        )  # fmt: skip
        _scale_bar(ax, x0, x1, y0, y1)
        return png(fig)


def _scale_bar(ax: Any, x0: float, x1: float, y0: float, y1: float) -> None:
    lat = (y0 + y1) / 2
    metres_per_deg = 111_320.0 * math.cos(math.radians(lat))
    span_m = (x1 - x0) * metres_per_deg
    length = next((m for m in (2000, 1000, 500, 200, 100, 50) if m <= span_m / 4), 50)
    dx = length / metres_per_deg
    xs, ys = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([xs, xs + dx], [ys, ys], color="black", lw=2)
    ax.text(xs + dx / 2, ys + (y1 - y0) * 0.01, f"{length} m", ha="center", fontsize=7)


def bar_chart(
    labels: Sequence[Any],
    values: Sequence[float],
    *,
    title: str = "",
    ylabel: str = "",
    colours: Sequence[str] | None = None,
    horizontal: bool = False,
) -> bytes:
    """Draw a simple bar chart and return PNG bytes."""
    names = [label(v, limit=28) for v in labels]
    vals = np.nan_to_num(np.asarray(values, dtype=float))
    with matplotlib.rc_context(_rc_params(_rc(*names, title))):
        fig = _figure(6.0, 2.4 if not horizontal else 0.3 * len(names) + 0.9)
        ax = fig.add_subplot()
        longest = max((len(n) for n in names), default=4)
        if horizontal:
            fig.subplots_adjust(left=min(0.45, 0.04 + 0.0115 * longest), right=0.97, top=0.86,
                                bottom=0.9 / fig.get_figheight())  # fmt: skip
        else:
            fig.subplots_adjust(left=0.14, right=0.98, top=0.86, bottom=0.16)
        col = list(colours) if colours else [NEUTRAL] * len(vals)
        if horizontal:
            ax.barh(names[::-1], vals[::-1], color=col[::-1])
            ax.set_xlabel(ylabel)
            ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        else:
            ax.bar(names, vals, color=col)
            ax.set_ylabel(ylabel)
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        if title:
            ax.set_title(title, fontsize=9, loc="left")
        return png(fig)


def cash_flow_chart(table: pd.DataFrame, *, currency: str = "") -> bytes:
    """Draw yearly net cash flows as bars with the cumulative line (payback where it crosses 0)."""
    years = table["year"].to_numpy() if "year" in table else np.arange(len(table))
    net = table["net"].to_numpy(dtype=float)
    cumulative = np.cumsum(net)
    with matplotlib.rc_context(_rc_params(RC)):
        fig = _figure(6.2, 2.6)
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.14, right=0.98, top=0.88, bottom=0.16)
        ax.bar(years, net, color=[POSITIVE if v >= 0 else NEGATIVE for v in net], label="net")
        ax.plot(years, cumulative, color="black", marker="o", ms=3, lw=1.2, label="cumulative")
        ax.axhline(0, color="#666666", lw=0.6)
        ax.set_xlabel("year")
        ax.set_ylabel(currency)
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.legend(fontsize=7, loc="upper left")
        ax.set_title("Yearly net cash flow and cumulative position", fontsize=9, loc="left")
        return png(fig)


def tornado_chart(table: pd.DataFrame, *, metric: str = "IRR", percent: bool = True) -> bytes:
    """Draw the tornado: each input's low and high metric around the base, largest first."""
    t = table.dropna(subset=["low", "high"]).head(8).iloc[::-1]
    base = float(table["base"].iloc[0]) if len(table) else 0.0
    scale = 100.0 if percent else 1.0
    names = [label(v, limit=36) for v in t["input"]]
    with matplotlib.rc_context(_rc_params(_rc(*names))):
        fig = _figure(6.2, 0.32 * max(len(t), 1) + 1.0)
        ax = fig.add_subplot()
        longest = max((len(n) for n in names), default=4)
        fig.subplots_adjust(left=min(0.5, 0.04 + 0.0115 * longest), right=0.97, top=0.88,
                            bottom=0.75 / fig.get_figheight())  # fmt: skip
        low = (t["low"].to_numpy(float) - base) * scale
        high = (t["high"].to_numpy(float) - base) * scale
        ax.barh(names, low, left=base * scale, color="#e67e22", label="input low")
        ax.barh(names, high, left=base * scale, color=NEUTRAL, label="input high")
        ax.axvline(base * scale, color="black", lw=0.8)
        ax.set_xlabel(f"{metric} ({'%' if percent else ''})")
        ax.legend(fontsize=7, loc="lower right")
        ax.set_title(f"Sensitivity of {metric} (±20 % on each input)", fontsize=9, loc="left")
        return png(fig)
