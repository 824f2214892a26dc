"""The files a tracked run carries: evaluation report, ONNX export, config.yaml and checkpoint.json."""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inkread.core.files import sha256_file

if TYPE_CHECKING:
    from mlflow import MlflowClient

MODEL_DIR = "model"  # artifact folder holding the ONNX file; a registered version's source points at it
ONNX_NAME = "model.onnx"
REPORT_DIR = "report"
# Headline numbers of the evaluation report logged as report.<name> metrics.
REPORT_METRICS = ("accuracy", "error_rate", "nll", "ece", "brier", "macro_f1")


@dataclass(frozen=True)
class LoggedModel:
    """The ONNX export logged with a run: its path inside the artifact folder and its SHA-256."""

    file: str
    sha256: str
    max_abs_diff: float


def current_report(run_dir: Path, doc: dict[str, Any]) -> Path:
    """RUN/report for the run's best weights, (re)written by `evaluate_checkpoint` when missing or stale.

    The report covers the test images the run was tested on (data.limit of them, or all).
    """
    report = run_dir / REPORT_DIR
    best = run_dir / str(doc.get("best_weights") or doc.get("weights"))
    try:
        written = json.loads((report / "metrics.json").read_text(encoding="utf-8")).get("checkpoint")
    except (OSError, ValueError):
        written = None
    if written is None or Path(written).resolve() != best.resolve():
        # torch loads only when the report must be written again
        from inkread.evaluate.checkpoint import evaluate_checkpoint

        evaluate_checkpoint(run_dir, limit=(doc.get("config") or {}).get("data", {}).get("limit"))
    return report


def report_metrics(report: Path) -> dict[str, float]:
    """The report's headline numbers as {"report.accuracy": ..., ...}."""
    result = json.loads((report / "metrics.json").read_text(encoding="utf-8"))
    return {f"report.{k}": float(result[k]) for k in REPORT_METRICS
            if isinstance(result.get(k), (int, float))}


def log_files(client: MlflowClient, run_id: str, run_dir: Path, doc: dict[str, Any]) -> LoggedModel:
    """Log the report, config.yaml, checkpoint.json and a fresh ONNX export; return the export's record."""
    # torch loads only to export a run being logged
    from inkread.export.onnx_export import export_checkpoint

    report = current_report(run_dir, doc)
    client.log_artifacts(run_id, str(report), REPORT_DIR)
    for name in ("config.yaml", "checkpoint.json", "metrics.jsonl"):
        if (run_dir / name).is_file():
            client.log_artifact(run_id, str(run_dir / name))
    with tempfile.TemporaryDirectory(prefix="inkread-export-") as tmp:
        result = export_checkpoint(run_dir, Path(tmp) / ONNX_NAME)
        digest = sha256_file(result.path)  # the bytes that are stored, whatever the exporter reports
        client.log_artifacts(run_id, tmp, MODEL_DIR)
        rel = result.path.relative_to(tmp).as_posix()
    metrics = {**report_metrics(report), "onnx.max_abs_diff": float(result.max_abs_diff)}
    _log_numbers(client, run_id, metrics)
    return LoggedModel(rel, digest, float(result.max_abs_diff))


def _log_numbers(client: MlflowClient, run_id: str, values: dict[str, float]) -> None:
    """Log final (step 0) metrics in one batch."""
    # mlflow loads only when logging
    from mlflow.entities import Metric

    stamp = int(time.time() * 1000)
    client.log_batch(run_id, metrics=[Metric(k, v, stamp, 0) for k, v in values.items()])
