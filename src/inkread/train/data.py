"""Load, split and batch the data a TrainConfig names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inkread.core.errors import ConfigError
from inkread.core.files import content_hash
from inkread.core.scaling import SIZE
from inkread.data.augment import Augmenter
from inkread.data.catalog import load_dataset
from inkread.data.loader import BatchLoader
from inkread.data.lookalikes import looks_like
from inkread.data.outliers import NO_CLASS, make_outliers
from inkread.data.split import Splits, make_splits
from inkread.data.types import Dataset, ImageSet
from inkread.train.config import MixPart, TrainConfig


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
    files, verified = dict(ds.files), ds.verified
    for i, part in enumerate(cfg.data.datasets):
        extra = load_dataset(part.dataset, cfg.data.data_dir)
        sp.train = _concat(sp.train, mixed(extra, part, sp.classes, seed=cfg.run.seed + 1000 * (i + 1)))
        files.update(extra.files or {part.dataset: content_hash(Path(part.dataset))})
        verified = verified and extra.verified
    return sp, files, verified


def mixed(ds: Dataset, part: MixPart, classes: list[str], seed: int) -> ImageSet:
    """The part's training samples of `classes`, relabelled to them (others NO_CLASS or dropped, as
    `part.others` says), drawn `part.weight` times over."""
    if ds.train.images.shape[1:] != (SIZE, SIZE):
        raise ConfigError(f"'{part.dataset}' holds images of {ds.train.images.shape[1:]} px",
                          where="data.datasets", expected=f"{SIZE}x{SIZE} model inputs, as every dataset "
                          "inkread loads by name or from a folder gives", fix="resize them, or put them in "
                          "a folder of class sub-folders, which preprocessing brings to that size")
    labels = _relabel(ds.classes, classes, part.others)[ds.train.labels]
    keep = np.flatnonzero(labels >= 0) if part.others == "drop" else np.flatnonzero(labels != _DROPPED)
    if keep.size == 0:
        raise ConfigError(f"'{part.dataset}' has no samples of the classes trained ({', '.join(classes)})",
                          where="data.datasets",
                          fix=f"remove '{part.dataset}', train on its classes or set others: reject")
    rng = np.random.default_rng(seed)
    whole, rest = divmod(round(part.weight * keep.size), keep.size)
    drawn = np.concatenate([*(keep for _ in range(whole)), rng.choice(keep, rest, replace=False)])
    return ImageSet(ds.train.images[drawn], labels[drawn])


_DROPPED = NO_CLASS - 1  # a part's label for samples left out


def _relabel(theirs: list[str], ours: list[str], others: str) -> np.ndarray:
    """Part class index -> our class index, NO_CLASS (a non-character) or _DROPPED."""
    index = {c: k for k, c in enumerate(ours)}
    unknown = NO_CLASS if others == "reject" else _DROPPED
    return np.array([index.get(c, _DROPPED if looks_like(c, ours) else unknown) for c in theirs],
                    dtype=np.int64)


def _concat(a: ImageSet, b: ImageSet) -> ImageSet:
    """The samples of both sets, a's first."""
    return ImageSet(np.concatenate([a.images, b.images]), np.concatenate([a.labels, b.labels]))


def eval_loader(s: ImageSet, splits: Splits, batch_size: int) -> BatchLoader:
    """Unshuffled, unaugmented batches for validation or test."""
    return BatchLoader(s.images, s.labels, batch_size, shuffle=False, mean=splits.mean, std=splits.std)


def training_samples(cfg: TrainConfig, splits: Splits) -> tuple[np.ndarray, np.ndarray]:
    """The training split (N, H, W), (N,), followed by cfg.outliers' extra samples, if any."""
    train = splits.train
    if cfg.outliers is None:
        return train.images, train.labels
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
