"""Make the bundled default model from a finished training run: its ONNX export and its model card."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from inkread.core.errors import InkreadError
from inkread.core.files import atomic_write_bytes, sha256_file
from inkread.data.collections import COLLECTIONS
from inkread.evaluate.held_out import held_out_figures
from inkread.export.onnx_export import export_checkpoint
from inkread.export.runtime import OnnxModel, load_onnx
from inkread.registry.bundled import CARD_NAME, ONNX_NAME, bundle_dir
from inkread.train.run_info import read_info

NOT_SHIPPABLE = ("unipen",)  # its terms forbid redistribution, and it is kept for testing
HOW = ("each image preprocessed as `inkread read` does, one character per image; held-out writers: CVL's "
       "test split, pen digits' tes writers, a quarter of UNIPEN's and UJI's (inkread.data.writers)")


def bundle(run: str | Path, out_dir: Path | None = None, data_dir: str | Path | None = None,
           collections: Iterable[str] = tuple(COLLECTIONS)) -> Path:
    """Export `run` as the default model into `out_dir` (the package's bundle folder) with its card,
    measured on MNIST's test set and the held-out writers of `collections`."""
    out_dir = out_dir or bundle_dir()
    info_path, doc = read_info(run)
    _refuse_unshippable(doc)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as work:  # the old pair stays whole until both are made
        onnx_path = Path(work) / ONNX_NAME
        export_checkpoint(info_path.parent, onnx_path)
        model = load_onnx(onnx_path)
        card = _card(doc, model, onnx_path, held_out_figures(model, data_dir, collections))
        atomic_write_bytes(Path(work) / CARD_NAME, (json.dumps(card, indent=1) + "\n").encode())
        os.replace(onnx_path, out_dir / ONNX_NAME)
        os.replace(Path(work) / CARD_NAME, out_dir / CARD_NAME)
    return out_dir / ONNX_NAME


def _card(doc: dict[str, Any], model: OnnxModel, onnx_path: Path, figures: dict[str, Any]) -> dict[str, Any]:
    """The model card: what the model is, what it was trained on and how, what it measured."""
    return {
        "name": "default",
        "model": str(doc["config"]["model"]["name"]),
        "classes": model.classes,
        "onnx": {"file": ONNX_NAME, "sha256": sha256_file(onnx_path), "bytes": onnx_path.stat().st_size},
        "calibration": {"temperature": model.calibration.temperature, "threshold": model.threshold},
        "trained": {"config": doc["config"], "code": doc.get("code"), "finished": doc.get("saved_at"),
                    "data": _data_files(doc), "terms": _terms(doc)},
        "figures": {"measured": time.strftime("%Y-%m-%d", time.gmtime()), "how": HOW, **figures},
    }


def _datasets(doc: dict[str, Any]) -> list[str]:
    """The datasets a run trained on: its primary one, then the parts mixed in."""
    data = doc["config"]["data"]
    return [str(data["dataset"]), *(str(p["dataset"]) for p in data.get("datasets", []))]


def _refuse_unshippable(doc: dict[str, Any]) -> None:
    """A run trained on a collection whose terms forbid shipping cannot become the bundled model."""
    bad = sorted(set(_datasets(doc)) & set(NOT_SHIPPABLE))
    if bad:
        raise InkreadError(f"the run trained on {', '.join(bad)}, whose terms forbid shipping it",
                           expected="a run trained on MNIST, CVL, pen digits and UJI only",
                           fix="train with configs/default.yaml (`make model`)")


def _data_files(doc: dict[str, Any]) -> dict[str, str]:
    """Training data files as folder/name -> SHA-256 (the trainer's absolute paths left out)."""
    files: dict[str, str] = doc.get("data", {}).get("files", {})
    return {f"{Path(p).parent.name}/{Path(p).name}": h for p, h in files.items()}


def _terms(doc: dict[str, Any]) -> dict[str, str]:
    """The terms of each real collection the run trained on."""
    terms = {"mnist": "CC BY-SA 3.0", "fashion-mnist": "MIT"}  # the catalogue's datasets
    return {u: COLLECTIONS[u].terms if u in COLLECTIONS else terms.get(u, "see its source")
            for u in _datasets(doc)}
