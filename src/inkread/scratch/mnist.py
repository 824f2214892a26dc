"""Images to training arrays: flatten, scale to [0, 1] float32 and standardise by the training split."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inkread.core.errors import ConfigError
from inkread.core.scaling import standardise, to_unit
from inkread.data.catalog import load_dataset
from inkread.data.split import make_splits
from inkread.data.types import Dataset
from inkread.scratch.arrays import Array


@dataclass
class ArraySplits:
    """Flattened, standardised train/validation/test arrays and the statistics used."""

    X_train: Array
    y_train: Array
    X_val: Array
    y_val: Array
    X_test: Array
    y_test: Array
    classes: list[str]
    mean: float
    std: float


def to_features(images: np.ndarray, mean: float, std: float) -> Array:
    """uint8 images (N, H, W) -> float32 rows (N, H·W) of (x/255 − mean)/std."""
    return standardise(to_unit(images.reshape(len(images), -1)), mean, std)


def load_arrays(dataset: str = "mnist", data_dir: str | Path | None = None,
                val_fraction: float = 0.1, seed: int = 0, limit: int | None = None) -> ArraySplits:
    """Load a catalogued dataset (or folder / .npz) by name and turn it into arrays."""
    if limit is not None and limit < 1:
        raise ConfigError(f"--limit {limit}", expected="a positive number of training samples")
    return arrays_from_dataset(load_dataset(dataset, data_dir), val_fraction, seed, limit)


def arrays_from_dataset(ds: Dataset, val_fraction: float = 0.1, seed: int = 0,
                        limit: int | None = None) -> ArraySplits:
    """Split a loaded dataset, keep `limit` training samples (seeded choice), standardise."""
    splits = make_splits(ds, val_fraction, seed)
    train = splits.train
    if limit is not None and limit < len(train):
        train = train.subset(np.sort(np.random.default_rng(seed).permutation(len(train))[:limit]))
    m, s = splits.mean, splits.std
    return ArraySplits(to_features(train.images, m, s), train.labels,
                       to_features(splits.val.images, m, s), splits.val.labels,
                       to_features(splits.test.images, m, s), splits.test.labels,
                       list(splits.classes), m, s)
