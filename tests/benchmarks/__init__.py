"""Tests of the benchmark scripts: their quick modes, verdicts and reports."""
