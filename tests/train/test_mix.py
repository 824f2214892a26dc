"""Several datasets in one training run: extra parts join the training split, relabelled by class name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from inkread.core.errors import ConfigError
from inkread.core.files import content_hash
from inkread.data.outliers import NO_CLASS
from inkread.data.types import Dataset, ImageSet
from inkread.train.config import MixPart, load_config
from inkread.train.data import load_splits, mixed


def _part(labels: list[str]) -> Dataset:
    """A small dataset whose sample i is an image filled with the value i."""
    classes = sorted(set(labels))
    images = np.stack([np.full((28, 28), i, np.uint8) for i in range(len(labels))])
    ys = np.array([classes.index(c) for c in labels], dtype=np.int64)
    return Dataset("part", classes, ImageSet(images, ys), None)


def test_a_part_is_relabelled_by_class_name_and_drops_other_classes() -> None:
    part = _part(["7", "A", "3", "7"])  # classes ["3", "7", "A"]: 'A' is not trained
    out = mixed(part, MixPart(dataset="part"), list("0123456789"), seed=0)
    assert sorted(out.labels.tolist()) == [3, 7, 7]
    assert sorted(int(x[0, 0]) for x in out.images) == [0, 2, 3]  # the samples themselves


@pytest.mark.parametrize(("weight", "count"), [(0.5, 2), (1.0, 3), (2.0, 6), (2.5, 8)])
def test_weight_draws_the_part_that_many_times_over(weight: float, count: int) -> None:
    out = mixed(_part(["1", "2", "3"]), MixPart(dataset="p", weight=weight), list("0123456789"), seed=1)
    assert len(out.labels) == count
    if weight >= 1:
        assert set(np.bincount(out.labels)[1:4]) <= {int(weight), int(weight) + 1}  # whole copies first


def test_a_part_without_any_trained_class_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="no samples of the classes trained"):
        mixed(_part(["A", "B"]), MixPart(dataset="letters"), list("0123456789"), seed=0)


def test_others_reject_trains_other_classes_as_non_characters_but_never_look_alikes() -> None:
    part = _part(["7", "A", "O", "K", "S"])  # O and S are written like 0 and 5: left out
    out = mixed(part, MixPart(dataset="uji", others="reject"), list("0123456789"), seed=0)
    assert sorted(out.labels.tolist()) == [NO_CLASS, NO_CLASS, 7]
    assert sorted(int(x[0, 0]) for x in out.images) == [0, 1, 3]  # 7, A and K


def test_a_part_of_non_characters_only_is_allowed_when_rejected() -> None:
    out = mixed(_part(["shirt", "shoe"]), MixPart(dataset="f", others="reject"), list("0123456789"), seed=0)
    assert out.labels.tolist() == [NO_CLASS, NO_CLASS]


def test_rejected_parts_need_an_outliers_section_for_their_weight() -> None:
    with pytest.raises(ConfigError, match="no outliers section"):
        load_config(None, ["data.datasets=[{dataset: uji, others: reject}]"])
    cfg = load_config(None, ["data.datasets=[{dataset: uji, others: reject}]", "outliers={pairs: 0}"])
    assert cfg.data.datasets[0].others == "reject"


def test_a_part_of_unprepared_images_is_a_clear_error() -> None:
    part = Dataset("raw", ["1"], ImageSet(np.zeros((2, 64, 64), np.uint8), np.zeros(2, np.int64)), None)
    with pytest.raises(ConfigError, match="images of \\(64, 64\\) px"):
        mixed(part, MixPart(dataset="raw.npz"), list("0123456789"), seed=0)


def test_a_recipe_mixes_an_npz_into_mnist_training_only(tmp_path: Path) -> None:
    part = _part(["4", "4", "9"])
    path = tmp_path / "extra.npz"
    np.savez(path, images=255 - part.train.images, labels=np.array(["4", "4", "9"]))
    plain = load_config(None, ["data.limit=500"])
    with_part = load_config(None, ["data.limit=500", f"data.datasets=[{{dataset: '{path}', weight: 2}}]"])
    a, _, _ = load_splits(plain)
    b, files, _ = load_splits(with_part)
    assert len(b.train) == len(a.train) + 6 and np.array_equal(b.val.labels, a.val.labels)
    assert np.array_equal(b.test.labels, a.test.labels) and (b.mean, b.std) == (a.mean, a.std)
    assert files[str(path)] == content_hash(path)  # the part's content is in the run's lineage
