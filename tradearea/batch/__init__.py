"""Batch runs (layer 6): the resumable pipeline and its steps."""
