"""Test digits rendered as real input and preprocessed: seeded, varied, readable, the same in workers."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from inkread.core.errors import InkreadError
from inkread.core.model import Classify
from inkread.evaluate import prepared as P
from tests.support.mnist import Mnist


@pytest.fixture(scope="module")
def digits(mnist: Mnist) -> tuple[np.ndarray, np.ndarray]:
    """120 MNIST test digits and labels."""
    return mnist.test.images[:120], mnist.test.labels[:120]


def test_looks_cover_every_rendering_and_are_prefix_stable() -> None:
    looks = P.draw_looks(2000, seed=3)
    assert set(looks.paper.tolist()) == set(range(len(P.PAPERS)))
    assert looks.light_on_dark.any() and not looks.light_on_dark.all()
    assert (looks.quality == 0).any() and (looks.quality >= P.JPEG_QUALITY[0]).any()
    assert (looks.pen < 0).any() and (looks.pen > 0).any() and (looks.pen == 0).any()
    assert P.FACTORS[0] <= looks.factor.min() and looks.factor.max() <= P.FACTORS[1]
    head = P.draw_looks(10, seed=3)
    assert np.array_equal(head.factor, looks.factor[:10]) and np.array_equal(head.pen, looks.pen[:10])
    assert not np.array_equal(P.draw_looks(10, seed=4).factor, head.factor)


def test_render_makes_image_files_of_the_drawn_size(digits: tuple[np.ndarray, np.ndarray]) -> None:
    looks = P.draw_looks(40, seed=0)
    for i in range(40):
        data = P.render(digits[0][i], looks, i, np.random.default_rng([0, i]))
        with Image.open(io.BytesIO(data)) as im:
            assert im.format == ("JPEG" if looks.quality[i] else "PNG")
            side = round(28 * looks.factor[i]) + 2 * max(int(looks.pen[i]), 0)
            assert side + P.MARGIN[0] <= im.height <= side + P.MARGIN[1]


def test_prepared_copy_is_seeded_and_readable(digits: tuple[np.ndarray, np.ndarray],
                                              classify: Classify) -> None:
    images, labels = digits
    a = P.prepared_copy(images, seed=0, workers=1)
    assert a.images.shape == images.shape and a.images.dtype == np.uint8 and a.found.all()
    head = P.prepared_copy(images[:30], seed=0, workers=1)
    assert np.array_equal(head.images, a.images[:30])  # image i depends on (seed, i) only
    assert not np.array_equal(P.prepared_copy(images[:30], seed=1, workers=1).images, head.images)
    assert not np.array_equal(a.images, images)  # really re-rendered, not passed through
    clean = (classify(images).argmax(1) == labels).mean()
    real = (classify(a.images).argmax(1) == labels).mean()
    assert real >= clean - 0.05, (real, clean)  # measured: equal on these 120 with the quick CNN


def test_workers_give_the_same_images(digits: tuple[np.ndarray, np.ndarray],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(P, "INLINE_MAX", 0)  # use the pool even for a dozen images
    images = digits[0][:12]
    pooled = P.prepared_copy(images, seed=5, workers=2)
    assert np.array_equal(pooled.images, P.prepared_copy(images, seed=5, workers=1).images)


def test_bad_input_is_refused() -> None:
    with pytest.raises(InkreadError, match="shape"):
        P.prepared_copy(np.zeros((3, 32, 32), np.uint8))
