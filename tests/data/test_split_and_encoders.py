"""Stratified split, normalisation statistics, and the course's two label encodings."""

from __future__ import annotations

import numpy as np
import pytest

from inkread.core.errors import DataError
from inkread.data.encoders import LabelEncoder, from_one_hot, one_hot
from inkread.data.split import make_splits, normalization_stats, stratified_split
from tests.support.mnist import Mnist


def test_mnist_statistics_match_the_published_values(mnist: Mnist) -> None:
    mean, std = normalization_stats(mnist.train.images)
    assert round(mean, 4) == 0.1307 and round(std, 4) == 0.3081


def test_split_is_stratified_seeded_and_disjoint(mnist: Mnist) -> None:
    y = mnist.train.labels
    tr, va = stratified_split(y, 0.1, seed=3)
    assert len(np.intersect1d(tr, va)) == 0 and len(tr) + len(va) == len(y)
    frac = np.bincount(y[va], minlength=10) / np.bincount(y, minlength=10)
    assert np.allclose(frac, 0.1, atol=0.001)
    _, va2 = stratified_split(y, 0.1, seed=3)
    assert np.array_equal(va, va2)
    assert not np.array_equal(va, stratified_split(y, 0.1, seed=4)[1])


def test_splits_carry_training_statistics(mnist: Mnist) -> None:
    s = make_splits(mnist, val_fraction=0.1, seed=0)
    assert (len(s.train), len(s.val), len(s.test)) == (54000, 6000, 10000)
    assert abs(s.mean - 0.1307) < 0.002 and abs(s.std - 0.3081) < 0.002
    with pytest.raises(DataError):
        stratified_split(mnist.train.labels, 1.5, seed=0)


def test_one_hot_and_inverse() -> None:
    y = np.array([3, 0, 9, 3])
    Y = one_hot(y, 10)
    assert Y.shape == (4, 10) and Y.sum() == 4 and Y[0, 3] == 1
    assert np.array_equal(from_one_hot(Y), y)
    with pytest.raises(DataError):
        one_hot(np.array([10]), 10)


def test_label_encoder_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    enc = LabelEncoder.fit(["b", "a", "c", "a"])
    assert enc.classes == ["a", "b", "c"]
    codes = enc.encode(["c", "a"])
    assert codes.tolist() == [2, 0] and enc.decode(codes) == ["c", "a"]
    enc.save(tmp_path / "l.json")
    assert LabelEncoder.load(tmp_path / "l.json").classes == enc.classes
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(DataError, match="cannot read label encoder"):
        LabelEncoder.load(tmp_path / "bad.json")
