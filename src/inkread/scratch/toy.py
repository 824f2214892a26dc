"""Seeded 2-D toy datasets for decision-boundary pictures: linear, XOR and two moons."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from inkread.scratch.arrays import Array

Maker = Callable[[int, int], tuple[Array, Array]]


def linear(n: int = 200, seed: int = 0) -> tuple[Array, Array]:
    """Points in [−1, 1]² labelled by the line x₂ = 0.6x₁ + 0.1, with an empty margin around it."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(4 * n, 2))
    side = X[:, 1] - 0.6 * X[:, 0] - 0.1
    X, side = X[np.abs(side) > 0.12][:n], side[np.abs(side) > 0.12][:n]
    return X, (side > 0).astype(np.int64)


def xor(n: int = 200, seed: int = 0) -> tuple[Array, Array]:
    """Points in [−1, 1]², class 1 where x₁ and x₂ have the same sign, away from the axes."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(4 * n, 2))
    X = X[(np.abs(X) > 0.1).all(axis=1)][:n]
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.int64)


def moons(n: int = 200, seed: int = 0, noise: float = 0.12) -> tuple[Array, Array]:
    """Two interleaving half circles with Gaussian noise (like scikit-learn's make_moons)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, size=n)
    X = np.stack([np.cos(t), np.sin(t)], axis=1)
    X[y == 1] = np.stack([1 - np.cos(t[y == 1]), 0.5 - np.sin(t[y == 1])], axis=1)
    X += rng.normal(0, noise, size=X.shape)
    return X, y.astype(np.int64)


TOY: dict[str, Maker] = {"linear": linear, "xor": xor, "moons": moons}
