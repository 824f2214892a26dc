"""Input scaling: one rule, and the numpy and torch paths give the same model input."""

from __future__ import annotations

import numpy as np
import torch

from inkread.core.scaling import SIZE, model_input, standardise, to_unit
from inkread.data.loader import BatchLoader


def test_model_input_is_pixels_over_255_standardised() -> None:
    images = np.random.default_rng(0).integers(0, 256, (5, SIZE, SIZE), dtype=np.uint8)
    x = model_input(images, 0.1307, 0.3081)
    assert x.shape == (5, 1, SIZE, SIZE) and x.dtype == np.float32
    want = (images.astype(np.float64) / 255.0 - 0.1307) / 0.3081
    np.testing.assert_allclose(x[:, 0], want, atol=1e-6)


def test_numpy_and_torch_scale_alike_and_unit_statistics_change_nothing() -> None:
    images = np.random.default_rng(1).integers(0, 256, (4, SIZE, SIZE), dtype=np.uint8)
    t = to_unit(torch.from_numpy(images))
    assert t.dtype == torch.float32
    np.testing.assert_allclose(t.numpy(), to_unit(images), atol=1e-7)
    x = to_unit(images)
    assert standardise(x, 0.0, 1.0) is x and np.array_equal(x, to_unit(images))


def test_the_training_loader_feeds_what_serving_feeds() -> None:
    images = np.random.default_rng(2).integers(0, 256, (8, SIZE, SIZE), dtype=np.uint8)
    loader = BatchLoader(images, np.zeros(8, dtype=np.int64), 8, shuffle=False, mean=0.2, std=0.3)
    x, _ = next(iter(loader))
    np.testing.assert_allclose(x.numpy(), model_input(images, 0.2, 0.3), atol=1e-6)
