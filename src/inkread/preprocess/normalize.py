"""MNIST's own normalisation: crop to the ink, longer side to 20 px, centre of mass at 28x28's centre."""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from inkread.preprocess.stroke import normalize_stroke, resize

BOX, SIZE = 20, 28
# Pixels at least this bright bound the crop: the faintest blur around a stroke is not its extent.
CROP_LEVEL = 0.05
# After scaling, this percentile of the ink is full white, as MNIST's strokes mostly are.
FULL_INK_PERCENTILE = 90.0


def crop_to_ink(ink: np.ndarray, level: float = CROP_LEVEL) -> np.ndarray | None:
    """The bounding box (h, w) of pixels of ink (H, W) above `level`, or None when there are none."""
    rows, cols = np.flatnonzero(ink.max(axis=1) > level), np.flatnonzero(ink.max(axis=0) > level)
    if rows.size == 0:
        return None
    return ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def fit_box(crop: np.ndarray) -> np.ndarray:
    """Scale crop (h, w) so its longer side is 20 px, keeping the aspect ratio; full ink is 1."""
    h, w = crop.shape
    scale = BOX / max(h, w)
    small = resize(crop, max(1, round(h * scale)), max(1, round(w * scale)))
    strong = small[small > 0.1]
    top = float(np.percentile(strong, FULL_INK_PERCENTILE)) if strong.size else 1.0
    return np.clip(small / max(top, 0.05), 0.0, 1.0)


def center_by_mass(small: np.ndarray) -> np.ndarray:
    """Place small (h, w) <= 20x20 in 28x28 with its centre of mass at pixel (14, 14), as MNIST."""
    h, w = small.shape
    canvas = np.zeros((SIZE + 2 * SIZE, SIZE + 2 * SIZE), dtype=np.float32)  # margins absorb any shift
    cy, cx = ndi.center_of_mass(small) if small.sum() > 0 else (h / 2.0, w / 2.0)
    top, left = SIZE + round(SIZE / 2 - cy), SIZE + round(SIZE / 2 - cx)
    canvas[top:top + h, left:left + w] = small
    return canvas[SIZE:2 * SIZE, SIZE:2 * SIZE]


def deskew(crop: np.ndarray) -> np.ndarray:
    """Shear crop (h, w) horizontally so its ink's principal axis is vertical (image moments)."""
    total = float(crop.sum())
    if total <= 0:
        return crop
    ys, xs = np.indices(crop.shape, dtype=np.float64)
    cy, cx = (ys * crop).sum() / total, (xs * crop).sum() / total
    mu11 = ((ys - cy) * (xs - cx) * crop).sum() / total
    mu02 = ((ys - cy) ** 2 * crop).sum() / total
    slant = mu11 / max(mu02, 1e-6)  # x drift per row down the character
    h, w = crop.shape
    grow = int(np.ceil(abs(slant) * h / 2.0)) + 1
    out_w = w + 2 * grow
    # output (y, x) samples input (y, x - grow + slant * (y - cy)): rows shift back under the centre
    matrix = np.array([[1.0, 0.0], [slant, 1.0]])
    offset = np.array([0.0, -grow - slant * cy])
    out = ndi.affine_transform(crop, matrix, offset=offset, output_shape=(h, out_w), order=1)
    straight = crop_to_ink(np.clip(out, 0.0, 1.0))
    return crop if straight is None else straight


def to_model_input(ink: np.ndarray, *, deskew_slant: bool = False,
                   stroke: bool = True) -> np.ndarray | None:
    """Ink (H, W) in [0, 1], white on black -> (28, 28) uint8 MNIST-style input, or None if empty."""
    crop = crop_to_ink(ink)
    if crop is None:
        return None
    if deskew_slant:
        crop = deskew(crop)
    if stroke:
        crop = normalize_stroke(crop)
        crop = crop_to_ink(crop)
        if crop is None:
            return None
    return (center_by_mass(fit_box(crop)) * 255.0 + 0.5).astype(np.uint8)
