"""Training by gradient descent: batch, stochastic (B = 1) and mini-batch, through one `fit`.

Each epoch visits the samples in a seeded random order, in batches of B; per batch:
forward → loss and δ = ∂E/∂output → backward (fills the gradients) → clip → optimiser step.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from inkread.core.errors import ConfigError
from inkread.scratch.arrays import Array
from inkread.scratch.clip import clip_grad_norm, clip_grad_value
from inkread.scratch.losses import LOSSES, LossFn
from inkread.scratch.optim import Adam, Optimizer
from inkread.scratch.schedule import StepLR


class Model(Protocol):
    """What `fit` needs: forward/backward on a batch and aligned parameter/gradient arrays."""

    @property
    def params(self) -> list[Array]: ...

    @property
    def grads(self) -> list[Array]: ...

    def forward(self, x: Array, train: bool = False) -> Array: ...

    def backward(self, dy: Array) -> None: ...

    def predict_logits(self, X: Array, batch_size: int = 4096) -> Array: ...


@dataclass
class History:
    """Per-epoch loss, accuracy, learning rate and training seconds, plus early-stopping facts."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return asdict(self)


def batch_indices(n: int, batch_size: int | None, rng: np.random.Generator) -> Iterator[Array]:
    """Shuffled index batches of `batch_size` (None or ≥ n: one full batch, in order)."""
    if batch_size is None or batch_size >= n:
        yield np.arange(n)
        return
    order = rng.permutation(n)
    for i in range(0, n, batch_size):
        yield order[i:i + batch_size]


def correct_count(out: Array, y: Array) -> int:
    """Number of right predictions: argmax for K outputs, out > 0 for one (0 for non-label targets)."""
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        return 0
    pred = (out[:, 0] > 0) if out.shape[1] == 1 else out.argmax(axis=1)
    return int(np.count_nonzero(pred == y))


def get_loss(loss: str | LossFn) -> LossFn:
    """A loss function by name (cross_entropy, binary, mse, half_mse) or the callable itself."""
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ConfigError(f"unknown loss '{loss}'", expected="one of " + ", ".join(LOSSES))
    return LOSSES[loss]


class Trainer:
    """Runs epochs of gradient descent on a model; keeps the RNG so epochs continue the sequence."""

    def __init__(self, model: Model, optimizer: Optimizer, loss: str | LossFn = "cross_entropy",
                 batch_size: int | None = 128, seed: int = 0, clip_norm: float | None = None,
                 clip_value: float | None = None) -> None:
        if batch_size is not None and batch_size < 1:
            raise ConfigError(f"batch size {batch_size}", expected="a positive integer (1 = SGD)")
        self.model, self.optimizer, self.loss_fn = model, optimizer, get_loss(loss)
        self.batch_size, self.rng = batch_size, np.random.default_rng(seed)
        self.clip_norm, self.clip_value = clip_norm, clip_value
        self._xbuf: dict[int, Array] = {}

    def _gather(self, X: Array, idx: Array) -> Array:
        """X[idx] copied into a reused buffer (the whole X when the batch is everything)."""
        if len(idx) == len(X):
            return X
        buf = self._xbuf.get(len(idx))
        if buf is None or buf.shape[1:] != X.shape[1:] or buf.dtype != X.dtype:
            buf = self._xbuf[len(idx)] = np.empty((len(idx), *X.shape[1:]), dtype=X.dtype)
        return np.take(X, idx, axis=0, out=buf)

    def train_step(self, xb: Array, yb: Array) -> tuple[float, int]:
        """One update on a batch; returns the batch's loss and number of right predictions."""
        out = self.model.forward(xb, train=True)
        loss, delta = self.loss_fn(out, yb)  # δ = ∂E/∂output, (B, K)
        right = correct_count(out, yb)
        self.model.backward(delta)
        if self.clip_value is not None:
            clip_grad_value(self.model.grads, self.clip_value)
        if self.clip_norm is not None:
            clip_grad_norm(self.model.grads, self.clip_norm)
        self.optimizer.step()
        return loss, right

    def run_epoch(self, X: Array, y: Array,
                  on_batch: Callable[[], None] | None = None) -> tuple[float, float]:
        """One pass over (X, y); returns the mean training loss and accuracy."""
        X = np.asarray(X, dtype=self.model.params[0].dtype)  # no copy when it already matches
        total_loss, total_right = 0.0, 0
        for idx in batch_indices(len(X), self.batch_size, self.rng):
            loss, right = self.train_step(self._gather(X, idx), y[idx])
            total_loss += loss * len(idx)
            total_right += right
            if on_batch is not None:
                on_batch()
        return total_loss / max(len(X), 1), total_right / max(len(X), 1)


def evaluate_arrays(model: Model, X: Array, y: Array, loss: str | LossFn = "cross_entropy",
             batch_size: int = 4096) -> tuple[float, float]:
    """Mean loss and accuracy of the model on (X, y), without training."""
    out = model.predict_logits(X, batch_size)
    value, _ = get_loss(loss)(out, y)
    return value, correct_count(out, y) / max(len(y), 1)


class EarlyStopping:
    """Stop when the validation loss has not improved for `patience` epochs; keep the best weights."""

    def __init__(self, model: Model, patience: int) -> None:
        self.model, self.patience = model, patience
        self.best_loss, self.best_epoch, self.best = np.inf, -1, [p.copy() for p in model.params]

    def update(self, epoch: int, val_loss: float) -> bool:
        """Record an epoch's validation loss; True when training should stop."""
        if val_loss < self.best_loss:
            self.best_loss, self.best_epoch = val_loss, epoch
            self.best = [p.copy() for p in self.model.params]
        return epoch - self.best_epoch >= self.patience

    def restore(self) -> None:
        """Put the best parameters back into the model."""
        for p, b in zip(self.model.params, self.best, strict=True):
            p[...] = b


def _validate(model: Model, validation: tuple[Array, Array], loss: LossFn, hist: History,
              stopper: EarlyStopping | None) -> bool:
    """Record validation loss and accuracy; True when early stopping says stop."""
    va_loss, va_acc = evaluate_arrays(model, *validation, loss=loss)
    hist.val_loss.append(va_loss)
    hist.val_acc.append(va_acc)
    return stopper is not None and stopper.update(len(hist.val_loss) - 1, va_loss)


def fit_arrays(model: Model, X: Array, y: Array, *, optimizer: Optimizer | None = None,
        loss: str | LossFn = "cross_entropy", epochs: int = 10, batch_size: int | None = 128,
        seed: int = 0, validation: tuple[Array, Array] | None = None, patience: int | None = None,
        schedule: StepLR | None = None, clip_norm: float | None = None,
        clip_value: float | None = None,
        on_epoch: Callable[[int, History], None] | None = None,
        on_batch: Callable[[], None] | None = None) -> History:
    """Train for `epochs` (batch_size None: batch GD, 1: stochastic GD, else mini-batch GD)."""
    optimizer = optimizer or Adam(model.params, model.grads)
    trainer = Trainer(model, optimizer, loss, batch_size, seed, clip_norm, clip_value)
    stopper = EarlyStopping(model, patience) if patience is not None and validation else None
    hist = History()
    for epoch in range(epochs):
        hist.lr.append(optimizer.lr)
        start = time.perf_counter()
        tr_loss, tr_acc = trainer.run_epoch(X, y, on_batch)
        hist.seconds.append(time.perf_counter() - start)
        hist.train_loss.append(tr_loss)
        hist.train_acc.append(tr_acc)
        if schedule is not None:
            schedule.step()
        if validation is not None:
            hist.stopped_early = _validate(model, validation, trainer.loss_fn, hist, stopper)
        if on_epoch is not None:
            on_epoch(epoch, hist)
        if hist.stopped_early:
            break
    if stopper is not None:
        stopper.restore()
        hist.best_epoch = stopper.best_epoch
    return hist
