"""Gradient clipping, against exploding gradients: by value, or by the global norm."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from inkread.scratch.arrays import Array


def clip_grad_value(grads: Sequence[Array], clip: float) -> None:
    """Clamp every gradient entry to [−clip, clip], in place."""
    for g in grads:
        np.clip(g, -clip, clip, out=g)


def clip_grad_norm(grads: Sequence[Array], max_norm: float) -> float:
    """Scale all gradients by min(1, max_norm / (‖g‖ + 1e-6)) in place; return the norm ‖g‖ before."""
    total = float(np.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in grads)))
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g *= coef
    return total
