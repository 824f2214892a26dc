"""`inkread evaluate`: predict a dataset's test set with a run's checkpoint and write the report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from inkread.core.calibration import apply
from inkread.core.errors import InkreadError
from inkread.data.catalog import load_dataset
from inkread.data.loader import BatchLoader
from inkread.data.split import make_splits
from inkread.evaluate.augmented import augmented_copy
from inkread.evaluate.prepared import prepared_copy
from inkread.evaluate.report import write_report
from inkread.evaluate.tta import tta_logits
from inkread.train.checkpoint import load_checkpoint
from inkread.train.config import TrainConfig
from inkread.train.step import StepSettings, predict_logits


def predict_logits_array(model: nn.Module, images: np.ndarray, mean: float, std: float,
                         batch_size: int = 1000, tta: bool = False) -> np.ndarray:
    """Logits (N, K) float64 for uint8 images (N, H, W), normalised as in training; `tta` averages views."""
    def logits_of(batch: np.ndarray) -> np.ndarray:
        batches = BatchLoader(batch, np.zeros(len(batch), dtype=np.int64), batch_size, shuffle=False,
                              mean=mean, std=std)
        return predict_logits(model, batches, StepSettings(channels_last=False))[0].double().numpy()

    return tta_logits(logits_of, images) if tta else logits_of(images)


def predict_probs(model: nn.Module, images: np.ndarray, mean: float, std: float,
                  batch_size: int = 1000, tta: bool = False) -> np.ndarray:
    """Class probabilities (N, K) float32 for uint8 images (N, H, W); `tta` averages the TTA views."""
    logits = predict_logits_array(model, images, mean, std, batch_size, tta)
    return torch.softmax(torch.from_numpy(logits), dim=1).float().numpy()


def load_test_set(dataset: str, data_dir: str | None, seed: int,
                  val_fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """The test images (N, H, W) uint8 and labels (N,) of a dataset, split as a training run splits it."""
    ds = load_dataset(dataset, data_dir)
    if ds.test is not None:
        return ds.test.images, ds.test.labels
    sp = make_splits(ds, val_fraction=val_fraction, seed=seed)  # folder/.npz data: the carved-off test set
    return sp.test.images, sp.test.labels


def no_answer(k: int, labels: np.ndarray) -> np.ndarray:
    """Probability rows (N, K) for images without ink: near-uniform, so rejected, and never right."""
    rows = np.full((len(labels), k), 1.0, dtype=np.float64)
    rows[np.arange(len(labels)), (labels + 1) % k] += 1e-6  # a wrong class is the (barely) top one
    return rows / rows.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class EvalInput:
    """The images a checkpoint is evaluated on (N, 28, 28), their labels (N,) and how they were made."""

    images: np.ndarray
    labels: np.ndarray
    variant: str  # "", "augmented" or "prepared"
    no_ink: np.ndarray  # (N,) bool: preprocessing found no character (prepared only)


def eval_input(name: str, cfg: TrainConfig, *, augmented: bool, prepared: bool, limit: int | None,
               workers: int | None = None) -> EvalInput:
    """The test set of `name` as the run split it: first `limit` images, as is, distorted or prepared."""
    if augmented and prepared:
        raise InkreadError("--augmented and --prepared were both given", where="inkread evaluate",
                           expected="one test variant at a time", fix="drop one of them")
    images, labels = load_test_set(name, cfg.data.data_dir, cfg.run.seed, cfg.data.val_fraction)
    images, labels = images[:limit], labels[:limit]
    no_ink = np.zeros(len(labels), dtype=bool)
    if augmented:
        return EvalInput(augmented_copy(images, seed=0), labels, "augmented", no_ink)
    if prepared:
        ps = prepared_copy(images, seed=0, workers=workers)
        return EvalInput(ps.images, labels, "prepared", ~ps.found)
    return EvalInput(images, labels, "", no_ink)


def evaluate_checkpoint(path: str | Path, *, dataset: str | None = None, augmented: bool = False,
                        prepared: bool = False, limit: int | None = None, tta: bool = False,
                        out_dir: Path | None = None) -> dict[str, Any]:
    """Load a checkpoint, predict the test set (as is, augmented or prepared) and write the report.

    Probabilities use the checkpoint's temperature; the report adds NLL/ECE before it and what the
    stored reject threshold keeps. Prepared images without ink count as rejected wrong answers.
    `tta` averages the probabilities over the test-time views (the temperature was fitted without them).
    """
    model, info = load_checkpoint(path)
    cfg = info.config
    name = dataset or cfg.data.dataset
    data = eval_input(name, cfg, augmented=augmented, prepared=prepared, limit=limit)
    logits = predict_logits_array(model, data.images, info.mean, info.std, cfg.train.eval_batch_size, tta)
    probs, raw = apply(logits, info.calibration.temperature), apply(logits, 1.0)
    probs[data.no_ink] = raw[data.no_ink] = no_answer(probs.shape[1], data.labels[data.no_ink])
    variant = "-".join(v for v in (data.variant, "tta" if tta else "") if v)
    out = out_dir or info.run_dir / ("report-" + variant if variant else "report")
    title = f"{info.run_dir.name} on {name}{f' ({variant})' if variant else ''}"
    extra = {"checkpoint": str(info.weights), "epoch": info.epoch, "dataset": name, "augmented": augmented,
             "prepared": prepared, "tta": tta, "no_ink": int(data.no_ink.sum()), "model": cfg.model.name,
             "code": info.code}
    metrics = write_report(out, probs=probs, labels=data.labels, images=data.images, classes=info.classes,
                           title=title, extra=extra, threshold=info.calibration.threshold, uncalibrated=raw,
                           temperature=info.calibration.temperature)
    keys = ("accuracy", "nll", "ece", "temperature", "uncalibrated", "reject", "coverage", "num_samples")
    return {**{k: metrics[k] for k in keys}, "report": str(out), "dataset": name, "augmented": augmented,
            "prepared": prepared, "tta": tta, "no_ink": extra["no_ink"], "checkpoint": str(info.weights),
            "metrics": metrics}


def describe(result: dict[str, Any]) -> list[str]:
    """Human lines for an `evaluate_checkpoint` result: calibration, the reject point, the coverage curve."""
    before, t = result["uncalibrated"], result["temperature"]
    lines = [f"calibration (T = {t:.3f}): NLL {before['nll']:.4f} -> {result['nll']:.4f}, "
             f"ECE {before['ece']:.4f} -> {result['ece']:.4f}"]
    r = result["reject"]
    acc = "none accepted" if r["accuracy"] is None else f"accuracy of accepted {r['accuracy']:.2%}"
    lines.append(f"reject below confidence {r['threshold']:.4f}: coverage {r['coverage']:.2%}, {acc} "
                 f"({r['rejected']:,} of {result['num_samples']:,} rejected)")
    curve = {round(p["coverage"], 2): p["accuracy"] for p in result["coverage"]}
    shown = [f"{c:.0%}: {curve[c]:.2%}" for c in (1.0, 0.95, 0.9, 0.8, 0.5) if c in curve]
    lines.append("accuracy at coverage " + ", ".join(shown))
    if result.get("no_ink"):
        lines.append(f"{result['no_ink']:,} prepared images had no ink after preprocessing (counted wrong)")
    return lines
