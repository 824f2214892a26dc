"""Ways a character is captured before it reaches us: stored in a square box, scanned at low resolution
in one bit, written with another pen, or softened by a camera.

Each capture takes a character's ink (h, w) float in [0, 1], white on black and cropped to the ink,
and a generator, and returns the captured ink at its own size. Training sends characters through
random captures and then through the shared preprocessing, so the network sees what preprocessing
leaves of them. The ranges are wider than any one benchmark form: the aim is every scanner and pen,
not one recipe for degrading an image.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

Capture = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _resize(ink: np.ndarray, width: int, height: int, method: Image.Resampling) -> np.ndarray:
    """Ink (h, w) float resized to (height, width)."""
    out = Image.fromarray(ink.astype(np.float32), mode="F").resize((max(1, width), max(1, height)), method)
    return np.clip(np.asarray(out), 0.0, 1.0)


def boxed(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stretched towards a square (all the way or part of it): forms that store every box one size."""
    h, w = ink.shape
    side = max(h, w)
    share = 1.0 if rng.random() < 0.5 else rng.uniform(0.3, 1.0)  # how far towards the square
    return _resize(ink, round(w + share * (side - w)), round(h + share * (side - h)),
                   Image.Resampling.BICUBIC)


def low_resolution(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scanned on a coarse grid (10-24 cells along the longer side), in one bit half the time, and
    enlarged again with square pixels: blocky strokes that may break where they were thin."""
    h, w = ink.shape
    cells = int(rng.integers(10, 25))
    gh, gw = (cells, max(1, round(cells * w / h))) if h >= w else (max(1, round(cells * h / w)), cells)
    small = _resize(ink, gw, gh, Image.Resampling.BOX)  # each cell averages the ink it covers
    if rng.random() < 0.5:  # one bit: a cell is ink when covered past a threshold near half
        top = float(small.max())
        small = (small > rng.uniform(0.35, 0.65) * top).astype(np.float32) if top > 0 else small
    scale = int(rng.integers(3, 7))
    return _resize(small, gw * scale, gh * scale, Image.Resampling.NEAREST)


def pen(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Written with a wider or narrower pen: strokes grown by up to 8% of the height, or thinned."""
    h = ink.shape[0]
    radius = rng.uniform(-0.03, 0.08) * h
    r = round(abs(radius))
    if r == 0:
        return ink
    disk = np.hypot(*np.mgrid[-r:r + 1, -r:r + 1]) <= r
    grown = ndi.grey_dilation(ink, footprint=disk) if radius > 0 else ndi.grey_erosion(ink, footprint=disk)
    return grown if grown.max() > 0 else ink  # thinning never erases the character


def soft(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Blurred by a camera and faint: gaussian blur up to 2.5% of the height, contrast down to 40%."""
    blurred = ndi.gaussian_filter(ink, rng.uniform(0.5, 0.025 * ink.shape[0] + 0.5))
    return blurred * rng.uniform(0.4, 1.0)


CAPTURES: dict[str, Capture] = {"boxed": boxed, "low_resolution": low_resolution, "pen": pen, "soft": soft}


TAKEN = 0.4  # each capture happens with this probability (at least one does), in the order above


def capture(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The ink through random captures, in the order a page meets them: box, scan, pen, camera."""
    taken = rng.random(len(CAPTURES)) < TAKEN
    if not taken.any():
        taken[rng.integers(len(CAPTURES))] = True
    for name, on in zip(CAPTURES, taken, strict=True):
        if on:
            ink = CAPTURES[name](ink, rng)
    return ink
