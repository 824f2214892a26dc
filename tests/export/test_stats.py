"""Input statistics for drift: per-image features, quantile bins and the population stability index."""

from __future__ import annotations

import numpy as np

from inkread.export.stats import bin_counts, input_features, psi, train_stats
from tests.support.mnist import Mnist


def test_features_of_a_known_image() -> None:
    x = np.zeros((2, 28, 28), dtype=np.uint8)
    x[0, 4:24, 10:15] = 255  # a 20 x 5 bar
    x[0, 3, 12] = 40  # faint ink: inside the box, not in the ink ratio
    f = input_features(x)
    assert f["ink_ratio"][0] == 100 / 784 and f["bbox_height"][0] == 21 and f["bbox_width"][0] == 5
    assert f["mean_intensity"][0] == (100 * 255 + 40) / 784 / 255
    assert f["ink_ratio"][1] == 0 and f["bbox_height"][1] == 0 and f["bbox_width"][1] == 0


def test_train_stats_bins_hold_equal_mass_and_psi_sees_shift(mnist: Mnist) -> None:
    x, y = mnist.train.images[:5000], mnist.train.labels[:5000]
    stats = train_stats(x, y, 10)
    ink = stats["features"]["ink_ratio"]
    assert len(ink["fractions"]) == len(ink["edges"]) + 1 == 10
    assert max(ink["fractions"]) < 0.12 and abs(sum(ink["fractions"]) - 1) < 1e-4
    held = input_features(mnist.test.images[:2000])["ink_ratio"]
    same = psi(ink["fractions"], bin_counts(held, ink["edges"]))
    bold = psi(ink["fractions"], bin_counts(held * 1.6, ink["edges"]))  # strokes 60% heavier
    assert same < 0.1 and bold > 0.25  # below 0.1: "stable"
    assert stats["class_prior"][1] > stats["class_prior"][5]  # MNIST has more 1s than 5s


def test_train_stats_leave_out_non_characters(mnist: Mnist) -> None:
    x, y = mnist.train.images[:1000], mnist.train.labels[:1000]
    blank = np.zeros((500, 28, 28), np.uint8)  # non-characters (label -1) of a very different look
    mixed = train_stats(np.concatenate([x, blank]), np.concatenate([y, np.full(500, -1)]), 10)
    assert mixed == train_stats(x, y, 10) and mixed["count"] == 1000
