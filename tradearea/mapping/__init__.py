"""Offline maps (layer 6): folium maps on local assets and the region's own basemap."""
