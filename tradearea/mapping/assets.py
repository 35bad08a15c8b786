"""Map assets (Leaflet and friends) installed from npm and served locally, never from a CDN."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tradearea.settings import REPO_DIR, STATIC_URL, VENDOR_DIR

# What to copy from node_modules into the served vendor folder: source -> destination.
_COPY: tuple[tuple[str, str], ...] = (
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/dist/images", "leaflet/images"),
    ("jquery/dist/jquery.min.js", "jquery/jquery.min.js"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    (
        "leaflet.awesome-markers/dist/leaflet.awesome-markers.min.js",
        "awesome-markers/leaflet.awesome-markers.min.js",
    ),
    (
        "leaflet.awesome-markers/dist/leaflet.awesome-markers.css",
        "awesome-markers/leaflet.awesome-markers.css",
    ),
    ("leaflet.awesome-markers/dist/images", "awesome-markers/images"),
    ("@fortawesome/fontawesome-free/css/all.min.css", "fontawesome/css/all.min.css"),
    ("@fortawesome/fontawesome-free/webfonts", "fontawesome/webfonts"),
    (
        "leaflet.markercluster/dist/leaflet.markercluster.js",
        "markercluster/leaflet.markercluster.js",
    ),
    ("leaflet.markercluster/dist/MarkerCluster.css", "markercluster/MarkerCluster.css"),
    (
        "leaflet.markercluster/dist/MarkerCluster.Default.css",
        "markercluster/MarkerCluster.Default.css",
    ),
    ("leaflet.heat/dist/leaflet-heat.js", "heat/leaflet-heat.js"),
)

# folium/plugin asset names -> vendor path. Anything remote not listed here is refused.
ASSET_PATHS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "jquery": "jquery/jquery.min.js",
    "bootstrap": "bootstrap/bootstrap.bundle.min.js",
    "awesome_markers": "awesome-markers/leaflet.awesome-markers.min.js",
    "leaflet_css": "leaflet/leaflet.css",
    "bootstrap_css": "bootstrap/bootstrap.min.css",
    "awesome_markers_font_css": "fontawesome/css/all.min.css",
    "awesome_markers_css": "awesome-markers/leaflet.awesome-markers.css",
    "markerclusterjs": "markercluster/leaflet.markercluster.js",
    "markerclustercss": "markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/MarkerCluster.Default.css",
    "leaflet-heat.js": "heat/leaflet-heat.js",
}
# Assets folium lists that the tool does not use (glyphicons, rotate css): dropped, not fetched.
DROPPED_ASSETS = frozenset({"glyphicons_css", "awesome_rotate_css"})


def install_assets(node_modules: Path | None = None, *, dest: Path | None = None) -> list[Path]:
    """Copy the pinned npm map assets into the folder the app serves.

    Parameters
    ----------
    node_modules : pathlib.Path, optional
        Where ``npm ci`` installed the packages (default: ``node_modules`` of the checkout).
    dest : pathlib.Path, optional
        The vendor folder (default: ``tradearea/ui/static/vendor``).

    Returns
    -------
    list of pathlib.Path
        The files and folders written.

    Raises
    ------
    FileNotFoundError
        If a pinned asset is missing from ``node_modules`` (run ``npm ci`` first).
    """
    src_root = Path(node_modules) if node_modules else REPO_DIR / "node_modules"
    dest_root = Path(dest) if dest else VENDOR_DIR
    written = []
    for src_rel, dst_rel in _COPY:
        src, dst = src_root / src_rel, dest_root / dst_rel
        if not src.exists():
            msg = f"map asset {src} is missing: run `npm ci` in {REPO_DIR}"
            raise FileNotFoundError(msg)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
        written.append(dst)
    return written


def assets_installed(dest: Path | None = None) -> bool:
    """Return True when every served asset is present."""
    root = Path(dest) if dest else VENDOR_DIR
    return all((root / rel).exists() for rel in ASSET_PATHS.values())


def asset_url(name: str, *, base_url: str = f"{STATIC_URL}/vendor") -> str:
    """Return the local URL of asset ``name`` (a folium asset name)."""
    return f"{base_url}/{ASSET_PATHS[name]}"


def asset_file(name: str) -> Path:
    """Return the local file of asset ``name``."""
    return VENDOR_DIR / ASSET_PATHS[name]


if __name__ == "__main__":  # pragma: no cover - used by the Makefile
    paths = install_assets(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"installed {len(paths)} map assets into {VENDOR_DIR}")
