"""Real handwriting collections: held-out writers chosen once and for all, never mixed with training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from inkread.core.errors import DataError
from inkread.data import collections, real
from inkread.data.catalog import load_dataset
from inkread.data.collections import COLLECTIONS, find_collection
from inkread.data.real import load_real
from inkread.data.writers import held_out
from tests.support.mnist import Mnist

SHARED = collections.shared_datasets()
PRESENT = {name for name in COLLECTIONS if (SHARED / COLLECTIONS[name].folder).is_dir()}


def test_held_out_writers_do_not_depend_on_order_or_repetition() -> None:
    writers = np.array([f"w{i}" for i in range(40)] * 3)
    mask = held_out(writers)
    chosen = set(writers[mask])
    assert len(chosen) == 10  # a quarter of 40 writers
    shuffled = np.random.default_rng(0).permutation(writers)
    assert set(shuffled[held_out(shuffled)]) == chosen
    assert all(mask[writers == w].all() or not mask[writers == w].any() for w in set(writers))
    assert held_out(np.array(["only"])).all()  # a single writer is held out rather than none


def test_a_missing_collection_names_where_it_was_looked_for(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collections, "shared_datasets", lambda: tmp_path / "nowhere")
    with pytest.raises(DataError, match="collection 'cvl' not found") as err:
        find_collection("cvl", tmp_path)
    assert str(tmp_path / "cvl_single_digits" / "cvl_single_digits.npz") in str(err.value)
    assert "--data-dir" in str(err.value)
    with pytest.raises(DataError, match="unknown collection"):
        find_collection("nist", tmp_path)


@pytest.mark.skipif(not PRESENT, reason=f"no collection in {collections.shared_datasets()} (not shipped)")
@pytest.mark.parametrize("name", sorted(PRESENT))
def test_test_writers_never_write_training_samples(name: str) -> None:
    s = load_real(name)
    assert s.images.dtype == np.uint8 and s.images.ndim == 3 and len(s.labels) == len(s.writers)
    assert 0 < s.test.sum() < len(s.test)
    assert not set(s.writers[s.test]) & set(s.writers[~s.test])


@pytest.mark.skipif("cvl" not in PRESENT, reason="CVL digits not found (not shipped: research terms)")
def test_cvl_keeps_its_official_test_writers() -> None:
    s = load_real("cvl")
    assert len(set(s.writers[s.test])) == 176  # the official writer-disjoint test split


def test_a_collection_loads_as_model_inputs_split_by_writer_and_cached(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mnist: Mnist) -> None:
    folder = tmp_path / "data" / "uji_pen_v1"
    folder.mkdir(parents=True)
    digits = mnist.test.images[:24]
    paper = np.pad(255 - digits, ((0, 0), (18, 18), (18, 18)), constant_values=255)  # (24, 64, 64) dark ink
    labels = np.array([str(v) for v in mnist.test.labels[:24]])
    writers = np.array([f"w{i % 8}" for i in range(24)])
    np.savez(folder / "uji_pen_v1.npz", images=paper.astype(np.uint8), labels=labels, writers=writers)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ds = load_dataset("uji", tmp_path / "data")
    assert ds.train.images.shape[1:] == (28, 28) and ds.test is not None
    assert len(ds.train) + len(ds.test) == 24 and 0 < len(ds.test) < 24
    assert ds.classes == sorted(set(labels))
    assert float(ds.train.images.mean()) < 128  # white ink on black, as the model sees it
    assert list((tmp_path / "cache" / "inkread" / "prepared").glob("uji-*.npz"))
    cached = next((tmp_path / "cache" / "inkread" / "prepared").glob("uji-*.npz"))
    with monkeypatch.context() as m:
        m.setattr(real, "preprocess", lambda _: pytest.fail("the cache was not used"))
        again = load_dataset("uji", tmp_path / "data")
    assert np.array_equal(again.train.images, ds.train.images)
    cached.write_bytes(b"damaged")  # a damaged cache is prepared again and replaced
    assert np.array_equal(load_dataset("uji", tmp_path / "data").train.images, ds.train.images)
    assert np.load(cached)["images"].shape == (24, 28, 28)
