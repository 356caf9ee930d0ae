"""Benchmark harness: `python -m benchmarks.run --predictions N` (see benchmarks/run.py and RESULTS.md)."""
