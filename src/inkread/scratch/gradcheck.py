"""Finite-difference gradients, the ground truth every backward pass is checked against."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from inkread.scratch.arrays import Array


def numerical_grad(f: Callable[[], float], x: Array, eps: float = 1e-6) -> Array:
    """∂f/∂x by central differences (f(x + ε) − f(x − ε)) / 2ε, perturbing x in place (float64)."""
    grad = np.zeros_like(x, dtype=np.float64)
    flat, g = x.reshape(-1), grad.reshape(-1)  # views: writing flat[i] changes x
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        up = f()
        flat[i] = keep - eps
        down = f()
        flat[i] = keep
        g[i] = (up - down) / (2 * eps)
    return grad
