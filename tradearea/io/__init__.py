"""Readers (layer 1): bytes and encodings, tables and their headers, cell values, geofiles."""
