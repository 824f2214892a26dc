"""The dataset catalogue: named IDX datasets (MNIST, Fashion-MNIST) plus folders and .npz files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inkread.core.errors import DataError
from inkread.data.collections import COLLECTIONS
from inkread.data.folder import load_folder
from inkread.data.idx import parse_idx, read_bytes
from inkread.data.locate import search_roots
from inkread.data.npz import load_npz
from inkread.data.types import Dataset, ImageSet

SPLIT_FILES = ("train-images", "train-labels", "test-images", "test-labels")


@dataclass(frozen=True)
class IdxSpec:
    """A dataset of four IDX files, checked by the SHA-256 of their decompressed content."""

    name: str
    description: str
    classes: tuple[str, ...]
    # role (one of SPLIT_FILES) -> (file name, sha256 of decompressed bytes)
    files: dict[str, tuple[str, str]]
    # folders a system package installs the files into, searched after the usual roots.
    system_dirs: tuple[str, ...] = ()
    # base URLs that serve the same file names; used only by `inkread data fetch`.
    mirrors: tuple[str, ...] = ()
    # mean/std of the training images scaled to [0, 1], published or measured once.
    reference_stats: tuple[float, float] | None = None


MNIST = IdxSpec(
    name="mnist",
    description="MNIST handwritten digits (LeCun, Cortes, Burges), 60k train / 10k test, 28x28",
    classes=tuple("0123456789"),
    files={
        "train-images": ("train-images-idx3-ubyte.gz",
                         "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        "train-labels": ("train-labels-idx1-ubyte.gz",
                         "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        "test-images": ("t10k-images-idx3-ubyte.gz",
                        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        "test-labels": ("t10k-labels-idx1-ubyte.gz",
                        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    },
    mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist/",),
    reference_stats=(0.1307, 0.3081),
)

FASHION_MNIST = IdxSpec(
    name="fashion-mnist",
    description="Fashion-MNIST clothing images (Zalando), 60k train / 10k test, 28x28",
    classes=("t-shirt", "trouser", "pullover", "dress", "coat",
             "sandal", "shirt", "sneaker", "bag", "ankle-boot"),
    files={
        "train-images": ("train-images-idx3-ubyte.gz",
                         "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        "train-labels": ("train-labels-idx1-ubyte.gz",
                         "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        "test-images": ("t10k-images-idx3-ubyte.gz",
                        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        "test-labels": ("t10k-labels-idx1-ubyte.gz",
                        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    },
    system_dirs=("/usr/share/datasets/fashion-mnist",),
    mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    reference_stats=(0.2860, 0.3530),
)

CATALOGUE: dict[str, IdxSpec] = {spec.name: spec for spec in (MNIST, FASHION_MNIST)}


def candidate_dirs(spec: IdxSpec, data_dir: str | Path | None = None) -> list[Path]:
    """Every folder that may hold `spec`'s files, in search order (an explicit data_dir alone)."""
    dirs = [root / spec.name for root in search_roots(data_dir)]
    return dirs + ([Path(d) for d in spec.system_dirs] if data_dir is None else [])


def find_files(spec: IdxSpec, data_dir: str | Path | None = None) -> dict[str, Path]:
    """Locate the four files of `spec` in the first folder holding them all (raw or gzipped)."""
    tried = candidate_dirs(spec, data_dir)
    for folder in tried:
        found = {}
        for role, (fname, _) in spec.files.items():
            for name in (fname, fname.removesuffix(".gz")):
                if (folder / name).is_file():
                    found[role] = folder / name
                    break
        if len(found) == len(spec.files):
            return found
    names = ", ".join(f for f, _ in spec.files.values())
    raise DataError(
        f"dataset '{spec.name}' not found; looked in: " + ", ".join(map(str, tried)),
        expected=f"the files {names} in one of those folders",
        fix=f"copy them into {tried[0]} (or set --data-dir / INKREAD_DATA), "
        f"or run `inkread data fetch {spec.name}` where a network is available",
    )


def _check_labels(labels: np.ndarray, num_classes: int, where: Path) -> np.ndarray:
    """Labels must be 1-D integers in [0, num_classes)."""
    if labels.ndim != 1:
        raise DataError(f"labels have shape {labels.shape}", where=where, expected="a 1-D array")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = sorted({int(v) for v in labels if not 0 <= v < num_classes})[:5]
        raise DataError(
            f"label values {bad} are outside the {num_classes} classes",
            where=where,
            expected=f"integers 0..{num_classes - 1}",
            fix="the label file is corrupt or belongs to another dataset: replace it",
        )
    return labels.astype(np.int64)


def _load_pair(spec: IdxSpec, files: dict[str, Path], split: str, hashes: dict[str, str]) -> ImageSet:
    """Read one split's images and labels, recording each file's content hash."""
    arrays = {}
    for kind in ("images", "labels"):
        path = files[f"{split}-{kind}"]
        content = read_bytes(path)
        hashes[str(path)] = hashlib.sha256(content).hexdigest()
        arrays[kind] = parse_idx(content, where=path)
    images, labels = arrays["images"], arrays["labels"]
    lpath = files[f"{split}-labels"]
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DataError(f"images have shape {images.shape} and type {images.dtype}",
                        where=files[f"{split}-images"], expected="uint8 images of shape (N, H, W)")
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{images.shape[0]} images but {labels.shape[0]} labels",
            where=lpath,
            expected="one label per image",
            fix="the image and label files come from different datasets or one is truncated",
        )
    return ImageSet(images, _check_labels(labels, len(spec.classes), lpath))


def load_idx_dataset(spec: IdxSpec, data_dir: str | Path | None = None,
                     verify: bool = True) -> Dataset:
    """Load a catalogued IDX dataset and, if `verify`, refuse files whose hash does not match."""
    files = find_files(spec, data_dir)
    hashes: dict[str, str] = {}
    train = _load_pair(spec, files, "train", hashes)
    test = _load_pair(spec, files, "test", hashes)
    mismatched = [
        (files[role], expected) for role, (_, expected) in spec.files.items()
        if hashes[str(files[role])] != expected
    ]
    if verify and mismatched:
        path, expected = mismatched[0]
        raise DataError(
            f"SHA-256 of the content is {hashes[str(path)][:16]}..., not the expected {expected[:16]}...",
            where=path,
            expected=f"the original {spec.name} file",
            fix="the file was altered or is another dataset's: replace it with the original",
        )
    return Dataset(spec.name, list(spec.classes), train, test, hashes, verified=not mismatched)


def load_dataset(name: str, data_dir: str | Path | None = None, verify: bool = True) -> Dataset:
    """Load a catalogued dataset or real-handwriting collection by name, or a folder or .npz by path."""
    if name in CATALOGUE:
        return load_idx_dataset(CATALOGUE[name], data_dir, verify)
    if name in COLLECTIONS:
        from inkread.data.real import prepared  # preprocessing (scipy) loads for collections alone

        return prepared(name, data_dir)
    path = Path(name).expanduser()
    if path.suffix == ".npz" and path.is_file():
        return load_npz(path)
    if path.is_dir():
        return load_folder(path)
    raise DataError(
        f"unknown dataset '{name}'",
        expected="one of " + ", ".join([*CATALOGUE, *COLLECTIONS]) + ", a folder of class sub-folders, "
        "or an .npz file",
        fix="run `inkread data list` to see the catalogue, or pass an existing path",
    )
