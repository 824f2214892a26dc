"""Calibration and reject: a temperature for honest probabilities, a threshold for "not sure".

The one place for this rule: training fits it (on validation), exports carry it, evaluation reports
it and serving applies it. Numpy only at import: scipy.optimize loads only to fit a temperature.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

# log T is searched in this range: T from ~0.02 to ~50 covers any trained network.
LOG_T_RANGE = (-4.0, 4.0)


@dataclass(frozen=True)
class Calibration:
    """Divide logits by `temperature` before the softmax; reject answers less confident than `threshold`."""

    temperature: float = 1.0
    threshold: float = 0.0  # 0: every answer is accepted

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (N, K) float64 of logits (N, K)."""
        return apply(logits, self.temperature)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax of z (N, K), stable for large logits."""
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def apply(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities (N, K) from logits (N, K) divided by the temperature."""
    return np.exp(_log_softmax(np.asarray(logits, dtype=np.float64) / temperature))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of z (N, K) float64."""
    return apply(z, 1.0)


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    """Mean negative log-likelihood of integer labels (N,) under logits (N, K) / T."""
    logp = _log_softmax(np.asarray(logits, dtype=np.float64) / temperature)
    return float(-logp[np.arange(len(labels)), labels].mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the validation NLL of logits (N, K) for labels (N,)."""
    from scipy.optimize import minimize_scalar  # ~0.7 s to import: only when a temperature is fitted

    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) == 0:
        return 1.0
    result = minimize_scalar(lambda t: nll(logits, labels, float(np.exp(t))),
                             bounds=LOG_T_RANGE, method="bounded", options={"xatol": 1e-4})
    return float(np.exp(result.x))


def choose_threshold(probs: np.ndarray, labels: np.ndarray, target_accuracy: float) -> float:
    """The lowest confidence threshold whose accepted answers (conf >= t) reach the target accuracy.

    Returns a value above every confidence (reject everything) when no threshold reaches it.
    """
    conf = probs.max(axis=1)  # (N,)
    correct = probs.argmax(axis=1) == np.asarray(labels)
    order = np.argsort(-conf, kind="stable")
    conf, correct = conf[order], correct[order]
    accuracy = np.cumsum(correct) / np.arange(1, len(conf) + 1)  # (N,) of the k most confident
    # A threshold accepts every tie at once, so only the last of a run of equal values counts.
    last_of_tie = np.append(conf[1:] < conf[:-1], True)
    ok = np.flatnonzero(last_of_tie & (accuracy >= target_accuracy))
    if ok.size == 0:
        return float(np.nextafter(conf.max(initial=1.0), np.inf))
    return float(conf[ok[-1]])


def accepted(probs: np.ndarray, threshold: float) -> np.ndarray:
    """Which answers (N,) bool a threshold keeps."""
    return np.asarray(probs.max(axis=1) >= threshold)


@dataclass(frozen=True)
class CalibrationFit:
    """A fitted calibration and how it did on the held-out split it was fitted on."""

    temperature: float
    threshold: float
    target: float  # accuracy of accepted answers the threshold was chosen for
    val_nll_before: float | None  # held-out NLL at T = 1 (None without held-out data)
    val_nll_after: float | None  # ... at the fitted temperature
    val_coverage: float | None  # share of held-out answers the threshold accepts
    val_accepted_accuracy: float | None  # accuracy of those accepted answers
    val_samples: int
    note: str

    @property
    def calibration(self) -> Calibration:
        """The temperature and threshold alone."""
        return Calibration(self.temperature, self.threshold)

    def info_fields(self) -> dict[str, Any]:
        """The top-level checkpoint.json fields: temperature, threshold and the calibration record."""
        record = {k: v for k, v in asdict(self).items() if k not in ("temperature", "threshold")}
        return {"temperature": self.temperature, "threshold": self.threshold, "calibration": record}


def fit(logits: np.ndarray, labels: np.ndarray, target: float,
        least_confident: float = 0.0) -> CalibrationFit:
    """Temperature by held-out NLL of logits (N, K), then the threshold on the calibrated probabilities:
    the one reaching `target` accuracy, raised to reject at least the `least_confident` share."""
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) == 0:
        return uncalibrated(target, "no validation split (data.val_fraction is 0): probabilities are "
                            "uncalibrated and nothing is rejected")
    temperature = fit_temperature(logits, labels)
    probs = apply(logits, temperature)  # (N, K)
    threshold = choose_threshold(probs, labels, target)
    if least_confident > 0:  # a reader that must also refuse what is no character at all
        threshold = max(threshold, float(np.quantile(probs.max(axis=1), least_confident, method="lower")))
    kept = accepted(probs, threshold)  # (N,) bool
    correct = probs.argmax(axis=1) == labels
    coverage = float(kept.mean())
    note = (f"accepted validation answers reach {target:.2%} at {coverage:.2%} coverage" if kept.any()
            else f"no threshold reaches {target:.2%} on validation: every answer is rejected")
    return CalibrationFit(temperature, threshold, target, nll(logits, labels, 1.0),
                          nll(logits, labels, temperature), coverage,
                          float(correct[kept].mean()) if kept.any() else None, len(labels), note)


def uncalibrated(target: float, note: str) -> CalibrationFit:
    """Temperature 1 and threshold 0 (every answer accepted), with the reason."""
    return CalibrationFit(1.0, 0.0, target, None, None, None, None, 0, note)
