"""Test-time augmentation: average a model's predictions over one-pixel shifts of each image."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from inkread.errors import InkreadError
from inkread.export.runtime import softmax

# (dy, dx) in pixels: the image itself and its four one-pixel neighbours. Writers place a digit a pixel
# or two off MNIST's centre of mass, so the shifted copies are as plausible as the original.
SHIFTS: tuple[tuple[int, int], ...] = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))


def shifted(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """The images (N, H, W) moved `dy` rows down and `dx` columns right, with background shifted in."""
    if images.ndim != 3:
        raise InkreadError(f"images have shape {images.shape}", where="test-time augmentation",
                           expected="a batch of images of shape (N, H, W)")
    h, w = images.shape[1:]
    if abs(dy) >= h or abs(dx) >= w:
        raise InkreadError(f"shift ({dy}, {dx}) for {h}x{w} images", where="test-time augmentation",
                           expected="shifts smaller than the image")
    out = np.zeros_like(images)
    out[:, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        images[:, max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def tta_logits(logits_of: Callable[[np.ndarray], np.ndarray], images: np.ndarray,
               shifts: Sequence[tuple[int, int]] = SHIFTS) -> np.ndarray:
    """Logits (N, K) whose softmax is the mean of the model's probabilities over the shifted copies."""
    total: np.ndarray | None = None
    for dy, dx in shifts:
        p = softmax(logits_of(shifted(images, dy, dx)).astype(np.float64))  # (N, K)
        total = p if total is None else total + p
    if total is None:
        raise InkreadError("no shifts were given", where="test-time augmentation",
                           expected="at least one (dy, dx) shift", fix="pass SHIFTS")
    return np.log(np.maximum(total / len(shifts), 1e-300))  # log of the mean: a valid logit vector
