"""Export a training run's checkpoint as ONNX with its metadata, checked against the torch model."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

import inkread
from inkread.core.calibration import Calibration
from inkread.core.errors import InkreadError
from inkread.core.files import atomic_write_bytes
from inkread.core.scaling import PREPROCESS_VERSION
from inkread.export import metadata as meta
from inkread.export.calibration import calibration_for
from inkread.export.graph import OPSET, graph_bytes, with_metadata
from inkread.export.quantize import quantize_export
from inkread.export.result import ExportResult
from inkread.export.runtime import from_bytes
from inkread.export.stats import train_stats
from inkread.train.checkpoint import CheckpointInfo, load_run_model
from inkread.train.data import load_splits

# Largest allowed |p_torch - p_onnx| over the parity images and classes (probabilities).
PARITY_TOLERANCE = 1e-4


def check_parity(expected: np.ndarray, actual: np.ndarray, where: str | Path) -> float:
    """Max |expected - actual| of probabilities (N, K); refuses a larger gap or any changed prediction."""
    if expected.shape != actual.shape:
        raise InkreadError(f"ONNX output shape {actual.shape} differs from torch's {expected.shape}",
                           where=where, fix="report this model architecture as unsupported by export")
    diff = float(np.max(np.abs(expected - actual))) if expected.size else 0.0
    changed = int(np.sum(expected.argmax(axis=1) != actual.argmax(axis=1))) if expected.size else 0
    if diff > PARITY_TOLERANCE or changed:
        raise InkreadError(f"the ONNX model disagrees with the torch model (max |Δp| {diff:.2e}, "
                           f"{changed} changed predictions)", where=where,
                           expected=f"max |Δp| <= {PARITY_TOLERANCE:g} and identical predictions",
                           fix="nothing was written; report the model architecture as unsupported by export")
    return diff


def _fields(info: CheckpointInfo, cal: Calibration, source: str, stats: dict[str, Any],
            sha256: str) -> dict[str, Any]:
    """The metadata fields of an export, before its parity figures are known."""
    cfg, test = info.config, info.raw.get("test") or {}
    return {"name": info.run_dir.name, "epoch": info.epoch, "model": cfg.model.name,
            "dataset": str(cfg.data.dataset), "classes": list(info.classes), "mean": float(info.mean),
            "std": float(info.std), "temperature": cal.temperature, "threshold": cal.threshold,
            "calibration": source, "preprocess_version": PREPROCESS_VERSION, "train_stats": stats,
            "test_accuracy": test.get("accuracy"), "opset": OPSET, "inkread_version": inkread.__version__,
            "git_commit": str(info.code.get("git_commit") or ""), "weights_sha256": sha256}


def _check_target(out: Path, parity_images: int) -> None:
    """Refuse an output path that is a folder, or a parity check on no images, before any work."""
    if out.is_dir() or parity_images < 1:
        raise InkreadError("cannot export there" if out.is_dir() else f"parity_images={parity_images}",
                           where=out, expected="a file path such as model.onnx, and parity_images >= 1",
                           fix="pass -o with a file name")


def export_checkpoint(checkpoint: str | Path, out: str | Path, *, quantize: bool = False,
                      parity_images: int = 1000) -> ExportResult:
    """Write the checkpoint as ONNX to `out` (atomically) once it matches torch on test images."""
    out = Path(out)
    _check_target(out, parity_images)
    model, info = load_run_model(checkpoint)
    splits, _, _ = load_splits(info.config)
    cal, source = calibration_for(model, info, splits)
    model.calibration = cal
    stats = train_stats(splits.train.images, splits.train.labels, len(info.classes))
    fields = _fields(info, cal, source, stats, model.sha256)
    graph = graph_bytes(model.module)
    onnx_model = from_bytes(with_metadata(graph, meta.encode(fields)))
    images = splits.test.images[:parity_images]
    diff = check_parity(model.classify(images), onnx_model.classify(images), out)
    fields.update(parity_max_abs_diff=diff, parity_images=len(images))
    metadata = meta.encode(fields)
    data = with_metadata(graph, metadata)
    atomic_write_bytes(out, data)
    quantized = None
    if quantize:
        quantized = quantize_export(data, out, splits, metadata)
    return ExportResult(out, hashlib.sha256(data).hexdigest(), diff, len(images), metadata, quantized)
