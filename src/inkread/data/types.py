"""The in-memory shapes every dataset is loaded into."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from inkread.core.errors import DataError


@dataclass
class ImageSet:
    """Images (N, H, W) uint8, white ink on black like MNIST, with integer labels (N,) int64."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def subset(self, index: np.ndarray) -> ImageSet:
        """Return the samples at `index` as a new set."""
        return ImageSet(self.images[index], self.labels[index])

    def class_counts(self, num_classes: int) -> list[int]:
        """Number of samples of each class, in class order."""
        return np.bincount(self.labels, minlength=num_classes).tolist()


@dataclass
class Dataset:
    """A loaded dataset: class names, a training set, an optional test set and file provenance."""

    name: str
    classes: list[str]
    train: ImageSet
    test: ImageSet | None
    # file path -> SHA-256 of its (decompressed) content, for lineage in checkpoints.
    files: dict[str, str] = field(default_factory=dict)
    # True when every file matched the hash the catalogue expects.
    verified: bool = False

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def test_split(self) -> ImageSet:
        """The test set, or a DataError for a dataset that ships none (a folder or .npz of samples)."""
        if self.test is None:
            raise DataError(f"dataset '{self.name}' has no test split",
                            expected="a dataset with its own test files, such as mnist or fashion-mnist",
                            fix="use such a dataset, or its training split")
        return self.test
