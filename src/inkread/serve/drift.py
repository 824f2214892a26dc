"""Drift: how far recent inputs and predicted classes have moved from the training data's.

Each input feature (ink ratio, mean intensity, ink box height and width) of the latest inputs is
binned as at export and compared by population stability index (PSI); so is the predicted-class
mix against the training class prior. The drift score is the largest of these PSIs.

A sample of n inputs drawn from the training distribution itself has an expected PSI of about
(B - 1) / n for B bins (PSI is close to chi-square / n); that much is subtracted, so a small window
of ordinary inputs does not look like drift (measured: 60 MNIST test digits gave a raw PSI up to 0.28).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import numpy as np

from inkread.export.stats import bin_counts, psi

# PSI rule of thumb: below 0.1 the populations match, up to 0.25 a moderate shift, above a large one.
MODERATE, SIGNIFICANT = 0.1, 0.25


def level(score: float | None) -> str:
    """A word for a drift score."""
    if score is None:
        return "insufficient data"
    return "stable" if score < MODERATE else "moderate" if score < SIGNIFICANT else "significant"


def debiased_psi(expected: Any, counts: np.ndarray) -> float:
    """PSI of bin counts (B,) against expected fractions (B,), less its sampling bias (B - 1) / n."""
    n = max(int(np.sum(counts)), 1)
    return round(max(0.0, psi(expected, counts) - (len(counts) - 1) / n), 6)


class DriftMonitor:
    """A sliding window of recent input features and predicted classes, scored against train_stats."""

    def __init__(self, train_stats: dict[str, Any], num_classes: int, window: int, min_samples: int) -> None:
        self.reference = dict(train_stats.get("features") or {})  # feature -> {"edges", "fractions", ...}
        prior = train_stats.get("class_prior") or []
        self.prior = np.asarray(prior, dtype=np.float64) if len(prior) == num_classes else None
        self.num_classes, self.min_samples = num_classes, min_samples
        self.values: dict[str, deque[float]] = {k: deque(maxlen=window) for k in self.reference}
        self.predicted: deque[int] = deque(maxlen=window)
        self.lock = threading.Lock()

    def observe(self, features: dict[str, float], predicted: int) -> None:
        """Add one input's features and its predicted class index."""
        with self.lock:
            for name, values in self.values.items():
                if name in features:
                    values.append(float(features[name]))
            self.predicted.append(int(predicted))

    def report(self) -> dict[str, Any]:
        """The drift score (None until min_samples inputs), its level and the PSI of each part."""
        with self.lock:
            values = {k: np.asarray(v) for k, v in self.values.items()}
            predicted = np.asarray(self.predicted, dtype=np.int64)
        n = len(predicted)
        parts: dict[str, float] = {}
        if n >= self.min_samples:
            for name, v in values.items():
                ref = self.reference[name]
                parts[name] = debiased_psi(ref["fractions"], bin_counts(v, ref["edges"]))
            if self.prior is not None:
                mix = np.bincount(predicted, minlength=self.num_classes)  # (K,)
                parts["class_mix"] = debiased_psi(self.prior, mix)
        score = max(parts.values()) if parts else None
        return {"score": score, "level": level(score), "window": n, "min_samples": self.min_samples,
                "psi": parts}
