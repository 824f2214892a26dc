"""A character cropped to its ink (no margin, strokes touching every border) or stretched to fill a
square is still found and normalised like the same character with paper around it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from inkread.preprocess import preprocess
from tests.conftest import REPO
from tests.support.mnist import Mnist

CVL = REPO.parent / "shared" / "datasets" / "cvl_single_digits" / "cvl_single_digits.npz"


def tight(gray: np.ndarray) -> np.ndarray:
    """The image cut to the box of its dark ink: no paper margin at all."""
    ink = gray < 200
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    return gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def enlarged(gray: np.ndarray, times: int = 3) -> np.ndarray:
    """Bicubic enlargement, as a viewer or scanner at a higher resolution gives."""
    h, w = gray.shape
    return np.asarray(Image.fromarray(gray).resize((w * times, h * times), Image.Resampling.BICUBIC))


def stretched(gray: np.ndarray, side: int = 64) -> np.ndarray:
    """The tight crop stretched to fill a square, its aspect ratio lost (as some form readers store)."""
    return np.asarray(Image.fromarray(tight(gray)).resize((side, side), Image.Resampling.BICUBIC))


FORMS = {"tight": tight, "tight and enlarged": lambda g: enlarged(tight(g)), "stretched": stretched}


def _agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation of two model inputs (28, 28)."""
    return float(np.corrcoef(a.ravel().astype(np.float64), b.ravel().astype(np.float64))[0, 1])


@pytest.mark.parametrize("form", sorted(FORMS))
def test_mnist_digits_cropped_tight_are_found_and_look_the_same(mnist: Mnist, form: str) -> None:
    digits = [d for d, y in zip(mnist.test.images[:80], mnist.test.labels[:80], strict=True) if y != 1]
    inputs = [(preprocess(FORMS[form](255 - d)), preprocess(255 - d)) for d in digits]  # dark on white
    assert all(cropped is not None for cropped, _ in inputs)
    if form != "stretched":  # same aspect ratio: nearly the same model input as with its margin
        alike = [_agreement(cropped, whole) > 0.6 for cropped, whole in inputs
                 if cropped is not None and whole is not None]
        # at 20 x 14 px a thick "0" whose ink and paper cover the image equally can read inverted
        assert sum(alike) >= 0.95 * len(digits)


@pytest.mark.skipif(not CVL.is_file(), reason=f"CVL digits not found at {CVL} (not shipped: research terms)")
@pytest.mark.parametrize("form", sorted(FORMS))
def test_scanned_digits_of_other_writers_cropped_tight_are_found(form: str) -> None:
    data = np.load(CVL)
    test = np.flatnonzero(data["split"] == "test")[::97][:60]  # 60 test writers' digits, spread out
    ones = {int(i) for i in test if str(data["labels"][i]) == "1"}
    empty = [int(i) for i in test if preprocess(FORMS[form](data["images"][i])) is None]
    # a "1" stretched to a square is a bar covering most of it, where paper and ink are ambiguous
    allowed = ones if form == "stretched" else set()
    assert set(empty) <= allowed, f"no ink found in CVL images {empty}"
