"""Hyper-parameter tuning with Optuna: search space, objective, study, workers and report."""
