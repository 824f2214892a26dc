"""Saying "not a digit": how much a digit model's confidence separates digits from everything else.

Letters that look like digits when written alone are listed apart (inkread.data.lookalikes):
rejecting an "O" as not a "0" is not something a reader of single characters can be asked to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from inkread.core.model import LoadedModel
from inkread.preprocess import ImageLike, preprocess

DIGITS_ACCEPTED = 0.98  # the operating point: the threshold that accepts this share of digits


def confidences(model: LoadedModel, images: Sequence[ImageLike]) -> np.ndarray:
    """The model's top calibrated probability (N,) for each image as `/v1/recognize` reads it; 0 when
    preprocessing finds no ink (nothing to accept)."""
    inputs = [preprocess(x) for x in images]
    found = np.array([x is not None for x in inputs])
    if not found.any():
        return np.zeros(len(images))
    probs = model.classify(np.stack([x for x in inputs if x is not None]))
    out = np.zeros(len(images))
    out[found] = probs.max(axis=1)
    return out


@dataclass(frozen=True)
class Rejection:
    """Shares rejected (confidence below the threshold) at one threshold."""

    threshold: float
    digits_accepted: float
    rejected: dict[str, float]  # group name -> share of its images rejected


def at_threshold(threshold: float, digits: np.ndarray, others: dict[str, np.ndarray]) -> Rejection:
    """Shares of digit confidences (N,) accepted and of each other group's (M,) rejected."""
    return Rejection(threshold, float(np.mean(digits >= threshold)),
                     {name: float(np.mean(c < threshold)) for name, c in others.items()})


def operating_threshold(digits: np.ndarray, accepted: float = DIGITS_ACCEPTED) -> float:
    """The highest threshold that still accepts `accepted` of the digits' confidences (N,)."""
    return float(np.quantile(digits, 1.0 - accepted, method="lower"))
