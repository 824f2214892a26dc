"""Test-time augmentation: average a model's predictions over mildly moved, turned and resized copies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import torch

from inkread.core.calibration import softmax
from inkread.core.errors import InkreadError
from inkread.data.augment import AugmentParams, warp_uint8


class View(NamedTuple):
    """A test-time copy of an image: moved (dy, dx) whole pixels, turned `angle` degrees, resized `scale`x."""

    dy: int = 0
    dx: int = 0
    angle: float = 0.0
    scale: float = 1.0


# (dy, dx) in pixels: the image itself and its four one-pixel neighbours. Writers place a digit a pixel
# or two off MNIST's centre of mass, so the shifted copies are as plausible as the original.
SHIFTS: tuple[tuple[int, int], ...] = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))

# The shifts, plus +-5 degree turns and 0.9/1.1 sizes: well inside what the recipes train on
# (rotate 10, scale 0.9-1.1). On two reader checkpoints' validation splits these nine views gave
# 99.55% and 99.58% against 99.52% and 99.57% for the five shifts alone (99.42% and 99.55% plain).
VIEWS: tuple[View, ...] = (*(View(dy, dx) for dy, dx in SHIFTS), View(angle=-5.0), View(angle=5.0),
                           View(scale=0.9), View(scale=1.1))


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


def turned(images: np.ndarray, angle: float, scale: float) -> np.ndarray:
    """The uint8 images (N, H, W) turned `angle` degrees about their centre and resized by `scale`."""


    if images.ndim != 3 or images.dtype != np.uint8 or not scale > 0:
        raise InkreadError(f"images of shape {images.shape} and type {images.dtype}, scale {scale}",
                           where="test-time augmentation", expected="uint8 images (N, H, W) and scale > 0")
    n = len(images)
    p = AugmentParams.identity(n)  # the training augmenter's warp: the same geometry and interpolation
    p.angle, p.scale = torch.full((n,), float(angle)), torch.full((n,), float(scale))
    return warp_uint8(images, p)


def view_of(images: np.ndarray, v: View) -> np.ndarray:
    """The copy of the images (N, H, W) that view `v` describes; whole-pixel shifts stay exact."""
    moved = shifted(images, v.dy, v.dx) if (v.dy, v.dx) != (0, 0) else images
    return turned(moved, v.angle, v.scale) if (v.angle, v.scale) != (0.0, 1.0) else moved


def tta_logits(logits_of: Callable[[np.ndarray], np.ndarray], images: np.ndarray,
               views: Sequence[View] = VIEWS) -> np.ndarray:
    """Logits (N, K) whose softmax is the mean of the model's probabilities over the views."""
    if images.ndim != 3:
        raise InkreadError(f"images have shape {images.shape}", where="test-time augmentation",
                           expected="a batch of images of shape (N, H, W)")
    total: np.ndarray | None = None
    for v in views:
        p = softmax(logits_of(view_of(images, View(*v))).astype(np.float64))  # (N, K)
        total = p if total is None else total + p
    if total is None:
        raise InkreadError("no views were given", where="test-time augmentation",
                           expected="at least one View", fix="pass VIEWS")
    return np.log(np.maximum(total / len(views), 1e-300))  # log of the mean: a valid logit vector
