"""The temperature and reject threshold an export carries: the checkpoint's, or fitted at export."""

from __future__ import annotations

from typing import Any

from inkread.calibrate import apply, choose_threshold, fit_temperature

# Without a stored threshold, reject answers below the confidence at which the accepted
# answers on held-out data are this accurate.
TARGET_ACCURACY = 0.995


def calibration_for(info: Any, model: Any, splits: Any) -> tuple[float, float, str]:
    """(temperature, threshold, where they came from) for a checkpoint and its run's splits."""
    from inkread.read.classifier import calibration_of, model_logits

    temperature, threshold = calibration_of(info)
    if temperature != 1.0 or threshold != 0.0:
        return temperature, threshold, "checkpoint"
    held, name = (splits.val, "validation") if len(splits.val) else (splits.train, "training")
    logits = model_logits(model, held.images, float(info.mean), float(info.std))  # (N, K)
    temperature = fit_temperature(logits, held.labels)
    threshold = choose_threshold(apply(logits, temperature), held.labels, TARGET_ACCURACY)
    return temperature, threshold, (f"fitted at export on the {name} split ({len(held)} images); threshold "
                                    f"for {TARGET_ACCURACY:.1%} accuracy of accepted answers")
