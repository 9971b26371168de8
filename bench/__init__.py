"""Benchmarks: instance generator, solver benchmark, PyData comparison."""
