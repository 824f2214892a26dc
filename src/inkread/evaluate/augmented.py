"""A randomly rotated, shifted and scaled copy of a test set, to measure robustness."""

from __future__ import annotations

import math

import numpy as np

from inkread.errors import InkreadError


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
    import torch
    import torch.nn.functional as F

    n = images.shape[0]
    if n == 0:
        return images.copy()
    g = torch.Generator().manual_seed(seed)
    angle = (torch.rand(n, generator=g, dtype=torch.float64) * 2 - 1) * math.radians(rotate)
    zoom = scale[0] + torch.rand(n, generator=g, dtype=torch.float64) * (scale[1] - scale[0])
    shift = (torch.rand(n, 2, generator=g, dtype=torch.float64) * 2 - 1) * (2 * translate)  # [-1, 1] units
    # The forward map is out = zoom * R(angle) @ in + shift; affine_grid wants its inverse (out -> in).
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    inv = torch.stack([torch.stack([cos, sin], 1), torch.stack([-sin, cos], 1)], 1)  # (N, 2, 2) R(-a)/zoom
    offset = -(inv @ shift.unsqueeze(2))  # (N, 2, 1)
    theta = torch.cat([inv, offset], 2).float()
    x = torch.from_numpy(images).float().unsqueeze(1)  # (N, 1, H, W), 0..255
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    out = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out.squeeze(1).round().clamp(0, 255).to(torch.uint8).numpy()
