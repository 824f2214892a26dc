"""The augmented copy of a test set: deterministic, same shape and type, different but still ink."""

from __future__ import annotations

import numpy as np
import pytest

from inkread.core.errors import InkreadError
from inkread.evaluate.augmented import augmented_copy
from tests.support.mnist import Mnist


@pytest.fixture(scope="module")
def digits(mnist: Mnist) -> np.ndarray:
    """The first 300 real MNIST test images."""
    return mnist.test.images[:300]


def test_deterministic_for_a_seed(digits: np.ndarray) -> None:
    np.testing.assert_array_equal(augmented_copy(digits, 3), augmented_copy(digits, 3))
    assert not np.array_equal(augmented_copy(digits, 3), augmented_copy(digits, 4))


def test_shape_dtype_and_input_untouched(digits: np.ndarray) -> None:
    before = digits.copy()
    out = augmented_copy(digits)
    assert out.shape == digits.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(digits, before)


def test_differs_but_keeps_most_ink(digits: np.ndarray) -> None:
    out = augmented_copy(digits).astype(np.int64)
    src = digits.astype(np.int64)
    changed = np.mean(np.any(out != src, axis=(1, 2)))
    assert changed > 0.95
    ratio = out.sum(axis=(1, 2)) / src.sum(axis=(1, 2))
    assert np.all((ratio > 0.6) & (ratio < 1.4))


def test_identity_parameters_return_the_input(digits: np.ndarray) -> None:
    out = augmented_copy(digits, rotate=0.0, translate=0.0, scale=(1.0, 1.0))
    np.testing.assert_array_equal(out, digits)


def test_scale_up_spreads_the_ink(digits: np.ndarray) -> None:
    out = augmented_copy(digits, rotate=0.0, translate=0.0, scale=(1.2, 1.2))
    ratio = out.astype(np.int64).sum() / digits.astype(np.int64).sum()
    assert 1.2 < ratio < 1.6  # area grows by 1.44


def test_shift_moves_the_centre_of_ink(digits: np.ndarray) -> None:
    out = augmented_copy(digits[:50], 0, rotate=0.0, translate=0.1, scale=(1.0, 1.0))
    cols = np.arange(28)

    def centre(x: np.ndarray) -> np.ndarray:
        return (x.sum(axis=1) * cols).sum(axis=1) / x.sum(axis=(1, 2))

    moved = np.abs(centre(out.astype(float)) - centre(digits[:50].astype(float)))
    assert moved.max() <= 2.8 + 0.5 and moved.mean() > 0.3


def test_empty_and_bad_input() -> None:
    assert augmented_copy(np.zeros((0, 28, 28), np.uint8)).shape == (0, 28, 28)
    with pytest.raises(InkreadError, match="uint8"):
        augmented_copy(np.zeros((2, 28, 28), np.float32))
    with pytest.raises(InkreadError, match="scale"):
        augmented_copy(np.zeros((2, 28, 28), np.uint8), scale=(1.2, 0.8))


def test_same_geometry_as_the_test_time_views(digits: np.ndarray) -> None:
    from inkread.evaluate.tta import turned

    out = augmented_copy(digits[:20], rotate=0.0, translate=0.0, scale=(1.2, 1.2))
    np.testing.assert_array_equal(out, turned(digits[:20], 0.0, 1.2))  # both the training augmenter's warp
