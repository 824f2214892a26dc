"""After training: fit the calibration (inkread.core.calibration) on validation, keep it in checkpoint.json.

Readers (`inkread read`, the service, `inkread evaluate`) load it with the checkpoint or export.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from inkread.core import calibration
from inkread.core.calibration import CalibrationFit
from inkread.train.run_info import CheckpointError, read_info, update_info
from inkread.train.step import StepSettings, predict_logits

if TYPE_CHECKING:
    from inkread.train.session import Session


def record(run_dir: Path, cal: CalibrationFit) -> None:
    """Write the calibration into the run's checkpoint.json."""
    update_info(run_dir, **cal.info_fields())


def calibrate_session(session: Session) -> CalibrationFit:
    """Fit and store the calibration of a finished run with its best weights loaded."""
    target, share = session.config.train.reject_target_accuracy, session.config.train.reject_least_confident
    if session.data.val is None:
        cal = calibration.fit(np.zeros((0, 0)), np.zeros(0, dtype=np.int64), target)
    else:
        # the plain module: neither a compiled nor a distributed wrapper is needed for one pass
        logits, labels = predict_logits(session.model, session.data.val,
                                        StepSettings.from_config(session.config.train))
        cal = calibration.fit(logits.double().numpy(), labels.numpy(), target, share)
    record(session.run_dir, cal)
    return cal


def stored(run_dir: Path) -> dict[str, Any]:
    """The temperature, threshold and calibration record in a run's checkpoint.json ({} when absent)."""
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
