"""One preprocessing function: any image of a character -> the network's 28x28 MNIST-style input.

The steps are public for readers of whole lines: `ink_map` (full resolution, white ink on black,
paper, lighting and ruled lines removed) and `to_model_input` (MNIST's crop, scale and centring).
"""

from __future__ import annotations

import numpy as np

from inkread.preprocess.ink import drop_specks, ink_from_gray, ink_map
from inkread.preprocess.load import ImageLike, load_gray, to_gray, to_pil
from inkread.preprocess.normalize import BOX, SIZE, to_model_input

__all__ = ["BOX", "SIZE", "ImageLike", "ink_from_gray", "ink_map", "load_gray", "preprocess",
           "to_gray", "to_model_input", "to_pil"]


def preprocess(image: ImageLike, *, deskew: bool = False) -> np.ndarray | None:
    """Any character image -> (28, 28) uint8 white-on-black MNIST-style input, or None if no ink."""
    return to_model_input(drop_specks(ink_map(image)), deskew_slant=deskew)
