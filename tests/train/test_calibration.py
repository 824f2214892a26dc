"""Every training run ends by storing a temperature and a reject threshold fitted on validation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from inkread.core.calibration import apply
from inkread.core.calibration import fit as fit_calibration
from inkread.evaluate.checkpoint import predict_logits_array
from inkread.train.calibration import summary_line
from inkread.train.checkpoint import load_checkpoint
from inkread.train.data import load_splits
from inkread.train.loop import fit
from tests.train.helpers import small_config

TARGET = 0.97  # reachable with the ~100 validation images of a 1,000-image run


def test_fit_calibration_reaches_its_target_and_lowers_the_nll() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 3000)
    logits = rng.normal(0.0, 1.0, (3000, 10))
    logits[np.arange(3000), labels] += rng.normal(3.0, 2.0, 3000)  # mostly right, some wrong
    cal = fit_calibration(logits * 4.0, labels, 0.99)  # overconfident logits
    assert cal.temperature > 2.0 and cal.val_nll_after is not None and cal.val_nll_before is not None
    assert cal.val_nll_after < cal.val_nll_before
    probs = apply(logits * 4.0, cal.temperature)
    kept = probs.max(1) >= cal.threshold
    assert (probs.argmax(1) == labels)[kept].mean() >= 0.99
    assert cal.val_coverage == pytest.approx(kept.mean()) and 0.2 < kept.mean() < 1.0
    assert (probs.argmax(1) == labels).mean() < 0.99  # so the threshold had work to do


def test_unreachable_target_rejects_everything() -> None:
    logits = np.array([[2.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
    cal = fit_calibration(logits, np.array([0, 1, 1]), 1.0)
    assert cal.val_coverage == 0.0 and cal.val_accepted_accuracy is None
    assert "every answer is rejected" in cal.note


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-epoch run on 1,000 images with a 97% reject target."""
    out = tmp_path_factory.mktemp("cal")
    cfg = small_config(out, "train.epochs=1", f"train.reject_target_accuracy={TARGET}")
    return fit(cfg, show_progress=False).run_dir


def test_training_stores_temperature_threshold_and_record(run: Path) -> None:
    doc = json.loads((run / "checkpoint.json").read_text())
    cal = doc["calibration"]
    assert 0.05 < doc["temperature"] < 20.0 and 0.0 < doc["threshold"] <= 1.0
    assert cal["target"] == TARGET and cal["val_samples"] == 100
    assert cal["val_nll_after"] <= cal["val_nll_before"] + 1e-9
    assert 0.0 < cal["val_coverage"] <= 1.0 and cal["val_accepted_accuracy"] >= TARGET
    _, info = load_checkpoint(run)
    loaded = info.calibration
    assert (loaded.temperature, loaded.threshold) == (doc["temperature"], doc["threshold"])
    line = summary_line(doc)
    assert line is not None and f"{doc['temperature']:.3f}" in line and "97.00%" in line


def test_threshold_reaches_the_target_on_the_validation_split(run: Path) -> None:
    model, info = load_checkpoint(run)
    splits, _, _ = load_splits(info.config)  # the same seeded split the run validated on
    logits = predict_logits_array(model, splits.val.images, info.mean, info.std)
    probs = info.calibration.probabilities(logits)
    kept = probs.max(1) >= info.calibration.threshold
    right = probs.argmax(1) == splits.val.labels
    assert right[kept].mean() >= TARGET
    # one answer either way: layouts (channels_last in training) change the last bits of a confidence
    assert abs(kept.mean() - info.raw["calibration"]["val_coverage"]) <= 1 / len(kept) + 1e-9


def test_without_validation_split_nothing_is_calibrated(tmp_path: Path) -> None:
    # a rough, unscheduled lr: training accuracy goes up and down, yet the last epoch is the one kept
    cfg = small_config(tmp_path, "train.epochs=3", "data.val_fraction=0", "data.limit=300", "optim.lr=0.3",
                       "schedule.name=none")
    result = fit(cfg, show_progress=False)
    doc = json.loads((result.run_dir / "checkpoint.json").read_text())
    train_acc = [h["train_accuracy"] for h in result.history]
    assert max(train_acc) > train_acc[-1]
    assert result.best_epoch == 3 and doc["test"]["epoch"] == 3
    assert doc["temperature"] == 1.0 and doc["threshold"] == 0.0
    assert doc["calibration"]["val_coverage"] is None and "no validation split" in doc["calibration"]["note"]
    assert "no validation split" in (summary_line(doc) or "")
