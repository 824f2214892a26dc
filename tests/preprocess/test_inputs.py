"""Every way an image can arrive: paths, bytes, PIL images, arrays of any type; and bad input."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inkread.core.errors import DataError
from inkread.preprocess import ink_map, load_gray, preprocess, to_model_input
from inkread.preprocess.load import ImageLike


def _bar(h: int = 120, w: int = 90) -> np.ndarray:
    """A vertical dark stroke (a "1") on white paper, uint8 (h, w)."""
    a = np.full((h, w), 245, np.uint8)
    a[h // 5:4 * h // 5, w // 2 - 4:w // 2 + 4] = 20
    return a


def _is_upright_one(x: np.ndarray | None) -> bool:
    """White vertical stroke centred on black, as MNIST writes a 1."""
    return (x is not None and x.shape == (28, 28) and x.dtype == np.uint8 and x[0].max() == 0
            and x[:, :11].max() == 0 and x[:, 18:].max() == 0  # nothing beside the stroke
            and x[7:21, 12:17].max(axis=1).min() > 200)  # a bright stroke all the way down


@pytest.mark.parametrize("kind", ["path", "bytes", "pil", "uint8", "float", "uint16", "bool", "rgb",
                                  "rgba", "float255"])
def test_input_kinds(kind: str, tmp_path: Path) -> None:
    a = _bar()
    path = tmp_path / "one.png"
    Image.fromarray(a).save(path)
    kinds: dict[str, ImageLike] = {
        "path": path, "bytes": path.read_bytes(), "pil": Image.fromarray(a), "uint8": a,
        "float": a / 255.0, "uint16": a.astype(np.uint16) * 257, "bool": a > 128,
        "rgb": np.stack([a] * 3, axis=2), "rgba": np.dstack([a, a, a, np.full_like(a, 255)]),
        "float255": a.astype(np.float64),
    }
    assert _is_upright_one(preprocess(kinds[kind]))


def test_exif_orientation_is_respected() -> None:
    stored = Image.fromarray(_bar()).transpose(Image.Transpose.ROTATE_90)  # lying on its side
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=95, exif=exif.tobytes())
    assert load_gray(buf.getvalue()).shape == (120, 90)
    assert _is_upright_one(preprocess(buf.getvalue()))


def test_ink_map_is_white_on_black_at_full_resolution() -> None:
    a = _bar(300, 200)
    ink = ink_map(a)
    assert ink.shape == (300, 200) and ink.dtype == np.float32
    assert ink.min() == 0.0 and ink.max() == 1.0
    assert ink[150, 100] == 1.0 and ink[10, 10] == 0.0
    assert np.array_equal(ink, ink_map(255 - a))  # the same ink whichever the polarity


def test_to_model_input_of_nothing_is_none() -> None:
    assert to_model_input(np.zeros((40, 40), np.float32)) is None


@pytest.mark.parametrize("data", [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"x" * 20])
def test_unreadable_bytes(data: bytes) -> None:
    with pytest.raises(DataError, match="not a readable image"):
        preprocess(data)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file") as info:
        preprocess(tmp_path / "nope.png")
    assert "nope.png" in info.value.render()


def test_bad_array_shape() -> None:
    with pytest.raises(DataError, match="shape"):
        preprocess(np.zeros((4, 4, 7), np.uint8))
