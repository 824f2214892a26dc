"""The loaded-model interface: what reading, evaluation and serving need of a classifier.

A torch checkpoint (inkread.models.loaded.TorchModel) and an ONNX export
(inkread.export.runtime.OnnxModel) both provide it, so every command treats them alike.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np

from inkread.core.calibration import Calibration

# classify(batch uint8 (N, 28, 28), white on black) -> probabilities (N, K)
Classify = Callable[[np.ndarray], np.ndarray]


class LoadedModel(ABC):
    """A classifier ready to read: its name, classes, input statistics, calibration and logits."""

    name: str
    classes: list[str]
    mean: float  # training split's pixel statistics on [0, 1], for inkread.core.scaling
    std: float
    calibration: Calibration
    sha256: str  # of the weights or ONNX bytes the model was loaded from

    @abstractmethod
    def logits(self, images: np.ndarray) -> np.ndarray:
        """Logits (N, K) float64 of white-on-black uint8 images (N, 28, 28)."""

    def classify(self, images: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (N, K) float64 of uint8 images (N, 28, 28)."""
        if len(images) == 0:
            return np.zeros((0, len(self.classes)))
        return self.calibration.probabilities(self.logits(images))

    @property
    def temperature(self) -> float:
        """The softmax temperature fitted after training."""
        return self.calibration.temperature

    @property
    def threshold(self) -> float:
        """Answers less confident than this are read as "?"."""
        return self.calibration.threshold
