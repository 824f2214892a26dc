"""The perceptron: ŷ = step(W x + b), trained by the perceptron trick.

The trick, for a misclassified point: if y = 1 but ŷ = 0, move the line towards the point
(W ← W + ηx, b ← b + η); if y = 0 but ŷ = 1, move it away (W ← W − ηx, b ← b − η). Both cases
are W ← W + η(y − ŷ)x, zero for correctly classified points. Here it is applied to a whole
batch at once, averaging (y − ŷ)x over the batch; batch size 1 is Rosenblatt's original rule.

More than two classes: one-vs-rest. Perceptron k answers "is it class k?" (column k of W, K
columns in all) and the class is the one with the largest score W_k x + b_k, since several
step outputs may be 1 at once. On data no line separates (MNIST) the trick never settles, so
`fit(average=True)` ends each epoch at the mean of the epoch's weights (the averaged perceptron).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from inkread.scratch.activations import step
from inkread.scratch.arrays import Array
from inkread.scratch.train import batch_indices


class Perceptron:
    """A binary perceptron, or K one-vs-rest perceptrons for K > 2 classes."""

    def __init__(self, n_in: int, n_classes: int = 2, dtype: DTypeLike = np.float32) -> None:
        self.n_classes = n_classes
        n_out = 1 if n_classes == 2 else n_classes
        self.W: Array = np.zeros((n_in, n_out), dtype=dtype)  # (n, K); column k = perceptron k
        self.b: Array = np.zeros(n_out, dtype=dtype)  # (K,)

    @property
    def params(self) -> list[Array]:
        """W and b."""
        return [self.W, self.b]

    def config(self) -> dict[str, Any]:
        """Sizes, for saving."""
        return {"n_in": int(self.W.shape[0]), "n_classes": self.n_classes}

    def scores(self, X: Array) -> Array:
        """W x + b for every sample: (N, n) @ (n, K) + (K,) -> (N, K)."""
        return np.asarray(X, dtype=self.W.dtype) @ self.W + self.b

    def predict(self, X: Array) -> Array:
        """Class indices (N,): the step output for two classes, the top score for more."""
        s = self.scores(X)
        return step(s[:, 0]).astype(np.int64) if s.shape[1] == 1 else s.argmax(axis=1)

    def targets(self, y: Array) -> Array:
        """Labels (N,) -> 0/1 targets (N, K): y itself for two classes, one-vs-rest for more."""
        if self.W.shape[1] == 1:
            return y.reshape(-1, 1).astype(self.W.dtype)
        return (y[:, None] == np.arange(self.W.shape[1])).astype(self.W.dtype)

    def trick(self, xb: Array, yb: Array, lr: float) -> int:
        """One perceptron-trick update on a batch; returns how many step outputs were wrong."""
        err = self.targets(yb) - step(self.scores(xb))  # y − ŷ ∈ {−1, 0, 1}, (B, K)
        self.W += (lr / len(xb)) * (xb.T @ err)  # W ← W + η mean (y − ŷ) x
        self.b += lr * err.mean(axis=0)
        return int(np.count_nonzero(err))

    def fit(self, X: Array, y: Array, epochs: int = 10, lr: float = 1.0,
            batch_size: int | None = 1, seed: int = 0, average: bool = False) -> list[float]:
        """Apply the trick over seeded shuffled batches; returns the training accuracy per epoch.

        With `average`, each epoch ends by replacing W, b with their mean over the epoch's
        updates (the averaged perceptron), which stops the oscillation on non-separable data.
        """
        X = np.asarray(X, dtype=self.W.dtype)
        rng, accs = np.random.default_rng(seed), []
        for _ in range(epochs):
            sum_W, sum_b, n = np.zeros_like(self.W), np.zeros_like(self.b), 0
            for idx in batch_indices(len(X), batch_size, rng):
                self.trick(X[idx], y[idx], lr)
                if average:
                    sum_W += self.W
                    sum_b += self.b
                    n += 1
            if average and n:
                self.W[...], self.b[...] = sum_W / n, sum_b / n
            accs.append(float(np.mean(self.predict(X) == y)))
        return accs
