"""One model loader for every command: the bundled default, a run folder, its checkpoint.json, an ONNX
export or a models:/ URI.

`inkread read` and `inkread evaluate`-style work take any of them as a LoadedModel. The service runs
ONNX alone (no torch), so `onnx_file` turns a run into its export first, once, beside its checkpoint.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from inkread.core.errors import InkreadError
from inkread.core.model import LoadedModel
from inkread.export.runtime import load_onnx
from inkread.registry.bundled import DEFAULT, default_model_file
from inkread.registry.resolve import resolve_model_uri
from inkread.train.run_info import CheckpointError, read_info

URI_PREFIX = "models:/"
RUN_EXPORT = "model.onnx"  # where a run served by `inkread serve --model RUN` is exported
RUN_FILES = (".json", ".safetensors")  # checkpoint.json or a weights file: they name the run


def is_onnx(ref: str) -> bool:
    """Whether `ref` names an ONNX export or a registered (ONNX) version rather than a training run."""
    return ref.startswith(URI_PREFIX) or ref.lower().endswith(".onnx")


def load_model(ref: str | Path, *, tracking_uri: str | None = None) -> LoadedModel:
    """The model `ref` names: the bundled default ("default"), a training run (torch), an ONNX export or
    a registered version (onnxruntime)."""
    text = str(ref)
    if text == DEFAULT:
        return load_onnx(default_model_file())
    if is_onnx(text):
        return load_onnx(resolve_model_uri(text, tracking_uri) if text.startswith(URI_PREFIX) else text)
    from inkread.train.checkpoint import load_run_model  # torch: only for runs, never for ONNX models

    return load_run_model(text)[0]


def onnx_file(ref: str | Path, *, tracking_uri: str | None = None) -> Path:
    """The ONNX file serving `ref` needs: itself, a registered version's checked file, or a run's export.

    A run is exported to RUN/model.onnx when that file is missing or was made from other weights.
    """
    text = str(ref)
    if text == DEFAULT:
        return default_model_file()
    if text.startswith(URI_PREFIX):
        return resolve_model_uri(text, tracking_uri)
    path = Path(text)
    if is_onnx(text) or (path.is_file() and path.suffix not in RUN_FILES):
        return path  # an export, whatever its file name; a bad one is refused when it is loaded
    run_dir, weights = _best_weights(path)
    out = run_dir / RUN_EXPORT
    if not _exported_from(out, weights):
        from inkread.export.onnx_export import export_checkpoint  # torch: only when an export is due

        print(f"exporting {run_dir} to {out} for serving", file=sys.stderr)
        export_checkpoint(run_dir, out)
    return out


def _best_weights(path: Path) -> tuple[Path, Path]:
    """The run folder of `path` and its best (else latest) weights file, from checkpoint.json alone."""
    try:
        info, doc = read_info(path)
    except CheckpointError as exc:
        if "no checkpoint found" not in exc.problem:
            raise  # a checkpoint.json that is there but damaged: that error names it
        raise InkreadError("no model found", where=path,
                           expected="an ONNX file, a registry URI models:/NAME@ALIAS, or a training run "
                           "folder (runs/NAME) holding checkpoint.json",
                           fix="pass the folder printed by `inkread train` or a file from `inkread export`") \
            from None
    return info.parent, info.parent / str(doc.get("best_weights") or doc.get("weights"))


def _exported_from(onnx: Path, weights: Path) -> bool:
    """Whether `onnx` exists and records the SHA-256 of `weights` as the weights it was exported from."""
    if not onnx.is_file() or not weights.is_file():
        return False
    try:
        recorded = load_onnx(onnx).metadata.get("weights_sha256")
    except InkreadError:
        return False  # damaged or from an older inkread: export again
    return recorded == hashlib.sha256(weights.read_bytes()).hexdigest()
