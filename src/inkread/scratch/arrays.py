"""The array type used throughout the engine."""

from __future__ import annotations

from typing import Any

from numpy.typing import NDArray

# Any float array: float32 in training (fast BLAS), float64 in gradient checks.
Array = NDArray[Any]
