"""Outlier exposure: non-characters made from training digits, their loss, and what training on them does."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import ndimage as ndi

from inkread.core.errors import ConfigError
from inkread.data.outliers import NO_CLASS, OutlierConfig, fragment, make_outliers, pair
from inkread.preprocess import to_model_input
from inkread.registry.loader import load_model
from inkread.train.config import load_config
from inkread.train.loop import fit
from inkread.train.losses import step_loss
from tests.support.mnist import Mnist
from tests.train.helpers import small_config


def test_samples_are_seeded_model_inputs_with_the_right_labels(mnist: Mnist) -> None:
    images, labels = mnist.train.images[:500], mnist.train.labels[:500]
    cfg = OutlierConfig(pairs=40, fragments=30, prepared=20)
    x, y = make_outliers(images, labels, cfg, seed=3)
    assert x.shape == (90, 28, 28) and x.dtype == np.uint8 and y.shape == (90,)
    assert (y[:70] == NO_CLASS).all() and (y[70:] >= 0).all()  # pairs, fragments, then labelled digits
    again, _ = make_outliers(images, labels, cfg, seed=3)
    other, _ = make_outliers(images, labels, cfg, seed=4)
    assert np.array_equal(x, again) and not np.array_equal(x, other)
    for sample in x:  # what to_model_input makes: ink in the 20x20 box, centre of mass at (14, 14)
        rows, cols = np.nonzero(sample > 12)
        assert max(np.ptp(rows), np.ptp(cols)) <= 21
        cy, cx = ndi.center_of_mass(sample.astype(np.float64))
        assert abs(cy - 14) <= 1.5 and abs(cx - 14) <= 1.5


def test_prepared_digits_keep_their_class(mnist: Mnist, classify: object) -> None:
    images, labels = mnist.test.images[:300], mnist.test.labels[:300]
    x, y = make_outliers(images, labels, OutlierConfig(pairs=0, fragments=0, prepared=200), seed=0)
    probs = classify(x)  # type: ignore[operator]
    assert (probs.argmax(1) == y).mean() >= 0.95  # redrawn, they are still the digits they were


def test_pairs_hold_two_digits_and_fragments_are_never_bare_strokes(mnist: Mnist) -> None:
    rng = np.random.default_rng(0)
    a, b = mnist.train.images[0], mnist.train.images[1]
    two = pair(a, b, rng)
    assert two.shape[1] > 1.2 * two.shape[0]  # side by side: wider than tall
    kept = [f for f in (fragment(mnist.train.images[i], rng) for i in range(300)) if f is not None]
    assert len(kept) > 100
    assert all(f.shape[1] >= 0.4 * 56 and f.shape[0] >= 0.5 * 56 for f in kept)
    ones = mnist.train.images[mnist.train.labels == 1][:50]
    assert sum(fragment(one, rng) is not None for one in ones) <= 5  # a "1" has no side to keep


def test_outlier_loss_is_zero_for_flat_softmax_and_adds_to_the_characters_loss() -> None:
    z = torch.randn(6, 10, dtype=torch.float64, requires_grad=True)
    known = torch.tensor([3, 1, 4, 1, 5, 9])
    assert torch.allclose(step_loss(z, known, 0.1, 0.5), F.cross_entropy(z, known, label_smoothing=0.1))
    flat = torch.full((4, 10), 2.5, dtype=torch.float64)
    assert float(step_loss(flat, torch.full((4,), NO_CLASS), 0.1, 0.5)) == pytest.approx(0.0, abs=1e-12)
    mixed = torch.tensor([3, NO_CLASS, 4, NO_CLASS, 5, 9])
    p = torch.softmax(z[[1, 3]], dim=1)
    kl = (math.log(0.1) - torch.log(p)).mean(dim=1) * 1.0  # KL(uniform || p) per non-character
    expected = F.cross_entropy(z[[0, 2, 4, 5]], mixed[[0, 2, 4, 5]], label_smoothing=0.1) + 0.5 * kl.mean()
    assert torch.allclose(step_loss(z, mixed, 0.1, 0.5), expected)


def _input(ink: np.ndarray) -> np.ndarray:
    """The network's input for ink that is not blank."""
    x = to_model_input(ink)
    assert x is not None, "a pair of test digits came out blank"
    return x


def test_training_with_outliers_lowers_confidence_on_touching_pairs(tmp_path: Path, mnist: Mnist) -> None:
    common = ["data.limit=3000", "train.epochs=2", "train.batch_size=64", "optim.lr=0.005"]
    plain = fit(small_config(tmp_path, *common, name="plain"), show_progress=False)
    exposed = fit(small_config(tmp_path, *common, "outliers={pairs: 1500, fragments: 1500, prepared: 1000}",
                               name="exposed"), show_progress=False)
    rng = np.random.default_rng(7)  # pairs of *test* digits: never trained on
    test = mnist.test.images[:400]
    pairs = np.stack([_input(pair(test[i], test[i + 1], rng)) for i in range(0, 400, 2)])
    conf = {r.run_dir.name: load_model(r.run_dir).classify(pairs).max(axis=1).mean()
            for r in (plain, exposed)}
    assert conf["exposed"] < conf["plain"] - 0.08, conf  # measured 0.65 -> 0.52 on this tiny run
    assert exposed.test_accuracy >= plain.test_accuracy - 0.02  # digits are still read


def test_unknown_outlier_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'outliers\.pair'"):
        load_config(None, ["outliers={pair: 10}"])
