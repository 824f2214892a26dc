"""Checkpoints: safetensors weights and state, plus a JSON file that describes and references them.

A run folder holds:
  checkpoint.json                     the latest epoch's description; written last, atomically
  checkpoints/epoch-NNNN.safetensors  model weights (state_dict) after epoch NNNN
  checkpoints/epoch-NNNN.state.safetensors  tensors of the trainer state (optimiser moments, RNG states)
Weight files are never overwritten, so checkpoint.json always points at complete files; older epochs
are deleted once no checkpoint.json entry (latest or best) refers to them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save
from torch import nn

import inkread
from inkread.core.calibration import Calibration
from inkread.core.files import atomic_write_bytes, atomic_write_text, remove_stale_temporaries
from inkread.models import build_model
from inkread.models.loaded import TorchModel
from inkread.train.config import TrainConfig, validate
from inkread.train.run_info import FORMAT, INFO_FILE, CheckpointError, read_info


def encode_tree(obj: Any, tensors: dict[str, torch.Tensor], key: str = "s") -> Any:
    """JSON-able copy of nested state; tensors and arrays move into `tensors` and leave a reference."""
    if isinstance(obj, torch.Tensor):
        tensors[key] = obj.detach().clone().contiguous()  # safetensors refuses shared storage
        return {"__tensor__": key}
    if isinstance(obj, np.ndarray):
        tensors[key] = torch.from_numpy(np.ascontiguousarray(obj).copy())
        return {"__ndarray__": key}
    if isinstance(obj, dict):
        return {"__dict__": [[encode_tree(k, tensors, f"{key}.k{i}"), encode_tree(v, tensors, f"{key}.{i}")]
                             for i, (k, v) in enumerate(obj.items())]}
    if isinstance(obj, tuple):
        return {"__tuple__": [encode_tree(v, tensors, f"{key}.{i}") for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [encode_tree(v, tensors, f"{key}.{i}") for i, v in enumerate(obj)]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def decode_tree(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    """Inverse of `encode_tree`: rebuild dicts (with non-string keys), tuples, tensors and arrays."""
    if isinstance(obj, list):
        return [decode_tree(v, tensors) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        return tensors[obj["__tensor__"]]
    if "__ndarray__" in obj:
        return tensors[obj["__ndarray__"]].numpy()
    if "__tuple__" in obj:
        return tuple(decode_tree(v, tensors) for v in obj["__tuple__"])
    return {decode_tree(k, tensors): decode_tree(v, tensors) for k, v in obj["__dict__"]}


@functools.cache
def code_version() -> dict[str, Any]:
    """inkread's version, and the git commit and dirty flag when running from a git checkout."""
    info: dict[str, Any] = {"version": inkread.__version__, "git_commit": None, "git_dirty": None}
    root = Path(inkread.__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10)
        if head.returncode == 0:
            dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                                   capture_output=True, text=True, timeout=10)
            info["git_commit"] = head.stdout.strip()
            info["git_dirty"] = bool(dirty.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass  # no git: the version number alone identifies the code
    return info


def _save_tensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    """Write tensors as safetensors atomically."""

    atomic_write_bytes(path, save(tensors))


def save_checkpoint(run_dir: Path, *, epoch: int, model: nn.Module, trainer_state: dict[str, Any],
                    info: dict[str, Any], best_epoch: int | None) -> Path:
    """Write epoch `epoch`'s weights and state, then checkpoint.json (`info` plus the file references)."""
    ckpt_dir = run_dir / "checkpoints"
    for folder in (run_dir, ckpt_dir):  # half-written files of a save that was killed
        remove_stale_temporaries(folder)
    weights = ckpt_dir / f"epoch-{epoch:04d}.safetensors"
    state = ckpt_dir / f"epoch-{epoch:04d}.state.safetensors"
    _save_tensors(weights, {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()})
    tensors: dict[str, torch.Tensor] = {}
    encoded = encode_tree(trainer_state, tensors)
    _save_tensors(state, tensors)
    best_name = f"checkpoints/epoch-{best_epoch:04d}.safetensors" if best_epoch is not None else None
    doc = {"format": FORMAT, **info, "epoch": epoch, "weights": f"checkpoints/{weights.name}",
           "best_weights": best_name, "state": f"checkpoints/{state.name}", "trainer_state": encoded}
    atomic_write_text(run_dir / INFO_FILE, json.dumps(doc, indent=1, default=str))
    _prune(ckpt_dir, keep={weights.name, state.name, Path(best_name or "").name})
    return run_dir / INFO_FILE


def _prune(ckpt_dir: Path, keep: set[str]) -> None:
    """Delete epoch files that checkpoint.json no longer references."""
    for f in ckpt_dir.glob("epoch-*.safetensors"):
        if f.name not in keep:
            f.unlink(missing_ok=True)


def load_tensors(path: Path) -> dict[str, torch.Tensor]:
    """Read a safetensors file, naming it in the error when it is missing or damaged."""

    try:
        return load_file(str(path))
    except (OSError, ValueError, RuntimeError, SafetensorError) as exc:
        raise CheckpointError(f"cannot read weights: {exc}", where=path,
                              fix="the run folder is incomplete; resume or retrain the run") from None


@dataclass
class CheckpointInfo:
    """What a loaded checkpoint says about itself."""

    run_dir: Path
    epoch: int
    classes: list[str]
    mean: float
    std: float
    config: TrainConfig
    metrics: dict[str, Any]
    data: dict[str, Any]
    code: dict[str, Any]
    weights: Path
    raw: dict[str, Any]
    # softmax temperature and reject threshold fitted on validation at the end of training;
    # 1.0 and 0.0 (uncalibrated, nothing rejected) for checkpoints written before that existed.
    calibration: Calibration = field(default_factory=Calibration)


def load_checkpoint(path: str | Path, *, best: bool = True) -> tuple[nn.Module, CheckpointInfo]:
    """Rebuild the model of a run in eval mode with its best-validation (or, best=False, latest) weights."""
    info_path, doc = read_info(path)
    require_fields(doc, info_path)
    run_dir = info_path.parent
    config = validate(doc["config"], str(info_path))
    rel = doc.get("best_weights") if best else None
    weights = run_dir / str(rel or doc["weights"])
    model = build_model(config.model.name, len(doc["classes"]), **config.model.options)
    load_weights(model, weights)
    model.eval()
    info = CheckpointInfo(run_dir, int(doc["epoch"]), list(doc["classes"]), float(doc["mean"]),
                          float(doc["std"]), config, doc.get("metrics", {}), doc.get("data", {}),
                          doc.get("code", {}), weights, doc,
                          Calibration(float(doc.get("temperature", 1.0)), float(doc.get("threshold", 0.0))))
    return model, info


REQUIRED = ("config", "classes", "mean", "std", "epoch", "weights")  # what a finished save always writes


def require_fields(doc: dict[str, Any], where: Path, more: tuple[str, ...] = ()) -> None:
    """A CheckpointError naming the fields a checkpoint.json lacks."""
    missing = [k for k in (*REQUIRED, *more) if k not in doc]
    if missing:
        raise CheckpointError(f"checkpoint.json lacks {', '.join(missing)}", where=where,
                              expected="the fields `inkread train` writes at every save",
                              fix="restore checkpoint.json from the run, or retrain it")


def load_weights(model: nn.Module, weights: Path) -> None:
    """Load weights into the network the config describes, refusing other shapes and non-finite values."""
    state = load_tensors(weights)
    bad = [k for k, t in state.items() if t.is_floating_point() and not bool(torch.isfinite(t).all())]
    if bad:
        raise CheckpointError(f"the weights hold NaN or infinite values ({', '.join(bad[:3])})",
                              where=weights, fix="the run diverged or the file is damaged: retrain, "
                              "or take an earlier epoch's weights")
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:  # missing, unexpected or differently shaped tensors
        first = (str(exc).splitlines() or ["shapes differ"])[-1].strip()[:200]
        raise CheckpointError(f"the weights do not fit the network its config describes ({first})",
                              where=weights, fix="use the weights saved with this checkpoint.json") from None


def load_run_model(path: str | Path) -> tuple[TorchModel, CheckpointInfo]:
    """A run's best weights as a LoadedModel (classes, scaling and calibration from checkpoint.json)."""
    module, info = load_checkpoint(path)
    return TorchModel(module, info.classes, info.mean, info.std, info.calibration, name=info.run_dir.name,
                      sha256=hashlib.sha256(info.weights.read_bytes()).hexdigest()), info


def load_trainer_state(run_dir: Path, doc: dict[str, Any]) -> dict[str, Any]:
    """The trainer state (optimiser, schedule, RNG, loader, early stopping) saved with checkpoint `doc`."""
    return decode_tree(doc["trainer_state"], load_tensors(run_dir / doc["state"]))
