"""The forms in which users hand us a character: the same stored image cropped, stretched, binarised,
written with a thick pen, photographed, or on ruled or patterned paper.

Each form takes a stored image (H, W) uint8, dark ink on light paper, and a generator, and returns
what a user's file would hold (grey (h, w) or RGB (h, w, 3) uint8). Measuring every form against the
stored one tells whether reading depends on how a character was captured.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image
from scipy import ndimage as ndi

Form = Callable[[np.ndarray, np.random.Generator], np.ndarray]

WORK = 96  # px: forms that draw on the page first bring the character to this height


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """The dark ink (H, W) bool of a stored image: darker than halfway between paper and ink."""
    lo, hi = np.percentile(gray, [2.0, 98.0])
    return gray < (lo + hi) / 2.0 if hi > lo else np.zeros(gray.shape, bool)


def stored(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The image as stored."""
    return gray


def tight(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cropped to the box of its ink: strokes touch the border."""
    ink = ink_mask(gray)
    if not ink.any():
        return gray
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    return gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def _resized(gray: np.ndarray, size: tuple[int, int], method: Image.Resampling) -> np.ndarray:
    """The image resized to size (w, h)."""
    return np.asarray(Image.fromarray(gray).resize(size, method))


def stretched(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cropped tight and stretched to fill a square: the aspect ratio is lost, as some forms store."""
    return _resized(tight(gray, rng), (64, 64), Image.Resampling.BICUBIC)


def binary16(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scanned at 16 x 16 in 1 bit, then enlarged: blocky, with no grey levels."""
    small = _resized(tight(gray, rng), (16, 16), Image.Resampling.BOX)
    one_bit = np.where(small < (int(small.min()) + int(small.max())) / 2, 0, 255).astype(np.uint8)
    return _resized(one_bit, (64, 64), Image.Resampling.NEAREST)


def _on_page(gray: np.ndarray) -> np.ndarray:
    """The stored image brought to WORK px high (aspect kept), grey float (h, w) in [0, 1]."""
    h, w = gray.shape
    size = (max(1, round(w * WORK / h)), WORK)
    return _resized(gray, size, Image.Resampling.BICUBIC).astype(np.float32) / 255.0


def thick(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Written with a pen about twice as wide: the ink grown by 4-6 px at 96 px high."""
    page = _on_page(gray)
    r = int(rng.integers(5, 8)) * WORK // 100
    disk = np.hypot(*np.mgrid[-r:r + 1, -r:r + 1]) <= r
    return (ndi.grey_erosion(page, footprint=disk) * 255.0 + 0.5).astype(np.uint8)  # dark ink spreads


def _jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """The image after a round trip through JPEG at `quality`."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf))


def photographed(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A phone photo: warm uneven light falling off across the page, blur, sensor noise and JPEG."""
    page = _on_page(np.pad(gray, max(2, gray.shape[0] // 4), constant_values=int(gray.max())))
    h, w = page.shape
    angle = rng.uniform(0, 2 * np.pi)
    across, down = np.linspace(-0.5, 0.5, w)[None, :], np.linspace(-0.5, 0.5, h)[:, None]
    ramp = np.cos(angle) * across + np.sin(angle) * down  # (h, w)
    light = 0.8 + rng.uniform(0.25, 0.45) * ramp  # (h, w): one side about twice as bright
    blurred = ndi.gaussian_filter(page, rng.uniform(0.8, 1.6))
    tint = np.array([1.0, 0.93, 0.82], np.float32)  # warm indoor light
    rgb = blurred[..., None] * light[..., None] * tint + rng.normal(0, 0.03, (h, w, 3))
    return _jpeg((np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8), int(rng.integers(50, 80)))


def ruled(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """On ruled paper: blue lines a third of the height apart, one under the character, one through it."""
    page = _on_page(np.pad(gray, gray.shape[0] // 6, constant_values=int(gray.max())))
    h, w = page.shape
    paper = np.ones((h, w, 3), np.float32)
    first = int(rng.integers(0, h // 3))
    for y in range(first, h, max(8, h // 3)):
        paper[y:y + 2] = (0.55, 0.7, 0.95)  # light blue rules, 2 px
    return (np.clip(paper * page[..., None], 0, 1) * 255 + 0.5).astype(np.uint8)


def patterned(gray: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """On security paper: fine wavy guilloche lines in a light colour behind the ink."""
    page = _on_page(np.pad(gray, gray.shape[0] // 6, constant_values=int(gray.max())))
    h, w = page.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period, amp, phase = rng.uniform(5, 9), rng.uniform(2, 6), rng.uniform(0, 2 * np.pi)
    waves = np.sin((yy + amp * np.sin(xx / rng.uniform(6, 12) + phase)) * 2 * np.pi / period)
    pattern = 1.0 - rng.uniform(0.15, 0.3) * (waves > 0.6)  # (h, w): thin light-coloured lines
    colour = rng.uniform(0.6, 0.9, 3).astype(np.float32)
    paper = 1.0 - (1.0 - pattern)[..., None] * (1.0 - colour)
    return (np.clip(paper * page[..., None], 0, 1) * 255 + 0.5).astype(np.uint8)


FORMS: dict[str, Form] = {"stored": stored, "tight": tight, "stretched": stretched, "binary16": binary16,
                          "thick": thick, "photographed": photographed, "ruled": ruled,
                          "patterned": patterned}
