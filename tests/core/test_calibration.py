"""Temperature scaling and the reject threshold."""

from __future__ import annotations

import numpy as np
import pytest

from inkread.core import calibration
from inkread.core.calibration import accepted, apply, choose_threshold, fit_temperature, nll


def _sample(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated logits (n, k) and labels drawn from their softmax."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0.0, 3.0, (n, k))
    p = apply(z)
    labels = (p.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
    return z, labels


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_fit_temperature_recovers_a_known_temperature(true_t: float) -> None:
    z, labels = _sample(20_000, 10, seed=1)
    t = fit_temperature(z * true_t, labels)  # logits made over- (t > 1) or under-confident
    assert abs(t - true_t) / true_t < 0.05
    assert nll(z * true_t, labels, t) <= nll(z * true_t, labels, 1.0) + 1e-12


def test_apply_is_a_stable_softmax() -> None:
    logits = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    p = apply(logits, 2.0)
    assert np.allclose(p.sum(axis=1), 1.0) and np.isfinite(p).all()
    e = np.exp(np.array([1.0, 2.0, 3.0]) / 2.0)
    assert np.allclose(p[1], e / e.sum())


def test_choose_threshold_is_the_lowest_reaching_the_target() -> None:
    # confidences 0.9..0.1: the three most confident right, then one wrong, then right again
    conf = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5])
    correct = np.array([True, True, True, False, True, True])
    probs = np.stack([conf, 1 - conf], axis=1)
    labels = np.where(correct, 0, 1)
    assert choose_threshold(probs, labels, target_accuracy=1.0) == 0.8
    assert choose_threshold(probs, labels, target_accuracy=0.8) == 0.5  # 5 of 6 right
    assert choose_threshold(probs, labels, target_accuracy=0.75) == 0.5
    t = choose_threshold(probs, labels, target_accuracy=0.999)
    assert accepted(probs, t).sum() == 3


def test_choose_threshold_rejects_all_when_the_target_is_out_of_reach() -> None:
    probs = np.array([[0.9, 0.1], [0.8, 0.2]])
    t = choose_threshold(probs, np.array([1, 1]), target_accuracy=0.5)
    assert not accepted(probs, t).any()


def test_choose_threshold_takes_ties_together() -> None:
    probs = np.array([[0.9, 0.1], [0.7, 0.3], [0.7, 0.3]])
    labels = np.array([0, 0, 1])  # the two tied answers: one right, one wrong
    assert choose_threshold(probs, labels, target_accuracy=0.9) == 0.9


def test_choose_threshold_on_calibrated_data_reaches_the_target() -> None:
    z, labels = _sample(20_000, 10, seed=2)
    p = apply(z)
    t = choose_threshold(p, labels, 0.99)
    keep = accepted(p, t)
    assert (p[keep].argmax(axis=1) == labels[keep]).mean() >= 0.99
    assert 0.0 < t < 1.0 and 0.05 < keep.mean() < 0.95


def test_fit_raises_the_threshold_to_reject_the_least_confident_share() -> None:
    z, labels = _sample(5000, 10, seed=2)
    plain = calibration.fit(z, labels, 0.5)  # a target the lowest threshold already reaches
    assert plain.val_coverage is not None and plain.val_coverage > 0.99
    doubtful = calibration.fit(z, labels, 0.5, least_confident=0.02)
    assert doubtful.threshold > plain.threshold and doubtful.temperature == plain.temperature
    assert doubtful.val_coverage is not None and 0.975 <= doubtful.val_coverage <= 0.985
