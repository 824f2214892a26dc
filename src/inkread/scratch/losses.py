"""Loss functions, each returning the loss and its gradient with respect to the model's output.

Notation: m examples, K outputs; ŷ (m, K) predictions, y targets, z (m, K) logits.
Every loss is an average over the m examples, so its gradient carries a 1/m.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from inkread.scratch.activations import log_softmax, sigmoid
from inkread.scratch.arrays import Array

# (output, targets) -> (loss, ∂loss/∂output)
LossFn = Callable[[Array, Array], tuple[float, Array]]

CLIP = 1e-15  # the course clips probabilities to [ε, 1 − ε] before taking logs


def mse(y_hat: Array, y: Array) -> tuple[float, Array]:
    """MSE = 1/N Σ (ŷ − y)² over all N entries; ∂/∂ŷ = 2(ŷ − y)/N."""
    diff = y_hat - y.reshape(y_hat.shape)
    return float(np.mean(diff * diff)), diff * (2.0 / diff.size)


def half_mse(y_hat: Array, y: Array) -> tuple[float, Array]:
    """The course's E = 1/(2m) Σ_μ (y^μ − ŷ^μ)²; ∂E/∂ŷ = (ŷ − y)/m."""
    diff = y_hat - y.reshape(y_hat.shape)
    m = diff.shape[0]
    return float(np.sum(diff * diff) / (2 * m)), diff / m


def binary_log_loss(y_hat: Array, y: Array) -> tuple[float, Array]:
    """E = −1/m Σ [y ln ŷ + (1 − y) ln(1 − ŷ)] on probabilities ŷ (clipped as in the course)."""
    p = np.clip(y_hat, CLIP, 1 - CLIP)
    y = y.reshape(p.shape).astype(p.dtype)
    m = p.shape[0]
    loss = -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / m
    return float(loss), (p - y) / (p * (1 - p)) / m


def binary_cross_entropy_logits(z: Array, y: Array) -> tuple[float, Array]:
    """Log-loss of ŷ = σ(z) from logits, stable: max(z, 0) − z·y + ln(1 + e^(−|z|)); ∂/∂z = (ŷ − y)/m."""
    y = y.reshape(z.shape).astype(z.dtype)
    m = z.shape[0]
    loss = np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))) / m
    return float(loss), (sigmoid(z) - y) / m


def multiclass_log_loss(y_hat: Array, Y: Array) -> float:
    """The course's E = −1/m Σ_i Σ_j y_ij ln ŷ_ij on probabilities ŷ (m, K) and one-hot Y (m, K)."""
    p = np.clip(y_hat, CLIP, 1 - CLIP)
    return float(-np.sum(Y * np.log(p)) / p.shape[0])


def cross_entropy(z: Array, y: Array) -> tuple[float, Array]:
    """Cross-entropy of softmax(z) from logits z (m, K) and integer labels y (m,) or one-hot (m, K).

    E = −1/m Σ_i log softmax(z_i)[y_i];  ∂E/∂z = (softmax(z) − Y)/m, the δ of the output layer.
    """
    log_p = log_softmax(z)  # (m, K)
    m = z.shape[0]
    dz = np.exp(log_p)  # softmax(z), (m, K)
    if y.ndim == 1:
        rows = np.arange(m)
        loss = -log_p[rows, y].sum() / m
        dz[rows, y] -= 1
    else:
        loss = -(y * log_p).sum() / m
        dz -= y
    dz *= 1.0 / m
    return float(loss), dz


def l2_penalty(weights: Sequence[Array], lam: float) -> tuple[float, list[Array]]:
    """The course's regulariser λ‖W‖² = λ Σ w²; its gradient is 2λW for each weight array."""
    loss = lam * sum(float(np.sum(W * W)) for W in weights)
    return loss, [2.0 * lam * W for W in weights]


LOSSES: dict[str, LossFn] = {
    "cross_entropy": cross_entropy,
    "binary": binary_cross_entropy_logits,
    "mse": mse,
    "half_mse": half_mse,
}
