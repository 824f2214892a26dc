"""How big a character is: its slant-corrected width and height, and how plausible they are."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# log(slant-corrected width / height) of each digit: (mean, std), measured with `deskewed_width`
# on 20,000 MNIST training digits. A "1" is a narrow stroke (median 0.26), the others 0.67-0.91.
DIGIT_LOG_WIDTH = {"0": (-0.145, 0.199), "1": (-1.319, 0.309), "2": (-0.110, 0.221),
                   "3": (-0.306, 0.203), "4": (-0.265, 0.204), "5": (-0.217, 0.202),
                   "6": (-0.349, 0.227), "7": (-0.279, 0.216), "8": (-0.388, 0.209),
                   "9": (-0.405, 0.203)}
# Any other character (letters, symbols): all digits together, median 0.73.
ANY_LOG_WIDTH = (-0.31, 0.41)
# The most a character's shape can add to its log-plausibility: the width density's peak (1 / std,
# at the narrowest spread) with the height exactly the line's (its term is at most 0).
MAX_SHAPE_LOGLIK = math.log(1.0 / min(std for _, std in [*DIGIT_LOG_WIDTH.values(), ANY_LOG_WIDTH]))
# Digits on one line stand about equally tall: height / line height ~ 1 give or take this.
HEIGHT_STD = 0.15
# Student-t degrees of freedom: heavy tails, as some people write very wide or narrow characters.
DOF = 3.0
INSIDE = 0.3  # pixels at least this bright count for the width


def deskewed_width(ink: np.ndarray) -> float:
    """Width in px of ink (h, w) once its slant (from image moments) is taken out."""
    ys, xs = np.nonzero(ink >= INSIDE)
    if ys.size == 0:
        return 0.0
    weight = ink[ys, xs].astype(np.float64)
    cy, cx = np.average(ys, weights=weight), np.average(xs, weights=weight)
    mu02 = float(np.average((ys - cy) ** 2, weights=weight))
    slant = float(np.average((ys - cy) * (xs - cx), weights=weight)) / max(mu02, 1e-6)
    upright = xs - slant * (ys - cy)
    return float(upright.max() - upright.min() + 1.0)


def ratio_loglik(ratio: float, mean: float, std: float) -> float:
    """Log Student-t density of a ratio (up to a constant shared by all calls with the same std)."""
    z = (ratio - mean) / std
    return -(DOF + 1.0) / 2.0 * math.log1p(z * z / DOF)


def width_density(log_ratio: float, classes: Sequence[str]) -> np.ndarray:
    """Density (K,) of a log width ratio under each class's width distribution (Student-t)."""
    params = np.array([DIGIT_LOG_WIDTH.get(c, ANY_LOG_WIDTH) for c in classes])  # (K, 2)
    z = (log_ratio - params[:, 0]) / params[:, 1]
    return np.power(1.0 + z * z / DOF, -(DOF + 1.0) / 2.0) / params[:, 1]


def height_loglik(height: int, line_height: float) -> float:
    """Log-likelihood of a character `height` px tall on a line of characters `line_height` tall."""
    return ratio_loglik(height / max(line_height, 1.0), 1.0, HEIGHT_STD)


def shape_loglik(ink: np.ndarray, line_height: float, probs: np.ndarray | None = None,
                 classes: Sequence[str] = ()) -> float:
    """Log-likelihood that ink (h, w) is one character on a line `line_height` tall.

    With the reader's probabilities (K,) over `classes`, the width is judged against the width of
    each class it may be (a "1" is narrow), weighted by those probabilities; else against any.
    """
    h = ink.shape[0]
    log_ratio = math.log(max(deskewed_width(ink), 1.0) / max(h, 1))
    if probs is None or not classes:
        width = float(width_density(log_ratio, ["?"])[0])
    else:
        width = float(np.dot(probs, width_density(log_ratio, classes)))
    return math.log(max(width, 1e-12)) + height_loglik(h, line_height)
