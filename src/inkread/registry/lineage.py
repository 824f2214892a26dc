"""What a registered model came from: dataset content hashes, resolved config, code version and metrics."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from inkread.core.files import content_hash
from inkread.core.flat import flatten
from inkread.train.run_info import METRICS_FILE


def as_params(tree: dict[str, Any]) -> dict[str, str]:
    """Nested config sections as dotted keys with JSON-ish string values: {"optim.lr": "0.01", ...}."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in flatten(tree).items()}


def data_hashes(doc: dict[str, Any]) -> dict[str, str]:
    """File name -> SHA-256 of the run's dataset files; hashed here for folder/.npz datasets."""
    data = doc.get("data") or {}
    files = data.get("files") or {}
    if files:
        return {Path(path).name: str(digest) for path, digest in sorted(files.items())}
    source = Path(str(data.get("dataset", "")))
    return {source.name: content_hash(source)} if source.exists() else {}




def data_digest(hashes: dict[str, str]) -> str:
    """One SHA-256 over all dataset file hashes: equal digests mean identical data."""
    return hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()


def final_metrics(doc: dict[str, Any]) -> dict[str, float]:
    """The run's headline numbers from checkpoint.json: test accuracy/loss, last validation, best epoch."""
    test = doc.get("test") or {}
    metrics = doc.get("metrics") or {}
    last = metrics.get("last") or {}
    out = {"test_accuracy": test.get("accuracy"), "test_loss": test.get("loss"),
           "val_accuracy": last.get("val_accuracy"), "val_loss": last.get("val_loss"),
           "best_epoch": metrics.get("best_epoch"), "epochs": doc.get("epoch")}
    return {k: float(v) for k, v in out.items() if isinstance(v, (int, float))}


def epoch_metrics(run_dir: Path) -> list[tuple[str, float, int]]:
    """(name, value, epoch) for every number in metrics.jsonl, one line per epoch."""
    path = run_dir / METRICS_FILE
    rows: list[tuple[str, float, int]] = []
    if not path.is_file():
        return rows
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        epoch = int(record.get("epoch", 0))
        rows += [(k, float(v), epoch) for k, v in record.items()
                 if k != "epoch" and isinstance(v, (int, float)) and not isinstance(v, bool)]
    return rows


def lineage(doc: dict[str, Any], run_dir: Path) -> dict[str, str]:
    """The lineage every logged run and registered version carries, as string tags."""
    hashes = data_hashes(doc)
    code = doc.get("code") or {}
    tags = {"run_dir": str(run_dir.resolve()), "dataset": str((doc.get("data") or {}).get("dataset", "")),
            "data_hashes": json.dumps(hashes, sort_keys=True), "data_digest": data_digest(hashes),
            "git_commit": str(code.get("git_commit") or "unknown"),
            "git_dirty": json.dumps(code.get("git_dirty")), "inkread_version": str(code.get("version", "")),
            "config": json.dumps(doc.get("config") or {}, sort_keys=True),
            "saved_at": str(doc.get("saved_at", ""))}
    tags.update({f"metric.{k}": repr(v) for k, v in final_metrics(doc).items()})
    return tags
