"""A torch network with its classes, input statistics and calibration, as a LoadedModel."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from inkread.core.calibration import Calibration
from inkread.core.model import LoadedModel
from inkread.core.scaling import model_input
from inkread.core.threads import torch_threads

BATCH = 1024  # images per forward pass: bounds the activations' memory on large inputs


class TorchModel(LoadedModel):
    """A torch module in eval mode that reads uint8 images the way it was trained to."""

    def __init__(self, module: nn.Module, classes: list[str], mean: float, std: float,
                 calibration: Calibration | None = None, *, name: str = "model", sha256: str = "") -> None:
        self.module = module.eval()
        self.classes, self.mean, self.std = list(classes), float(mean), float(std)
        self.calibration = calibration or Calibration()
        self.name, self.sha256 = name, sha256

    def logits(self, images: np.ndarray) -> np.ndarray:
        """Logits (N, K) float64 of uint8 images (N, 28, 28), scaled as in training."""
        out = []
        # One thread: a line's few characters are tiny batches, and on busy cores each multi-threaded
        # op waits for a descheduled thread (measured: 100 ms per batch of 12 with 2 threads, ~3 ms with 1).
        with torch.inference_mode(), torch_threads(1):
            for i in range(0, len(images), BATCH):
                x = torch.from_numpy(model_input(images[i:i + BATCH], self.mean, self.std))  # (B, 1, 28, 28)
                out.append(self.module(x).double().numpy())  # (B, K)
        return np.concatenate(out) if out else np.zeros((0, len(self.classes)))
