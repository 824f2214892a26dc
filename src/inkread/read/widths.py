"""How big a character is: its slant-corrected width and height, and how plausible they are."""

from __future__ import annotations

import math

import numpy as np

# Slant-corrected width / height of one character: MNIST training digits have a median of
# 0.73 and 95% below 1.10 (moment deskew, pixels >= 0.3); a "1" is ~0.3, a "2" up to ~1.6.
WIDTH_MEAN, WIDTH_STD = 0.75, 0.3
# Digits on one line stand about equally tall: height / line height ~ 1 give or take this.
HEIGHT_STD = 0.15
# Student-t degrees of freedom: heavy tails, as some people write very wide or narrow digits.
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


def shape_loglik(ink: np.ndarray, line_height: float) -> float:
    """Log-likelihood that ink (h, w) is one character on a line of characters `line_height` tall."""
    h = ink.shape[0]
    width = ratio_loglik(deskewed_width(ink) / max(h, 1), WIDTH_MEAN, WIDTH_STD)
    return width + ratio_loglik(h / max(line_height, 1.0), 1.0, HEIGHT_STD)
