"""The evaluation report: metrics.json, four PNG figures and a self-contained index.html in one folder."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from inkread.core.errors import InkreadError
from inkread.core.files import atomic_write_text
from inkread.core.metrics import confusion_matrix
from inkread.evaluate import metrics as M
from inkread.evaluate.figures import save_confusion_matrix, save_coverage, save_gallery, save_reliability
from inkread.evaluate.page import render_page

GALLERY_MAX = 36
FIGURES = {
    "confusion_matrix": "confusion_matrix.png",
    "gallery": "gallery.png",
    "reliability": "reliability.png",
    "coverage": "coverage.png",
}
RESERVED = {"gallery", "figures"}  # keys added after the metrics
PLOT_COVERAGES = tuple(np.linspace(0.5, 1.0, 51).tolist())


def _check_report_inputs(probs: np.ndarray, labels: np.ndarray, images: np.ndarray,
                         classes: Sequence[str]) -> None:
    """Raise InkreadError unless probs, labels, images and classes describe the same samples."""
    M.check_inputs(probs, labels, where="report")
    n, k = probs.shape
    if images.ndim != 3 or images.shape[0] != n:
        raise InkreadError(f"images have shape {images.shape}", where="report",
                           expected=f"({n}, H, W): one grey image per probability row")
    if len(classes) != k or not all(isinstance(c, str) for c in classes):
        raise InkreadError(f"{len(classes)} class names for {k} probability columns", where="report",
                           expected=f"{k} class names (strings), one per column")


def _per_class_rows(pc: M.PerClass, classes: Sequence[str]) -> list[dict[str, Any]]:
    """One JSON-ready dict per class."""
    return [
        {"index": i, "class": name, "precision": float(pc.precision[i]), "recall": float(pc.recall[i]),
         "f1": float(pc.f1[i]), "support": int(pc.support[i])}
        for i, name in enumerate(classes)
    ]


def _calibration_dict(cal: M.Calibration) -> dict[str, Any]:
    """The ECE and its bins, with null accuracy/confidence for empty bins."""
    def num(x: float) -> float | None:
        return None if np.isnan(x) else float(x)

    bins = [
        {"lower": float(cal.edges[b]), "upper": float(cal.edges[b + 1]), "count": int(cal.count[b]),
         "accuracy": num(cal.accuracy[b]), "confidence": num(cal.confidence[b])}
        for b in range(cal.count.shape[0])
    ]
    return {"ece": cal.ece, "n_bins": len(bins), "bins": bins}


def compute_metrics(probs: np.ndarray, labels: np.ndarray, classes: Sequence[str]) -> dict[str, Any]:
    """Every metric of the report as a JSON-ready dict (inputs must already be valid)."""
    preds = M.predictions(probs)
    cm = confusion_matrix(labels, preds, len(classes))
    pc = M.per_class(cm)
    cal = M.calibration(probs, labels)
    acc = M.accuracy(probs, labels)
    return {
        "num_samples": int(labels.shape[0]),
        "num_classes": len(classes),
        "classes": list(classes),
        "accuracy": acc,
        "error_rate": 1.0 - acc,
        "nll": M.log_loss(probs, labels),
        "ece": cal.ece,
        "brier": M.brier(probs, labels),
        "macro_precision": float(pc.precision.mean()),
        "macro_recall": float(pc.recall.mean()),
        "macro_f1": float(pc.f1.mean()),
        "per_class": _per_class_rows(pc, classes),
        "confusion_matrix": cm.tolist(),
        "most_confused": [{"true": classes[t], "pred": classes[p], "count": c}
                          for t, p, c in M.most_confused(cm)],
        "calibration": _calibration_dict(cal),
        "coverage": [vars(p) for p in M.coverage_curve(probs, labels)],
    }


def _jsonable(value: Any) -> Any:
    """Fallback for json.dumps: numpy scalars/arrays to Python, anything else (Path, ...) to str."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    return str(value)


def _merge_extra(result: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """Add `extra` (made JSON-safe) to `result` and return it, refusing keys that would hide a metric."""
    if not extra:
        return {}
    clash = sorted(set(map(str, extra)) & (set(result) | RESERVED))
    if clash:
        raise InkreadError(f"extra keys {clash} clash with metric names", where="report",
                           fix="rename them, e.g. with a prefix")
    safe: dict[str, Any] = json.loads(json.dumps(extra, default=_jsonable))
    result.update(safe)
    return safe


def _gallery(out_dir: Path, probs: np.ndarray, labels: np.ndarray, images: np.ndarray,
             classes: Sequence[str]) -> list[dict[str, Any]]:
    """Draw the most confidently wrong images and return their index, true, pred and p."""

    idx = M.most_confident_errors(probs, labels, GALLERY_MAX)
    preds = M.predictions(probs)
    entries = [{"index": int(i), "true": classes[labels[i]], "pred": classes[preds[i]],
                "p": float(probs[i, preds[i]])} for i in idx]
    captions = [_caption(e["true"], e["pred"], e["p"]) for e in entries]
    save_gallery(out_dir / FIGURES["gallery"], images[idx], captions,
                 f"Most confidently wrong ({len(idx)} of {int((preds != labels).sum())} errors)")
    return entries


def _caption(true: str, pred: str, p: float) -> str:
    """'true X / pred Y' over 'p=0.97'; long class names get a line each, cut to 14 characters."""
    true, pred = true[:14], pred[:14]
    head = f"true {true} / pred {pred}"
    if len(head) > 20:
        head = f"true {true}\npred {pred}"
    return f"{head}\np={_fmt_p(p)}"


def _fmt_p(p: float) -> str:
    """A probability with 2 decimals, or 3 (rounded down, never '1.000') when it is at least 0.99."""
    return f"{p:.2f}" if p < 0.99 else f"{np.floor(p * 1000) / 1000:.3f}"


def _figures(out_dir: Path, probs: np.ndarray, labels: np.ndarray, result: dict[str, Any]) -> None:
    """Write the confusion matrix, reliability diagram and coverage curve (with the stored threshold)."""

    save_confusion_matrix(out_dir / FIGURES["confusion_matrix"], np.array(result["confusion_matrix"]),
                          result["classes"])
    save_reliability(out_dir / FIGURES["reliability"], M.calibration(probs, labels))
    reject = result.get("reject")
    save_coverage(out_dir / FIGURES["coverage"], M.coverage_curve(probs, labels, PLOT_COVERAGES),
                  M.RejectPoint(**reject) if reject else None)


def selective_metrics(probs: np.ndarray, labels: np.ndarray, *, threshold: float | None,
                      uncalibrated: np.ndarray | None, temperature: float | None) -> dict[str, Any]:
    """The temperature, NLL and ECE before calibration, and what the reject threshold keeps."""
    out: dict[str, Any] = {}
    if temperature is not None:
        out["temperature"] = float(temperature)
    if uncalibrated is not None:
        if uncalibrated.shape != probs.shape:
            raise InkreadError(f"uncalibrated probabilities have shape {uncalibrated.shape}", where="report",
                               expected=f"the shape of the calibrated ones, {probs.shape}")
        M.check_inputs(uncalibrated, labels, where="report (uncalibrated probabilities)")
        out["uncalibrated"] = {"nll": M.log_loss(uncalibrated, labels),
                               "ece": M.calibration(uncalibrated, labels).ece}
    if threshold is not None:
        out["reject"] = vars(M.at_threshold(probs, labels, threshold))
    return out


def _prepare_dir(out_dir: Path) -> None:
    """Create `out_dir` (and parents); refuse a path that is an existing file."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InkreadError("is a file, not a folder", where=out_dir,
                           expected="a folder for the report", fix="choose another --out path")
    out_dir.mkdir(parents=True, exist_ok=True)


def write_report(out_dir: Path, *, probs: np.ndarray, labels: np.ndarray, images: np.ndarray,
                 classes: list[str], title: str, extra: dict[str, Any] | None = None,
                 threshold: float | None = None, uncalibrated: np.ndarray | None = None,
                 temperature: float | None = None) -> dict[str, Any]:
    """Write metrics.json, the PNG figures and index.html into `out_dir`; return the metrics.

    `probs` are the (calibrated) probabilities reported; `uncalibrated` (softmax at T = 1) adds the NLL
    and ECE before calibration, and `threshold` what a reject rule at that confidence keeps.
    """
    probs, labels, images = np.asarray(probs), np.asarray(labels), np.asarray(images)
    _check_report_inputs(probs, labels, images, classes)
    out_dir = Path(out_dir)
    _prepare_dir(out_dir)
    result: dict[str, Any] = {"title": title, **compute_metrics(probs, labels, classes)}
    result.update(selective_metrics(probs, labels, threshold=threshold, temperature=temperature,
                                    uncalibrated=None if uncalibrated is None else np.asarray(uncalibrated)))
    shown_extra = _merge_extra(result, extra)
    _figures(out_dir, probs, labels, result)
    result["gallery"] = _gallery(out_dir, probs, labels, images, classes)
    result["figures"] = dict(FIGURES)
    atomic_write_text(out_dir / "metrics.json", json.dumps(result, indent=2) + "\n")
    atomic_write_text(out_dir / "index.html", render_page(result, shown_extra))
    return result
