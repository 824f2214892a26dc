"""Run tracking and the model registry on MLflow: log training runs, register, promote, resolve and compare.

MLflow is imported lazily (about 2 s) by `inkread.registry.store`, so importing this package stays light.
"""
