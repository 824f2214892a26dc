"""A real trained run and its ONNX export, made once and cached in pytest's cache (safe under xdist)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.support.cache import cache_folder

REPO = Path(__file__).resolve().parents[2]
# The fast recipe on full MNIST for one epoch: about 99% test accuracy in ~15 s on one idle core.
RECIPE = REPO / "configs" / "fast.yaml"
OVERRIDES = ["train.epochs=1", "train.threads=1"]
CACHE = "inkread-serve-model"  # the folder name in pytest's cache
# the exporter's code and the preprocessing version it records (core/scaling.py) decide an export
EXPORT_SOURCES = [*sorted((REPO / "src" / "inkread" / "export").glob("*.py")),
                  REPO / "src" / "inkread" / "core" / "scaling.py"]


def _digest(*parts: bytes) -> str:
    """Short hash of the inputs that decide a cached artefact."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.hexdigest()[:12]


def _train_key() -> str:
    """What decides the trained run: the recipe, its overrides and the torch version."""
    import torch

    return _digest(RECIPE.read_bytes(), " ".join(OVERRIDES).encode(), torch.__version__.encode())


def _train(folder: Path, key: str) -> Path:
    """The finished run folder of the fast recipe (trained now unless a finished one is cached)."""
    from inkread.train.config import load_config
    from inkread.train.loop import fit

    run = folder / f"fast-{key}"
    info = run / "checkpoint.json"
    if info.is_file() and "test" in json.loads(info.read_text()):
        return run
    shutil.rmtree(run, ignore_errors=True)  # an interrupted earlier attempt
    cfg = load_config(RECIPE, [*OVERRIDES, f"run.out_dir={folder}", f"run.name={run.name}"])
    return fit(cfg, show_progress=False).run_dir


def trained_run(config: pytest.Config) -> Path:
    """The cached run folder (treat it as read-only: copy it before changing anything)."""
    folder = cache_folder(config, CACHE)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another xdist worker waits here, then finds the run
        return _train(folder, _train_key())


def exported_model(config: pytest.Config) -> Path:
    """The cached run exported as ONNX (exported again whenever the exporter's code changes)."""
    from inkread.export.onnx_export import export_checkpoint

    folder = cache_folder(config, CACHE)
    key = _train_key()
    out = folder / f"model-{_digest(key.encode(), *(p.read_bytes() for p in EXPORT_SOURCES))}.onnx"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not out.is_file():
            export_checkpoint(_train(folder, key), out)
    return out
