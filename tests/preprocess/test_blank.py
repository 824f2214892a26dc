"""No ink, no character: blank and near-blank images come back as None, never as a digit."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from inkread.preprocess import ink_map, preprocess
from tests.preprocess.conditions import gradient, jpeg, on_paper, png, ruled, shadow, texture


def _rng() -> np.random.Generator:
    return np.random.default_rng(7)


BLANKS = {
    "white canvas": lambda: np.full((280, 280), 255, np.uint8),
    "black canvas": lambda: np.zeros((280, 280), np.uint8),
    "grey paper": lambda: np.full((120, 90), 180, np.uint8),
    "float zeros": lambda: np.zeros((28, 28), np.float32),
    "one pixel": lambda: np.full((1, 1), 255, np.uint8),
    "transparent canvas": lambda: png(Image.new("RGBA", (200, 200), (0, 0, 0, 0))),
    "paper texture": lambda: on_paper(np.clip(-texture((200, 240), _rng(), 0.05), 0, 1)),
    "strong paper texture": lambda: np.clip(on_paper(np.zeros((200, 240))).astype(np.float32)
                                            + 255 * texture((200, 240), _rng(), 0.08), 0, 255
                                            ).astype(np.uint8),
    "faint noise": lambda: np.clip(200 + _rng().normal(0, 4, (150, 150)), 0, 255).astype(np.uint8),
    "lighting gradient": lambda: gradient(np.zeros((150, 200), np.float32), _rng()),
    "blank page JPEG": lambda: jpeg(np.clip(230 + _rng().normal(0, 3, (300, 400)), 0, 255)
                                    .astype(np.uint8), 50),
    "lined paper": lambda: ruled(on_paper(np.zeros((200, 300), np.float32)), _rng()),
    "grid paper": lambda: _grid(),
    "dust specks": lambda: _dust(),
    "shadow across the page": lambda: shadow(np.full((200, 300), 230, np.uint8), _rng()),
}


def _grid() -> np.ndarray:
    """Squared paper: thin horizontal and vertical lines, nothing written."""
    g = np.full((200, 300), 235, np.uint8)
    g[::20] = 170
    g[:, ::20] = 170
    return g


def _dust() -> np.ndarray:
    """White paper with a few isolated dark pixels."""
    g = np.full((200, 200), 240, np.uint8)
    rng = _rng()
    g[rng.integers(0, 200, 12), rng.integers(0, 200, 12)] = 40
    return g


@pytest.mark.parametrize("name", sorted(BLANKS))
def test_blank_is_none(name: str) -> None:
    image = BLANKS[name]()
    assert preprocess(image) is None
    assert not ink_map(image).any()


def test_one_small_digit_on_a_large_blank_page_is_found() -> None:
    page = np.full((1200, 1600), 235, np.uint8)
    page[600:640, 800:806] = 30  # a "1" 40 px tall: 3% of the page height
    x = preprocess(page)
    assert x is not None and x[:, 14].max() == 255


def test_gif_palette_with_transparency() -> None:
    img = Image.new("P", (60, 60), 0)
    img.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    img.paste(1, (28, 10, 33, 50))
    buf = io.BytesIO()
    img.save(buf, "GIF", transparency=0)
    x = preprocess(buf.getvalue())
    assert x is not None and x[:, 14].max() > 200 and x[0].max() == 0
