"""The MNIST the tests share: a Dataset whose test set is typed as always there."""

from __future__ import annotations

from dataclasses import dataclass, fields

from inkread.data.catalog import load_dataset
from inkread.data.types import Dataset, ImageSet


@dataclass
class Mnist(Dataset):
    """MNIST as loaded: unlike a folder dataset, it always has its 10,000 test images."""

    test: ImageSet


def load_mnist() -> Mnist:
    """The real MNIST IDX files, verified against their catalogue hashes."""
    ds = load_dataset("mnist")
    return Mnist(**{f.name: getattr(ds, f.name) for f in fields(ds)} | {"test": ds.test_split()})
