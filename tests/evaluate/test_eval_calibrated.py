"""`inkread evaluate` with a calibrated checkpoint: NLL/ECE before and after, accuracy against coverage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from inkread.core.errors import InkreadError
from inkread.evaluate import metrics as M
from inkread.evaluate.checkpoint import describe, evaluate_checkpoint
from inkread.evaluate.page import render_page
from inkread.evaluate.report import FIGURES, compute_metrics, selective_metrics
from inkread.train.loop import fit
from tests.conftest import run_cli
from tests.evaluate.test_eval_report import CLASSES, synthetic
from tests.train.helpers import small_config


def test_at_threshold_hand_made() -> None:
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.45, 0.55]])
    labels = np.array([0, 0, 0, 0])
    point = M.at_threshold(probs, labels, 0.6)  # keeps rows 0, 1, 2: two of them right
    assert (point.kept, point.rejected, point.coverage) == (3, 1, 0.75)
    assert point.accuracy == pytest.approx(2 / 3)
    assert M.at_threshold(probs, labels, 0.95).accuracy is None


def test_report_shows_calibration_and_the_stored_threshold() -> None:
    data = synthetic()
    sharp = data["probs"] ** 3 / (data["probs"] ** 3).sum(1, keepdims=True)  # an overconfident version
    m = {"title": "t", **compute_metrics(data["probs"], data["labels"], CLASSES), "figures": dict(FIGURES)}
    m.update(selective_metrics(data["probs"], data["labels"], threshold=0.5, uncalibrated=sharp,
                               temperature=3.0))
    kept = data["probs"].max(1) >= 0.5
    assert m["reject"]["kept"] == kept.sum() and m["reject"]["coverage"] == pytest.approx(kept.mean())
    right = data["probs"].argmax(1) == data["labels"]
    assert m["reject"]["accuracy"] == pytest.approx(right[kept].mean())
    assert m["uncalibrated"]["nll"] == pytest.approx(M.log_loss(sharp, data["labels"]))
    assert m["temperature"] == 3.0
    page = render_page(m, {})
    assert "At the stored threshold" in page and f"{100 * kept.mean():.2f}% (stored threshold)" in page
    assert "before (T = 1)" in page and "after (T = 3.000)" in page
    with pytest.raises(InkreadError, match="shape"):
        selective_metrics(data["probs"], data["labels"], threshold=None, uncalibrated=np.full((240, 5), 0.2),
                          temperature=None)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-epoch run on 1,000 images, calibrated at its end."""
    cfg = small_config(tmp_path_factory.mktemp("evalcal"), "train.epochs=1")
    return fit(cfg, show_progress=False).run_dir


def test_evaluate_reports_coverage_at_the_stored_threshold(run: Path) -> None:
    doc = json.loads((run / "checkpoint.json").read_text())
    r = evaluate_checkpoint(run, limit=500)
    assert r["num_samples"] == 500 and r["temperature"] == doc["temperature"]
    assert r["reject"]["threshold"] == doc["threshold"]
    assert r["reject"]["kept"] + r["reject"]["rejected"] == 500
    if r["reject"]["accuracy"] is not None:  # the accepted answers are the more accurate ones
        assert r["reject"]["accuracy"] >= r["accuracy"]
    assert r["nll"] <= r["uncalibrated"]["nll"] + 0.05  # the validation temperature helps on test too
    last = r["coverage"][-1]
    assert last["coverage"] == 1.0 and last["accuracy"] == pytest.approx(r["accuracy"])
    lines = describe(r)
    assert lines[0].startswith(f"calibration (T = {doc['temperature']:.3f})")
    assert f"coverage {r['reject']['coverage']:.2%}" in lines[1]
    assert lines[2].startswith("accuracy at coverage")
    saved = json.loads((run / "report" / "metrics.json").read_text())
    assert saved["reject"] == r["reject"] and saved["prepared"] is False


def test_cli_evaluate_prepared_small_limit(run: Path) -> None:
    r = run_cli("evaluate", str(run), "--prepared", "--limit", "40", "--json", env={"OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["prepared"] is True and out["num_samples"] == 40 and out["no_ink"] == 0
    assert Path(out["report"]) == run / "report-prepared"
    assert (run / "report-prepared" / "index.html").is_file()
    assert 0.0 <= out["reject"]["coverage"] <= 1.0 and "temperature" in out
    with pytest.raises(InkreadError, match="one test variant at a time"):
        evaluate_checkpoint(run, prepared=True, augmented=True, limit=5)
