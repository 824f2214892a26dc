"""Shared test helpers: torch conversions (tests only) and finite-difference checks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from inkread.scratch.gradcheck import numerical_grad
from inkread.scratch.layers import Layer

RNG_SHAPES = [(1, 1), (3, 5), (7, 4), (16, 10)]


def t64(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    """A float64 torch copy of `a`, optionally tracking gradients."""
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def npy(t: torch.Tensor | None) -> np.ndarray:
    """Back to NumPy (a gradient that autograd left as None fails here, by name)."""
    assert t is not None, "torch gave no tensor here: a gradient autograd did not compute"
    return t.detach().numpy()


def check_layer_fd(layer: Layer, x: np.ndarray, seed: int = 0, tol: float = 1e-6,
                   train: bool = False) -> None:
    """Finite differences of f = Σ R ⊙ layer(x) against layer.backward(R), for x and parameters."""
    R = np.random.default_rng(seed).standard_normal(layer.forward(x, train).shape)

    def f() -> float:
        return float(np.sum(R * layer.forward(x, train)))

    layer.forward(x, train)
    dx = layer.backward(R).copy()
    grads = [g.copy() for g in layer.grads]
    np.testing.assert_allclose(dx, numerical_grad(f, x), rtol=tol, atol=tol)
    for p, g in zip(layer.params, grads, strict=True):
        np.testing.assert_allclose(g, numerical_grad(f, p), rtol=tol, atol=tol)


def check_fn_fd(fn: Callable[[np.ndarray], tuple[float, np.ndarray]], x: np.ndarray,
                tol: float = 1e-6) -> None:
    """Finite differences of a (loss, grad) function against its own gradient."""
    _, grad = fn(x)
    np.testing.assert_allclose(grad, numerical_grad(lambda: fn(x)[0], x), rtol=tol, atol=tol)
