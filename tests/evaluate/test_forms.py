"""The forms users hand us: each is what it says, and preprocessing finds the character in every one."""

from __future__ import annotations

import numpy as np
import pytest

from inkread.data import collections
from inkread.data.collections import COLLECTIONS
from inkread.data.real import load_real
from inkread.evaluate.forms import FORMS, binary16, ink_mask, tight
from inkread.preprocess import preprocess
from tests.support.mnist import Mnist

PRESENT = sorted(n for n in COLLECTIONS if (collections.shared_datasets() / COLLECTIONS[n].folder).is_dir())


def _paper(mnist: Mnist, i: int) -> np.ndarray:
    """An MNIST test digit as dark ink on white paper, stored at 28 x 28."""
    return (255 - mnist.test.images[i]).astype(np.uint8)


def test_each_form_does_what_it_says(mnist: Mnist) -> None:
    gray, rng = _paper(mnist, 0), np.random.default_rng(0)
    cropped = ink_mask(tight(gray, rng))
    assert cropped[0].any() and cropped[-1].any() and cropped[:, 0].any() and cropped[:, -1].any()
    assert set(np.unique(binary16(gray, rng))) <= {0, 255}
    for name, form in FORMS.items():
        out = form(gray, rng)
        assert out.dtype == np.uint8 and out.ndim in (2, 3), name
    assert FORMS["photographed"](gray, rng).ndim == 3 and FORMS["patterned"](gray, rng).ndim == 3


@pytest.mark.parametrize("form", sorted(FORMS))
def test_preprocessing_finds_mnist_digits_in_every_form(mnist: Mnist, form: str) -> None:
    for i in range(12):
        assert preprocess(FORMS[form](_paper(mnist, i), np.random.default_rng(i))) is not None, i


@pytest.mark.skipif(not PRESENT, reason=f"no collection in {collections.shared_datasets()} (not shipped)")
@pytest.mark.parametrize("name", PRESENT)
def test_preprocessing_finds_real_digits_in_every_form(name: str) -> None:
    s = load_real(name)
    digits = np.flatnonzero(s.test & np.isin(s.labels, list("023456789")))[::53][:6]  # "1": see test_cropped
    for form, make in FORMS.items():
        made = [make(s.images[i], np.random.default_rng(int(i))) for i in digits]
        lost = [int(i) for i, image in zip(digits, made, strict=True) if preprocess(image) is None]
        assert not lost, f"{name} {form}: no ink found in {lost}"
