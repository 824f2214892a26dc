"""Seeded stratified train/validation split and normalisation statistics from the training part."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inkread.core.errors import DataError
from inkread.data.types import Dataset, ImageSet


def stratified_split(labels: np.ndarray, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, val) with each class split in the same proportion, reproducible by seed."""
    if not 0.0 <= val_fraction < 1.0:
        raise DataError(f"validation fraction {val_fraction}", expected="a value in [0, 1)")
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    quota = _class_quota(counts, val_fraction)
    train, val = [], []
    for c, n_val in zip(classes, quota, strict=True):
        idx = rng.permutation(np.flatnonzero(labels == c))
        val.append(idx[:n_val])
        train.append(idx[n_val:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))


def _class_quota(counts: np.ndarray, fraction: float) -> np.ndarray:
    """Validation samples per class: proportional, summing exactly to round(N * fraction)."""
    exact = counts * fraction
    quota = np.floor(exact).astype(np.int64)
    short = round(counts.sum() * fraction) - int(quota.sum())
    # largest remainders get the leftover samples (Hamilton's method)
    quota[np.argsort(-(exact - quota), kind="stable")[:short]] += 1
    return quota


def normalization_stats(images: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of all pixels scaled to [0, 1] (float64 accumulation)."""
    if images.dtype == np.uint8:  # a 256-bin histogram avoids a float64 copy of the whole set
        counts = np.bincount(images.reshape(-1), minlength=256).astype(np.float64)
        levels = np.arange(256, dtype=np.float64) / 255.0
        mean = float(counts @ levels / counts.sum())
        return mean, float(np.sqrt(counts @ (levels - mean) ** 2 / counts.sum()))
    x = images.reshape(-1).astype(np.float64) / 255.0
    return float(x.mean()), float(x.std())


@dataclass
class Splits:
    """Train/validation/test sets plus the normalisation statistics of the training part."""

    train: ImageSet
    val: ImageSet
    test: ImageSet
    classes: list[str]
    mean: float
    std: float
    seed: int
    val_fraction: float


def make_splits(ds: Dataset, val_fraction: float = 0.1, seed: int = 0,
                test_fraction: float = 0.2) -> Splits:
    """Split a dataset for training; datasets without a test set get one split off first."""
    full, test = ds.train, ds.test
    if test is None:  # folder and .npz datasets: carve a test set off with a fixed seed
        rest, held = stratified_split(full.labels, test_fraction, seed=12345)
        full, test = full.subset(rest), full.subset(held)
    tr, va = stratified_split(full.labels, val_fraction, seed)
    train = full.subset(tr)
    mean, std = normalization_stats(train.images)
    return Splits(train, full.subset(va), test, ds.classes, mean, std, seed, val_fraction)
