"""Synthetic data for tests and benchmarks (seeded generators); not used by the analysis."""
