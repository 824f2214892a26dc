"""Classification metrics from predicted probabilities `probs (N, K)` and true `labels (N,)`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from inkread.core.errors import InkreadError

ECE_BINS = 15
COVERAGES = tuple(np.round(np.linspace(0.5, 1.0, 11), 2).tolist())  # 0.5, 0.55, ..., 1.0
NLL_EPS = 1e-12  # probabilities are clipped to [eps, 1] before the log


@dataclass(frozen=True)
class PerClass:
    """Per-class precision, recall, F1 and support (number of true samples), each of shape (K,)."""

    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray


@dataclass(frozen=True)
class Calibration:
    """Expected calibration error and the per-bin data of a reliability diagram."""

    ece: float
    edges: np.ndarray  # (B + 1,) bin edges in [0, 1]; bin b holds confidences in (edges[b], edges[b+1]]
    count: np.ndarray  # (B,) samples per bin
    accuracy: np.ndarray  # (B,) accuracy per bin, NaN where the bin is empty
    confidence: np.ndarray  # (B,) mean confidence per bin, NaN where the bin is empty


@dataclass(frozen=True)
class CoveragePoint:
    """Accuracy on the most confident `coverage` fraction, kept when confidence >= `threshold`."""

    coverage: float
    accuracy: float
    threshold: float
    kept: int


def check_inputs(probs: np.ndarray, labels: np.ndarray, *, where: str = "evaluation") -> None:
    """Raise InkreadError unless probs is (N, K) of probability rows and labels (N,) ints in [0, K)."""
    if probs.ndim != 2 or probs.shape[0] == 0 or probs.shape[1] < 2:
        raise InkreadError(f"probabilities have shape {probs.shape}", where=where,
                           expected="a 2-D array (N samples, K >= 2 classes) with N >= 1")
    if not np.issubdtype(probs.dtype, np.floating) or not np.isfinite(probs).all():
        raise InkreadError(f"probabilities have type {probs.dtype} or non-finite values", where=where,
                           expected="finite floats", fix="apply softmax to the model's logits")
    sums = probs.sum(axis=1)
    if probs.min() < 0 or not np.allclose(sums, 1.0, atol=1e-3):
        worst = int(np.argmax(np.abs(sums - 1.0)))
        raise InkreadError(f"probability row {worst} sums to {sums[worst]:.4g} (min value {probs.min():.3g})",
                           where=where, expected="non-negative rows summing to 1",
                           fix="pass softmax(logits), not the logits themselves")
    if labels.shape != (probs.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise InkreadError(f"labels have shape {labels.shape} and type {labels.dtype}", where=where,
                           expected=f"integer labels of shape ({probs.shape[0]},), one per probability row")
    k = probs.shape[1]
    if labels.min() < 0 or labels.max() >= k:
        bad = sorted({int(v) for v in labels if not 0 <= v < k})[:5]
        raise InkreadError(f"label values {bad} are outside the {k} classes", where=where,
                           expected=f"integers 0..{k - 1}")


def predictions(probs: np.ndarray) -> np.ndarray:
    """The predicted class of each row (argmax, the lowest index on ties)."""
    return np.argmax(probs, axis=1)


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of samples whose most probable class is the true one."""
    return float(np.mean(predictions(probs) == labels))


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Elementwise num / den, 0 where den is 0 (no warning, no NaN)."""
    out = np.zeros(num.shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def per_class(cm: np.ndarray) -> PerClass:
    """Precision, recall and F1 per class from a confusion matrix; 0 wherever undefined."""
    tp = np.diag(cm).astype(np.float64)
    predicted = cm.sum(axis=0).astype(np.float64)
    support = cm.sum(axis=1)
    precision = _safe_divide(tp, predicted)
    recall = _safe_divide(tp, support.astype(np.float64))
    f1 = _safe_divide(2 * precision * recall, precision + recall)
    return PerClass(precision, recall, f1, support.astype(np.int64))


def log_loss(probs: np.ndarray, labels: np.ndarray, eps: float = NLL_EPS) -> float:
    """Log-loss of probabilities (N, K): mean -log p of the true class, clipped to [eps, 1]."""
    p_true = probs[np.arange(labels.shape[0]), labels].astype(np.float64)
    return float(-np.mean(np.log(np.clip(p_true, eps, 1.0))))


def brier(probs: np.ndarray, labels: np.ndarray) -> float:
    """Multi-class Brier score: mean over samples of sum_k (p_k - onehot_k)^2, in [0, 2]."""
    diff = probs.astype(np.float64).copy()
    diff[np.arange(labels.shape[0]), labels] -= 1.0
    return float(np.mean(np.sum(diff * diff, axis=1)))


def calibration(probs: np.ndarray, labels: np.ndarray, n_bins: int = ECE_BINS) -> Calibration:
    """ECE over `n_bins` equal-width confidence bins: sum_b |B|/N * |acc(B) - conf(B)|."""
    conf = probs.max(axis=1).astype(np.float64)
    correct = (predictions(probs) == labels).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.searchsorted(edges[1:-1], conf, side="left")  # right-closed bins (lo, hi]
    count = np.bincount(which, minlength=n_bins)
    acc_sum = np.bincount(which, weights=correct, minlength=n_bins)
    conf_sum = np.bincount(which, weights=conf, minlength=n_bins)
    nan = np.full(n_bins, np.nan)
    acc = np.divide(acc_sum, count, out=nan.copy(), where=count > 0)
    mean_conf = np.divide(conf_sum, count, out=nan.copy(), where=count > 0)
    ece = float(np.abs(acc_sum - conf_sum).sum() / conf.shape[0])
    return Calibration(ece, edges, count.astype(np.int64), acc, mean_conf)


def coverage_curve(probs: np.ndarray, labels: np.ndarray,
                   coverages: Sequence[float] = COVERAGES) -> list[CoveragePoint]:
    """Accuracy of the most confident fraction c of samples, for each c, with the confidence cut-off."""
    conf = probs.max(axis=1)
    order = np.argsort(-conf, kind="stable")
    correct = (predictions(probs) == labels)[order]
    hits = np.cumsum(correct)
    n = conf.shape[0]
    points = []
    for c in coverages:
        kept = int(min(n, max(1, np.ceil(c * n - 1e-9))))
        points.append(CoveragePoint(float(c), float(hits[kept - 1] / kept),
                                    float(conf[order[kept - 1]]), kept))
    return points


@dataclass(frozen=True)
class RejectPoint:
    """What a confidence threshold keeps: the share of answers, their accuracy (None if none) and counts."""

    threshold: float
    coverage: float
    accuracy: float | None
    kept: int
    rejected: int


def at_threshold(probs: np.ndarray, labels: np.ndarray, threshold: float) -> RejectPoint:
    """Coverage and accuracy of the answers whose confidence is at least `threshold`."""
    kept = probs.max(axis=1) >= threshold  # (N,) bool, as inkread.core.calibration.accepted
    right = predictions(probs) == labels
    k = int(kept.sum())
    acc = float(right[kept].mean()) if k else None
    return RejectPoint(float(threshold), k / max(len(labels), 1), acc, k, int(len(labels) - k))


def most_confused(cm: np.ndarray, top: int = 10) -> list[tuple[int, int, int]]:
    """The `top` largest off-diagonal cells as (true, predicted, count), largest first."""
    off = cm.copy()
    np.fill_diagonal(off, 0)
    rows, cols = np.unravel_index(np.argsort(-off, axis=None, kind="stable")[:top], off.shape)
    pairs = [(int(i), int(j), int(off[i, j])) for i, j in zip(rows, cols, strict=True)]
    return [p for p in pairs if p[2] > 0]


def most_confident_errors(probs: np.ndarray, labels: np.ndarray, top: int = 36) -> np.ndarray:
    """Indices of up to `top` misclassified samples, the most confident first."""
    wrong = np.flatnonzero(predictions(probs) != labels)
    conf = probs[wrong].max(axis=1)
    return wrong[np.argsort(-conf, kind="stable")[:top]]
