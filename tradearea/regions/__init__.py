"""Region data (layer 2): region packs built from OpenStreetMap, travel networks, layers."""
