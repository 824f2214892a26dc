"""Tests of the evaluation report."""
