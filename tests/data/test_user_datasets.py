"""Folder-of-classes and .npz datasets: how a team brings its own characters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inkread.core.errors import DataError
from inkread.data.catalog import load_dataset
from inkread.data.encoders import LabelEncoder
from inkread.data.split import make_splits
from tests.conftest import run_cli


def _glyph(kind: str, dark_on_light: bool = True) -> Image.Image:
    a = np.zeros((60, 40), np.uint8)
    if kind == "bar":
        a[10:50, 17:23] = 255
    else:
        a[27:33, 5:35] = 255
    return Image.fromarray(255 - a if dark_on_light else a)


def _make_folder(root: Path, per_class: int = 6) -> Path:
    for label in ("bar", "dash"):
        (root / label).mkdir(parents=True)
        for i in range(per_class):
            _glyph(label, dark_on_light=i % 2 == 0).save(root / label / f"{i}.png")
    return root


def test_folder_dataset_preprocesses_and_saves_encoder(tmp_path: Path) -> None:
    root = _make_folder(tmp_path / "team")
    ds = load_dataset(str(root))
    assert ds.classes == ["bar", "dash"] and ds.train.images.shape == (12, 28, 28)
    assert (root / "labels.json").is_file()
    assert LabelEncoder.load(root / "labels.json").classes == ["bar", "dash"]
    bar = ds.train.images[ds.train.labels == 0][0]
    assert bar[:, 14].sum() > bar[14, :].sum()  # a vertical stroke, white on black
    assert bar[0].max() == 0  # background is black whatever the polarity of the source
    splits = make_splits(ds, val_fraction=0.25, seed=0)
    assert len(splits.train) + len(splits.val) + len(splits.test) == 12


def test_folder_dataset_has_no_test_split(tmp_path: Path) -> None:
    root = _make_folder(tmp_path / "team")
    with pytest.raises(DataError, match="dataset 'team' has no test split") as info:
        load_dataset(str(root)).test_split()
    assert "training split" in str(info.value)
    out = tmp_path / "grid.png"
    r = run_cli("data", "preview", str(root), "--split", "test", "-o", str(out))
    assert r.returncode == 2 and "has no test split" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists()


def test_saved_encoder_keeps_indices_when_a_class_is_added(tmp_path: Path) -> None:
    root = _make_folder(tmp_path / "team")
    load_dataset(str(root))
    (root / "aaa").mkdir()
    _glyph("bar").save(root / "aaa" / "x.png")
    with pytest.raises(DataError, match="'aaa' is not one of the classes"):
        load_dataset(str(root))


def test_empty_class_folder(tmp_path: Path) -> None:
    root = _make_folder(tmp_path / "team")
    (root / "empty").mkdir()
    with pytest.raises(DataError, match="class folder holds no images") as info:
        load_dataset(str(root))
    assert str(root / "empty") in info.value.render()


def test_non_image_and_unreadable_files(tmp_path: Path) -> None:
    root = _make_folder(tmp_path / "team")
    (root / "bar" / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match="not an image file"):
        load_dataset(str(root))
    (root / "bar" / "notes.txt").unlink()
    (root / "bar" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"junk" * 10)
    with pytest.raises(DataError, match="not a readable image") as info:
        load_dataset(str(root))
    assert "broken.png" in info.value.render()


def test_npz_with_string_labels(tmp_path: Path) -> None:
    p = tmp_path / "set.npz"
    images = np.random.default_rng(0).integers(0, 255, (20, 28, 28), dtype=np.uint8)
    np.savez(p, images=images, labels=np.array(["a", "b"] * 10))
    ds = load_dataset(str(p))
    assert ds.classes == ["a", "b"] and ds.train.labels.tolist() == [0, 1] * 10


def test_npz_errors(tmp_path: Path) -> None:
    p = tmp_path / "bad.npz"
    np.savez(p, pictures=np.zeros((2, 28, 28)))
    with pytest.raises(DataError, match="missing arrays"):
        load_dataset(str(p))
    np.savez(p, images=np.zeros((2, 28, 28), np.uint8), labels=np.array([0, 5]),
             classes=np.array(["x", "y"]))
    with pytest.raises(DataError, match="outside"):
        load_dataset(str(p))
    p.write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"cannot read \.npz"):
        load_dataset(str(p))
