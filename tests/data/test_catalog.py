"""The dataset catalogue: real MNIST and Fashion-MNIST, search paths, and refused bad files."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from inkread.core.errors import DataError
from inkread.data.catalog import MNIST, find_files, load_dataset
from inkread.data.idx import encode_idx
from tests.support.mnist import Mnist

REPO_MNIST = Path(__file__).resolve().parents[2] / "data" / "mnist"
FASHION = Path("/usr/share/datasets/fashion-mnist")


def test_mnist_is_verified_with_exact_counts(mnist: Mnist) -> None:
    assert mnist.verified
    assert len(mnist.train) == 60000 and len(mnist.test) == 10000
    assert mnist.train.class_counts(10) == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert set(mnist.files.values()) == {sha for _, sha in MNIST.files.values()}


@pytest.mark.skipif(not FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_fashion_mnist_from_system_package() -> None:
    ds = load_dataset("fashion-mnist")
    assert ds.verified and len(ds.train) == 60000 and ds.classes[0] == "t-shirt"


def _copy_mnist(dst: Path) -> Path:
    folder = dst / "mnist"
    shutil.copytree(REPO_MNIST, folder)
    return folder


def test_data_dir_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy_mnist(tmp_path)
    assert find_files(MNIST, tmp_path)["train-images"].parent == folder
    monkeypatch.setenv("INKREAD_DATA", str(tmp_path))
    assert find_files(MNIST)["test-labels"].parent == folder


def test_raw_uncompressed_files_are_found(tmp_path: Path) -> None:
    folder = _copy_mnist(tmp_path)
    lbl = folder / "t10k-labels-idx1-ubyte.gz"
    (folder / "t10k-labels-idx1-ubyte").write_bytes(gzip.decompress(lbl.read_bytes()))
    lbl.unlink()
    assert load_dataset("mnist", tmp_path).verified


def test_hash_mismatch_is_refused(tmp_path: Path) -> None:
    folder = _copy_mnist(tmp_path)
    labels = np.frombuffer(gzip.decompress((folder / "t10k-labels-idx1-ubyte.gz").read_bytes())[8:],
                           np.uint8).copy()
    labels[0] = (labels[0] + 1) % 10
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(encode_idx(labels)))
    with pytest.raises(DataError, match="SHA-256") as info:
        load_dataset("mnist", tmp_path)
    assert "t10k-labels" in info.value.render()
    assert not load_dataset("mnist", tmp_path, verify=False).verified


def test_count_mismatch_and_bad_labels(tmp_path: Path) -> None:
    folder = _copy_mnist(tmp_path)
    path = folder / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(encode_idx(np.zeros(9999, np.uint8))))
    with pytest.raises(DataError, match="10000 images but 9999 labels"):
        load_dataset("mnist", tmp_path, verify=False)
    path.write_bytes(gzip.compress(encode_idx(np.full(10000, 12, np.uint8))))
    with pytest.raises(DataError, match=r"label values \[12\] are outside the 10 classes"):
        load_dataset("mnist", tmp_path, verify=False)


def test_missing_dataset_lists_paths_tried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("inkread.data.locate.repo_data_dir", lambda: None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("INKREAD_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(DataError) as info:
        load_dataset("mnist")
    msg = info.value.render()
    assert str(tmp_path / "nowhere" / "mnist") in msg and str(tmp_path / "cache") in msg
    assert "inkread data fetch mnist" in msg


def test_an_explicit_data_dir_is_the_only_place_looked(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such folder"):
        load_dataset("mnist", tmp_path / "nowhere")
    with pytest.raises(DataError) as info:
        load_dataset("mnist", tmp_path)  # there, but empty: the repository's data/ is not tried
    assert f"looked in: {tmp_path / 'mnist'}. " in info.value.render()


def test_unknown_name() -> None:
    with pytest.raises(DataError, match="unknown dataset 'digitz'"):
        load_dataset("digitz")
