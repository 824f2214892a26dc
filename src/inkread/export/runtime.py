"""Run an inkread ONNX export with onnxruntime alone (no torch): the serving path's model."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inkread.errors import InkreadError
from inkread.export.metadata import INPUT_NAME, PREPROCESS_VERSION, decode


@dataclass
class OnnxModel:
    """An exported classifier with its labels, normalisation, calibration and training statistics."""

    path: Path | None
    session: Any  # onnxruntime.InferenceSession
    classes: list[str]
    temperature: float
    threshold: float
    mean: float
    std: float
    preprocess_version: str
    train_stats: dict[str, Any]
    metadata: dict[str, str]
    sha256: str

    @property
    def name(self) -> str:
        """The training run's name, or the file name when the export does not say."""
        return self.metadata.get("name") or (self.path.stem if self.path else "model")

    def logits(self, batch: np.ndarray) -> np.ndarray:
        """Logits (N, K) float64 of white-on-black uint8 inputs (N, 28, 28)."""
        x = np.asarray(batch, dtype=np.float32).reshape(-1, 1, 28, 28)  # (N, 1, 28, 28)
        if len(x) == 0:
            return np.zeros((0, len(self.classes)))
        x = (x / np.float32(255.0) - np.float32(self.mean)) / np.float32(self.std)
        return np.asarray(self.session.run(None, {INPUT_NAME: x})[0], dtype=np.float64)

    def classify(self, batch: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (N, K) float64: softmax(logits / temperature)."""
        return softmax(self.logits(batch) / self.temperature)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of z (N, K), as inkread.calibrate.apply computes it.

    Kept here so that serving does not import scipy.optimize with inkread.calibrate (1.5 s on busy cores).
    """
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def make_session(model: bytes | str, threads: int = 1) -> Any:
    """An onnxruntime CPU session; one intra-op thread suits the service's small batches."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3  # warnings about unused initialisers are noise here
    return ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])


def from_bytes(data: bytes, *, path: Path | None = None, threads: int = 1) -> OnnxModel:
    """An OnnxModel from the bytes of an inkread export, checking its metadata."""
    where = str(path) if path is not None else "<onnx bytes>"
    try:
        session = make_session(data, threads)
    except Exception as exc:  # onnxruntime raises its own exception types for malformed graphs
        raise InkreadError(f"not a loadable ONNX model ({str(exc).splitlines()[0][:200]})", where=where,
                           expected="an ONNX file written by `inkread export`",
                           fix="export the run again: `inkread export RUN -o model.onnx`") from None
    props = dict(session.get_modelmeta().custom_metadata_map)
    fields = decode(props, where)
    if fields["preprocess_version"] != PREPROCESS_VERSION:
        raise InkreadError(f"the model expects preprocessing version {fields['preprocess_version']}, "
                           f"this inkread has {PREPROCESS_VERSION}", where=where,
                           fix="export the model again with this version of inkread")
    return OnnxModel(path, session, [str(c) for c in fields["classes"]], float(fields["temperature"]),
                     float(fields["threshold"]), float(fields["mean"]), float(fields["std"]),
                     fields["preprocess_version"], dict(fields["train_stats"]), props,
                     hashlib.sha256(data).hexdigest())


def load_onnx(path: str | Path, *, threads: int = 1) -> OnnxModel:
    """Load an inkread ONNX export from a file."""
    p = Path(path)
    if not p.is_file():
        raise InkreadError("no such model file", where=p, expected="an ONNX file written by `inkread export`",
                           fix="pass the path given to `inkread export -o`")
    return from_bytes(p.read_bytes(), path=p, threads=threads)
