"""Benchmarks, run as modules from the repository root: ``python -m benchmarks.run_all`` or
``python -m benchmarks.bench_<name>`` (see docs/BENCHMARKS.md)."""
