"""Load, split and batch the data a TrainConfig names."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inkread.data.augment import Augmenter
from inkread.data.catalog import load_dataset
from inkread.data.loader import BatchLoader
from inkread.data.split import Splits, make_splits
from inkread.data.types import Dataset, ImageSet
from inkread.train.config import TrainConfig


@dataclass
class RunData:
    """The splits of a run, the provenance of their files and the loaders over them."""

    splits: Splits
    files: dict[str, str]  # file path -> SHA-256 of its content
    verified: bool
    train: BatchLoader
    val: BatchLoader | None
    test: BatchLoader


def _head(s: ImageSet, limit: int | None) -> ImageSet:
    """The first `limit` samples (all when None); MNIST's file order is already mixed."""
    return s if limit is None or len(s) <= limit else ImageSet(s.images[:limit], s.labels[:limit])


def load_splits(cfg: TrainConfig) -> tuple[Splits, dict[str, str], bool]:
    """The train/validation/test splits of cfg.data with file hashes; data.limit cuts the sets first."""
    ds = load_dataset(cfg.data.dataset, cfg.data.data_dir)
    lim = cfg.data.limit
    # cut before splitting, so the split and the normalisation statistics only see the kept images
    cut = Dataset(ds.name, ds.classes, _head(ds.train, lim), None if ds.test is None else _head(ds.test, lim),
                  ds.files, ds.verified)
    sp = make_splits(cut, val_fraction=cfg.data.val_fraction, seed=cfg.run.seed)
    return sp, dict(ds.files), ds.verified


def eval_loader(s: ImageSet, splits: Splits, batch_size: int) -> BatchLoader:
    """Unshuffled, unaugmented batches for validation or test."""
    return BatchLoader(s.images, s.labels, batch_size, shuffle=False, mean=splits.mean, std=splits.std)


def training_samples(cfg: TrainConfig, splits: Splits) -> tuple[np.ndarray, np.ndarray]:
    """The training split (N, H, W), (N,), followed by cfg.outliers' extra samples, if any."""
    train = splits.train
    if cfg.outliers is None:
        return train.images, train.labels
    from inkread.data.outliers import make_outliers  # loads the preprocessing (scipy)

    extra, extra_labels = make_outliers(train.images, train.labels, cfg.outliers, seed=cfg.run.seed)
    return np.concatenate([train.images, extra]), np.concatenate([train.labels, extra_labels])


def prepare_data(cfg: TrainConfig) -> RunData:
    """Splits and loaders: the training loader shuffles by run.seed and augments when cfg.augment is set."""
    splits, files, verified = load_splits(cfg)
    t = cfg.train
    # the augmenter gets its own seed stream so it does not correlate with the shuffling
    aug = Augmenter(cfg.augment, seed=cfg.run.seed + 1) if cfg.augment is not None else None
    images, labels = training_samples(cfg, splits)
    train = BatchLoader(images, labels, t.batch_size, shuffle=True,
                        seed=cfg.run.seed, augmenter=aug, mean=splits.mean, std=splits.std)
    val = eval_loader(splits.val, splits, t.eval_batch_size) if len(splits.val) else None
    return RunData(splits, files, verified, train, val, eval_loader(splits.test, splits, t.eval_batch_size))
