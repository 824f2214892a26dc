"""A model's accuracy on what it never trained on: MNIST's test set and the real collections'
held-out writers, each image preprocessed as `inkread read` does (one character per image)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from inkread.core.errors import InkreadError
from inkread.core.model import LoadedModel
from inkread.data.catalog import load_dataset
from inkread.data.collections import COLLECTIONS
from inkread.data.real import prepared
from inkread.evaluate.metrics import accuracy


def held_out_figures(model: LoadedModel, data_dir: str | Path | None = None,
                     collections: Iterable[str] = tuple(COLLECTIONS)) -> dict[str, Any]:
    """{set: {accuracy, images}} for MNIST test and each of `collections` found, on the model's classes
    only; collections not present are listed under "missing"."""
    out: dict[str, Any] = {}
    mnist = load_dataset("mnist", data_dir)
    test = mnist.test_split()
    out["mnist test"] = _cell(model, test.images, list(np.asarray(mnist.classes)[test.labels]))
    missing = []
    for name in collections:
        try:
            ds = prepared(name, data_dir)
        except InkreadError:
            missing.append(name)
            continue
        assert ds.test is not None  # prepared() always fills the held-out writers' part
        labels = np.asarray(ds.classes)[ds.test.labels]
        keep = np.isin(labels, model.classes)
        out[f"{name} held-out writers"] = _cell(model, ds.test.images[keep], list(labels[keep]))
    if missing:
        out["missing"] = missing
    return out


def _cell(model: LoadedModel, images: np.ndarray, labels: list[str]) -> dict[str, Any]:
    """One set's figure: accuracy and image count."""
    index = np.array([model.classes.index(c) for c in labels], dtype=np.int64)  # labels kept are classes
    return {"accuracy": round(accuracy(model.classify(images), index), 5), "images": len(labels)}
