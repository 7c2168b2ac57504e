"""Benchmark scripts that print their figures (not tests: pytest only collects `tests/`)."""
