"""A dataset stored as an .npz file with `images` (N, H, W) and `labels` (N,) arrays."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from inkread.core.errors import DataError
from inkread.data.encoders import LabelEncoder
from inkread.data.types import Dataset, ImageSet


def load_npz(path: str | Path) -> Dataset:
    """Load `images` and `labels` (integers or strings; optional `classes`) from an .npz file."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(f"cannot read .npz ({exc})", where=path, fix="re-save it with numpy.savez") from None
    missing = {"images", "labels"} - arrays.keys()
    if missing:
        raise DataError(f"missing arrays {sorted(missing)}", where=path,
                        expected="arrays named 'images' (N, H, W) and 'labels' (N,)")
    images, labels = arrays["images"], arrays["labels"]
    if images.ndim != 3 or len(images) != len(labels):
        raise DataError(f"images {images.shape} and labels {labels.shape} do not match", where=path,
                        expected="images (N, H, W) and labels (N,) with the same N")
    if images.dtype != np.uint8:
        images = (np.clip(images, 0, 1) * 255 + 0.5).astype(np.uint8) if images.dtype.kind == "f" \
            else images.astype(np.uint8)
    if "classes" in arrays:
        encoder = LabelEncoder([str(c) for c in arrays["classes"]])
    elif labels.dtype.kind in "US":
        encoder = LabelEncoder.fit(labels.astype(str))
    else:
        encoder = LabelEncoder([str(i) for i in range(int(labels.max(initial=-1)) + 1)])
    y = encoder.encode(labels.astype(str)) if labels.dtype.kind in "US" else labels.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= len(encoder)):
        raise DataError(f"label values outside 0..{len(encoder) - 1}", where=path,
                        fix="fix the labels or the 'classes' array")
    return Dataset(path.stem, encoder.classes, ImageSet(images, y), None)
