"""Export a training run's checkpoint as ONNX with its metadata, checked against the torch model."""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

import inkread
from inkread.errors import InkreadError
from inkread.export import metadata as meta
from inkread.export.result import ExportResult
from inkread.utils.atomic import atomic_write_bytes

OPSET = 17
# Largest allowed |p_torch - p_onnx| over the parity images and classes (probabilities).
PARITY_TOLERANCE = 1e-4


def graph_bytes(model: Any, opset: int = OPSET) -> bytes:
    """The model as an ONNX graph: input float32 (N, 1, 28, 28) normalised, output logits (N, K)."""
    import torch

    with tempfile.TemporaryDirectory(prefix="inkread-export-") as tmp, warnings.catch_warnings(), \
            torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        path = Path(tmp, "model.onnx")
        # dynamo=False: the TorchScript exporter needs no onnxscript and handles these plain CNNs
        torch.onnx.export(model.eval(), (torch.zeros(2, 1, 28, 28),), str(path),
                          input_names=[meta.INPUT_NAME], output_names=[meta.OUTPUT_NAME], opset_version=opset,
                          dynamo=False,
                          dynamic_axes={meta.INPUT_NAME: {0: "batch"}, meta.OUTPUT_NAME: {0: "batch"}})
        return path.read_bytes()


def with_metadata(data: bytes, metadata: dict[str, str]) -> bytes:
    """The ONNX model `data` with its metadata properties replaced by `metadata`, checked."""
    import onnx

    proto = onnx.load_from_string(data)
    del proto.metadata_props[:]
    for key, value in sorted(metadata.items()):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.producer_name, proto.producer_version = "inkread", inkread.__version__
    proto.doc_string = f"inkread classifier {metadata.get('name', '')}: {meta.OUTPUT_DOC}"
    onnx.checker.check_model(proto)
    return bytes(proto.SerializeToString())


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


def _fields(info: Any, temperature: float, threshold: float, source: str,
            stats: dict[str, Any]) -> dict[str, Any]:
    """The metadata fields of an export, before its parity figures are known."""
    cfg, test = info.config, info.raw.get("test") or {}
    return {"name": info.run_dir.name, "epoch": info.epoch, "model": cfg.model.name,
            "dataset": str(cfg.data.dataset), "classes": list(info.classes), "mean": float(info.mean),
            "std": float(info.std), "temperature": float(temperature), "threshold": float(threshold),
            "calibration": source, "preprocess_version": meta.PREPROCESS_VERSION, "train_stats": stats,
            "test_accuracy": test.get("accuracy"), "opset": OPSET, "inkread_version": inkread.__version__,
            "git_commit": str(info.code.get("git_commit") or "")}


def _check_target(out: Path, parity_images: int) -> None:
    """Refuse an output path that is a folder, or a parity check on no images, before any work."""
    if out.is_dir() or parity_images < 1:
        raise InkreadError("cannot export there" if out.is_dir() else f"parity_images={parity_images}",
                           where=out, expected="a file path such as model.onnx, and parity_images >= 1",
                           fix="pass -o with a file name")


def export_checkpoint(checkpoint: str | Path, out: str | Path, *, quantize: bool = False,
                      parity_images: int = 1000) -> ExportResult:
    """Write the checkpoint as ONNX to `out` (atomically) once it matches torch on test images."""
    from inkread.calibrate import apply
    from inkread.export.calibration import calibration_for
    from inkread.export.runtime import from_bytes
    from inkread.export.stats import train_stats
    from inkread.read.classifier import model_logits
    from inkread.train.checkpoint import load_checkpoint
    from inkread.train.data import load_splits

    out = Path(out)
    _check_target(out, parity_images)
    model, info = load_checkpoint(checkpoint)
    splits, _, _ = load_splits(info.config)
    temperature, threshold, source = calibration_for(info, model, splits)
    stats = train_stats(splits.train.images, splits.train.labels, len(info.classes))
    fields = _fields(info, temperature, threshold, source, stats)
    graph = graph_bytes(model)
    onnx_model = from_bytes(with_metadata(graph, meta.encode(fields)))
    images = splits.test.images[:parity_images]
    expected = apply(model_logits(model, images, float(info.mean), float(info.std)), temperature)
    diff = check_parity(expected, onnx_model.classify(images), out)
    fields.update(parity_max_abs_diff=diff, parity_images=len(images))
    metadata = meta.encode(fields)
    data = with_metadata(graph, metadata)
    atomic_write_bytes(out, data)
    quantized = None
    if quantize:
        from inkread.export.quantize import quantize_export

        quantized = quantize_export(data, out, splits, metadata)
    return ExportResult(out, hashlib.sha256(data).hexdigest(), diff, len(images), metadata, quantized)
