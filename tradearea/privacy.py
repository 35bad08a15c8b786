"""Privacy of report exports: customers aggregated on H3 cells, personal columns removed."""

from __future__ import annotations

import logging
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tradearea._core.crs import WGS84

LOG = logging.getLogger("tradearea.report")
DEFAULT_RESOLUTION = 9
# Columns that identify or locate a person; never exported unless the report is detailed.
PERSONAL_COLUMNS = frozenset(
    {
        "respondent_id", "member_id", "customer_id", "person_id", "address", "matched_address",
        "true_address", "name", "first_name", "last_name", "full_name", "phone", "mobile",
        "telephone", "email", "e_mail", "lat", "lon", "latitude", "longitude", "geometry",
        "street", "housenumber", "postcode", "raw_address", "input_address", "reason",
        "contact", "wechat", "id_card", "birthday", "date_of_birth",
    }
)  # fmt: skip

DEFAULT_K = 5  # smallest customer count shown on a map cell or in a table


def check_k(k: int, *, detailed: bool = False) -> int:
    """Return ``k`` as an int, or raise ValueError.

    ``True``, a fraction or a text is refused (never read as k = 1); a ``k`` below
    :data:`DEFAULT_K` needs ``detailed`` (the logged personal-data switch).
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        msg = f"k (smallest customer count shown) must be a whole number, not {k!r}"
        raise ValueError(msg)
    value = int(k)
    if value < 1:
        msg = f"k (smallest customer count shown) must be at least 1, not {value}"
        raise ValueError(msg)
    if value < DEFAULT_K and not detailed:
        msg = (
            f"k (smallest customer count shown) below {DEFAULT_K} shows small groups of "
            f"customers: it needs the detailed (personal data, logged) switch, not k = {value}"
        )
        raise ValueError(msg)
    return value


def customer_cells(
    customers: pd.DataFrame,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    k: int = DEFAULT_K,
    by: str | None = None,
) -> gpd.GeoDataFrame:
    """Count customers per H3 cell and drop the cells with fewer than ``k`` of them.

    Suppressed cells are left out entirely, so no exported map shows a place where fewer than
    ``k`` customers live. ``attrs`` holds ``suppressed_cells``, ``suppressed_customers``,
    ``located`` (customers with coordinates) and ``k``.

    Parameters
    ----------
    customers : pandas.DataFrame
        ``lat`` and ``lon`` per customer (rows without them are not counted).
    resolution : int
        H3 resolution (9: cells of about 0.1 km², edge about 200 m).
    k : int
        Smallest count shown.
    by : str, optional
        A column whose values are counted per cell as well (e.g. ``tier_name``).

    Returns
    -------
    geopandas.GeoDataFrame
        h3_cell, customers (and one ``n_<value>`` column per value of ``by``), geometry
        (hexagons, EPSG:4326).
    """
    import h3

    k = check_k(k, detailed=True)  # the caller (report, CLI) holds the k-below-default switch
    if customers is None or not len(customers) or "lat" not in customers:
        return _empty_cells(k)
    lat = pd.to_numeric(customers["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(customers["lon"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return _empty_cells(k)
    cells = [h3.latlng_to_cell(a, b, resolution) for a, b in zip(lat[ok], lon[ok], strict=True)]
    work = pd.DataFrame({"h3_cell": cells})
    if by is not None and by in customers:
        work[by] = customers.loc[ok, by].astype(str).to_numpy()
        counts = pd.crosstab(work["h3_cell"], work[by])
        counts.columns = [f"n_{c}".replace(" ", "_") for c in counts.columns]
        counts.insert(0, "customers", counts.sum(axis=1))
    else:
        counts = work.groupby("h3_cell").size().to_frame("customers")
    counts = counts.sort_index()
    small = counts["customers"] < k
    kept = counts[~small].reset_index()
    geoms = [shapely.Polygon([(b, a) for a, b in h3.cell_to_boundary(c)]) for c in kept["h3_cell"]]
    layer = gpd.GeoDataFrame(kept, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)
    layer.attrs.update(
        suppressed_cells=int(small.sum()),
        suppressed_customers=int(counts.loc[small, "customers"].sum()),
        located=int(ok.sum()),
        k=k,
        resolution=resolution,
    )
    return layer


def _empty_cells(k: int) -> gpd.GeoDataFrame:
    layer = gpd.GeoDataFrame(
        {"h3_cell": pd.Series([], dtype=object), "customers": pd.Series([], dtype="int64")},
        geometry=gpd.GeoSeries([], crs=WGS84),
        crs=WGS84,
    )
    layer.attrs.update(suppressed_cells=0, suppressed_customers=0, located=0, k=k)
    return layer


def strip_personal(frame: pd.DataFrame, *, keep_geometry: bool = False) -> pd.DataFrame:
    """Return ``frame`` without the columns that identify or locate a person.

    Parameters
    ----------
    frame : pandas.DataFrame
        A customer-derived table.
    keep_geometry : bool
        Keep the geometry column (only for aggregated layers).

    Returns
    -------
    pandas.DataFrame
        A copy without :data:`PERSONAL_COLUMNS` (case-insensitive).
    """
    drop = [
        c
        for c in frame.columns
        if str(c).lower() in PERSONAL_COLUMNS and not (keep_geometry and c == "geometry")
    ]
    return frame.drop(columns=drop)


class AuditLog(Protocol):
    """What keeps an audit log: a name and ``record(what, **details)`` (a project does)."""

    name: str

    def record(self, what: str, **details: Any) -> dict[str, Any]:
        """Append an entry to the audit log."""
        ...


def log_detailed(project: AuditLog, *, reason: str = "", sites: list[str] | None = None) -> None:
    """Record in the project's audit log (and the Python log) that a detailed report was built.

    Parameters
    ----------
    project : AuditLog
        The project (anything with a ``name`` and a ``record`` method).
    reason : str
        Why personal data was exported.
    sites : list of str, optional
        The sites of the report.
    """
    LOG.warning(
        "detailed report with personal data built for project %r%s",
        project.name,
        f" ({reason})" if reason else "",
    )
    project.record("report_detailed", detailed=True, sites=list(sites or []), reason=reason)
