"""tradearea: offline-first retail site selection and trade-area analysis."""

from __future__ import annotations

__version__ = "0.1.0"

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)"

__all__ = ["OSM_ATTRIBUTION", "__version__"]
