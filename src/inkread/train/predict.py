"""Predict a dataset's test set with a checkpoint and write the evaluation report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from inkread.data.loader import BatchLoader
from inkread.train.checkpoint import load_checkpoint


def predict_probs(model: nn.Module, images: np.ndarray, mean: float, std: float,
                  batch_size: int = 1000) -> np.ndarray:
    """Class probabilities (N, K) float32 for uint8 images (N, H, W), normalised as in training."""
    from inkread.train.loop import StepSettings, predict_logits

    batches = BatchLoader(images, np.zeros(len(images), dtype=np.int64), batch_size, shuffle=False,
                          mean=mean, std=std)
    logits, _ = predict_logits(model, batches, StepSettings(channels_last=False))
    return torch.softmax(logits, dim=1).numpy()


def load_test_set(dataset: str, data_dir: str | None, seed: int,
                  val_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """The test images (N, H, W) uint8 and labels (N,) of a dataset, split as a training run splits it."""
    from inkread.data.catalog import load_dataset
    from inkread.data.split import make_splits

    ds = load_dataset(dataset, data_dir)
    if ds.test is not None:
        return ds.test.images, ds.test.labels
    sp = make_splits(ds, val_fraction=val_fraction, seed=seed)  # folder/.npz data: the carved-off test set
    return sp.test.images, sp.test.labels


def evaluate_checkpoint(path: str | Path, *, dataset: str | None = None, augmented: bool = False,
                        out_dir: Path | None = None) -> dict[str, Any]:
    """Load a checkpoint, predict the test set (optionally an augmented copy) and write the report."""
    from inkread.evaluate.augmented import augmented_copy
    from inkread.evaluate.report import write_report

    model, info = load_checkpoint(path)
    cfg = info.config
    name = dataset or cfg.data.dataset
    images, labels = load_test_set(name, cfg.data.data_dir, cfg.run.seed, cfg.data.val_fraction)
    if augmented:
        images = augmented_copy(images, seed=0)
    probs = predict_probs(model, images, info.mean, info.std, cfg.train.eval_batch_size)
    out = out_dir or info.run_dir / ("report-augmented" if augmented else "report")
    title = f"{info.run_dir.name} on {name}{' (augmented)' if augmented else ''}"
    extra = {"checkpoint": str(info.weights), "epoch": info.epoch, "dataset": name, "augmented": augmented,
             "model": cfg.model.name, "code": info.code}
    metrics = write_report(out, probs=probs, labels=labels, images=images, classes=info.classes,
                           title=title, extra=extra)
    return {"accuracy": float(metrics["accuracy"]), "report": str(out), "dataset": name,
            "augmented": augmented, "checkpoint": str(info.weights), "metrics": metrics}
