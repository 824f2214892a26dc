"""A folder dataset: `root/<label>/*.png|jpg|...`, how a team brings its own characters."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from inkread.core.errors import DataError
from inkread.data.encoders import LabelEncoder
from inkread.data.types import Dataset, ImageSet

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
ENCODER_FILE = "labels.json"


def _class_dirs(root: Path) -> list[Path]:
    """Sub-folders of `root`, one per class, each holding at least one image."""
    dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not dirs:
        raise DataError("no class sub-folders", where=root,
                        expected="root/<label>/<image files>", fix="create one folder per class")
    for d in dirs:
        if not any(f.suffix.lower() in IMAGE_SUFFIXES for f in d.iterdir()):
            raise DataError("class folder holds no images", where=d,
                            expected="at least one " + "/".join(sorted(IMAGE_SUFFIXES)) + " file",
                            fix="add images or remove the folder")
    return dirs


def _read_one(path: Path) -> np.ndarray:
    """Preprocess one file; a file with no ink is an error for a training set."""
    # scipy (preprocessing) loads for image folders alone, not for IDX data
    from inkread.preprocess import preprocess

    x = preprocess(path)
    if x is None:
        raise DataError("image is blank (no ink found)", where=path,
                        expected="one character per image", fix="remove the file")
    return x


def load_folder(root: str | Path) -> Dataset:
    """Load every image under root/<label>/, preprocessed to 28x28, with a saved label encoder."""
    root = Path(root)
    dirs = _class_dirs(root)
    enc_path = root / ENCODER_FILE
    encoder = LabelEncoder.load(enc_path) if enc_path.is_file() else LabelEncoder([d.name for d in dirs])
    images, labels = [], []
    for d in dirs:
        for f in sorted(d.iterdir()):
            if f.is_file() and not f.name.startswith("."):
                if f.suffix.lower() not in IMAGE_SUFFIXES:
                    raise DataError("not an image file", where=f,
                                    expected="one of " + ", ".join(sorted(IMAGE_SUFFIXES)),
                                    fix="move it out of the class folder")
                images.append(_read_one(f))
                labels.append(d.name)
    y = encoder.encode(labels)
    if not enc_path.is_file():
        encoder.save(enc_path)  # keeps the label -> index mapping stable as classes are added
    return Dataset(root.name, encoder.classes, ImageSet(np.stack(images), y), None)
