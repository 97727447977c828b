"""Shared pieces of the side-by-side benchmark harness (bench/harness.py)."""
