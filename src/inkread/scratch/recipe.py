"""The `inkread scratch train` recipe: load a dataset, build a model, train it, report accuracy.

Defaults (chosen so the MLP passes 98 % on MNIST by epoch 4 and ends near 98.2 %):
  mlp         784 → 256 → 128 → 10, ReLU, He init, Adam η = 1e-3, B = 128, 8 epochs, η × 0.2 every 3
  logreg      softmax regression 784 → 10, Adam η = 1e-3, B = 128, 5 epochs
  perceptron  10 one-vs-rest perceptrons, perceptron trick η = 1, B = 128, 5 epochs, averaged
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inkread.core.errors import ConfigError
from inkread.scratch.logreg import softmax_regression
from inkread.scratch.mnist import ArraySplits, load_arrays
from inkread.scratch.network import Sequential, build_mlp
from inkread.scratch.optim import OPTIMIZERS, make_optimizer
from inkread.scratch.perceptron import Perceptron
from inkread.scratch.schedule import StepLR
from inkread.scratch.serialize import save_model
from inkread.scratch.train import History, evaluate_arrays, fit_arrays

MODELS = ("perceptron", "logreg", "mlp")
DEFAULTS: dict[str, dict[str, Any]] = {
    "mlp": {"lr": 1e-3, "epochs": 8, "lr_step": 3, "lr_gamma": 0.2},
    "logreg": {"lr": 1e-3, "epochs": 5, "lr_step": None, "lr_gamma": 0.1},
    "perceptron": {"lr": 1.0, "epochs": 5, "lr_step": None, "lr_gamma": 0.1},
}


@dataclass
class ScratchConfig:
    """Everything `inkread scratch train` can set; None means the model's default."""

    model: str = "mlp"
    hidden: tuple[int, ...] = (256, 128)
    optimizer: str = "adam"
    lr: float | None = None
    epochs: int | None = None
    batch_size: int = 128
    dataset: str = "mnist"
    data_dir: str | Path | None = None
    seed: int = 0
    limit: int | None = None
    dropout: float = 0.0
    weight_decay: float = 0.0
    lr_step: int | None = None
    lr_gamma: float | None = None
    val_fraction: float = 0.1
    save: str | Path | None = None

    def resolved(self, key: str) -> Any:
        """The value of lr, epochs, lr_step or lr_gamma, falling back to the model's default."""
        value = getattr(self, key)
        return DEFAULTS[self.model][key] if value is None else value


@dataclass
class Callbacks:
    """Progress hooks: total batches once, every batch, and every epoch (with its summary)."""

    on_start: Callable[[int], None] | None = None
    on_batch: Callable[[], None] | None = None
    on_epoch: Callable[[int, dict[str, float]], None] | None = None


def parse_hidden(text: str) -> tuple[int, ...]:
    """'256,128' -> (256, 128); anything else is a ConfigError naming the bad part."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ConfigError(f"--hidden '{text}' is not a list of layer sizes",
                          expected="positive integers separated by commas, e.g. 256,128")
    return tuple(int(p) for p in parts)


def validate(cfg: ScratchConfig) -> None:
    """Reject unknown names and out-of-range numbers before any data is loaded."""
    if cfg.model not in MODELS:
        raise ConfigError(f"unknown model '{cfg.model}'", expected="one of " + ", ".join(MODELS))
    if cfg.optimizer not in OPTIMIZERS:
        raise ConfigError(f"unknown optimizer '{cfg.optimizer}'",
                          expected="one of " + ", ".join(OPTIMIZERS))
    lr, epochs = cfg.resolved("lr"), cfg.resolved("epochs")
    checks = [(lr > 0, f"--lr {lr}", "a positive learning rate"),
              (epochs >= 1, f"--epochs {epochs}", "at least 1"),
              (cfg.batch_size >= 1, f"--batch-size {cfg.batch_size}",
               "at least 1 (1 = stochastic gradient descent)"),
              (0.0 <= cfg.dropout < 1.0, f"--dropout {cfg.dropout}", "a probability in [0, 1)"),
              (cfg.limit is None or cfg.limit >= 1, f"--limit {cfg.limit}",
               "a positive number of training samples")]
    for ok, what, expected in checks:
        if not ok:
            raise ConfigError(f"{what} is out of range", expected=expected)


def build_network(cfg: ScratchConfig, n_in: int, n_classes: int) -> Sequential | Perceptron:
    """The network the config names, for n_in inputs and n_classes outputs."""
    if cfg.model == "perceptron":
        return Perceptron(n_in, n_classes)
    if cfg.model == "logreg":
        return softmax_regression(n_in, n_classes, cfg.seed)
    return build_mlp([n_in, *cfg.hidden, n_classes], dropout=cfg.dropout, seed=cfg.seed)


def _train_perceptron(p: Perceptron, data: ArraySplits, cfg: ScratchConfig,
                      cb: Callbacks) -> History:
    """The averaged perceptron trick epoch by epoch, with validation accuracy after each."""
    hist, n_batches = History(), math.ceil(len(data.X_train) / cfg.batch_size)
    for epoch in range(cfg.resolved("epochs")):
        start = time.perf_counter()
        acc = p.fit(data.X_train, data.y_train, 1, cfg.resolved("lr"), cfg.batch_size,
                    cfg.seed + epoch, average=True)[0]
        hist.seconds.append(time.perf_counter() - start)
        hist.train_acc.append(acc)
        hist.val_acc.append(float(np.mean(p.predict(data.X_val) == data.y_val)))
        if cb.on_batch is not None:
            for _ in range(n_batches):
                cb.on_batch()
        if cb.on_epoch:
            cb.on_epoch(epoch, {"train_acc": acc, "val_acc": hist.val_acc[-1]})
    return hist


def _train_network(net: Sequential, data: ArraySplits, cfg: ScratchConfig,
                   cb: Callbacks) -> History:
    """Gradient descent with the configured optimiser, schedule and validation each epoch."""
    opt = make_optimizer(cfg.optimizer, net.params, net.grads, cfg.resolved("lr"),
                         cfg.weight_decay)
    step = cfg.resolved("lr_step")

    def report(epoch: int, h: History) -> None:
        if cb.on_epoch is not None:
            cb.on_epoch(epoch, {"train_loss": h.train_loss[-1], "val_acc": h.val_acc[-1]})

    return fit_arrays(net, data.X_train, data.y_train, optimizer=opt, epochs=cfg.resolved("epochs"),
               batch_size=cfg.batch_size, seed=cfg.seed, validation=(data.X_val, data.y_val),
               schedule=StepLR(opt, step, cfg.resolved("lr_gamma")) if step else None, on_epoch=report,
               on_batch=cb.on_batch)


def _accuracy(model: Sequential | Perceptron, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of right predictions."""
    if isinstance(model, Perceptron):
        return float(np.mean(model.predict(X) == y))
    return evaluate_arrays(model, X, y)[1]


def run_training(cfg: ScratchConfig, cb: Callbacks | None = None,
                 data: ArraySplits | None = None) -> dict[str, Any]:
    """Train as configured (on `data` if given) and return a JSON-ready summary."""
    validate(cfg)
    cb = cb or Callbacks()
    if data is None:
        data = load_arrays(cfg.dataset, cfg.data_dir, cfg.val_fraction, cfg.seed, cfg.limit)
    model = build_network(cfg, data.X_train.shape[1], len(data.classes))
    if cb.on_start:
        cb.on_start(cfg.resolved("epochs") * math.ceil(len(data.X_train) / cfg.batch_size))
    start = time.perf_counter()
    if isinstance(model, Perceptron):
        hist = _train_perceptron(model, data, cfg, cb)
    else:
        hist = _train_network(model, data, cfg, cb)
    result = summary(cfg, data, model, hist, time.perf_counter() - start)
    if cfg.save is not None:
        meta = {**result, "classes": data.classes, "mean": data.mean, "std": data.std}
        result["saved"] = str(save_model(cfg.save, model, meta))
    return result


def summary(cfg: ScratchConfig, data: ArraySplits, model: Sequential | Perceptron, hist: History,
            seconds: float) -> dict[str, Any]:
    """The result record printed by the CLI (and saved alongside the model as metadata)."""
    return {
        "model": cfg.model, "dataset": cfg.dataset,
        "hidden": list(cfg.hidden) if cfg.model == "mlp" else [],
        "optimizer": cfg.optimizer if cfg.model != "perceptron" else "perceptron-trick",
        "lr": cfg.resolved("lr"), "batch_size": cfg.batch_size, "epochs": len(hist.seconds),
        "train_samples": len(data.X_train), "seed": cfg.seed,
        "train_accuracy": _accuracy(model, data.X_train, data.y_train),
        "val_accuracy": _accuracy(model, data.X_val, data.y_val),
        "test_accuracy": _accuracy(model, data.X_test, data.y_test),
        "seconds": round(seconds, 3), "seconds_per_epoch": round(sum(hist.seconds) /
                                                                 max(len(hist.seconds), 1), 3),
    }
