"""MNIST's own samples pass through preprocessing nearly unchanged: it is MNIST's procedure."""

from __future__ import annotations

import numpy as np

from inkread.preprocess import preprocess
from inkread.preprocess.lines import ruled_lines
from tests.support.mnist import Mnist


def test_mnist_samples_come_back_nearly_unchanged(mnist: Mnist) -> None:
    # Measured on the first 1000 test digits: mean absolute difference 0.5 grey levels of 255,
    # median 0.2; 98% differ by less than 2 levels; the rest (strokes outside MNIST's 1st-99th
    # percentile of width, brought back inside that range) by up to ~25.
    images = mnist.test.images[:1000]
    out = [preprocess(x) for x in images]
    assert all(x is not None for x in out)
    diff = np.array([np.abs(x.astype(float) - y).mean() for x, y in zip(out, images, strict=True)
                     if x is not None])
    assert diff.mean() < 1.0
    assert np.median(diff) < 0.5
    assert (diff < 2.0).mean() > 0.95


def test_no_stroke_of_an_mnist_digit_is_taken_for_a_ruled_line(mnist: Mnist) -> None:
    hits = [i for i, x in enumerate(mnist.test.images[:2000]) if ruled_lines(x > 3).any()]
    assert hits == []
