"""After training: a temperature and a reject threshold fitted on validation, kept in checkpoint.json.

The temperature makes the probabilities honest (fitted by validation NLL); the threshold is the lowest
calibrated confidence whose accepted validation answers reach `train.reject_target_accuracy`. Readers
(`inkread read`, the service, `inkread evaluate`) load both from the checkpoint.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from inkread.train.checkpoint import update_info

if TYPE_CHECKING:
    from inkread.train.session import Session


@dataclass(frozen=True)
class RunCalibration:
    """What is stored: the temperature, the threshold and how they did on the validation split."""

    temperature: float
    threshold: float
    target: float  # accuracy of accepted answers the threshold was chosen for
    val_nll_before: float | None  # validation NLL at T = 1 (None without a validation split)
    val_nll_after: float | None  # ... at the fitted temperature
    val_coverage: float | None  # share of validation answers the threshold accepts
    val_accepted_accuracy: float | None  # accuracy of those accepted answers
    val_samples: int
    note: str

    def info_fields(self) -> dict[str, Any]:
        """The top-level checkpoint.json fields: temperature, threshold and the calibration record."""
        record = {k: v for k, v in asdict(self).items() if k not in ("temperature", "threshold")}
        return {"temperature": self.temperature, "threshold": self.threshold, "calibration": record}


def fit_calibration(logits: np.ndarray, labels: np.ndarray, target: float) -> RunCalibration:
    """Temperature by validation NLL, then the threshold on the calibrated probabilities (N, K)."""
    from inkread import calibrate  # scipy.optimize takes ~0.7 s to import: only when calibrating

    if len(labels) == 0:
        return uncalibrated(target, "no validation split (data.val_fraction is 0): probabilities are "
                            "uncalibrated and nothing is rejected")
    temperature = calibrate.fit_temperature(logits, labels)
    probs = calibrate.apply(logits, temperature)  # (N, K)
    threshold = calibrate.choose_threshold(probs, labels, target)
    kept = calibrate.accepted(probs, threshold)  # (N,) bool
    correct = probs.argmax(axis=1) == labels
    coverage = float(kept.mean())
    note = (f"accepted validation answers reach {target:.2%} at {coverage:.2%} coverage" if kept.any()
            else f"no threshold reaches {target:.2%} on validation: every answer is rejected")
    return RunCalibration(temperature, threshold, target, calibrate.nll(logits, labels, 1.0),
                          calibrate.nll(logits, labels, temperature), coverage,
                          float(correct[kept].mean()) if kept.any() else None, len(labels), note)


def uncalibrated(target: float, note: str) -> RunCalibration:
    """Temperature 1 and threshold 0 (every answer accepted), with the reason."""
    return RunCalibration(1.0, 0.0, target, None, None, None, None, 0, note)


def record(run_dir: Path, cal: RunCalibration) -> None:
    """Write the calibration into the run's checkpoint.json."""
    update_info(run_dir, **cal.info_fields())


def calibrate_session(session: Session) -> RunCalibration:
    """Fit and store the calibration of a finished run with its best weights loaded."""
    from inkread.train.loop import StepSettings, predict_logits  # the loop calls this module

    target = session.config.train.reject_target_accuracy
    if session.data.val is None:
        cal = fit_calibration(np.zeros((0, 0)), np.zeros(0, dtype=np.int64), target)
    else:
        # the plain module: neither a compiled nor a distributed wrapper is needed for one pass
        logits, labels = predict_logits(session.model, session.data.val,
                                        StepSettings.from_config(session.config.train))
        cal = fit_calibration(logits.double().numpy(), labels.numpy(), target)
    record(session.run_dir, cal)
    return cal


def stored(run_dir: Path) -> dict[str, Any]:
    """The temperature, threshold and calibration record in a run's checkpoint.json ({} when absent)."""
    from inkread.train.checkpoint import CheckpointError, read_info

    try:
        _, doc = read_info(run_dir)
    except CheckpointError:  # e.g. a distributed worker whose rank 0 writes elsewhere
        return {}
    return {k: doc[k] for k in ("temperature", "threshold", "calibration") if k in doc}


def summary_line(fields: dict[str, Any]) -> str | None:
    """One line saying what `stored` found, for the end of `inkread train`."""
    if "temperature" not in fields:
        return None
    cal = fields.get("calibration") or {}
    line = f"calibration: temperature {fields['temperature']:.3f}, reject threshold {fields['threshold']:.4f}"
    if cal.get("val_coverage") is None:
        return f"{line} ({cal.get('note', 'no validation split')})"
    accepted = cal.get("val_accepted_accuracy")
    right = f"{accepted:.2%} of them right" if accepted is not None else "none accepted"
    return (f"{line} (validation: {cal['val_coverage']:.2%} of answers accepted, {right}; "
            f"target {cal['target']:.2%})")
