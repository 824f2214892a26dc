"""One preprocessing function: any image of a character -> the network's 28x28 MNIST-style input.

The steps are public for readers of whole lines: `ink_map` (full resolution, white ink on black,
paper, lighting and ruled lines removed) and `to_model_input` (MNIST's crop, scale and centring).
"""

from __future__ import annotations

import numpy as np

from inkread.core.limits import CHARACTER_WORK_PIXELS
from inkread.preprocess.ink import drop_specks, ink_from_gray, ink_map
from inkread.preprocess.load import ImageLike, load_gray, load_reduced, to_gray, to_pil
from inkread.preprocess.normalize import BOX, SIZE, to_model_input

__all__ = ["BOX", "SIZE", "ImageLike", "ink_from_gray", "ink_map", "load_gray", "load_reduced", "preprocess",
           "to_gray", "to_model_input", "to_pil"]


def preprocess(image: ImageLike, *, deskew: bool = False,
               work_pixels: int | None = CHARACTER_WORK_PIXELS) -> np.ndarray | None:
    """Any character image -> (28, 28) uint8 white-on-black MNIST-style input, or None if no ink; an
    image over `work_pixels` is reduced to fit first."""
    return to_model_input(drop_specks(ink_map(image, work_pixels)), deskew_slant=deskew)
