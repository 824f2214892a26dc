"""Logistic regression: ŷ = σ(w·x + b), trained on the log-loss.

Two views of one algorithm (the course shows both):
  gradient descent on E = −1/m Σ [y ln ŷ + (1 − y) ln(1 − ŷ)]:  w ← w − η · 1/m Xᵀ(ŷ − y)
  gradient ascent on ℓ = Σ [y ln ŷ + (1 − y) ln(1 − ŷ)] = −mE:     w ← w + α · Xᵀ(y − ŷ)
With α = η/m they take exactly the same steps (tests check the parameters are identical).
For K classes, `softmax_regression` is the multinomial version: softmax(xW + b) with cross-entropy.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from inkread.scratch.activations import sigmoid
from inkread.scratch.arrays import Array
from inkread.scratch.layers import Linear
from inkread.scratch.losses import binary_log_loss
from inkread.scratch.network import Sequential


class LogisticRegression:
    """Binary logistic regression with weights w (n,) and bias b, starting from zero."""

    def __init__(self, n_in: int) -> None:
        self.w: Array = np.zeros(n_in)  # (n,), float64: small problems, exact comparisons
        self.b = 0.0

    def predict_proba(self, X: Array) -> Array:
        """ŷ = σ(Xw + b), (m,)."""
        return sigmoid(np.asarray(X, dtype=np.float64) @ self.w + self.b)

    def predict(self, X: Array) -> Array:
        """1 where ŷ ≥ 0.5 (w·x + b ≥ 0, the decision boundary), else 0."""
        return (self.predict_proba(X) >= 0.5).astype(np.int64)

    def log_loss(self, X: Array, y: Array) -> float:
        """E, the mean log-loss (cross-entropy)."""
        return binary_log_loss(self.predict_proba(X), np.asarray(y, dtype=np.float64))[0]

    def log_likelihood(self, X: Array, y: Array) -> float:
        """ℓ = Σ [y ln ŷ + (1 − y) ln(1 − ŷ)] = −m E."""
        return -len(y) * self.log_loss(X, y)

    def descent_step(self, X: Array, y: Array, lr: float) -> None:
        """w ← w − η ∂E/∂w with ∂E/∂w = 1/m Xᵀ(ŷ − y), ∂E/∂b = 1/m Σ (ŷ − y)."""
        err = self.predict_proba(X) - y  # ŷ − y, (m,)
        self.w -= lr * (X.T @ err / len(y))
        self.b -= lr * (err.sum() / len(y))

    def ascent_step(self, X: Array, y: Array, alpha: float) -> None:
        """w ← w + α ∂ℓ/∂w with ∂ℓ/∂w = Σ (y − ŷ) x, ∂ℓ/∂b = Σ (y − ŷ)."""
        err = y - self.predict_proba(X)  # y − ŷ, (m,)
        self.w += alpha * (X.T @ err)
        self.b += alpha * err.sum()

    def fit(self, X: Array, y: Array, lr: float = 0.1, epochs: int = 1000,
            method: Literal["descent", "ascent"] = "descent") -> list[float]:
        """Full-batch training; "ascent" uses α = η/m so both methods take the same steps."""
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
        losses = []
        for _ in range(epochs):
            if method == "descent":
                self.descent_step(X, y, lr)
            else:
                self.ascent_step(X, y, lr / len(y))
            losses.append(self.log_loss(X, y))
        return losses


def softmax_regression(n_in: int, n_classes: int, seed: int = 0) -> Sequential:
    """Multinomial logistic regression: one linear layer whose logits go to softmax cross-entropy."""
    return Sequential([Linear(n_in, n_classes, "xavier_uniform", np.random.default_rng(seed))])
