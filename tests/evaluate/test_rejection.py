"""Saying "not a digit": the operating threshold and the shares it rejects."""

from __future__ import annotations

import numpy as np

from inkread.evaluate.rejection import at_threshold, operating_threshold


def test_the_operating_threshold_accepts_the_asked_share_of_digits() -> None:
    digits = np.linspace(0.5, 1.0, 101)  # 101 confidences
    t = operating_threshold(digits, 0.98)
    assert np.mean(digits >= t) >= 0.98 and np.mean(digits >= np.nextafter(t, 2.0)) < 0.98
    r = at_threshold(t, digits, {"letters": np.array([0.1, 0.6, 0.99, 0.2])})
    assert r.digits_accepted >= 0.98 and r.rejected == {"letters": 0.5}  # 0.1 and 0.2 are below 0.51
