"""A randomly rotated, shifted and scaled copy of a test set, to measure robustness."""

from __future__ import annotations

import numpy as np
import torch

from inkread.core.errors import InkreadError
from inkread.data.augment import AugmentParams, warp_uint8


def _check(images: np.ndarray, scale: tuple[float, float], rotate: float, translate: float) -> None:
    """Raise InkreadError unless the images are (N, H, W) uint8 and the ranges are sensible."""
    if images.ndim != 3 or images.dtype != np.uint8:
        raise InkreadError(f"images have shape {images.shape} and type {images.dtype}",
                           where="augmented copy", expected="uint8 images of shape (N, H, W)")
    lo, hi = scale
    if not (0 < lo <= hi) or rotate < 0 or translate < 0:
        raise InkreadError(f"rotate={rotate}, translate={translate}, scale={scale}",
                           where="augmented copy",
                           expected="rotate >= 0 degrees, translate >= 0 and 0 < scale[0] <= scale[1]")


def augmented_copy(images: np.ndarray, seed: int = 0, *, rotate: float = 15.0, translate: float = 0.12,
                   scale: tuple[float, float] = (0.8, 1.15)) -> np.ndarray:
    """Each image rotated by ±`rotate` degrees, shifted by ±`translate` of its size, scaled in `scale`."""
    _check(images, scale, rotate, translate)


    n, h, w = images.shape
    if n == 0:
        return images.copy()
    g = torch.Generator().manual_seed(seed)
    angle = (torch.rand(n, generator=g, dtype=torch.float64) * 2 - 1) * rotate  # (N,) degrees
    zoom = scale[0] + torch.rand(n, generator=g, dtype=torch.float64) * (scale[1] - scale[0])  # (N,)
    shift = torch.rand(n, 2, generator=g, dtype=torch.float64) * 2 - 1  # (N, 2) (x, y) in [-1, 1]
    # The training augmenter's warp: the geometry and interpolation the models were trained with.
    p = AugmentParams.identity(n)
    # warp turns counter-clockwise as seen and these draws have always turned clockwise: negated, so a
    # seed keeps its images
    p.angle, p.scale = -angle.float(), zoom.float()
    p.shift = (shift * translate * torch.tensor([w, h], dtype=torch.float64)).float()  # (N, 2) pixels
    return warp_uint8(images, p)
