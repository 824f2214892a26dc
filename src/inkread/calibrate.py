"""Calibration and reject: a temperature for honest probabilities, a threshold for "not sure"."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

# log T is searched in this range: T from ~0.02 to ~50 covers any trained network.
LOG_T_RANGE = (-4.0, 4.0)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax of z (N, K), stable for large logits."""
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def apply(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities (N, K) from logits (N, K) divided by the temperature."""
    return np.exp(_log_softmax(np.asarray(logits, dtype=np.float64) / temperature))


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Mean negative log-likelihood of integer labels (N,) under logits (N, K) / T."""
    logp = _log_softmax(np.asarray(logits, dtype=np.float64) / temperature)
    return float(-logp[np.arange(len(labels)), labels].mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the validation NLL of logits (N, K) for labels (N,)."""
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) == 0:
        return 1.0
    result = minimize_scalar(lambda t: nll(logits, labels, float(np.exp(t))),
                             bounds=LOG_T_RANGE, method="bounded", options={"xatol": 1e-4})
    return float(np.exp(result.x))


def choose_threshold(probs: np.ndarray, labels: np.ndarray, target_accuracy: float = 0.995) -> float:
    """The lowest confidence threshold whose accepted answers (conf >= t) reach the target accuracy.

    Returns a value above every confidence (reject everything) when no threshold reaches it.
    """
    conf = probs.max(axis=1)  # (N,)
    correct = probs.argmax(axis=1) == np.asarray(labels)
    order = np.argsort(-conf, kind="stable")
    conf, correct = conf[order], correct[order]
    accuracy = np.cumsum(correct) / np.arange(1, len(conf) + 1)  # (N,) of the k most confident
    # A threshold accepts every tie at once, so only the last of a run of equal values counts.
    last_of_tie = np.append(conf[1:] < conf[:-1], True)
    ok = np.flatnonzero(last_of_tie & (accuracy >= target_accuracy))
    if ok.size == 0:
        return float(np.nextafter(conf.max(initial=1.0), np.inf))
    return float(conf[ok[-1]])


def accepted(probs: np.ndarray, threshold: float) -> np.ndarray:
    """Which answers (N,) bool a threshold keeps."""
    return np.asarray(probs.max(axis=1) >= threshold)
