"""Wrap a torch model as a `classify` callable, and load one with its calibration from a checkpoint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from inkread.read.reader import Classify

if TYPE_CHECKING:
    from torch import nn


def model_logits(model: nn.Module, images: np.ndarray, mean: float, std: float,
                 batch: int = 1024) -> np.ndarray:
    """Logits (N, K) float64 of uint8 images (N, 28, 28), scaled to [0, 1] and normalised."""
    import torch

    from inkread.data.loader import torch_threads

    out = []
    # One thread: a line's few characters are tiny batches, and on busy cores each multi-threaded
    # op waits for a descheduled thread (measured: 100 ms per batch of 12 with 2 threads, ~3 ms with 1).
    with torch.inference_mode(), torch_threads(1):
        for i in range(0, len(images), batch):
            x = torch.from_numpy(np.ascontiguousarray(images[i:i + batch])).float().div_(255.0)
            out.append(model(x.sub_(mean).div_(std).unsqueeze(1)).double().numpy())  # (B, K)
    return np.concatenate(out) if out else np.zeros((0, 0))


def torch_classifier(model: nn.Module, mean: float, std: float, temperature: float = 1.0) -> Classify:
    """classify(batch uint8 (N, 28, 28)) -> calibrated probabilities (N, K) from a torch model."""
    from inkread.calibrate import apply

    def classify(batch: np.ndarray) -> np.ndarray:
        return apply(model_logits(model, batch, mean, std), temperature)

    return classify


@dataclass
class LoadedReader:
    """What reading with a checkpoint needs: the classifier, its classes and its reject threshold."""

    classify: Classify
    classes: list[str]
    temperature: float
    threshold: float
    model: Any  # the torch module, for callers that want raw logits


def calibration_of(info: Any) -> tuple[float, float]:
    """(temperature, threshold) a checkpoint records; (1.0, 0.0) where it records none."""
    raw = getattr(info, "raw", None)
    raw = raw if isinstance(raw, dict) else {}
    temperature = getattr(info, "temperature", None) or raw.get("temperature") or 1.0
    threshold = getattr(info, "threshold", None) or raw.get("threshold") or 0.0
    return float(temperature), float(threshold)


def load_reader(path: str | Path) -> LoadedReader:
    """Load a training run's checkpoint, an ONNX export or a registered models:/ version as a classifier."""
    text = str(path)
    if text.startswith("models:/") or text.lower().endswith(".onnx"):
        return _onnx_reader(text)
    from inkread.train.checkpoint import load_checkpoint

    model, info = load_checkpoint(path)
    temperature, threshold = calibration_of(info)
    classify = torch_classifier(model, float(info.mean), float(info.std), temperature)
    return LoadedReader(classify, list(info.classes), temperature, threshold, model)


def _onnx_reader(model: str) -> LoadedReader:
    """An `inkread export` file, or the registered version a models:/ URI names, through onnxruntime."""
    from inkread.export.runtime import load_onnx

    if model.startswith("models:/"):
        from inkread.registry.resolve import resolve_model_uri

        model = str(resolve_model_uri(model))
    onnx = load_onnx(model)
    return LoadedReader(onnx.classify, onnx.classes, onnx.temperature, onnx.threshold, onnx)
