"""Helpers shared by the tests and the benchmarks: reference implementations and test data."""
