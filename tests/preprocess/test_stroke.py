"""Pen width: hairlines and thick markers are brought into MNIST's range of stroke widths."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from inkread.preprocess import preprocess
from inkread.preprocess.normalize import crop_to_ink
from inkread.preprocess.stroke import HIGH, LOW, WORK, stroke_width, to_work_size


def _drawn_seven(width: int, size: int = 400) -> np.ndarray:
    """A "7" drawn with a round pen `width` px wide on a white size x size canvas."""
    img = Image.new("L", (size, size), 255)
    d = ImageDraw.Draw(img)
    s = size / 100
    d.line([(30 * s, 20 * s), (70 * s, 20 * s), (45 * s, 85 * s)], fill=0, width=width, joint="curve")
    return np.asarray(img)


def _ratio(x: np.ndarray) -> float:
    """Stroke width of a model input as a fraction of its ink's longer side."""
    crop = crop_to_ink(x.astype(np.float32) / 255.0)
    assert crop is not None
    return stroke_width(to_work_size(crop)) / WORK


@pytest.mark.parametrize("pen", [1, 2, 60])
def test_pen_widths_end_in_mnists_range(pen: int) -> None:
    x = preprocess(_drawn_seven(pen))
    assert x is not None
    assert LOW * 0.9 <= _ratio(x) <= HIGH * 1.1
    assert x.max() == 255  # a hairline is not left as faint grey


def test_ordinary_pen_is_left_alone() -> None:
    x = preprocess(_drawn_seven(30))
    assert x is not None and LOW <= _ratio(x) <= HIGH
