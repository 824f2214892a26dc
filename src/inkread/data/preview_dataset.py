"""Pick samples from a dataset, optionally augment them, and save a labelled grid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from inkread.core.errors import DataError
from inkread.core.scaling import to_unit
from inkread.data.catalog import load_dataset
from inkread.data.preview import render_grid, save_png


def preview_dataset(name: str, output: str | Path, *, augment: bool = False, split: str = "train",
                    count: int = 64, seed: int = 0,
                    data_dir: str | Path | None = None) -> dict[str, Any]:
    """Write a grid of `count` random samples of `split` to `output` and describe what was written."""
    ds = load_dataset(name, data_dir)
    if split not in ("train", "test"):
        raise DataError(f"split '{split}' is not available for {ds.name}", expected="train or test")
    part = ds.test_split() if split == "test" else ds.train
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(part), size=min(count, len(part)), replace=False)
    images, labels = part.images[idx], part.labels[idx]
    if augment:
        images = _augment(images, seed)
    captions = [ds.classes[int(y)] for y in labels]
    save_png(render_grid(images, captions), output)
    return {"path": str(output), "dataset": ds.name, "split": split, "count": len(idx),
            "augmented": augment, "labels": captions}


def _augment(images: np.ndarray, seed: int) -> np.ndarray:
    """Apply the default augmentation to uint8 images (N, H, W)."""
    import torch  # torch only when augmenting: previews of plain samples stay light

    from inkread.data.augment import AugmentConfig, Augmenter

    x = to_unit(torch.from_numpy(images)).unsqueeze(1)  # (N, 1, H, W) in [0, 1]
    y = Augmenter(AugmentConfig(), seed=seed)(x)
    return (y.squeeze(1).clamp(0, 1) * 255.0 + 0.5).to(torch.uint8).numpy()
