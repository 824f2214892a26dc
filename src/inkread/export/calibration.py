"""The calibration an export carries: the checkpoint's, or fitted at export for runs that have none."""

from __future__ import annotations

from inkread.core import calibration
from inkread.core.calibration import Calibration
from inkread.data.split import Splits
from inkread.models.loaded import TorchModel
from inkread.train.checkpoint import CheckpointInfo


def calibration_for(model: TorchModel, info: CheckpointInfo, splits: Splits) -> tuple[Calibration, str]:
    """The calibration to export, and where it came from.

    Runs trained before calibration existed record none (temperature 1, threshold 0): it is then fitted
    here exactly as training fits it, for the run's own train.reject_target_accuracy.
    """
    if model.calibration != Calibration():
        return model.calibration, "checkpoint"
    held, name = (splits.val, "validation") if len(splits.val) else (splits.train, "training")
    target = info.config.train.reject_target_accuracy
    share = info.config.train.reject_least_confident
    fitted = calibration.fit(model.logits(held.images), held.labels, target, share).calibration
    return fitted, (f"fitted at export on the {name} split ({len(held)} images); threshold "
                    f"for {target:.1%} accuracy of accepted answers")
