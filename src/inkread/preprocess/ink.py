"""The ink map: white ink on black at full resolution, paper, lighting and ruled lines removed."""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

from inkread.preprocess.background import cropped_to_ink, framed, ink_is_dark, paper_level
from inkread.preprocess.lines import ruled_lines
from inkread.preprocess.load import ImageLike, load_gray

# Ink pixels stand this many noise sigmas above the paper (edges), and every stroke reaches
# the high level somewhere (hysteresis): paper texture and JPEG noise stay below it.
LOW_SIGMAS, HIGH_SIGMAS = 3.5, 7.0
# ... and never less than these contrasts on [0, 1]: a clean canvas has no noise to measure.
MIN_LOW, MIN_HIGH = 3.0 / 255.0, 0.15
# A mark must have this many pixels and span this fraction of the shorter side (at least
# MIN_EXTENT px) to count as ink at all; smaller ones are specks of dust or noise.
MIN_AREA, MIN_EXTENT, MIN_EXTENT_FRACTION = 8, 4, 0.01
# The ink's full strength is this percentile of the ink pixels' contrast; brighter saturates.
FULL_INK_PERCENTILE = 90.0
# Beside the largest mark of a single character, marks with this fraction of its ink are kept
# wherever they are, and marks with SMALL_PIECE of it when they lie close to it.
BIG_PIECE, SMALL_PIECE = 0.25, 0.03
# The best-lit paper is this percentile of the paper's brightness; shadows are brightened up to
# MAX_GAIN times (a page in a shadow a quarter as bright; darker still is more noise than ink).
LIT_PERCENTILE, MAX_GAIN = 95.0, 4.0
EIGHT = np.ones((3, 3), dtype=bool)
# Weak ink (above the low level, below STRONG x the high one) is kept only within REACH of the
# shorter side (at least MIN_REACH px) of strong ink.
STRONG, REACH, MIN_REACH = 0.7, 0.03, 2


def ink_map(image: ImageLike, work_pixels: int | None = None) -> np.ndarray:
    """Any image -> ink (H, W) float32 in [0, 1], white on black, zero wherever there is no ink; an
    image over `work_pixels` is reduced to fit first."""
    return ink_from_gray(load_gray(image, work_pixels))


def ink_from_gray(gray: np.ndarray) -> np.ndarray:
    """Grey levels (H, W) in [0, 1] -> ink (H, W) float32 in [0, 1], white on black."""
    dark = ink_is_dark(gray)
    x = 1.0 - gray if dark else gray  # MNIST polarity: light ink on dark paper
    ink = ink_on_paper(x, dark)
    if ink.any() or not cropped_to_ink(x):
        return ink
    # Nothing found in an image with contrast: a character cropped so tight that its ink covers
    # the paper's level estimate. Framed with paper, as on the page, it is found.
    paper, pad = framed(x)
    return ink_on_paper(paper, dark)[pad:pad + x.shape[0], pad:pad + x.shape[1]] if pad else ink


def ink_on_paper(x: np.ndarray, dark: bool) -> np.ndarray:
    """Ink-bright grey levels x (H, W) -> ink (H, W) float32 in [0, 1] above the paper's level."""
    level, sigma = paper_level(x)
    contrast = x - level  # (H, W): how far each pixel stands above the paper
    low = max(LOW_SIGMAS * sigma, MIN_LOW)
    high = max(HIGH_SIGMAS * sigma, MIN_HIGH)
    mask = contrast > low
    mask &= ~ruled_lines(mask)
    if dark:  # light falling on the page scales paper and dark ink alike: compare like with like
        contrast = contrast * illumination_gain(1.0 - level)
    mask = significant(mask, contrast, high)
    mask &= near_strong(mask, contrast, high)
    if not mask.any():
        return np.zeros(x.shape, dtype=np.float32)
    full = float(np.percentile(contrast[mask], FULL_INK_PERCENTILE))
    return np.where(mask, np.clip(contrast / full, 0.0, 1.0), 0.0).astype(np.float32)


def illumination_gain(paper: np.ndarray) -> np.ndarray:
    """Factor (H, W) undoing the dimming of paper brightness (H, W): 1 on the best-lit paper.

    Dark ink on paper in shadow keeps its contrast as a fraction of the paper's brightness
    (a pen stroke in a shadow half as bright is half as dark against it), so its contrast is
    brought back to what it would be in full light, at most MAX_GAIN times.
    """
    lit = float(np.percentile(paper, LIT_PERCENTILE))
    return (lit / np.clip(paper, lit / MAX_GAIN, lit)).astype(np.float32)


def significant(mask: np.ndarray, contrast: np.ndarray, high: float) -> np.ndarray:
    """Keep the 8-connected parts of mask (H, W) that reach `high` contrast and are no speck."""
    labels, n = ndi.label(mask, structure=EIGHT)
    if n == 0:
        return mask
    seeded = np.bincount(labels[contrast > high], minlength=n + 1)[1:] > 0  # (n,) reaches high
    area = np.bincount(labels.ravel(), minlength=n + 1)[1:]  # (n,)
    extent = np.array([max(s[0].stop - s[0].start, s[1].stop - s[1].start)
                       for s in ndi.find_objects(labels) if s is not None])  # (n,)
    min_extent = max(MIN_EXTENT, MIN_EXTENT_FRACTION * min(mask.shape))
    keep = np.concatenate([[False], seeded & (area >= MIN_AREA) & (extent >= min_extent)])
    return keep[labels]


def near_strong(mask: np.ndarray, contrast: np.ndarray, high: float) -> np.ndarray:
    """Mask pixels (H, W) within REACH of a strong one: a stroke's soft edge stays, a faint line
    running on from it (a pattern on the paper, touching the writing) goes."""
    strong = mask & (contrast > STRONG * high)
    reach = max(MIN_REACH, round(REACH * min(mask.shape)))
    return ndi.binary_dilation(strong, iterations=reach) if strong.any() else mask


def drop_specks(ink: np.ndarray) -> np.ndarray:
    """Keep one character's marks: the largest, others with a quarter of its ink, and small ones
    only if they touch its box grown by half (a broken stroke); dust elsewhere goes."""
    labels, n = ndi.label(ink > 0, structure=EIGHT)
    if n <= 1:
        return ink
    mass = np.asarray(ndi.sum(ink, labels, np.arange(1, n + 1)))  # (n,)
    boxes = ndi.find_objects(labels)
    main = boxes[int(mass.argmax())]
    assert main is not None
    grown = [(s.start - (s.stop - s.start) // 2, s.stop + (s.stop - s.start) // 2) for s in main]
    near = np.array([b is not None and all(lo < s.stop and s.start < hi for s, (lo, hi)
                                           in zip(b, grown, strict=True)) for b in boxes])
    keep = (mass >= BIG_PIECE * mass.max()) | (near & (mass >= SMALL_PIECE * mass.max()))
    return np.where(np.concatenate([[False], keep])[labels], ink, 0.0).astype(np.float32)
