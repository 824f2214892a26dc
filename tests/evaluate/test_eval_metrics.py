"""Metrics against scikit-learn, calibration on hand-made and synthetic data, the coverage curve."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from inkread.core.errors import InkreadError
from inkread.core.metrics import confusion_matrix
from inkread.evaluate import metrics as M


def random_case(seed: int, n: int = 300, k: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Softmax of random logits with a bias towards the true class."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    logits = rng.normal(0, 1.5, (n, k))
    logits[np.arange(n), labels] += rng.normal(1.5, 1.0, n)
    probs = np.exp(logits)
    return probs / probs.sum(1, keepdims=True), labels


def assert_matches_sklearn(probs: np.ndarray, labels: np.ndarray) -> None:
    """Every metric equals scikit-learn's on the same predictions, with no warning raised."""
    k = probs.shape[1]
    classes = list(range(k))
    preds = M.predictions(probs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cm = confusion_matrix(labels, preds, k)
        pc = M.per_class(cm)
        acc, nll, brier = M.accuracy(probs, labels), M.log_loss(probs, labels), M.brier(probs, labels)
    assert not any(np.isnan(a).any() for a in (pc.precision, pc.recall, pc.f1))
    np.testing.assert_array_equal(cm, skm.confusion_matrix(labels, preds, labels=classes))
    p, r, f, s = skm.precision_recall_fscore_support(labels, preds, labels=classes, zero_division=0)
    np.testing.assert_allclose(pc.precision, p)
    np.testing.assert_allclose(pc.recall, r)
    np.testing.assert_allclose(pc.f1, f)
    np.testing.assert_array_equal(pc.support, s)
    macro = skm.precision_recall_fscore_support(labels, preds, labels=classes, zero_division=0,
                                                average="macro")
    np.testing.assert_allclose([pc.precision.mean(), pc.recall.mean(), pc.f1.mean()], macro[:3])
    assert acc == pytest.approx(skm.accuracy_score(labels, preds))
    assert nll == pytest.approx(skm.log_loss(labels, probs, labels=classes), rel=1e-9)
    assert brier == pytest.approx(skm.brier_score_loss(labels, probs, labels=classes, scale_by_half=False))


@pytest.mark.parametrize("seed", range(5))
def test_random_inputs_match_sklearn(seed: int) -> None:
    probs, labels = random_case(seed, n=50 + 97 * seed, k=2 + 3 * seed)
    assert_matches_sklearn(probs, labels)


def test_class_never_predicted_has_precision_zero_without_warning() -> None:
    probs, labels = random_case(7, k=5)
    probs[:, 3] = 1e-6  # class 3 is never the argmax (not 0: scikit-learn clips log(0) differently)
    probs /= probs.sum(1, keepdims=True)
    assert 3 not in M.predictions(probs)
    assert_matches_sklearn(probs, labels)
    pc = M.per_class(confusion_matrix(labels, M.predictions(probs), 5))
    assert pc.precision[3] == 0.0 and pc.recall[3] == 0.0 and pc.f1[3] == 0.0


def test_class_absent_from_labels_has_support_zero() -> None:
    probs, labels = random_case(8, k=6)
    labels[labels == 4] = 0
    assert_matches_sklearn(probs, labels)
    pc = M.per_class(confusion_matrix(labels, M.predictions(probs), 6))
    assert pc.support[4] == 0 and pc.recall[4] == 0.0


def test_nll_is_clipped_for_a_zero_probability() -> None:
    probs = np.array([[1.0, 0.0], [0.5, 0.5]])
    value = M.log_loss(probs, np.array([1, 0]))
    assert np.isfinite(value) and value == pytest.approx((-np.log(1e-12) - np.log(0.5)) / 2)


def test_ece_hand_made_case() -> None:
    probs = np.array([[0.9, 0.1], [0.85, 0.15], [0.41, 0.59], [0.3, 0.7], [0.39, 0.61], [0.38, 0.62]])
    labels = np.array([0, 1, 1, 1, 1, 0])
    cal = M.calibration(probs, labels)
    # bins: 0.9 correct | 0.85 wrong | 0.59 correct | 0.7 correct | {0.61 correct, 0.62 wrong}
    expected = (0.1 + 0.85 + 0.41 + 0.3 + 2 * abs(0.5 - 0.615)) / 6
    assert cal.ece == pytest.approx(expected)
    assert cal.count.sum() == 6 and cal.count.shape == (15,)
    assert cal.count[8] == 1 and cal.count[9] == 2  # (0.533, 0.6] holds 0.59; (0.6, 0.667] 0.61, 0.62
    assert cal.accuracy[9] == 0.5 and cal.confidence[9] == pytest.approx(0.615)
    assert np.isnan(cal.accuracy[0]) and np.isnan(cal.confidence[0])


def test_ece_edges_are_right_closed() -> None:
    probs = np.array([[1.0, 0.0], [0.5, 0.5]])
    cal = M.calibration(probs, np.array([0, 0]))
    assert cal.count[14] == 1 and cal.count[7] == 1


def test_ece_is_near_zero_for_calibrated_data() -> None:
    rng = np.random.default_rng(0)
    n, k = 100_000, 10
    conf = rng.uniform(0.2, 1.0, n)
    pred = rng.integers(0, k, n)
    probs = np.repeat(((1 - conf) / (k - 1))[:, None], k, axis=1)
    probs[np.arange(n), pred] = conf
    correct = rng.random(n) < conf
    other = (pred + rng.integers(1, k, n)) % k
    labels = np.where(correct, pred, other)
    assert M.calibration(probs, labels).ece < 0.01
    overconfident = probs.copy()  # the same predictions claimed with more confidence are miscalibrated
    overconfident[np.arange(n), pred] = 1.0
    assert M.calibration(overconfident, labels).ece > 0.3


def test_coverage_curve() -> None:
    probs, labels = random_case(3, n=2000, k=10)
    points = M.coverage_curve(probs, labels)
    assert [p.coverage for p in points] == pytest.approx(np.linspace(0.5, 1.0, 11))
    assert points[-1].accuracy == pytest.approx(M.accuracy(probs, labels))
    assert points[-1].kept == 2000 and points[0].kept == 1000
    assert points[-1].threshold == pytest.approx(probs.max(1).min())
    thresholds = [p.threshold for p in points]
    assert thresholds == sorted(thresholds, reverse=True)
    accs = np.array([p.accuracy for p in points])
    assert accs[0] > accs[-1] and np.all(np.diff(accs) < 0.02)  # confident subsets are more accurate


def test_most_confident_errors_and_confused_pairs() -> None:
    probs = np.array([[0.6, 0.4], [0.1, 0.9], [0.95, 0.05], [0.3, 0.7]])
    labels = np.array([1, 1, 1, 0])
    np.testing.assert_array_equal(M.most_confident_errors(probs, labels), [2, 3, 0])
    cm = confusion_matrix(labels, M.predictions(probs), 2)
    assert M.most_confused(cm) == [(1, 0, 2), (0, 1, 1)]


@pytest.mark.parametrize(
    ("probs", "labels", "match"),
    [
        (np.ones(3) / 3, np.array([0]), "shape"),
        (np.zeros((0, 3)), np.zeros(0, dtype=int), "shape"),
        (np.array([[0.5, 0.6]]), np.array([0]), "sums to"),
        (np.array([[1.5, -0.5]]), np.array([0]), "sums to"),
        (np.array([[np.nan, 1.0]]), np.array([0]), "non-finite"),
        (np.array([[1, 0]]), np.array([0]), "type"),
        (np.array([[0.5, 0.5]]), np.array([0.0]), "labels have"),
        (np.array([[0.5, 0.5]]), np.array([0, 1]), "labels have"),
        (np.array([[0.5, 0.5]]), np.array([2]), "outside"),
    ],
)
def test_bad_inputs_raise(probs: np.ndarray, labels: np.ndarray, match: str) -> None:
    with pytest.raises(InkreadError, match=match):
        M.check_inputs(probs, labels)
