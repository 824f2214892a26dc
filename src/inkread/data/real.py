"""Real handwriting from collections nobody on the team wrote, with each sample's writer and whether
that writer is held out of training (for testing only).

The collections are not shipped with inkread (some terms forbid it); they are read from a data folder
(--data-dir, $INKREAD_DATA) or the `shared/datasets` folder beside a source checkout. Images are kept
as stored: dark ink on light paper, at their own size, as a user's files are.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inkread.core.errors import DataError
from inkread.core.files import atomic_open, sha256_file
from inkread.core.scaling import PREPROCESS_VERSION
from inkread.data.collections import COLLECTIONS, find_collection
from inkread.data.encoders import LabelEncoder
from inkread.data.locate import cache_dir
from inkread.data.types import Dataset, ImageSet
from inkread.data.writers import held_out
from inkread.preprocess import preprocess


@dataclass
class RealSet:
    """Images (N, H, W) uint8 as stored, labels (N,) str, writers (N,) str, test (N,) bool."""

    name: str
    images: np.ndarray
    labels: np.ndarray
    writers: np.ndarray
    test: np.ndarray  # the sample's writer is held out of training
    path: Path


def load_real(name: str, data_dir: str | Path | None = None) -> RealSet:
    """A collection with its writers and which of them are held out for testing."""
    path = find_collection(name, data_dir)
    try:
        with np.load(path, allow_pickle=False) as z:
            images, labels, writers = z["images"], z["labels"].astype(str), z["writers"].astype(str)
            split = z["split"].astype(str) if "split" in z.files else None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(f"cannot read the collection ({exc})", where=path,
                        expected="arrays images (N, H, W) uint8, labels (N,) and writers (N,)") from None
    if images.ndim != 3 or images.dtype != np.uint8 or not len(images) == len(labels) == len(writers):
        raise DataError(f"images {images.shape} {images.dtype}, {len(labels)} labels, {len(writers)} writers",
                        where=path, expected="images (N, H, W) uint8 with one label and one writer each",
                        fix="convert the collection again with its convert.py")
    rule = COLLECTIONS[name].test_split
    test = split == rule if rule is not None and split is not None else held_out(writers)
    return RealSet(name, images, labels, writers, np.asarray(test, dtype=bool), path)


def prepared(name: str, data_dir: str | Path | None = None) -> Dataset:
    """A collection as a dataset of model inputs: training writers' samples in `train`, held-out
    writers' in `test`, each image preprocessed as `inkread read` would (cached per file version)."""
    s = load_real(name, data_dir)
    digest = sha256_file(s.path)
    cache = cache_dir() / "prepared" / f"{name}-{digest[:16]}-p{PREPROCESS_VERSION}.npz"
    images, found = _cached(cache, len(s.images))
    if images is None or found is None:
        inputs = [preprocess(x) for x in s.images]  # ~1-2 ms each: under a minute per collection
        found = np.array([x is not None for x in inputs])
        images = np.stack([x if x is not None else np.zeros((28, 28), np.uint8) for x in inputs])
        with atomic_open(cache) as fh:
            np.savez(fh, images=images, found=found)
    classes = sorted(set(s.labels), key=lambda c: (not c.isdigit(), c))  # digits first, then letters
    encoder = LabelEncoder(classes)
    labels = encoder.encode(s.labels)
    train, test = found & ~s.test, found & s.test  # an image without ink found is no sample
    return Dataset(name, classes, ImageSet(images[train], labels[train]),
                   ImageSet(images[test], labels[test]), {str(s.path): digest}, verified=False)


def _cached(path: Path, count: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The prepared images and found-mask cached at `path`; (None, None) when absent or damaged."""
    try:
        with np.load(path, allow_pickle=False) as z:
            images, found = z["images"], z["found"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None, None  # no cache yet, or a damaged one: prepare again and replace it
    return (images, found) if len(images) == len(found) == count else (None, None)
