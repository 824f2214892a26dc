"""Evaluate a classifier's predicted probabilities: metrics, figures and an HTML report."""
