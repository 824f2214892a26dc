"""Statistics of model inputs (28x28 uint8): per-image features, their training distribution, and PSI.

Exports store the distribution over the prepared training images; the service compares recent
inputs with it. Everything here is numpy only, so the serving path can use it without torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# A pixel at or above this level counts as ink for the ink ratio (half of full white).
INK_LEVEL = 128
# Each feature's training distribution is kept as BINS quantile bins (about equal mass each).
BINS = 10
STATS_VERSION = 1
FEATURES = ("ink_ratio", "mean_intensity", "bbox_height", "bbox_width")


def _extent(any_ink: np.ndarray) -> np.ndarray:
    """Length (N,) of the span between the first and last True of each row of any_ink (N, L); 0 if none."""
    length = any_ink.shape[1]
    first = any_ink.argmax(axis=1)
    last = length - 1 - any_ink[:, ::-1].argmax(axis=1)
    return np.where(any_ink.any(axis=1), last - first + 1, 0).astype(np.float64)


def input_features(batch: np.ndarray) -> dict[str, np.ndarray]:
    """Features (N,) of model inputs (N, 28, 28) uint8: ink ratio, mean intensity, ink box size."""
    x = np.asarray(batch)
    ink = x > 0
    return {
        "ink_ratio": (x >= INK_LEVEL).mean(axis=(1, 2)),
        "mean_intensity": x.mean(axis=(1, 2)) / 255.0,
        "bbox_height": _extent(np.asarray(ink.any(axis=2))),  # rows with ink (N, 28)
        "bbox_width": _extent(np.asarray(ink.any(axis=1))),  # columns with ink (N, 28)
    }


def bin_edges(values: np.ndarray, bins: int = BINS) -> list[float]:
    """Inner edges of `bins` quantile bins of values (N,); ties merge bins (discrete features)."""
    inner = np.quantile(values, np.linspace(0.0, 1.0, bins + 1)[1:-1]) if len(values) else np.array([])
    return [float(e) for e in np.unique(np.round(inner, 6))]


def bin_counts(values: np.ndarray, edges: list[float]) -> np.ndarray:
    """Counts (len(edges) + 1,) of values in the bins (-inf, e0], (e0, e1], ..., (e_last, inf)."""
    idx = np.searchsorted(np.asarray(edges, dtype=np.float64), np.asarray(values, dtype=np.float64))
    return np.bincount(idx, minlength=len(edges) + 1)


def summarize(values: np.ndarray) -> dict[str, Any]:
    """One feature's training distribution: quantile bins with their mass, mean and spread."""
    edges = bin_edges(values)
    counts = bin_counts(values, edges)
    q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95]) if len(values) else (0.0, 0.0, 0.0)
    return {"edges": edges, "fractions": [round(float(c), 6) for c in counts / max(len(values), 1)],
            "mean": round(float(np.mean(values)), 6) if len(values) else 0.0,
            "std": round(float(np.std(values)), 6) if len(values) else 0.0,
            "p05": float(q05), "p50": float(q50), "p95": float(q95)}


def train_stats(images: np.ndarray, labels: np.ndarray, num_classes: int) -> dict[str, Any]:
    """The statistics of prepared training images (N, 28, 28) uint8 and labels (N,) stored at export.

    Non-characters trained under no class (label < 0) are left out: the service compares what it is
    sent with the characters it was trained to read.
    """
    labels = np.asarray(labels, dtype=np.int64)
    images = images[labels >= 0]
    labels = labels[labels >= 0]
    feats = input_features(images)
    prior = np.bincount(labels, minlength=num_classes) / max(len(labels), 1)
    return {"version": STATS_VERSION, "count": len(images),
            "features": {name: summarize(v) for name, v in feats.items()},
            "class_prior": [round(float(p), 6) for p in prior]}


def psi(expected: np.ndarray | list[float], counts: np.ndarray) -> float:
    """Population stability index of observed bin counts (B,) against expected bin fractions (B,).

    Observed fractions get half a count per bin (so an empty bin is finite); expected ones a floor of
    1e-4. Rule of thumb: below 0.1 stable, 0.1-0.25 a moderate shift, above 0.25 a significant one.
    """
    e = np.maximum(np.asarray(expected, dtype=np.float64), 1e-4)
    e = e / e.sum()
    c = np.asarray(counts, dtype=np.float64)
    o = (c + 0.5) / (c.sum() + 0.5 * len(c))
    return float(np.sum((o - e) * np.log(o / e)))
