"""Run an inkread ONNX export with onnxruntime alone (no torch): the serving path's model."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from inkread.core.calibration import Calibration
from inkread.core.errors import InkreadError
from inkread.core.model import LoadedModel
from inkread.core.scaling import PREPROCESS_VERSION, model_input
from inkread.export.metadata import INPUT_NAME, decode


class OnnxModel(LoadedModel):
    """An exported classifier with its labels, scaling, calibration and training statistics."""

    def __init__(self, path: Path | None, session: Any, fields: dict[str, Any], metadata: dict[str, str],
                 sha256: str) -> None:
        self.path, self.session, self.metadata, self.sha256 = path, session, metadata, sha256
        self.classes = [str(c) for c in fields["classes"]]
        self.mean, self.std = float(fields["mean"]), float(fields["std"])
        self.calibration = Calibration(float(fields["temperature"]), float(fields["threshold"]))
        self.preprocess_version = str(fields["preprocess_version"])
        self.train_stats: dict[str, Any] = dict(fields["train_stats"])
        # the training run's name, or the file name when the export does not say
        self.name = metadata.get("name") or (path.stem if path else "model")

    def logits(self, images: np.ndarray) -> np.ndarray:
        """Logits (N, K) float64 of white-on-black uint8 images (N, 28, 28)."""
        if len(images) == 0:
            return np.zeros((0, len(self.classes)))
        x = model_input(images, self.mean, self.std)  # (N, 1, 28, 28) float32
        return np.asarray(self.session.run(None, {INPUT_NAME: x})[0], dtype=np.float64)


def make_session(model: bytes | str, threads: int = 1) -> Any:
    """An onnxruntime CPU session; one intra-op thread suits the service's small batches."""
    # onnxruntime loads when a model is, not with the metadata helpers
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
    return OnnxModel(path, session, fields, props, hashlib.sha256(data).hexdigest())


def load_onnx(path: str | Path, *, threads: int = 1) -> OnnxModel:
    """Load an inkread ONNX export from a file."""
    p = Path(path)
    if not p.is_file():
        raise InkreadError("no such model file", where=p, expected="an ONNX file written by `inkread export`",
                           fix="pass the path given to `inkread export -o`")
    return from_bytes(p.read_bytes(), path=p, threads=threads)
