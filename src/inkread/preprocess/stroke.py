"""Stroke width: measured as ink mass per length of outline, and brought into MNIST's range."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

# The crop's longer side is measured and adjusted at this size (2x the final 20 px box).
WORK = 80
# MNIST's stroke width as a fraction of the crop's longer side, measured by `stroke_width` on
# 3000 training digits at WORK size: 1st percentile 0.064, median 0.110, 99th 0.213. Only ink
# outside that range is changed, towards widths MNIST has plenty of.
LOW, HIGH, TARGET_THIN, TARGET_THICK = 0.064, 0.213, 0.10, 0.16
# Pixels at least this bright are inside the stroke when its outline is measured.
INSIDE = 0.35


def resize(x: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resample float (h, w) to (height, width), anti-aliased when shrinking, clipped to [0, 1]."""
    if x.shape == (height, width):
        return x.astype(np.float32, copy=True)
    img = Image.fromarray(x.astype(np.float32), mode="F")
    out = np.asarray(img.resize((width, height), Image.Resampling.LANCZOS), dtype=np.float32)
    return np.clip(out, 0.0, 1.0)


def stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width in pixels of ink (h, w): 2 x ink mass / outline length."""
    inside = ink >= INSIDE
    # 4-neighbour transitions count the outline; pi/4 corrects the city-block bias of slanted edges.
    edges = np.count_nonzero(np.diff(inside, axis=0)) + np.count_nonzero(np.diff(inside, axis=1))
    edges += 2 * (np.count_nonzero(inside[[0, -1]]) + np.count_nonzero(inside[:, [0, -1]]))
    return 2.0 * float(ink.sum()) / max(math.pi / 4.0 * edges, 1.0)


def to_work_size(crop: np.ndarray) -> np.ndarray:
    """The crop (h, w) resampled so its longer side is WORK px, strongest ink brought to 1."""
    h, w = crop.shape
    scale = WORK / max(h, w)
    work = resize(crop, max(1, round(h * scale)), max(1, round(w * scale)))
    strong = work[work > 0.05]
    top = float(np.percentile(strong, 95)) if strong.size else 1.0
    return np.clip(work / max(top, 1e-3), 0.0, 1.0)  # a thin line shrunk to grey is ink again


def normalize_stroke(crop: np.ndarray) -> np.ndarray:
    """Thicken hairlines and thin marker strokes towards MNIST's width; MNIST-like ink is untouched."""
    work = to_work_size(crop)
    ratio = stroke_width(work) / WORK
    if LOW <= ratio <= HIGH:
        return crop
    target = TARGET_THIN if ratio < LOW else TARGET_THICK
    return thicken(work, (target - ratio) * WORK / 2.0)


def _disk(radius: int) -> np.ndarray:
    """A disk footprint (2r+1, 2r+1) bool: a round pen nib."""
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    return np.asarray(yy * yy + xx * xx <= radius * radius + radius)


def thicken(ink: np.ndarray, radius: float) -> np.ndarray:
    """Dilate (radius > 0) or erode (< 0) ink (h, w) by |radius| px; fractions blend two disks."""
    size = abs(radius)
    lo, hi = math.floor(size), math.ceil(size)
    op = ndi.grey_dilation if radius > 0 else ndi.grey_erosion
    pad = hi + 1  # room for the ink to grow into, removed again by the caller's crop
    x = np.pad(ink, pad)
    a = op(x, footprint=_disk(lo)) if lo > 0 else x
    b = op(x, footprint=_disk(hi)) if hi > lo else a
    return np.clip(a + (size - lo) * (b - a), 0.0, 1.0).astype(np.float32)
