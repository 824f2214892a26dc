"""The array type used throughout the engine and a helper to keep dtypes consistent."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

# Any float array: float32 in training (fast BLAS), float64 in gradient checks.
Array = NDArray[Any]


def as_array(x: Any, dtype: DTypeLike = np.float32) -> Array:
    """Convert `x` to a C-contiguous array of `dtype` without copying when it already is one."""
    return np.ascontiguousarray(x, dtype=dtype)
