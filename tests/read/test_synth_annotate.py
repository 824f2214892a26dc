"""Synthetic strings are seeded and varied; annotated images are written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inkread.read.annotate import ACCEPTED, REJECTED, write_annotated
from inkread.read.reader import Character, Reading
from tests.support.mnist import Mnist
from tests.support.synth import BACKGROUNDS, SynthConfig, synth_string


def test_synth_is_seeded(mnist: Mnist) -> None:
    a, ta = synth_string(mnist.test, 11)
    b, tb = synth_string(mnist.test, 11)
    c, tc = synth_string(mnist.test, 12)
    assert ta == tb and np.array_equal(a, b)
    assert (tc, c.shape) != (ta, a.shape)


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_synth_backgrounds(mnist: Mnist, background: str) -> None:
    config = SynthConfig(backgrounds=(background,))
    image, text = synth_string(mnist.test, 0, config)
    assert image.dtype == np.uint8 and image.ndim == 2
    assert 4 <= len(text) <= 8 and text.isdigit()
    border = np.concatenate([image[0], image[-1]])
    assert (np.median(border) < 128) == (background == "light-on-dark")


def test_annotated_png(tmp_path: Path) -> None:
    image = np.full((60, 120), 230, np.uint8)
    chars = (Character((10, 10, 40, 50), "3", 0.99, (("3", 0.99), ("8", 0.01), ("5", 0.0)), False),
             Character((60, 10, 90, 50), "7", 0.4, (("7", 0.4), ("1", 0.3), ("2", 0.1)), True))
    out = write_annotated(image, Reading("3?", chars), tmp_path / "sub" / "out.png")
    assert out.is_file() and sorted(p.name for p in out.parent.iterdir()) == ["out.png"]
    rgb = np.asarray(Image.open(out).convert("RGB"))
    assert rgb.shape[0] >= 240  # small images are enlarged for legible labels
    colours = {tuple(int(v) for v in px) for px in rgb.reshape(-1, 3)}
    assert ACCEPTED in colours and REJECTED in colours
