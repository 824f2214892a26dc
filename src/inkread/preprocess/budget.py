"""Bounded work per image: an image or ink map over its pixel budget is reduced by a whole factor first.

Reading costs time and memory in proportion to pixels (the ink map) and to pixels times marks
(segmentation), while a character reads as well from 100 px as from 1,000: a reduced copy loses
nothing the model sees (28x28) and keeps a hostile or careless input's cost bounded.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

# Modes Pillow's `reduce` cannot average, and the mode each is averaged in instead.
_REDUCIBLE = {"1": "L", "I;16": "I", "I;16B": "I", "I;16L": "I", "I;16N": "I"}


def reduction(pixels: int, budget: int | None) -> int:
    """The smallest whole factor f such that pixels / f² is within the budget (1 without one)."""
    if budget is None or pixels <= budget:
        return 1
    return math.ceil(math.sqrt(pixels / budget))


def reduce_image(img: Image.Image, budget: int | None) -> tuple[Image.Image, int]:
    """The image averaged over f x f blocks to fit the pixel budget, and f."""
    f = reduction(img.width * img.height, budget)
    if f == 1:
        return img, 1
    if img.mode == "P":  # palette indices cannot be averaged; their colours (and transparency) can
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif img.mode in _REDUCIBLE:
        img = img.convert(_REDUCIBLE[img.mode])
    return img.reduce(f), f


def reduce_ink(ink: np.ndarray, f: int) -> np.ndarray:
    """Ink (H, W) averaged over f x f blocks: (ceil(H / f), ceil(W / f)); the padding is paper (0)."""
    if f == 1:
        return ink
    h, w = ink.shape
    padded = np.zeros((-(-h // f) * f, -(-w // f) * f), dtype=np.float32)
    padded[:h, :w] = ink
    blocks = padded.reshape(padded.shape[0] // f, f, padded.shape[1] // f, f)
    return blocks.mean(axis=(1, 3), dtype=np.float32)
