"""Work budgets: an image over its pixel budget is reduced by a whole factor before the ink map."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from inkread.preprocess import load_reduced, preprocess
from inkread.preprocess.budget import reduce_image, reduce_ink, reduction
from tests.preprocess.conditions import on_paper, page
from tests.support.mnist import Mnist


def test_the_factor_is_the_smallest_that_fits() -> None:
    assert reduction(1000, None) == reduction(1000, 1000) == 1
    assert reduction(1001, 1000) == 2 and reduction(4000, 1000) == 2 and reduction(4001, 1000) == 3
    assert reduction(16_000_000, 1_000_000) == 4


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB", "RGBA", "I;16", "I", "F"])
def test_every_mode_is_reduced_to_the_budget(mode: str) -> None:
    img = Image.new(mode, (301, 200))
    small, f = reduce_image(img, 10_000)
    assert f == 3 and small.width * small.height <= 10_000 and small.size == (101, 67)


def test_a_palette_image_keeps_its_transparency_when_reduced() -> None:
    img = Image.new("P", (40, 40), 0)
    img.info["transparency"] = 0
    small, _ = reduce_image(img, 100)
    assert small.mode == "RGBA" and small.getpixel((0, 0)) == (0, 0, 0, 0)


def test_reduced_ink_averages_blocks_and_pads_with_paper() -> None:
    ink = np.ones((5, 7), np.float32)
    small = reduce_ink(ink, 2)
    assert small.shape == (3, 4) and small[0, 0] == 1.0
    assert small[2, 3] == pytest.approx(0.25) and small[0, 3] == pytest.approx(0.5)  # corners half paper


def test_load_reduced_says_the_factor_and_the_original_size() -> None:
    a = np.full((3000, 2000), 255, np.uint8)
    gray, f, size = load_reduced(a, 1_000_000)
    assert f == 3 and gray.shape == (1000, 667) and size == (2000, 3000) and gray.max() == 1.0
    same = load_reduced(a[:100, :100], 1_000_000)
    assert same.factor == 1 and same.gray.shape == (100, 100)


def test_a_character_in_a_huge_photo_reads_as_in_a_small_one(mnist: Mnist) -> None:
    rng = np.random.default_rng(0)
    for digit in mnist.test.images[:5]:
        small = on_paper(page(digit, rng, 4.0))  # ~ 200 px
        huge = np.kron(small, np.ones((12, 12), np.uint8))  # megapixels: reduced before the ink map
        a, b = preprocess(small), preprocess(huge)
        assert a is not None and b is not None
        assert np.abs(a.astype(int) - b.astype(int)).mean() < 12  # the same 28x28 input, give or take
