"""Input scaling, the one rule shared by training, evaluation, export and serving.

A model sees a character as SIZE x SIZE white-on-black uint8 pixels x, scaled to x / 255 in [0, 1]
and then standardised by the training split's statistics: (x / 255 - mean) / std.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

SIZE = 28  # model inputs are SIZE x SIZE pixels
PIXEL_MAX = 255.0
# The version of what inkread.preprocess makes of an image, recorded in every export and prepared
# cache. Bump it whenever preprocessing changes what a given image becomes, so that older exports
# are refused, not misread, and cached prepared collections are made again.
PREPROCESS_VERSION = "2"

T = TypeVar("T")


def to_unit(x: Any) -> Any:
    """uint8 pixels (numpy array or torch tensor, any shape) as float32 in [0, 1]."""
    if isinstance(x, np.ndarray):
        return x.astype(np.float32) * np.float32(1.0 / PIXEL_MAX)
    return x.mul(1.0 / PIXEL_MAX)  # a torch tensor: uint8 times a float is float32, in one pass


def standardise(x: T, mean: float, std: float) -> T:
    """(x - mean) / std in place on a float32 array or tensor, skipped where it changes nothing."""
    if mean != 0.0:
        x -= mean  # type: ignore[operator,assignment]
    if std != 1.0:
        x /= std  # type: ignore[operator,assignment]
    return x


def model_input(images: np.ndarray, mean: float, std: float) -> np.ndarray:
    """The network's input float32 (N, 1, SIZE, SIZE) from uint8 images (N, SIZE, SIZE)."""
    x = np.asarray(images).reshape(-1, 1, SIZE, SIZE)  # (N, 1, 28, 28) uint8
    return np.asarray(standardise(to_unit(x), mean, std))
